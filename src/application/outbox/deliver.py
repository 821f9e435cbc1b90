"""Delivering outbox messages to the ERP: at least once on the wire, exactly once in effect.

A message is leased to one worker at a time (the lease is renewed while the ERP answers and
fences the settlement: a worker that lost its lease records nothing). A create whose answer was
lost is never sent blindly again: every attempt after the first looks the order (or the
customer) up in the ERP before creating anything.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from application.clock import Clock
from application.outbox.erp import (
    ErpOrderKey,
    ErpRejected,
    ErpUnauthorized,
    ErpUnavailable,
    ErpWriter,
    correlation_id,
)
from application.outbox.ports import OutboxDelivery, OutboxMessage, Settlement
from domain.customers import Customer
from domain.orders import OrderStatus
from domain.outbox import AttemptOutcome, CircuitPolicy, MessageKind, RetryPolicy

log = logging.getLogger(__name__)

#: Longest error text kept on a message.
MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryPolicy:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    circuit: CircuitPolicy = field(default_factory=CircuitPolicy)
    #: How long a claimed message stays this worker's without renewal.
    lease: timedelta = timedelta(seconds=60)
    #: Messages claimed at once, and delivered concurrently.
    batch: int = 64
    concurrency: int = 16
    #: The longest one ERP call may take: a create is sent only with at least this much lease
    #: left (plus a margin), so it can never still be in flight when another worker takes over.
    call_timeout: timedelta = timedelta(seconds=30)
    #: After a create whose outcome is unknown (timeout, lost reply), how long to wait before
    #: looking the order up: a slow ERP may still be committing it.
    lookup_delay: timedelta = timedelta(seconds=60)
    #: The ERP connection the circuit breaker pauses.
    connection: str = "erp"


@dataclass(slots=True)
class DrainReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    dead: int = 0
    paused: int = 0
    #: Settlements refused because another worker had taken the message over.
    lost_leases: int = 0
    #: Attempts whose end could not be recorded (their lease will expire).
    unsettled: int = 0
    #: Deliveries that called the ERP successfully (not the ones with nothing to send).
    answered: int = 0

    @property
    def attempts(self) -> int:
        return self.delivered + self.retried + self.failed + self.dead + self.paused

    def count(self, outcome: AttemptOutcome) -> None:
        name = {AttemptOutcome.RETRY: "retried"}.get(outcome, outcome.value)
        setattr(self, name, getattr(self, name) + 1)


class _Skip(Exception):
    """Nothing to send; the message is done (e.g. its customer was deleted)."""


class _NotSent(Exception):
    """The attempt stopped before calling the ERP (too little lease left); retry later."""


class _Ambiguous(Exception):
    """A create whose outcome is unknown: it may have been applied. Look it up, later."""

    def __init__(self, error: ErpUnavailable) -> None:
        super().__init__(str(error))
        self.error = error


class DeliverOutbox:
    """Claims due messages in batches and delivers them until none is due."""

    def __init__(
        self,
        store: OutboxDelivery,
        erp: ErpWriter,
        clock: Clock,
        policy: DeliveryPolicy,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store, self._erp, self._clock, self._policy = store, erp, clock, policy
        self._monotonic = monotonic
        #: When each running delivery's lease ends, on this process's monotonic clock (claim
        #: time + lease, moved on by each successful renewal).
        self._deadlines: dict[int, float] = {}
        #: Until when this worker saw deliveries paused (it sends nothing before then).
        self._paused_until: datetime | None = None
        #: ERP calls answered successfully since the last drain ended.
        self._answered = 0
        #: Messages whose settlement is being written: their lease is no longer renewed, and
        #: their delivery must not be cancelled.
        self._settling: set[int] = set()

    async def drain(
        self,
        ids: Sequence[int] | None = None,
        *,
        wake: asyncio.Event | None = None,
        budget: timedelta | None = None,
    ) -> DrainReport:
        """Deliver due messages until none is due and none is in flight.

        Up to ``concurrency`` deliveries run at once, and a slot is refilled as soon as it frees
        up: no message waits for a batch's slowest delivery. While the last claim left nothing
        behind, ``wake`` (set when new messages were committed) triggers the next claim. With
        ``ids``, only those messages are claimed, once. With ``budget``, nothing more is claimed
        after that long (what runs is finished). A failing claim stops the claiming, lets the
        running deliveries finish, then raises.
        """
        report = DrainReport()
        running: dict[int, asyncio.Task[AttemptOutcome | None]] = {}
        claimed: dict[int, OutboxMessage] = {}
        lost: set[int] = set()
        keeper = asyncio.create_task(self._keep_leases(claimed, running, lost))
        stop_at = None if budget is None else self._monotonic() + budget.total_seconds()
        claim_error: Exception | None = None
        more = True
        try:
            while True:
                free = self._policy.concurrency - len(running)
                if stop_at is not None and self._monotonic() >= stop_at:
                    more = False
                if more and free > 0 and not report.paused and claim_error is None:
                    if wake is not None:
                        wake.clear()
                    limit = min(free, self._policy.batch)
                    try:
                        messages = await self._claim(limit, ids)
                    except Exception as error:
                        claim_error, messages, more = error, [], False
                    else:
                        more = ids is None and len(messages) == limit
                    for message in messages:
                        claimed[message.id] = message
                        running[message.id] = asyncio.create_task(self.deliver(message))
                if not running:
                    break
                spent = stop_at is not None and self._monotonic() >= stop_at
                listen = None if spent else wake
                more = await self._wait_for_one(running, listen, more or ids is not None) or more
                for message_id in [i for i, task in running.items() if task.done()]:
                    self._collect(message_id, running.pop(message_id), lost, report)
                    del claimed[message_id]
                    # Its aggregate's next message (or an order waiting for this customer) may
                    # be due now.
                    more = (more or ids is None) and claim_error is None
        finally:
            keeper.cancel()
            for task in running.values():
                task.cancel()
            await asyncio.gather(keeper, *running.values(), return_exceptions=True)
        report.answered, self._answered = self._answered, 0
        if report.answered:
            # The ERP took Ponte's credentials: whatever pause there was is over (every worker).
            await self._store.resume(self._policy.connection)
        if claim_error is not None:
            raise claim_error
        return report

    async def _claim(self, limit: int, ids: Sequence[int] | None) -> list[OutboxMessage]:
        lease = self._policy.lease
        claimed_at = self._monotonic()
        messages = await self._store.claim(now=self._clock.now(), lease=lease, limit=limit, ids=ids)
        if messages:
            # The claim passed the pause check in the database: no pause is in force.
            self._paused_until = None
        for message in messages:
            self._deadlines[message.id] = claimed_at + lease.total_seconds()
        return messages

    def _lease_left(self, message_id: int) -> float:
        deadline = self._deadlines.get(message_id)
        return float("inf") if deadline is None else deadline - self._monotonic()

    @staticmethod
    async def _wait_for_one(
        running: dict[int, asyncio.Task[AttemptOutcome | None]],
        wake: asyncio.Event | None,
        busy: bool,
    ) -> bool:
        """Wait until a delivery ends or (when not ``busy`` claiming anyway) new messages are
        committed; True when woken by new messages."""
        waiters: set[asyncio.Future[object]] = set(running.values())  # type: ignore[arg-type]
        woken = None
        if wake is not None and not busy:
            woken = asyncio.ensure_future(wake.wait())
            waiters.add(woken)  # type: ignore[arg-type]
        done, _ = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        if woken is None:
            return False
        if woken in done:
            return True
        woken.cancel()
        return False

    @staticmethod
    def _collect(
        message_id: int,
        task: asyncio.Task[AttemptOutcome | None],
        lost: set[int],
        report: DrainReport,
    ) -> None:
        error = None if task.cancelled() else task.exception()
        if message_id in lost:
            report.lost_leases += 1
            return
        if task.cancelled() or error is not None:
            # Settling failed (e.g. the database went away): the lease expires and the message
            # is tried again; the ERP is asked before anything is created twice.
            report.unsettled += 1
            log.error("outbox message %s: attempt not recorded", message_id, exc_info=error)
            return
        outcome = task.result()
        if outcome is None:
            report.lost_leases += 1
        else:
            report.count(outcome)

    async def _keep_leases(
        self,
        claimed: dict[int, OutboxMessage],
        running: dict[int, asyncio.Task[AttemptOutcome | None]],
        lost: set[int],
    ) -> None:
        """Renew the leases of running deliveries at a third of their length. A delivery whose
        lease was not renewed, or is about to run out because renewals keep failing, is
        cancelled: another worker may take its message over. (A delivery already settling is
        left to finish; the settlement is fenced.)"""
        interval = self._policy.lease.total_seconds() / 3
        margin = interval / 2
        while True:
            await asyncio.sleep(interval)
            held = [m for i, m in claimed.items() if i not in self._settling]
            renewed_at = self._monotonic()
            try:
                kept: set[int] | None = await self._store.renew(
                    held, now=self._clock.now(), lease=self._policy.lease
                )
            except Exception:
                log.warning("could not renew outbox leases", exc_info=True)
                kept = None
            for message_id in kept or ():
                self._deadlines[message_id] = renewed_at + self._policy.lease.total_seconds()
            for message in held:
                task = running.get(message.id)
                if message.id in self._settling or task is None or task.done():
                    continue
                taken = kept is not None and message.id not in kept
                if taken or self._lease_left(message.id) < margin:
                    lost.add(message.id)
                    task.cancel()

    async def deliver(self, message: OutboxMessage) -> AttemptOutcome | None:
        """One attempt at ``message`` (already claimed). None: the lease was lost meanwhile."""
        token = correlation_id.set(f"outbox:{message.id}")
        try:
            settlement = await self._attempt(message)
        finally:
            correlation_id.reset(token)
            self._deadlines.pop(message.id, None)
        now = self._clock.now()
        self._settling.add(message.id)
        try:
            if settlement.outcome is AttemptOutcome.PAUSED:
                until = await self._store.pause(
                    self._policy.connection,
                    now=now,
                    pause_for=self._policy.circuit.pause,
                    reason=settlement.error or "the ERP refused Ponte's credentials",
                )
                self._paused_until = until
                settlement = dataclasses.replace(settlement, next_attempt_at=until)
            outcome = await self._store.settle(message, settlement, now=now)
        finally:
            self._settling.discard(message.id)
        if outcome is AttemptOutcome.DELIVERED and "skipped" not in settlement.result:
            self._answered += 1
        return outcome

    async def _attempt(self, message: OutboxMessage) -> Settlement:
        handler = self._handlers()[message.kind]
        if message.attempts - message.attempt_base > self._policy.retry.max_attempts:
            # Claimed again and again without an outcome (its settlement keeps failing).
            return Settlement(
                outcome=AttemptOutcome.DEAD,
                error="no outcome could be recorded after every attempt",
                error_code="unsettled",
            )
        if self._paused_until is not None and self._clock.now() < self._paused_until:
            # Another delivery of this batch met refused credentials: send nothing more.
            return Settlement(
                outcome=AttemptOutcome.PAUSED,
                error="deliveries are paused: the ERP refused Ponte's credentials",
                error_code="paused",
            )
        try:
            return await handler(message)
        except _Skip as skip:
            return Settlement(outcome=AttemptOutcome.DELIVERED, result={"skipped": str(skip)})
        except ErpRejected as error:
            return Settlement(
                outcome=AttemptOutcome.FAILED, error=_text(error), error_code=error.code
            )
        except ErpUnauthorized as error:
            return Settlement(
                outcome=AttemptOutcome.PAUSED, error=_text(error), error_code=error.code
            )
        except _NotSent as error:
            return self._retry(message, error, "lease")
        except _Ambiguous as ambiguous:
            # Whether the ERP applied it is unknown: the next attempt looks it up, once a slow
            # ERP has had time to finish.
            settlement = self._retry(message, ambiguous.error, ambiguous.error.code)
            earliest = self._clock.now() + self._policy.lookup_delay
            if settlement.next_attempt_at is not None and settlement.next_attempt_at < earliest:
                settlement = dataclasses.replace(settlement, next_attempt_at=earliest)
            return settlement
        except (ErpUnavailable, TimeoutError) as error:
            return self._retry(message, error, getattr(error, "code", None))
        except Exception as error:
            log.exception("outbox message %s failed unexpectedly", message.id)
            return self._retry(message, error, "unexpected")

    def _retry(self, message: OutboxMessage, error: BaseException, code: str | None) -> Settlement:
        delay = self._policy.retry.delay(message.attempts - message.attempt_base)
        if delay is None:
            return Settlement(outcome=AttemptOutcome.DEAD, error=_text(error), error_code=code)
        return Settlement(
            outcome=AttemptOutcome.RETRY,
            error=_text(error),
            error_code=code,
            next_attempt_at=self._clock.now() + delay,
        )

    def _handlers(self) -> dict[MessageKind, Callable[[OutboxMessage], Awaitable[Settlement]]]:
        return {
            MessageKind.CUSTOMER_UPSERT: self._upsert_customer,
            MessageKind.ORDER_CREATE: self._create_order,
            MessageKind.ORDER_CANCEL: self._cancel_order,
            MessageKind.ORDER_STATUS: self._change_status,
        }

    async def _upsert_customer(self, message: OutboxMessage) -> Settlement:
        found = await self._store.customer(message.aggregate_id)
        if found is None or found[0].deleted_at is not None:
            raise _Skip("the customer was deleted")
        customer = found[0]
        code = await self._erp.upsert_customer(customer)
        return _delivered({"customerCode": code}, customer_code=(customer.id, code))

    async def _create_order(self, message: OutboxMessage) -> Settlement:
        found = await self._store.order(message.aggregate_id)
        if found is None:
            raise _Skip("the order no longer exists")
        order, key = found
        if key is not None and order.status is not OrderStatus.CANCELLED:
            raise _Skip("the order is already linked to its ERP order")
        if key is None and message.attempts > 1:
            # An earlier attempt may have reached the ERP with its answer lost.
            key = await self._erp.find_order(order.id)
        if order.status is OrderStatus.CANCELLED:
            # Cancelled while this create was failing (an operator retried it afterwards): never
            # create it now; one that got through anyway is cancelled in the ERP too.
            if key is None:
                raise _Skip("the order was cancelled before it reached the ERP")
            await self._erp.cancel_order(order.id, key, "cancelled in Ponte")
            return _delivered({**_key_json(key), "cancelled": True}, order_key=(order.id, key))
        if key is not None:
            return _delivered(_key_json(key), order_key=(order.id, key))
        customer, code, learned = await self._customer_code(order.customer_id)
        margin = self._policy.lease.total_seconds() / 6
        if self._lease_left(message.id) < self._policy.call_timeout.total_seconds() + margin:
            raise _NotSent("too little of the lease is left to send the order safely")
        try:
            key = await self._erp.create_order(order, customer, code)
        except ErpUnavailable as error:
            raise _Ambiguous(error) from error
        return _delivered(
            _key_json(key),
            order_key=(order.id, key),
            customer_code=(customer.id, code) if learned else None,
        )

    async def _customer_code(self, customer_id: object) -> tuple[Customer, int, bool]:
        """The order's customer and its ERP code, upserting the customer if it has none yet;
        the flag says the code is new to Ponte."""
        found = await self._store.customer(customer_id)  # type: ignore[arg-type]
        if found is None:
            raise ErpRejected("the order's customer does not exist", code="CustomerMissing")
        customer, code = found
        if code is not None:
            return customer, code, False
        if customer.document is None:
            raise ErpRejected(
                "the order's customer was deleted before reaching the ERP",
                code="CustomerDeleted",
            )
        code = await self._erp.find_customer(customer)
        if code is None:
            code = await self._erp.upsert_customer(customer)
        return customer, code, True

    async def _erp_key(self, message: OutboxMessage) -> ErpOrderKey:
        found = await self._store.order(message.aggregate_id)
        if found is None:
            raise _Skip("the order no longer exists")
        order, key = found
        if key is None:
            key = await self._erp.find_order(order.id)
        if key is None:
            raise _Skip("the order never reached the ERP")
        return key

    async def _cancel_order(self, message: OutboxMessage) -> Settlement:
        key = await self._erp_key(message)
        reason = str(message.payload.get("reason") or "cancelled in Ponte")
        await self._erp.cancel_order(message.aggregate_id, key, reason)
        return _delivered(_key_json(key))

    async def _change_status(self, message: OutboxMessage) -> Settlement:
        key = await self._erp_key(message)
        status = OrderStatus(str(message.payload["status"]))
        await self._erp.change_order_status(message.aggregate_id, key, status)
        return _delivered({**_key_json(key), "status": status.value})


def _delivered(
    result: dict[str, object],
    *,
    customer_code: tuple[object, int] | None = None,
    order_key: tuple[object, ErpOrderKey] | None = None,
) -> Settlement:
    return Settlement(
        outcome=AttemptOutcome.DELIVERED,
        result=result,
        customer_code=customer_code,  # type: ignore[arg-type]
        order_key=order_key,  # type: ignore[arg-type]
    )


def _key_json(key: ErpOrderKey) -> dict[str, object]:
    return {"branchCode": key.branch_code, "orderCode": key.order_code}


#: What an ERP's error text may echo of a person: CPF/CNPJ digits (bare or punctuated) and
#: e-mail addresses. Error texts are kept on messages and shown to operators.
_PERSONAL = re.compile(
    r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b|\b\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}\b"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)


def _text(error: BaseException) -> str:
    """The error's text for operators, without documents or e-mail addresses, cut short."""
    text = str(error) or type(error).__name__
    return _PERSONAL.sub("***", text)[:MAX_ERROR_LENGTH]
