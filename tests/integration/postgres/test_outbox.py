"""The outbox on PostgreSQL: messages written in a request's transaction, claimed under leases
by concurrent workers in aggregate order, settled only by the lease holder, paused and resumed,
and announced after commit with NOTIFY."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.accounts import PostgresUnitOfWork
from adapters.postgres.customers import PostgresCustomerRepository
from adapters.postgres.orders import PostgresOrderRepository
from adapters.postgres.outbox import PostgresOutbox, PostgresOutboxDelivery
from adapters.postgres.outbox_commits import OutboxCommits, wake_listeners
from adapters.postgres.outbox_listener import OutboxWakeups
from adapters.postgres.outbox_monitor import PostgresOutboxMonitor
from application.customers.data import profile_of
from application.orders.model import ErpOrderState, Order, OrderItem
from application.outbox.erp import ErpOrderKey
from application.outbox.ports import OutboxMessage, Settlement
from domain.customers import Customer
from domain.money import Money
from domain.orders import OrderLine, OrderStatus
from domain.outbox import AttemptOutcome, CircuitPolicy, MessageKind, MessageStatus
from tests.integration.postgres.db import fetch
from tests.unit.application.customers.fakes import maria
from tests.unit.fakes import FixedClock

pytestmark = pytest.mark.integration

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)
CONNECTION = "erp"
UPSERT, CREATE = MessageKind.CUSTOMER_UPSERT, MessageKind.ORDER_CREATE
STATUS, CANCEL = MessageKind.ORDER_STATUS, MessageKind.ORDER_CANCEL


def seconds(n: float) -> datetime:
    return T0 + timedelta(seconds=n)


def delivery(engine: AsyncEngine, connection_name: str = CONNECTION) -> PostgresOutboxDelivery:
    return PostgresOutboxDelivery(engine, connection_name=connection_name)


async def add(
    engine: AsyncEngine,
    kind: MessageKind,
    aggregate_id: UUID,
    *,
    at: datetime = T0,
    parent_id: UUID | None = None,
    payload: Mapping[str, Any] | None = None,
) -> None:
    """One message, committed."""
    async with engine.connect() as connection:
        outbox = PostgresOutbox(connection, FixedClock(at))
        await outbox.add(kind, aggregate_id, parent_id=parent_id, payload=payload)
        await connection.commit()


async def claim(
    engine: AsyncEngine, now: datetime = T0, *, limit: int = 100, **extra: Any
) -> list[OutboxMessage]:
    return await delivery(engine).claim(now=now, lease=LEASE, limit=limit, **extra)


async def row(engine: AsyncEngine, message_id: int) -> dict[str, Any]:
    (found,) = await fetch(engine, "SELECT * FROM outbox WHERE id = :id", id=message_id)
    return found


async def attempts(engine: AsyncEngine, message_id: int) -> list[dict[str, Any]]:
    return await fetch(
        engine,
        "SELECT attempt, started_at, finished_at, outcome, error, error_code"
        " FROM outbox_attempts WHERE message_id = :id ORDER BY attempt",
        id=message_id,
    )


def settled(outcome: AttemptOutcome, **fields: Any) -> Settlement:
    return Settlement(outcome=outcome, **fields)


async def stored_customer(
    engine: AsyncEngine, document: str = "123.456.789-09", email: str = "maria@example.com"
) -> Customer:
    profile = profile_of(maria(document=document, email=email), today=T0.date())
    customer = Customer.register(uuid4(), profile, at=T0)
    async with engine.connect() as connection:
        await PostgresCustomerRepository(connection).add(customer)
        await connection.commit()
    return customer


async def stored_order(engine: AsyncEngine, customer: Customer) -> Order:
    line = OrderLine(10, 2, Money(Decimal("39.90")))
    order = Order(
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
    async with engine.connect() as connection:
        await PostgresOrderRepository(connection).add(order)
        await connection.commit()
    return order


# --- writing and claiming ------------------------------------------------------------------------


async def test_a_committed_message_is_claimed_once_and_its_attempt_recorded(
    engine: AsyncEngine,
) -> None:
    order_id, customer_id = uuid4(), uuid4()
    async with engine.connect() as connection:
        outbox = PostgresOutbox(connection, FixedClock(T0))
        await outbox.add(STATUS, order_id, parent_id=customer_id, payload={"status": "confirmed"})
        assert await claim(engine) == []  # not committed yet: no worker can see it
        await connection.commit()

    (message,) = await claim(engine, seconds(1))

    assert (message.kind, message.aggregate_id, message.parent_id) == (
        STATUS,
        order_id,
        customer_id,
    )
    assert message.payload == {"status": "confirmed"}
    assert (message.status, message.attempts) == (MessageStatus.IN_FLIGHT, 1)
    assert (message.created_at, message.next_attempt_at) == (T0, seconds(61))
    stored = await row(engine, message.id)
    assert (stored["aggregate_type"], stored["lease_until"]) == ("order", seconds(61))
    assert [(a["attempt"], a["started_at"], a["outcome"]) for a in await attempts(engine, 1)] == [
        (1, seconds(1), None)
    ]
    assert await claim(engine, seconds(60)) == []  # leased


async def test_a_rolled_back_message_never_exists(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await PostgresOutbox(connection, FixedClock(T0)).add(UPSERT, uuid4())
        await connection.rollback()
    assert await fetch(engine, "SELECT id FROM outbox") == []


async def test_claims_take_the_oldest_due_messages_first(engine: AsyncEngine) -> None:
    late, early, middle, future = uuid4(), uuid4(), uuid4(), uuid4()
    await add(engine, UPSERT, late, at=seconds(3))
    await add(engine, UPSERT, early, at=seconds(1))
    await add(engine, UPSERT, middle, at=seconds(2))
    await add(engine, UPSERT, future, at=seconds(10))

    first = await claim(engine, seconds(5), limit=2)
    second = await claim(engine, seconds(5), limit=2)
    third = await claim(engine, seconds(10), limit=2)

    assert [m.aggregate_id for m in first] == [early, middle]  # returned in id order
    assert [m.aggregate_id for m in second] == [late]
    assert [m.aggregate_id for m in third] == [future]


async def test_a_claim_can_be_narrowed_to_given_ids(engine: AsyncEngine) -> None:
    for _ in range(4):
        await add(engine, UPSERT, uuid4())

    claimed = await claim(engine, ids=[2, 4, 99])

    assert [m.id for m in claimed] == [2, 4]
    assert [m.id for m in await claim(engine)] == [1, 3]


async def test_a_message_waits_for_older_open_messages_of_its_aggregate_and_parent(
    engine: AsyncEngine,
) -> None:
    customer, order, other = uuid4(), uuid4(), uuid4()
    await add(engine, UPSERT, customer)  # 1
    await add(engine, CREATE, order, parent_id=customer)  # 2: waits for 1
    await add(engine, STATUS, order, payload={"status": "confirmed"})  # 3: waits for 2
    await add(engine, UPSERT, other)  # 4
    store = delivery(engine)

    first = await claim(engine)
    assert [m.id for m in first] == [1, 4]
    assert await claim(engine) == []  # 1 in flight still holds 2 back
    assert await store.settle(first[0], settled(AttemptOutcome.DELIVERED), now=seconds(1))

    second = await claim(engine, seconds(1))
    assert [m.id for m in second] == [2]
    assert await store.settle(second[0], settled(AttemptOutcome.FAILED), now=seconds(2))

    assert [m.id for m in await claim(engine, seconds(2))] == [3]  # a failed one holds nothing


async def test_a_newer_message_of_the_parent_does_not_hold_an_older_child(
    engine: AsyncEngine,
) -> None:
    customer, order = uuid4(), uuid4()
    await add(engine, CREATE, order, parent_id=customer)
    await add(engine, UPSERT, customer, at=seconds(1))

    assert [m.aggregate_id for m in await claim(engine, seconds(1))] == [order, customer]


async def test_concurrent_claimers_never_share_a_message(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        outbox = PostgresOutbox(connection, FixedClock(T0))
        for _ in range(100):
            await outbox.add(UPSERT, uuid4())
        await connection.commit()
    # Open the connections first, so the claimers start together.
    async with engine.connect(), engine.connect(), engine.connect(), engine.connect():
        pass

    async def claimer() -> list[int]:
        store, got = delivery(engine), []
        while batch := await store.claim(now=T0, lease=LEASE, limit=3):
            got += [m.id for m in batch]
        return got

    claimed = await asyncio.gather(*(claimer() for _ in range(4)))

    every = sorted(itertools.chain.from_iterable(claimed))
    assert every == list(range(1, 101))  # each one exactly once
    assert sum(1 for ids in claimed if ids) >= 2
    started = await fetch(engine, "SELECT message_id, attempt FROM outbox_attempts")
    assert sorted((a["message_id"], a["attempt"]) for a in started) == [
        (n, 1) for n in range(1, 101)
    ]
    assert await fetch(engine, "SELECT id FROM outbox WHERE attempts <> 1") == []


# --- leases and settlements ----------------------------------------------------------------------


async def test_an_expired_lease_is_reclaimed_and_fences_out_the_stale_worker(
    engine: AsyncEngine,
) -> None:
    await add(engine, UPSERT, uuid4())
    store = delivery(engine)
    (stale,) = await claim(engine)
    assert await claim(engine, seconds(59)) == []

    (fresh,) = await claim(engine, seconds(61))
    assert (fresh.id, fresh.attempts) == (stale.id, 2)

    late = settled(AttemptOutcome.DELIVERED, result={"customerCode": 1})
    assert not await store.settle(stale, late, now=seconds(62))
    assert await store.renew([stale], now=seconds(62), lease=LEASE) == set()
    stored = await row(engine, stale.id)
    assert (stored["status"], stored["attempts"], stored["result"]) == ("in_flight", 2, None)
    assert stored["lease_until"] == seconds(121)
    assert [(a["attempt"], a["outcome"]) for a in await attempts(engine, stale.id)] == [
        (1, None),  # the worker that died never finished it
        (2, None),
    ]

    assert await store.settle(fresh, settled(AttemptOutcome.DELIVERED), now=seconds(63))
    assert (await row(engine, fresh.id))["status"] == "delivered"


async def test_delivering_links_the_erp_codes_and_records_the_outcome(
    engine: AsyncEngine,
) -> None:
    customer = await stored_customer(engine)
    order = await stored_order(engine, customer)
    await add(engine, UPSERT, customer.id)
    await add(engine, CREATE, order.id, parent_id=customer.id)
    store = delivery(engine)
    assert await store.customer(customer.id) is not None
    assert (await store.customer(customer.id))[1] is None  # type: ignore[index]
    assert (await store.order(order.id))[1] is None  # type: ignore[index]

    (upsert,) = await claim(engine)
    delivered = settled(
        AttemptOutcome.DELIVERED,
        result={"customerCode": 1001},
        customer_code=(customer.id, 1001),
    )
    assert await store.settle(upsert, delivered, now=seconds(1))
    (create,) = await claim(engine, seconds(2))
    key = ErpOrderKey(2, 90001)
    delivered = settled(
        AttemptOutcome.DELIVERED,
        result={"branchCode": 2, "orderCode": 90001},
        order_key=(order.id, key),
        customer_code=(customer.id, 1001),
    )
    assert await store.settle(create, delivered, now=seconds(3))

    (linked,) = await fetch(engine, "SELECT erp_code FROM customers")
    assert linked["erp_code"] == 1001
    (linked,) = await fetch(engine, "SELECT erp_branch_code, erp_order_code FROM orders")
    assert (linked["erp_branch_code"], linked["erp_order_code"]) == (2, 90001)
    found_customer = await store.customer(customer.id)
    found_order = await store.order(order.id)
    assert found_customer is not None
    assert (found_customer[0].id, found_customer[1]) == (customer.id, 1001)
    assert found_order == (
        dataclasses.replace(
            order,
            erp=ErpOrderState(branch_code=2, order_code=90001),
        ),
        key,
    )
    stored = await row(engine, create.id)
    assert (stored["status"], stored["delivered_at"], stored["lease_until"]) == (
        "delivered",
        seconds(3),
        None,
    )
    assert stored["result"] == {"branchCode": 2, "orderCode": 90001}
    assert stored["last_error"] is None
    (attempt,) = await attempts(engine, create.id)
    assert (attempt["outcome"], attempt["started_at"], attempt["finished_at"]) == (
        "delivered",
        seconds(2),
        seconds(3),
    )


async def test_unknown_customers_and_orders_read_as_none(engine: AsyncEngine) -> None:
    store = delivery(engine)
    assert await store.customer(uuid4()) is None
    assert await store.order(uuid4()) is None


async def test_a_deleted_customers_erp_code_passes_to_the_new_holder_of_its_document(
    engine: AsyncEngine,
) -> None:
    gone = await stored_customer(engine)
    gone.erase(at=seconds(1))
    async with engine.connect() as connection:
        await PostgresCustomerRepository(connection).save(gone)
        await connection.execute(
            text("UPDATE customers SET erp_code = 42 WHERE id = :id"), {"id": gone.id}
        )
        await connection.commit()
    again = await stored_customer(engine)  # the same document, registered anew
    await add(engine, UPSERT, again.id)
    (message,) = await claim(engine)

    delivered = settled(AttemptOutcome.DELIVERED, customer_code=(again.id, 42))
    assert await delivery(engine).settle(message, delivered, now=seconds(2))

    codes = await fetch(engine, "SELECT id, erp_code FROM customers")
    assert {c["id"]: c["erp_code"] for c in codes} == {gone.id: None, again.id: 42}


async def test_retries_wait_and_failures_and_dead_letters_end(engine: AsyncEngine) -> None:
    for _ in range(3):
        await add(engine, UPSERT, uuid4())
    retried, failed, dead = await claim(engine)
    store = delivery(engine)

    retry = settled(
        AttemptOutcome.RETRY,
        error="503 maintenance",
        error_code="503",
        next_attempt_at=seconds(300),
    )
    assert await store.settle(retried, retry, now=seconds(1))
    refused = settled(AttemptOutcome.FAILED, error="CPF blocked", error_code="E042")
    assert await store.settle(failed, refused, now=seconds(1))
    assert await store.settle(dead, settled(AttemptOutcome.DEAD, error="timeout"), now=seconds(1))

    stored = [await row(engine, n) for n in (1, 2, 3)]
    assert [(r["status"], r["attempts"], r["last_error_code"]) for r in stored] == [
        ("pending", 1, "503"),
        ("failed", 1, "E042"),
        ("dead", 1, None),
    ]
    assert (stored[0]["next_attempt_at"], stored[0]["lease_until"]) == (seconds(300), None)
    assert stored[1]["delivered_at"] is None
    (attempt,) = await attempts(engine, 1)
    assert (attempt["outcome"], attempt["error"], attempt["finished_at"]) == (
        "retry",
        "503 maintenance",
        seconds(1),
    )
    assert await claim(engine, seconds(299)) == []
    (again,) = await claim(engine, seconds(300))
    assert (again.id, again.attempts, again.last_error) == (1, 2, "503 maintenance")
    assert await store.settle(again, settled(AttemptOutcome.DELIVERED), now=seconds(301))
    assert await claim(engine, seconds(10_000)) == []  # failed and dead ones never come back


async def test_an_order_key_another_order_holds_fails_the_delivery_and_links_nothing(
    engine: AsyncEngine,
) -> None:
    customer = await stored_customer(engine)
    holder = await stored_order(engine, customer)
    order = await stored_order(engine, customer)
    async with engine.connect() as connection:
        await connection.execute(
            text("UPDATE orders SET erp_branch_code = 2, erp_order_code = 90001 WHERE id = :id"),
            {"id": holder.id},
        )
        await connection.commit()
    await add(engine, CREATE, order.id, parent_id=customer.id)
    (message,) = await claim(engine)
    delivered = settled(
        AttemptOutcome.DELIVERED,
        result={"branchCode": 2, "orderCode": 90001},
        order_key=(order.id, ErpOrderKey(2, 90001)),
        customer_code=(customer.id, 1001),
    )

    outcome = await delivery(engine).settle(message, delivered, now=seconds(1))

    assert outcome is AttemptOutcome.FAILED
    stored = await row(engine, message.id)
    assert (stored["status"], stored["last_error_code"], stored["delivered_at"]) == (
        "failed",
        "LinkConflict",
        None,
    )
    assert "90001" in stored["last_error"]
    keys = await fetch(engine, "SELECT id, erp_branch_code, erp_order_code FROM orders")
    assert {k["id"]: (k["erp_branch_code"], k["erp_order_code"]) for k in keys} == {
        holder.id: (2, 90001),
        order.id: (None, None),
    }
    (linked,) = await fetch(engine, "SELECT erp_code FROM customers")
    assert linked["erp_code"] is None  # nothing of the settlement is linked
    (attempt,) = await attempts(engine, message.id)
    assert (attempt["outcome"], attempt["error_code"], attempt["finished_at"]) == (
        "failed",
        "LinkConflict",
        seconds(1),
    )
    assert await claim(engine, seconds(10_000)) == []  # an operator has to look


async def test_a_customer_code_a_live_customer_holds_fails_the_delivery_and_links_nothing(
    engine: AsyncEngine,
) -> None:
    holder = await stored_customer(engine)
    customer = await stored_customer(engine, document="529.982.247-25", email="b@example.com")
    async with engine.connect() as connection:
        await connection.execute(
            text("UPDATE customers SET erp_code = 42 WHERE id = :id"), {"id": holder.id}
        )
        await connection.commit()
    await add(engine, UPSERT, customer.id)
    (message,) = await claim(engine)
    delivered = settled(
        AttemptOutcome.DELIVERED, result={"customerCode": 42}, customer_code=(customer.id, 42)
    )

    outcome = await delivery(engine).settle(message, delivered, now=seconds(1))

    assert outcome is AttemptOutcome.FAILED
    stored = await row(engine, message.id)
    assert (stored["status"], stored["last_error_code"]) == ("failed", "LinkConflict")
    codes = await fetch(engine, "SELECT id, erp_code FROM customers")
    assert {c["id"]: c["erp_code"] for c in codes} == {holder.id: 42, customer.id: None}
    (attempt,) = await attempts(engine, message.id)
    assert (attempt["outcome"], attempt["error_code"]) == ("failed", "LinkConflict")


async def test_an_operator_requeue_starts_a_fresh_retry_budget(engine: AsyncEngine) -> None:
    await add(engine, UPSERT, uuid4())
    store = delivery(engine)
    (first,) = await claim(engine)
    retry = settled(AttemptOutcome.RETRY, error="timeout", next_attempt_at=seconds(1))
    assert await store.settle(first, retry, now=seconds(1))
    (second,) = await claim(engine, seconds(1))
    assert await store.settle(second, settled(AttemptOutcome.DEAD, error="timeout"), now=seconds(2))
    assert (second.attempts, second.attempt_base) == (2, 0)

    await PostgresOutboxMonitor(engine).retry(second.id, seconds(3))

    stored = await row(engine, second.id)
    assert (stored["status"], stored["attempts"], stored["attempt_base"]) == ("pending", 2, 2)
    (again,) = await claim(engine, seconds(3))
    assert (again.attempts, again.attempt_base) == (3, 2)


# --- pauses --------------------------------------------------------------------------------------


async def test_a_paused_attempt_is_given_back(engine: AsyncEngine) -> None:
    await add(engine, UPSERT, uuid4())
    (message,) = await claim(engine)

    paused = settled(AttemptOutcome.PAUSED, error="token refused", error_code="401")
    assert await delivery(engine).settle(message, paused, now=seconds(1))

    stored = await row(engine, message.id)
    assert (stored["status"], stored["attempts"], stored["last_error"]) == (
        "pending",
        0,
        "token refused",
    )
    (attempt,) = await attempts(engine, message.id)
    assert attempt["outcome"] == "paused"


async def test_a_pause_holds_every_claim_until_it_ends_or_is_resumed(engine: AsyncEngine) -> None:
    circuit = CircuitPolicy(first_pause=timedelta(seconds=30), max_pause=timedelta(minutes=15))
    store = delivery(engine)
    await add(engine, UPSERT, uuid4())
    await add(engine, UPSERT, uuid4())

    until = await store.pause(CONNECTION, now=T0, pause_for=circuit.pause, reason="401")

    assert until == seconds(30)
    assert await store.paused_until(CONNECTION, now=seconds(29)) == seconds(30)
    assert await store.paused_until(CONNECTION, now=seconds(30)) is None
    assert await store.paused_until("another-erp", now=seconds(1)) is None
    assert await claim(engine, seconds(29)) == []
    # Another connection's worker is not paused.
    assert len(await delivery(engine, "another-erp").claim(now=T0, lease=LEASE, limit=1)) == 1
    assert len(await claim(engine, seconds(30))) == 1  # the pause is over

    # A second refusal doubles the pause; resuming clears it (and its count).
    assert await store.pause(
        CONNECTION, now=seconds(40), pause_for=circuit.pause, reason="401 again"
    ) == seconds(100)
    (pause,) = await fetch(engine, "SELECT failures, reason FROM delivery_pauses")
    assert (pause["failures"], pause["reason"]) == (2, "401 again")
    await store.resume(CONNECTION)
    assert await store.paused_until(CONNECTION, now=seconds(41)) is None
    assert await fetch(engine, "SELECT * FROM delivery_pauses") == []
    await add(engine, UPSERT, uuid4(), at=seconds(41))
    assert len(await claim(engine, seconds(41))) == 1
    assert await store.pause(CONNECTION, now=seconds(42), pause_for=circuit.pause, reason="x") == (
        seconds(72)
    )


async def test_the_attempt_after_a_pause_is_recorded_as_running(engine: AsyncEngine) -> None:
    await add(engine, UPSERT, uuid4())
    (message,) = await claim(engine)
    paused = settled(AttemptOutcome.PAUSED, error="token refused")
    assert await delivery(engine).settle(message, paused, now=seconds(1))

    (again,) = await claim(engine, seconds(120))

    assert again.attempts == 1
    running = [a for a in await attempts(engine, message.id) if a["attempt"] == again.attempts]
    assert [(a["started_at"], a["finished_at"], a["outcome"]) for a in running] == [
        (seconds(120), None, None)
    ]


# --- the request side: holding and withdrawing unsent messages ------------------------------------


async def test_only_a_never_attempted_pending_message_is_unsent(engine: AsyncEngine) -> None:
    order = uuid4()
    await add(engine, CREATE, order)
    store = delivery(engine)

    async with engine.connect() as connection:
        outbox = PostgresOutbox(connection, FixedClock(seconds(1)))
        assert await outbox.hold_unsent(CREATE, order)
        assert not await outbox.hold_unsent(CANCEL, order)
        assert not await outbox.hold_unsent(CREATE, uuid4())
        assert await claim(engine) == []  # held: no worker starts it meanwhile
        await connection.commit()

    (message,) = await claim(engine)
    async with engine.connect() as connection:
        outbox = PostgresOutbox(connection, FixedClock(seconds(1)))
        assert not await outbox.hold_unsent(CREATE, order)  # in flight
        assert not await outbox.withdraw(CREATE, order, "cancelled")
        await connection.commit()

    retry = settled(AttemptOutcome.RETRY, error="timeout", next_attempt_at=seconds(60))
    assert await store.settle(message, retry, now=seconds(2))
    async with engine.connect() as connection:
        outbox = PostgresOutbox(connection, FixedClock(seconds(3)))
        assert not await outbox.hold_unsent(CREATE, order)  # pending again, but it may have left
        assert not await outbox.withdraw(CREATE, order, "cancelled")
        await connection.commit()
    assert (await row(engine, message.id))["status"] == "pending"


async def test_a_withdrawn_message_fails_with_the_reason_and_is_never_claimed(
    engine: AsyncEngine,
) -> None:
    kept, withdrawn = uuid4(), uuid4()
    await add(engine, CREATE, kept)
    await add(engine, CREATE, withdrawn)

    async with engine.connect() as connection:
        outbox = PostgresOutbox(connection, FixedClock(seconds(5)))
        assert await outbox.withdraw(CREATE, kept, "changed my mind")
        await connection.rollback()  # the withdrawal dies with its transaction
    async with engine.connect() as connection:
        outbox = PostgresOutbox(connection, FixedClock(seconds(5)))
        assert await outbox.withdraw(CREATE, withdrawn, "order cancelled")
        assert not await outbox.withdraw(CREATE, withdrawn, "again")
        await connection.commit()

    stored = await row(engine, 2)
    assert (stored["status"], stored["last_error"], stored["last_error_code"]) == (
        "failed",
        "order cancelled",
        "withdrawn",
    )
    assert (stored["attempts"], stored["updated_at"]) == (0, seconds(5))
    assert [m.aggregate_id for m in await claim(engine, seconds(6))] == [kept]


# --- renewals ------------------------------------------------------------------------------------


async def test_renew_extends_only_leases_still_held(engine: AsyncEngine) -> None:
    await add(engine, UPSERT, uuid4())
    await add(engine, UPSERT, uuid4())
    first, second = await claim(engine)
    store = delivery(engine)
    stale = dataclasses.replace(second, attempts=second.attempts + 1)

    assert await store.renew([first, stale], now=seconds(20), lease=LEASE) == {first.id}

    assert (await row(engine, first.id))["lease_until"] == seconds(80)
    assert (await row(engine, first.id))["next_attempt_at"] == seconds(80)
    assert (await row(engine, second.id))["lease_until"] == seconds(60)
    assert await store.renew([], now=seconds(20), lease=LEASE) == set()
    assert await store.settle(first, settled(AttemptOutcome.DELIVERED), now=seconds(21))
    assert await store.renew([first, second], now=seconds(22), lease=LEASE) == {second.id}


# --- wake-ups ------------------------------------------------------------------------------------


def _dsn(database_url: str) -> str:
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _connector(
    database_url: str, opened: list[asyncpg.Connection]
) -> Callable[[], Awaitable[asyncpg.Connection]]:
    async def connect() -> asyncpg.Connection:
        connection = await asyncpg.connect(_dsn(database_url))
        opened.append(connection)
        return connection

    return connect


async def test_a_commit_that_queued_messages_wakes_the_listener_and_a_rollback_does_not(
    engine: AsyncEngine, database_url: str
) -> None:
    opened: list[asyncpg.Connection] = []
    wakeups = OutboxWakeups(_connector(database_url, opened))
    sentinel = asyncio.Event()

    async def notified_after_everything_before() -> None:
        """Notifications arrive in commit order: once this one is in, earlier ones are too."""
        sentinel.clear()
        async with engine.connect() as connection:
            await connection.execute(text("NOTIFY ponte_test_sentinel"))
            await connection.commit()
        await asyncio.wait_for(sentinel.wait(), timeout=5)

    try:
        assert await wakeups.ensure_listening()
        assert wakeups.event.is_set()  # messages may have been committed while nobody listened
        wakeups.event.clear()
        await opened[0].add_listener("ponte_test_sentinel", lambda *_: sentinel.set())

        async with engine.connect() as connection:
            commits = OutboxCommits()
            await PostgresOutbox(connection, FixedClock(T0), commits).add(UPSERT, uuid4())
            assert commits.queued
            await notified_after_everything_before()
            assert not wakeups.event.is_set()  # not before the commit
            await connection.rollback()
        await notified_after_everything_before()
        assert not wakeups.event.is_set()  # nor after a rollback

        async with engine.connect() as connection:
            commits = OutboxCommits()
            outbox = PostgresOutbox(connection, FixedClock(T0), commits)
            await outbox.add(UPSERT, uuid4())
            await outbox.add(UPSERT, uuid4())
            await PostgresUnitOfWork(connection, commits).commit()
            assert not commits.queued
            # The wake-up wrote nothing and left no transaction open.
            assert not connection.in_transaction()
        await asyncio.wait_for(wakeups.event.wait(), timeout=5)
        assert await wakeups.ensure_listening()
        assert len(opened) == 1

        wakeups.event.clear()
        async with engine.connect() as connection:
            await PostgresUnitOfWork(connection, OutboxCommits()).commit()  # queued nothing
        await notified_after_everything_before()
        assert not wakeups.event.is_set()
    finally:
        await wakeups.aclose()
    assert not wakeups.listening


async def test_a_wake_up_that_fails_never_fails_the_committed_request(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        commits = OutboxCommits()
        await PostgresOutbox(connection, FixedClock(T0), commits).add(UPSERT, uuid4())
        await connection.commit()
        fairy = await connection.get_raw_connection()
        await fairy.driver_connection.close()  # lost right after the commit
        await wake_listeners(connection)  # logged, not raised
        await connection.invalidate()


async def test_a_lost_listening_connection_is_reopened(
    engine: AsyncEngine, database_url: str
) -> None:
    opened: list[asyncpg.Connection] = []
    wakeups = OutboxWakeups(_connector(database_url, opened))
    try:
        assert await wakeups.ensure_listening()
        await opened[0].close()
        assert not wakeups.listening
        wakeups.event.clear()

        assert await wakeups.ensure_listening()
        assert len(opened) == 2
        assert wakeups.event.is_set()
        wakeups.event.clear()
        async with engine.connect() as connection:
            await wake_listeners(connection)
        await asyncio.wait_for(wakeups.event.wait(), timeout=5)
    finally:
        await wakeups.aclose()


async def test_an_unreachable_database_leaves_only_the_sweep() -> None:
    async def refused() -> asyncpg.Connection:
        raise OSError("connection refused")

    wakeups = OutboxWakeups(refused)
    assert not await wakeups.ensure_listening()
    assert not wakeups.listening
    assert not wakeups.event.is_set()
    await wakeups.aclose()
