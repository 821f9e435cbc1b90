"""Hand-written fakes of the outbox ports: the request side (:class:`FakeOutbox`), the worker's
store (:class:`FakeOutboxDelivery`) and the ERP (:class:`FakeErp`)."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from application.orders.model import Order
from application.outbox.erp import ErpOrderKey, ErpUnavailable, correlation_id
from application.outbox.ports import OutboxMessage, Settlement
from domain.customers import Customer
from domain.orders import OrderStatus
from domain.outbox import AttemptOutcome, MessageKind, MessageStatus

# --- the request side ----------------------------------------------------------------------------


@dataclass
class QueuedMessage:
    id: int
    kind: MessageKind
    aggregate_id: UUID
    parent_id: UUID | None
    payload: dict[str, Any]
    status: MessageStatus = MessageStatus.PENDING
    attempts: int = 0
    error: str | None = None


class FakeOutbox:
    """``messages`` as the transaction sees them; ``committed`` as of the last :meth:`commit`
    (which the unit-of-work fakes call). ``held`` records every :meth:`hold_unsent` question."""

    def __init__(self) -> None:
        self.messages: list[QueuedMessage] = []
        self.committed: list[QueuedMessage] = []
        self.held: list[tuple[MessageKind, UUID]] = []

    async def add(
        self,
        kind: MessageKind,
        aggregate_id: UUID,
        *,
        parent_id: UUID | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        message = QueuedMessage(
            len(self.messages) + 1, kind, aggregate_id, parent_id, dict(payload or {})
        )
        self.messages.append(message)

    async def hold_unsent(self, kind: MessageKind, aggregate_id: UUID) -> bool:
        self.held.append((kind, aggregate_id))
        return self._unsent(kind, aggregate_id) is not None

    async def withdraw(self, kind: MessageKind, aggregate_id: UUID, reason: str) -> bool:
        message = self._unsent(kind, aggregate_id)
        if message is None:
            return False
        message.status, message.error = MessageStatus.FAILED, reason
        return True

    def commit(self) -> None:
        self.committed = copy.deepcopy(self.messages)

    def mark_sent(self, kind: MessageKind, aggregate_id: UUID) -> None:
        """A worker claimed the aggregate's message of ``kind`` (it may have reached the ERP)."""
        for message in self.messages:
            if (message.kind, message.aggregate_id) == (kind, aggregate_id):
                message.status, message.attempts = MessageStatus.IN_FLIGHT, 1
        self.commit()

    def of(self, aggregate_id: UUID) -> list[tuple[MessageKind, MessageStatus]]:
        """The committed messages of one aggregate, oldest first."""
        return [(m.kind, m.status) for m in self.committed if m.aggregate_id == aggregate_id]

    def _unsent(self, kind: MessageKind, aggregate_id: UUID) -> QueuedMessage | None:
        for message in reversed(self.messages):
            if (
                (message.kind, message.aggregate_id) == (kind, aggregate_id)
                and message.status is MessageStatus.PENDING
                and message.attempts == 0
            ):
                return message
        return None


# --- the worker's store --------------------------------------------------------------------------

_STATUS_OF = {
    AttemptOutcome.DELIVERED: MessageStatus.DELIVERED,
    AttemptOutcome.RETRY: MessageStatus.PENDING,
    AttemptOutcome.PAUSED: MessageStatus.PENDING,
    AttemptOutcome.FAILED: MessageStatus.FAILED,
    AttemptOutcome.DEAD: MessageStatus.DEAD,
}


@dataclass
class StoredMessage:
    id: int
    kind: MessageKind
    aggregate_id: UUID
    parent_id: UUID | None
    payload: dict[str, Any]
    created_at: datetime
    next_attempt_at: datetime
    status: MessageStatus = MessageStatus.PENDING
    attempts: int = 0
    attempt_base: int = 0
    lease_until: datetime | None = None
    last_error: str | None = None
    last_error_code: str | None = None
    result: dict[str, Any] | None = None


