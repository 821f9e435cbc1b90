"""DeliverOutbox with an in-memory store and ERP: what each kind of message asks of the ERP,
how every kind of failure ends an attempt, and the leases that fence a delivery."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from application.customers.data import profile_of
from application.orders.model import Order, OrderItem
from application.outbox.deliver import MAX_ERROR_LENGTH, DeliverOutbox, DeliveryPolicy, DrainReport
from application.outbox.erp import (
    ErpOrderKey,
    ErpRejected,
    ErpUnauthorized,
    ErpUnavailable,
    correlation_id,
)
from domain.customers import Customer
from domain.money import Money
from domain.orders import OrderLine, OrderStatus
from domain.outbox import AttemptOutcome, CircuitPolicy, MessageKind, MessageStatus, RetryPolicy
from tests.unit.application.customers.fakes import maria
from tests.unit.application.outbox_fakes import FakeErp, FakeOutboxDelivery, replace_row
from tests.unit.fakes import FixedClock

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
KEY = ErpOrderKey(1, 777)

RETRY = RetryPolicy(
    base=timedelta(seconds=1), factor=2, max_delay=timedelta(minutes=1), max_attempts=3
)
CIRCUIT = CircuitPolicy(first_pause=timedelta(seconds=30), max_pause=timedelta(minutes=15))


def make_customer(document: str = "123.456.789-09", email: str = "maria@example.com") -> Customer:
    profile = profile_of(maria(document=document, email=email), today=T0.date())
    return Customer.register(uuid4(), profile, at=T0)


def make_order(customer: Customer) -> Order:
    line = OrderLine(10, 2, Money(Decimal("39.90")))
    return Order(
        id=uuid4(),
        customer_id=customer.id,
        status=OrderStatus.PENDING,
        items=(OrderItem(line, "REF-A", "S1"),),
        freight=Money.zero(),
        discount=Money.zero(),
        total=Money(Decimal("79.80")),
        shipping_address=None,
        notes=None,
        reservation_open=True,
        created_at=T0,
        updated_at=T0,
    )


class Ticks:
    """A monotonic clock the test moves by hand (seconds; 0 at the start); ``read`` is set
    whenever the worker reads it."""

    def __init__(self) -> None:
        self.at = 0.0
        self.read = asyncio.Event()

    def __call__(self) -> float:
        self.read.set()
        return self.at


@dataclass
class World:
    store: FakeOutboxDelivery = field(default_factory=FakeOutboxDelivery)
    erp: FakeErp = field(default_factory=FakeErp)
    clock: FixedClock = field(default_factory=lambda: FixedClock(T0))
    #: The worker's monotonic clock; None: the real one.
    monotonic: Callable[[], float] | None = None

    def deliver(self, **policy: object) -> DeliverOutbox:
        settings: dict[str, object] = {"retry": RETRY, "circuit": CIRCUIT} | policy
        extra = {} if self.monotonic is None else {"monotonic": self.monotonic}
        return DeliverOutbox(self.store, self.erp, self.clock, DeliveryPolicy(**settings), **extra)  # type: ignore[arg-type]

    def ticks(self) -> Ticks:
        """Give the worker a hand-moved monotonic clock."""
        ticks = Ticks()
        self.monotonic = ticks
        return ticks

    async def drain(self, **policy: object) -> DrainReport:
        return await self.deliver(**policy).drain()

    def customer(self, code: int | None = None, **profile: str) -> Customer:
        customer = make_customer(**profile)
        self.store.customers[customer.id] = (customer, code)
        return customer

    def order(self, customer: Customer, key: ErpOrderKey | None = None) -> Order:
        order = make_order(customer)
        self.store.orders[order.id] = (order, key)
        return order

    def queue(self, kind: MessageKind, aggregate_id: UUID, **extra: object) -> int:
        return self.store.queue(kind, aggregate_id, at=self.clock.now(), **extra)  # type: ignore[arg-type]

    def later(self, delta: timedelta = timedelta(hours=1)) -> None:
        self.clock.at += delta

    def only_settlement(self, message_id: int) -> AttemptOutcome:
        settled = self.store.settled(message_id)
        assert len(settled) == 1, settled
        return settled[0].outcome


@pytest.fixture
def world() -> World:
    return World()


# --- what each message asks of the ERP -----------------------------------------------------------


async def test_a_customer_upsert_links_the_erp_code(world: World) -> None:
    customer = world.customer()
    message = world.queue(MessageKind.CUSTOMER_UPSERT, customer.id)

    report = await world.drain()

    assert (report.delivered, report.attempts) == (1, 1)
    assert world.erp.upserted == [customer.id]
    (settlement,) = world.store.settled(message)
    assert settlement.customer_code == (customer.id, 1000)
    assert settlement.result == {"customerCode": 1000}
    assert world.store.customers[customer.id][1] == 1000
    assert world.store.rows[message].status is MessageStatus.DELIVERED


async def test_a_deleted_or_unknown_customer_is_skipped_without_calling_the_erp(
    world: World,
) -> None:
    customer = world.customer()
    customer.erase(at=T0)
    deleted = world.queue(MessageKind.CUSTOMER_UPSERT, customer.id)
    unknown = world.queue(MessageKind.CUSTOMER_UPSERT, uuid4())

    report = await world.drain()

    assert report.delivered == 2
    assert world.erp.calls == []
    for message in (deleted, unknown):
        (settlement,) = world.store.settled(message)
        assert settlement.outcome is AttemptOutcome.DELIVERED
        assert "skipped" in settlement.result
        assert settlement.customer_code is None


async def test_an_order_of_a_customer_with_a_known_code_is_created_with_it(world: World) -> None:
    customer = world.customer(code=42)
    order = world.order(customer)
    message = world.queue(MessageKind.ORDER_CREATE, order.id, parent_id=customer.id)

    report = await world.drain()

    assert report.delivered == 1
    assert world.erp.calls == ["create_order"]
    assert world.erp.created == [(order.id, customer.id, 42)]
    (settlement,) = world.store.settled(message)
    key = world.erp.orders[order.id]
    assert settlement.order_key == (order.id, key)
    assert settlement.customer_code is None
    assert settlement.result == {"branchCode": key.branch_code, "orderCode": key.order_code}
    assert world.store.orders[order.id][1] == key


async def test_a_customer_without_a_code_is_looked_up_before_the_order(world: World) -> None:
    customer = world.customer()
    world.erp.customers[customer.document.digits] = 55  # type: ignore[union-attr]
    order = world.order(customer)
    message = world.queue(MessageKind.ORDER_CREATE, order.id, parent_id=customer.id)

    await world.drain()

    assert world.erp.calls == ["find_customer", "create_order"]
    assert world.erp.created == [(order.id, customer.id, 55)]
    (settlement,) = world.store.settled(message)
    assert settlement.customer_code == (customer.id, 55)
    assert world.store.customers[customer.id][1] == 55


async def test_a_customer_the_erp_lacks_is_upserted_before_the_order(world: World) -> None:
    customer = world.customer()
    order = world.order(customer)
    message = world.queue(MessageKind.ORDER_CREATE, order.id, parent_id=customer.id)

    await world.drain()

    assert world.erp.calls == ["find_customer", "upsert_customer", "create_order"]
    assert world.erp.created == [(order.id, customer.id, 1000)]
    assert world.store.settled(message)[0].customer_code == (customer.id, 1000)


async def test_an_order_whose_customer_is_gone_fails_without_creating(world: World) -> None:
    deleted = world.customer()
    deleted.erase(at=T0)
    of_deleted = world.order(deleted)
    missing = make_order(make_customer())
    world.store.orders[missing.id] = (missing, None)
    first = world.queue(MessageKind.ORDER_CREATE, of_deleted.id)
    second = world.queue(MessageKind.ORDER_CREATE, missing.id)

    report = await world.drain()

    assert report.failed == 2
    assert world.erp.created == []
    assert world.store.rows[first].last_error_code == "CustomerDeleted"
    assert world.store.rows[second].last_error_code == "CustomerMissing"


async def test_an_order_already_linked_or_gone_needs_no_erp_call(world: World) -> None:
    customer = world.customer(code=42)
    linked = world.order(customer, KEY)
    first = world.queue(MessageKind.ORDER_CREATE, linked.id)
    second = world.queue(MessageKind.ORDER_CREATE, uuid4())

    report = await world.drain()

    assert report.delivered == 2
    assert world.erp.calls == []
    assert "already linked" in world.store.settled(first)[0].result["skipped"]
    assert "skipped" in world.store.settled(second)[0].result
    # Nothing reached the ERP, so nothing says its credentials work again.
    assert report.answered == 0


async def test_the_first_attempt_creates_without_looking_up(world: World) -> None:
    customer = world.customer(code=42)
    order = world.order(customer)
    world.queue(MessageKind.ORDER_CREATE, order.id)

    await world.drain()

    assert "find_order" not in world.erp.calls


async def test_a_create_whose_answer_was_lost_is_found_not_sent_again(world: World) -> None:
    customer = world.customer(code=42)
    order = world.order(customer)
    message = world.queue(MessageKind.ORDER_CREATE, order.id)
    world.erp.lost_create_answers = 1

    first = await world.drain()
    assert (first.retried, first.delivered) == (1, 0)
    assert world.store.orders[order.id][1] is None
    world.later()
    second = await world.drain()

    assert second.delivered == 1
    assert world.erp.calls == ["create_order", "find_order"]
    assert len(world.erp.created) == 1
    assert world.store.orders[order.id][1] == world.erp.orders[order.id]
    assert world.store.rows[message].attempts == 2


async def test_a_later_attempt_creates_only_after_the_lookup_found_nothing(world: World) -> None:
    customer = world.customer(code=42)
    order = world.order(customer)
    world.queue(MessageKind.ORDER_CREATE, order.id)
    world.erp.fail("create_order", ErpUnavailable("502 from the gateway", status=502))

    await world.drain()
    world.later()
    report = await world.drain()

    assert report.delivered == 1
    assert world.erp.calls == ["create_order", "find_order", "create_order"]
    assert len(world.erp.created) == 1


async def test_a_reclaimed_create_looks_the_order_up_too(world: World) -> None:
    """A worker died mid-create (its lease expired): the next attempt counts as a second one."""
    customer = world.customer(code=42)
    order = world.order(customer)
    message = world.queue(MessageKind.ORDER_CREATE, order.id)
    world.erp.orders[order.id] = KEY  # the dead worker's create reached the ERP
    replace_row(
        world.store,
        message,
        status=MessageStatus.IN_FLIGHT,
        attempts=1,
        next_attempt_at=T0 - timedelta(seconds=1),
    )

    report = await world.drain()

    assert report.delivered == 1
    assert world.erp.calls == ["find_order"]
    assert world.store.orders[order.id][1] == KEY


async def test_cancelling_an_order_the_erp_never_got_is_skipped(world: World) -> None:
    order = world.order(world.customer(code=42))
    message = world.queue(MessageKind.ORDER_CANCEL, order.id)

    report = await world.drain()

    assert report.delivered == 1
    assert world.erp.calls == ["find_order"]
    assert world.erp.cancelled == []
    assert "skipped" in world.store.settled(message)[0].result


async def test_cancelling_looks_the_key_up_when_ponte_lacks_it(world: World) -> None:
    order = world.order(world.customer(code=42))
    world.erp.orders[order.id] = KEY
    world.queue(MessageKind.ORDER_CANCEL, order.id)

    await world.drain()

    assert world.erp.calls == ["find_order", "cancel_order"]
    assert world.erp.cancelled == [(order.id, KEY, "cancelled in Ponte")]


async def test_cancelling_a_linked_order_sends_the_reason_given(world: World) -> None:
    order = world.order(world.customer(code=42), KEY)
    message = world.queue(MessageKind.ORDER_CANCEL, order.id, payload={"reason": "customer asked"})

    await world.drain()

    assert world.erp.calls == ["cancel_order"]
    assert world.erp.cancelled == [(order.id, KEY, "customer asked")]
    assert world.store.settled(message)[0].result == {"branchCode": 1, "orderCode": 777}


async def test_a_status_change_passes_pontes_status(world: World) -> None:
    order = world.order(world.customer(code=42), KEY)
    message = world.queue(MessageKind.ORDER_STATUS, order.id, payload={"status": "confirmed"})

    await world.drain()

    assert world.erp.statuses == [(order.id, KEY, OrderStatus.CONFIRMED)]
    assert world.store.settled(message)[0].result == {
        "branchCode": 1,
        "orderCode": 777,
        "status": "confirmed",
    }


def cancelled(world: World) -> Order:
    """An order cancelled in Ponte while its create was still failing."""
    order = world.order(world.customer(code=42))
    order = dataclasses.replace(order, status=OrderStatus.CANCELLED)
    world.store.orders[order.id] = (order, None)
    return order


async def test_the_first_create_of_a_cancelled_order_is_skipped(world: World) -> None:
    order = cancelled(world)
    message = world.queue(MessageKind.ORDER_CREATE, order.id)

    report = await world.drain()

    assert report.delivered == 1
    assert world.erp.calls == []
    (settlement,) = world.store.settled(message)
    assert "skipped" in settlement.result
    assert settlement.order_key is None


async def test_a_later_create_of_a_cancelled_order_cancels_the_one_that_got_through(
    world: World,
) -> None:
    order = cancelled(world)
    message = world.queue(MessageKind.ORDER_CREATE, order.id)
    replace_row(world.store, message, attempts=1)  # an earlier attempt may have reached the ERP
    world.erp.orders[order.id] = KEY

    report = await world.drain()

    assert report.delivered == 1
    assert world.erp.calls == ["find_order", "cancel_order"]
    assert world.erp.cancelled == [(order.id, KEY, "cancelled in Ponte")]
    assert world.erp.created == []
    (settlement,) = world.store.settled(message)
    assert settlement.order_key == (order.id, KEY)
    assert world.store.orders[order.id][1] == KEY


async def test_a_later_create_of_a_cancelled_order_the_erp_lacks_is_skipped(world: World) -> None:
    order = cancelled(world)
    message = world.queue(MessageKind.ORDER_CREATE, order.id)
    replace_row(world.store, message, attempts=1)

    report = await world.drain()

    assert report.delivered == 1
    assert world.erp.calls == ["find_order"]
    assert "skipped" in world.store.settled(message)[0].result


# --- how attempts end ----------------------------------------------------------------------------


async def test_a_rejection_fails_with_the_erps_words_and_is_not_retried(world: World) -> None:
    customer = world.customer()
    message = world.queue(MessageKind.CUSTOMER_UPSERT, customer.id)
    world.erp.fail(
        "upsert_customer", ErpRejected("CPF blocked by the credit desk", status=422, code="E042")
    )

    report = await world.drain()
    world.later(timedelta(days=30))
    again = await world.drain()

    assert (report.failed, report.attempts) == (1, 1)
    assert again.attempts == 0
    row = world.store.rows[message]
    assert (row.status, row.attempts) == (MessageStatus.FAILED, 1)
    assert (row.last_error, row.last_error_code) == ("CPF blocked by the credit desk", "E042")
    assert world.erp.calls == ["upsert_customer"]


async def test_an_unavailable_erp_is_retried_after_the_policys_delay(world: World) -> None:
    customer = world.customer()
    message = world.queue(MessageKind.CUSTOMER_UPSERT, customer.id)
    world.erp.fail("upsert_customer", ErpUnavailable("503 maintenance", status=503, code="503"))

    report = await world.drain()

    assert report.retried == 1
    (settlement,) = world.store.settled(message)
    assert settlement.outcome is AttemptOutcome.RETRY
    assert (settlement.error, settlement.error_code) == ("503 maintenance", "503")
    # Attempt 1 of a 1 s base: between 0.5 s and 1 s later.
    assert settlement.next_attempt_at is not None
    assert T0 + timedelta(seconds=0.5) <= settlement.next_attempt_at <= T0 + timedelta(seconds=1)
    row = world.store.rows[message]
    assert (row.status, row.next_attempt_at) == (MessageStatus.PENDING, settlement.next_attempt_at)
    assert (await world.drain()).attempts == 0  # not due yet

    world.clock.at = settlement.next_attempt_at
    assert (await world.drain()).delivered == 1


async def test_retries_grow_and_end_dead_after_max_attempts(world: World) -> None:
    customer = world.customer()
    message = world.queue(MessageKind.CUSTOMER_UPSERT, customer.id)
    world.erp.fail("upsert_customer", *(ErpUnavailable(f"timeout {n}") for n in range(1, 5)))

    outcomes, waits = [], []
    for _ in range(4):
        before = world.clock.now()
        report = await world.drain()
        outcomes.append((report.retried, report.dead))
        row = world.store.rows[message]
        waits.append(row.next_attempt_at - before)
        world.later()

    assert outcomes == [(1, 0), (1, 0), (0, 1), (0, 0)]
    assert timedelta(seconds=0.5) <= waits[0] <= timedelta(seconds=1)
    assert timedelta(seconds=1) <= waits[1] <= timedelta(seconds=2)
    row = world.store.rows[message]
    assert (row.status, row.attempts, row.last_error) == (MessageStatus.DEAD, 3, "timeout 3")
    assert world.erp.calls == ["upsert_customer"] * 3


async def test_a_create_whose_outcome_is_unknown_waits_the_lookup_delay(world: World) -> None:
    order = world.order(world.customer(code=42))
    message = world.queue(MessageKind.ORDER_CREATE, order.id)
    world.erp.fail("create_order", ErpUnavailable("read timeout", code="timeout"))

    report = await world.drain(lookup_delay=timedelta(minutes=3))

    assert report.retried == 1
    (settlement,) = world.store.settled(message)
    assert (settlement.outcome, settlement.error_code) == (AttemptOutcome.RETRY, "timeout")
    # The backoff alone would say 0.5 s to 1 s.
    assert settlement.next_attempt_at is not None
    assert settlement.next_attempt_at >= T0 + timedelta(minutes=3)


async def test_a_transient_failure_before_the_create_keeps_the_plain_backoff(
    world: World,
) -> None:
    order = world.order(world.customer())  # no code yet: the customer is upserted first
    message = world.queue(MessageKind.ORDER_CREATE, order.id)
    world.erp.fail("upsert_customer", ErpUnavailable("503 maintenance", status=503))

    await world.drain(lookup_delay=timedelta(minutes=3))

    assert world.erp.created == []
    (settlement,) = world.store.settled(message)
    assert settlement.outcome is AttemptOutcome.RETRY
    assert settlement.next_attempt_at is not None
    assert T0 + timedelta(seconds=0.5) <= settlement.next_attempt_at <= T0 + timedelta(seconds=1)


async def test_a_message_claimed_beyond_its_budget_ends_dead_without_an_erp_call(
    world: World,
) -> None:
    """E.g. its settlement kept failing: every claim counted an attempt, none an outcome."""
    message = world.queue(MessageKind.CUSTOMER_UPSERT, world.customer().id)
    replace_row(world.store, message, attempts=RETRY.max_attempts)

    report = await world.drain()

    assert (report.dead, report.attempts) == (1, 1)
    assert world.erp.calls == []
    row = world.store.rows[message]
    assert (row.status, row.last_error_code) == (MessageStatus.DEAD, "unsettled")


async def test_a_requeued_message_gets_a_fresh_budget(world: World) -> None:
    message = world.queue(MessageKind.CUSTOMER_UPSERT, world.customer().id)
    replace_row(
        world.store,
        message,
        attempts=RETRY.max_attempts,
        attempt_base=RETRY.max_attempts,  # an operator requeued it after the last one
    )

    report = await world.drain()

    assert report.delivered == 1
    assert world.erp.calls == ["upsert_customer"]


async def test_the_backoff_counts_attempts_since_the_requeue(world: World) -> None:
    message = world.queue(MessageKind.CUSTOMER_UPSERT, world.customer().id)
    replace_row(world.store, message, attempts=4, attempt_base=3)  # this is attempt 2 of 3
    world.erp.fail("upsert_customer", ErpUnavailable("timeout"))

    report = await world.drain()

    assert report.retried == 1
    (settlement,) = world.store.settled(message)
    # Attempt 2 of a 1 s base, factor 2: between 1 s and 2 s later.
    assert settlement.next_attempt_at is not None
    assert T0 + timedelta(seconds=1) <= settlement.next_attempt_at <= T0 + timedelta(seconds=2)


async def test_timeouts_and_unexpected_errors_are_retried_not_raised(world: World) -> None:
    first = world.customer()
    second = world.customer(document="529.982.247-25", email="b@example.com")
    timed_out = world.queue(MessageKind.CUSTOMER_UPSERT, first.id)
    broken = world.queue(MessageKind.CUSTOMER_UPSERT, second.id)
    world.erp.fail("upsert_customer", TimeoutError(), RuntimeError("bug in the adapter"))

    report = await world.drain()

    assert report.retried == 2
    assert world.store.rows[timed_out].last_error == "TimeoutError"
    assert world.store.rows[broken].last_error == "bug in the adapter"
    assert world.store.rows[broken].last_error_code == "unexpected"


async def test_long_errors_are_cut(world: World) -> None:
    message = world.queue(MessageKind.CUSTOMER_UPSERT, world.customer().id)
    world.erp.fail("upsert_customer", ErpRejected("x" * (MAX_ERROR_LENGTH + 500)))

    await world.drain()

    assert world.store.rows[message].last_error == "x" * MAX_ERROR_LENGTH


async def test_refused_credentials_pause_deliveries_and_give_the_attempt_back(
    world: World,
) -> None:
    first = world.queue(MessageKind.CUSTOMER_UPSERT, world.customer().id)
    other = world.customer(document="529.982.247-25", email="b@example.com")
    second = world.queue(MessageKind.CUSTOMER_UPSERT, other.id)
    world.erp.fail("upsert_customer", ErpUnauthorized("token refused", status=401, code="401"))

    report = await world.drain(batch=1, connection="totvs_moda")

    assert (report.paused, report.attempts) == (1, 1)
    assert world.store.claims == 1  # the drain stopped right after the pause
    assert world.store.pauses == [("totvs_moda", T0 + timedelta(seconds=30), "token refused")]
    row = world.store.rows[first]
    assert (row.status, row.attempts, row.last_error_code) == (MessageStatus.PENDING, 0, "401")
    assert world.store.rows[second].attempts == 0
    assert world.erp.calls == ["upsert_customer"]


async def test_a_success_after_a_pause_resumes_deliveries(world: World) -> None:
    for n, document in enumerate(("123.456.789-09", "529.982.247-25")):
        customer = world.customer(document=document, email=f"{n}@e.co")
        world.queue(MessageKind.CUSTOMER_UPSERT, customer.id)
    world.erp.fail("upsert_customer", ErpUnauthorized("token refused"))
    deliver = world.deliver(batch=1)
    await deliver.drain()
    assert world.store.resumes == []

    # The paused message is due again once both the pause and its old lease have ended.
    world.later(timedelta(seconds=61))
    report = await deliver.drain()

    assert report.delivered == 2
    assert world.store.resumes == ["erp"]
    assert world.store.paused == {}
    assert world.store.failures == {}


async def test_consecutive_refusals_double_the_pause(world: World) -> None:
    world.queue(MessageKind.CUSTOMER_UPSERT, world.customer().id)
    world.erp.fail("upsert_customer", ErpUnauthorized("no"), ErpUnauthorized("still no"))
    deliver = world.deliver()

    await deliver.drain()
    world.clock.at = T0 + timedelta(seconds=60)  # the pause and the attempt's old lease ended
    await deliver.drain()

    assert [until for _, until, _ in world.store.pauses] == [
        T0 + timedelta(seconds=30),
        T0 + timedelta(seconds=120),
    ]


async def test_only_an_answered_erp_call_resumes_deliveries(world: World) -> None:
    deleted = world.customer()
    deleted.erase(at=T0)
    world.queue(MessageKind.CUSTOMER_UPSERT, deleted.id)
    world.queue(MessageKind.ORDER_CREATE, uuid4())  # the order is gone

    skipped = await world.drain()
    assert skipped.delivered == 2
    assert world.store.resumes == []

    world.queue(MessageKind.CUSTOMER_UPSERT, world.customer(document="529.982.247-25").id)
    answered = await world.drain()
    assert answered.delivered == 1
    assert world.store.resumes == ["erp"]


async def test_a_claim_after_the_pause_was_lifted_forgets_this_workers_pause(
    world: World,
) -> None:
    world.queue(MessageKind.CUSTOMER_UPSERT, world.customer().id)
    world.erp.fail("upsert_customer", ErpUnauthorized("token refused"))
    deliver = world.deliver()
    assert (await deliver.drain()).paused == 1  # this worker saw a pause until T0 + 30 s
    await world.store.resume("erp")  # another worker got through meanwhile
    world.later(timedelta(seconds=10))
    world.queue(MessageKind.CUSTOMER_UPSERT, world.customer(document="529.982.247-25").id)

    report = await deliver.drain()

    assert (report.delivered, report.paused) == (1, 0)
    assert world.erp.calls == ["upsert_customer", "upsert_customer"]
    assert len(world.store.pauses) == 1


async def test_a_settlement_refused_for_a_lost_lease_counts_as_lost(world: World) -> None:
    customer = world.customer(code=42)
    order = world.order(customer)
    message = world.queue(MessageKind.ORDER_CREATE, order.id)

    async def taken_over(method: str) -> None:
        # Meanwhile the lease expired and another worker claimed the message again.
        replace_row(world.store, message, attempts=2)

    world.erp.hook = taken_over

    report = await world.drain()

    assert (report.lost_leases, report.delivered, report.attempts) == (1, 0, 0)
    assert world.store.settlements == []
    assert world.store.orders[order.id][1] is None  # nothing of the stale answer is written
    assert world.store.rows[message].status is MessageStatus.IN_FLIGHT


async def test_the_erp_call_runs_under_the_messages_correlation_id(world: World) -> None:
    first = world.queue(MessageKind.CUSTOMER_UPSERT, world.customer().id)
    order = world.order(world.customer(42, document="529.982.247-25", email="b@e.co"), KEY)
    second = world.queue(MessageKind.ORDER_STATUS, order.id, payload={"status": "confirmed"})
    token = correlation_id.set("request:outer")
    try:
        await world.drain()
        assert correlation_id.get() == "request:outer"
    finally:
        correlation_id.reset(token)

    assert len(world.erp.correlations) == 2
    assert set(world.erp.correlations) == {f"outbox:{first}", f"outbox:{second}"}


# --- batches, leases and the drain ---------------------------------------------------------------


async def test_a_drain_claims_batch_after_batch_until_nothing_is_due(world: World) -> None:
    for n in range(5):
        world.queue(MessageKind.CUSTOMER_UPSERT, world.customer(42, email=f"{n}@e.co").id)

    report = await world.drain(batch=2)

    assert report.delivered == 5
    assert world.store.claims == 4  # 2 + 2 + 1, then an empty claim


async def test_a_drain_of_given_ids_claims_once_and_only_those(world: World) -> None:
    ids = [
        world.queue(MessageKind.CUSTOMER_UPSERT, world.customer(42, email=f"{n}@e.co").id)
        for n in range(4)
    ]

    report = await world.deliver(batch=1).drain(ids=[ids[2], ids[3]])

    assert report.delivered == 1
    assert world.store.claims == 1
    assert [r.status for r in world.store.rows.values()] == [
        MessageStatus.PENDING,
        MessageStatus.PENDING,
        MessageStatus.DELIVERED,
        MessageStatus.PENDING,
    ]


async def test_at_most_concurrency_deliveries_run_at_once(world: World) -> None:
    for n in range(6):
        world.queue(MessageKind.CUSTOMER_UPSERT, world.customer(42, email=f"{n}@e.co").id)
    running, peak = 0, 0

    async def busy(method: str) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        for _ in range(3):
            await asyncio.sleep(0)
        running -= 1

    world.erp.hook = busy

    report = await world.drain(concurrency=2)

    assert report.delivered == 6
    assert peak == 2


async def test_leases_are_renewed_while_the_erp_is_slow(world: World) -> None:
    message = world.queue(MessageKind.CUSTOMER_UPSERT, world.customer().id)

    async def slow(method: str) -> None:
        await asyncio.wait_for(world.store.renewed.wait(), timeout=2)

    world.erp.hook = slow

    report = await world.drain(lease=timedelta(seconds=0.03))

    assert report.delivered == 1
    assert world.store.renewals[0] == [(message, 1)]


async def test_a_renewal_error_is_not_a_lost_lease(world: World) -> None:
    world.queue(MessageKind.CUSTOMER_UPSERT, world.customer().id)
    world.store.renew_error = ConnectionError("database restarting")

    async def slow(method: str) -> None:
        await asyncio.wait_for(world.store.renewed.wait(), timeout=2)

    world.erp.hook = slow

    report = await world.drain(lease=timedelta(seconds=0.03))

    assert (report.delivered, report.lost_leases) == (1, 0)


async def test_a_lease_that_cannot_be_renewed_cancels_the_delivery(world: World) -> None:
    message = world.queue(MessageKind.CUSTOMER_UPSERT, world.customer().id)
    world.store.renew_keeps = False
    cancelled: list[str] = []

    async def stuck(method: str) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(method)
            raise

    world.erp.hook = stuck

    report = await asyncio.wait_for(world.drain(lease=timedelta(seconds=0.03)), timeout=2)

    assert (report.lost_leases, report.attempts) == (1, 0)
    assert cancelled == ["upsert_customer"]
    assert world.store.settlements == []
    assert world.store.rows[message].status is MessageStatus.IN_FLIGHT


async def test_a_delivery_settled_while_renewing_is_not_reported_lost(world: World) -> None:
    message = world.queue(MessageKind.CUSTOMER_UPSERT, world.customer().id)

    async def releasing_connection() -> None:
        # The settlement is committed; the adapter still awaits its connection's release.
        await world.store.renewed.wait()

    world.store.after_settle = releasing_connection

    report = await asyncio.wait_for(world.drain(lease=timedelta(seconds=0.03)), timeout=2)

    assert world.store.rows[message].status is MessageStatus.DELIVERED
    assert (report.delivered, report.lost_leases) == (1, 0)


async def test_a_lease_about_to_run_out_while_renewals_fail_cancels_the_delivery(
    world: World,
) -> None:
    message = world.queue(MessageKind.CUSTOMER_UPSERT, world.customer().id)
    world.store.renew_error = ConnectionError("database unreachable")
    ticks = world.ticks()
    cancelled: list[str] = []

    async def slow(method: str) -> None:
        ticks.at = 0.055  # claimed at 0 for 0.06 s: less than a sixth of the lease is left
        try:
            await world.store.renewed.wait()
        except asyncio.CancelledError:
            cancelled.append(method)
            raise

    world.erp.hook = slow

    report = await asyncio.wait_for(world.drain(lease=timedelta(seconds=0.06)), timeout=2)

    assert (report.lost_leases, report.attempts) == (1, 0)
    assert cancelled == ["upsert_customer"]
    assert world.store.settlements == []
    assert world.store.rows[message].status is MessageStatus.IN_FLIGHT


async def test_each_renewal_moves_the_leases_end_on(world: World) -> None:
    message = world.queue(MessageKind.CUSTOMER_UPSERT, world.customer().id)
    ticks = world.ticks()

    async def slower_than_two_leases(method: str) -> None:
        for _ in range(4):
            ticks.at += 0.04
            world.store.renewed.clear()
            await world.store.renewed.wait()

    world.erp.hook = slower_than_two_leases

    report = await asyncio.wait_for(world.drain(lease=timedelta(seconds=0.06)), timeout=2)

    assert (report.delivered, report.lost_leases) == (1, 0)
    assert world.store.rows[message].status is MessageStatus.DELIVERED
    assert ticks.at > 2 * 0.06


async def test_a_create_is_not_sent_with_too_little_lease_left(world: World) -> None:
    order = world.order(world.customer())
    message = world.queue(MessageKind.ORDER_CREATE, order.id)
    ticks = world.ticks()

    async def slow_upsert(method: str) -> None:
        if method == "upsert_customer":
            # 39 s of 60 left: less than the 30 s call plus a sixth of the lease.
            ticks.at += 21

    world.erp.hook = slow_upsert

    report = await world.drain(lease=timedelta(seconds=60), call_timeout=timedelta(seconds=30))

    assert report.retried == 1
    assert world.erp.calls == ["find_customer", "upsert_customer"]
    assert world.erp.created == []
    (settlement,) = world.store.settled(message)
    assert (settlement.outcome, settlement.error_code) == (AttemptOutcome.RETRY, "lease")
    assert world.store.rows[message].status is MessageStatus.PENDING


async def test_a_create_is_sent_with_enough_lease_left(world: World) -> None:
    order = world.order(world.customer())
    world.queue(MessageKind.ORDER_CREATE, order.id)
    ticks = world.ticks()

    async def slow_upsert(method: str) -> None:
        if method == "upsert_customer":
            ticks.at += 19  # 41 s of 60 left

    world.erp.hook = slow_upsert

    report = await world.drain(lease=timedelta(seconds=60), call_timeout=timedelta(seconds=30))

    assert report.delivered == 1
    assert world.erp.calls == ["find_customer", "upsert_customer", "create_order"]


async def test_a_failing_claim_lets_running_deliveries_finish_then_raises(world: World) -> None:
    slow, fast, waiting = (
        world.queue(MessageKind.CUSTOMER_UPSERT, world.customer(42, email=f"{n}@e.co").id)
        for n in range(3)
    )

    async def hook(method: str) -> None:
        if correlation_id.get() == f"outbox:{slow}":
            world.store.claimed.clear()
            await world.store.claimed.wait()  # still running when the next claim fails
        else:
            world.store.claim_error = ConnectionError("database restarting")

    world.erp.hook = hook
    deliver = world.deliver(batch=2, concurrency=2)

    with pytest.raises(ConnectionError, match="database restarting"):
        await asyncio.wait_for(deliver.drain(), timeout=2)

    assert world.store.claims == 2
    assert [world.store.rows[i].status for i in (slow, fast, waiting)] == [
        MessageStatus.DELIVERED,
        MessageStatus.DELIVERED,
        MessageStatus.PENDING,
    ]
    assert world.store.rows[waiting].attempts == 0


async def test_a_drain_with_a_budget_stops_claiming_and_finishes_what_runs(world: World) -> None:
    ids = [
        world.queue(MessageKind.CUSTOMER_UPSERT, world.customer(42, email=f"{n}@e.co").id)
        for n in range(4)
    ]
    ticks = world.ticks()

    async def hook(method: str) -> None:
        if correlation_id.get() == f"outbox:{ids[0]}":
            ticks.at += 11  # the budget runs out during the first batch
            ticks.read.clear()
        else:
            await ticks.read.wait()  # still running when the drain looks at the budget

    world.erp.hook = hook
    deliver = world.deliver(batch=2, concurrency=2)

    report = await asyncio.wait_for(deliver.drain(budget=timedelta(seconds=10)), timeout=2)

    assert report.delivered == 2
    assert world.store.claims == 1
    assert [world.store.rows[i].status for i in ids] == [
        MessageStatus.DELIVERED,
        MessageStatus.DELIVERED,
        MessageStatus.PENDING,
        MessageStatus.PENDING,
    ]


def test_the_report_counts_each_outcome_under_its_name() -> None:
    report = DrainReport()
    for outcome in AttemptOutcome:
        report.count(outcome)
    report.count(AttemptOutcome.RETRY)
    report.lost_leases = 4
    assert (report.delivered, report.retried, report.failed, report.dead, report.paused) == (
        1,
        2,
        1,
        1,
        1,
    )
    assert report.attempts == 6


async def test_an_already_linked_create_does_not_resume_deliveries() -> None:
    world = World()
    order = world.order(world.customer(code=42), KEY)
    world.queue(MessageKind.ORDER_CREATE, order.id)

    report = await world.drain()

    assert report.delivered == 1
    assert world.erp.calls == []
    assert world.store.resumes == []


async def test_a_budgeted_drain_with_a_wake_does_not_spin() -> None:
    world = World()
    ticks = Ticks()
    reads = 0

    def monotonic() -> float:
        nonlocal reads
        reads += 1
        return ticks.at

    world.monotonic = monotonic
    wake = asyncio.Event()
    world.queue(MessageKind.CUSTOMER_UPSERT, world.customer(42).id)

    async def hook(method: str) -> None:
        ticks.at += 11  # the budget is spent
        wake.set()  # and a new message was committed
        await asyncio.sleep(0.02)

    world.erp.hook = hook
    await world.deliver().drain(wake=wake, budget=timedelta(seconds=10))

    assert reads < 50, f"the drain loop ran {reads} times in 20 ms"