class FakeOutboxDelivery:
    """Implements :class:`application.outbox.ports.OutboxDelivery` with the adapter's rules:
    due messages oldest first, a message waits for older open ones of its aggregate or parent,
    every claim counts an attempt and leases the message, and a settlement is fenced by the
    lease (status in flight and the same attempt).

    Knobs: ``renew_keeps`` (False: no lease can be renewed), ``renew_error`` (renew raises it),
    ``claim_error`` (every claim from then on raises it), ``after_settle`` (awaited once a
    settlement has been recorded, before settle returns).
    """

    def __init__(self) -> None:
        self.rows: dict[int, StoredMessage] = {}
        self.customers: dict[UUID, tuple[Customer, int | None]] = {}
        self.orders: dict[UUID, tuple[Order, ErpOrderKey | None]] = {}
        self.settlements: list[tuple[OutboxMessage, Settlement]] = []
        self.claims = 0
        self.claimed = asyncio.Event()
        self.renewals: list[list[tuple[int, int]]] = []
        self.renewed = asyncio.Event()
        self.renew_keeps = True
        self.renew_error: Exception | None = None
        self.claim_error: Exception | None = None
        self.after_settle: Callable[[], Awaitable[None]] | None = None
        self.failures: dict[str, int] = {}
        self.paused: dict[str, datetime] = {}
        self.pauses: list[tuple[str, datetime, str]] = []
        self.resumes: list[str] = []

    def queue(
        self,
        kind: MessageKind,
        aggregate_id: UUID,
        *,
        at: datetime,
        parent_id: UUID | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> int:
        message_id = len(self.rows) + 1
        self.rows[message_id] = StoredMessage(
            message_id, kind, aggregate_id, parent_id, dict(payload or {}), at, at
        )
        return message_id

    def settled(self, message_id: int) -> list[Settlement]:
        return [s for m, s in self.settlements if m.id == message_id]

    async def claim(
        self,
        *,
        now: datetime,
        lease: timedelta,
        limit: int,
        ids: Sequence[int] | None = None,
    ) -> list[OutboxMessage]:
        self.claims += 1
        self.claimed.set()
        if self.claim_error is not None:
            raise self.claim_error
        if any(until > now for until in self.paused.values()):
            return []
        open_ = [r for r in self.rows.values() if r.status.is_open]

        def due(row: StoredMessage) -> bool:
            if (ids is not None and row.id not in ids) or row.next_attempt_at > now:
                return False
            return not any(
                other.id < row.id and other.aggregate_id in (row.aggregate_id, row.parent_id)
                for other in open_
            )

        chosen = sorted(filter(due, open_), key=lambda r: (r.next_attempt_at, r.id))[:limit]
        for row in chosen:
            row.status, row.attempts = MessageStatus.IN_FLIGHT, row.attempts + 1
            row.next_attempt_at = row.lease_until = now + lease
        return [_message(row) for row in sorted(chosen, key=lambda r: r.id)]

    async def renew(
        self, messages: Sequence[OutboxMessage], *, now: datetime, lease: timedelta
    ) -> set[int]:
        self.renewals.append([(m.id, m.attempts) for m in messages])
        self.renewed.set()
        if self.renew_error is not None:
            raise self.renew_error
        if not self.renew_keeps:
            return set()
        kept = set()
        for message in messages:
            row = self.rows[message.id]
            if row.status is MessageStatus.IN_FLIGHT and row.attempts == message.attempts:
                row.next_attempt_at = row.lease_until = now + lease
                kept.add(row.id)
        return kept

    async def settle(
        self, message: OutboxMessage, settlement: Settlement, *, now: datetime
    ) -> AttemptOutcome | None:
        row = self.rows[message.id]
        if row.status is not MessageStatus.IN_FLIGHT or row.attempts != message.attempts:
            return None
        self.settlements.append((message, settlement))
        row.status = _STATUS_OF[settlement.outcome]
        if settlement.outcome is AttemptOutcome.PAUSED:
            row.attempts -= 1
        if settlement.next_attempt_at is not None:
            row.next_attempt_at = settlement.next_attempt_at
        row.lease_until = None
        row.last_error, row.last_error_code = settlement.error, settlement.error_code
        if settlement.result:
            row.result = dict(settlement.result)
        if settlement.customer_code is not None:
            customer_id, code = settlement.customer_code
            self.customers[customer_id] = (self.customers[customer_id][0], code)
        if settlement.order_key is not None:
            order_id, key = settlement.order_key
            self.orders[order_id] = (self.orders[order_id][0], key)
        if self.after_settle is not None:
            await self.after_settle()
        return settlement.outcome

    async def customer(self, customer_id: UUID) -> tuple[Customer, int | None] | None:
        return self.customers.get(customer_id)

    async def order(self, order_id: UUID) -> tuple[Order, ErpOrderKey | None] | None:
        return self.orders.get(order_id)

    async def paused_until(self, connection: str, *, now: datetime) -> datetime | None:
        until = self.paused.get(connection)
        return until if until is not None and until > now else None

    async def pause(
        self, connection: str, *, now: datetime, pause_for: Callable[[int], timedelta], reason: str
    ) -> datetime:
        self.failures[connection] = self.failures.get(connection, 0) + 1
        until = now + pause_for(self.failures[connection])
        self.paused[connection] = until
        self.pauses.append((connection, until, reason))
        return until

    async def resume(self, connection: str) -> None:
        self.resumes.append(connection)
        self.paused.pop(connection, None)
        self.failures.pop(connection, None)


def _message(row: StoredMessage) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        kind=row.kind,
        aggregate_id=row.aggregate_id,
        parent_id=row.parent_id,
        payload=dict(row.payload),
        status=row.status,
        attempts=row.attempts,
        attempt_base=row.attempt_base,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        last_error=row.last_error,
        last_error_code=row.last_error_code,
    )


# --- the ERP -------------------------------------------------------------------------------------


@dataclass
class FakeErp:
    """Implements :class:`application.outbox.erp.ErpWriter`: customers keyed by document,
    orders by Ponte id. It never refuses a repeated create: ``created`` shows every one (the
    delivery, not the fake, must avoid them; assertions here would be caught as "unexpected").

    ``calls`` names every call in order and ``correlations`` the correlation id each one saw.
    ``fail(method, *errors)`` makes the next calls of ``method`` raise (before any effect);
    ``lost_create_answers`` creates that many orders and then raises :class:`ErpUnavailable`
    (the ERP took the order, its answer never came). ``hook(method)`` is awaited at every call.
    """

    customers: dict[str, int] = field(default_factory=dict)
    orders: dict[UUID, ErpOrderKey] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    correlations: list[str | None] = field(default_factory=list)
    upserted: list[UUID] = field(default_factory=list)
    created: list[tuple[UUID, UUID, int]] = field(default_factory=list)
    cancelled: list[tuple[UUID, ErpOrderKey, str]] = field(default_factory=list)
    statuses: list[tuple[UUID, ErpOrderKey, OrderStatus]] = field(default_factory=list)
    failures: dict[str, list[BaseException]] = field(default_factory=dict)
    lost_create_answers: int = 0
    hook: Callable[[str], Awaitable[None]] | None = None
    next_customer_code: int = 1000
    next_order_code: int = 5000

    def fail(self, method: str, *errors: BaseException) -> None:
        self.failures.setdefault(method, []).extend(errors)

    def has_order(self, order_id: UUID, key: ErpOrderKey) -> None:
        self.orders[order_id] = key

    async def _enter(self, method: str) -> None:
        self.calls.append(method)
        self.correlations.append(correlation_id.get())
        if self.hook is not None:
            await self.hook(method)
        pending = self.failures.get(method)
        if pending:
            raise pending.pop(0)

    async def upsert_customer(self, customer: Customer) -> int:
        await self._enter("upsert_customer")
        self.upserted.append(customer.id)
        document = _digits(customer)
        if document not in self.customers:
            self.customers[document] = self.next_customer_code
            self.next_customer_code += 1
        return self.customers[document]

    async def find_customer(self, customer: Customer) -> int | None:
        await self._enter("find_customer")
        return self.customers.get(_digits(customer))

    async def create_order(
        self, order: Order, customer: Customer, customer_code: int
    ) -> ErpOrderKey:
        await self._enter("create_order")
        key = ErpOrderKey(1, self.next_order_code)
        self.next_order_code += 1
        self.orders[order.id] = key
        self.created.append((order.id, customer.id, customer_code))
        if self.lost_create_answers:
            self.lost_create_answers -= 1
            raise ErpUnavailable("read timeout: the answer never came")
        return key

    async def find_order(self, order_id: UUID) -> ErpOrderKey | None:
        await self._enter("find_order")
        return self.orders.get(order_id)

    async def cancel_order(self, order_id: UUID, key: ErpOrderKey, reason: str) -> None:
        await self._enter("cancel_order")
        self.cancelled.append((order_id, key, reason))

    async def change_order_status(
        self, order_id: UUID, key: ErpOrderKey, status: OrderStatus
    ) -> None:
        await self._enter("change_order_status")
        self.statuses.append((order_id, key, status))


def _digits(customer: Customer) -> str:
    return "<no document>" if customer.document is None else customer.document.digits


def replace_row(store: FakeOutboxDelivery, message_id: int, **changes: Any) -> None:
    """Change a stored message behind the worker's back (e.g. another worker reclaimed it)."""
    store.rows[message_id] = dataclasses.replace(store.rows[message_id], **changes)
