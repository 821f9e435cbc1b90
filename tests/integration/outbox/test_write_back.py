"""Customers and orders reach the sandbox ERP through the outbox, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient

from application.clock import Clock
from application.orders.items import ItemRequest
from application.orders.place_order import PlaceOrder, PlaceOrderCommand
from application.outbox.deliver import DeliverOutbox, DeliveryPolicy
from application.outbox.erp import ErpWriter
from application.outbox.ports import OutboxDelivery
from domain.outbox import RetryPolicy
from tests.integration.conftest import SyncEnv
from tests.integration.entrypoints import order_seeds as seed
from tests.integration.outbox.support import (
    place_orders,
    register_customers,
    sandbox_writes,
    set_faults,
    stock_the_mirror,
)

pytestmark = pytest.mark.integration


async def test_a_customer_and_its_order_reach_the_erp_once(sync_env: SyncEnv) -> None:
    await stock_the_mirror(sync_env.conn)
    [customer] = await register_customers(sync_env, 1)
    [order] = await place_orders(sync_env, [customer], 1)

    report = await (await sync_env.container.get(DeliverOutbox)).drain()

    assert (report.delivered, report.retried, report.failed) == (2, 0, 0)
    writes = await sandbox_writes(sync_env.sandbox.url)
    assert [w["route"] for w in writes] == ["individual-customers", "b2c-orders"]
    created = writes[1]
    assert created["orderId"] == str(order)
    row = await sync_env.conn.fetchrow(
        "SELECT erp_branch_code, erp_order_code FROM orders WHERE id = $1", order
    )
    assert (row["erp_branch_code"], row["erp_order_code"]) == (
        created["branchCode"],
        created["orderCode"],
    )
    code = await sync_env.conn.fetchval("SELECT erp_code FROM customers WHERE id = $1", customer)
    assert code == writes[0]["customerCode"] == created["customerCode"]
    # Nothing is left to deliver, and a second pass sends nothing.
    assert (await (await sync_env.container.get(DeliverOutbox)).drain()).attempts == 0
    assert len(await sandbox_writes(sync_env.sandbox.url)) == 2


async def test_a_reply_lost_after_the_erp_committed_is_looked_up_not_resent(
    sync_env: SyncEnv,
) -> None:
    await stock_the_mirror(sync_env.conn)
    [customer] = await register_customers(sync_env, 1)
    deliver = await sync_env.container.get(DeliverOutbox)
    await deliver.drain()
    [order] = await place_orders(sync_env, [customer], 1)
    await set_faults(sync_env.sandbox.url, "lost-reply:route=b2c_orders")

    first = await deliver.drain()
    await set_faults(sync_env.sandbox.url, None)
    await sync_env.conn.execute("UPDATE outbox SET next_attempt_at = now()")
    second = await deliver.drain()

    assert (first.retried, second.delivered) == (1, 1)
    created = [w for w in await sandbox_writes(sync_env.sandbox.url) if w["route"] == "b2c-orders"]
    assert [w["orderId"] for w in created] == [str(order)]
    code = await sync_env.conn.fetchval("SELECT erp_order_code FROM orders WHERE id = $1", order)
    assert code == created[0]["orderCode"]


async def test_a_business_rejection_fails_at_once_with_the_erps_message(
    sync_env: SyncEnv,
) -> None:
    await stock_the_mirror(sync_env.conn)
    [customer] = await register_customers(sync_env, 1)
    # A SKU the mirror sells but the sandbox ERP does not know.
    await seed.sku(sync_env.conn, 999999, "W-1", price="5.00", stock=("3",))
    async with sync_env.container() as request:
        place = await request.get(PlaceOrder)
        order = await place(
            PlaceOrderCommand(customer_id=customer, items=(ItemRequest(999999, 1),))
        )

    report = await (await sync_env.container.get(DeliverOutbox)).drain()

    assert (report.delivered, report.failed, report.retried) == (1, 1, 0)
    row = await sync_env.conn.fetchrow(
        "SELECT status, attempts, last_error FROM outbox WHERE aggregate_id = $1", order.id
    )
    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert "999999" in row["last_error"]


async def test_a_dead_message_is_delivered_once_after_an_operator_retries_it(
    sync_env: SyncEnv,
    api: AsyncTestClient,
    admin_headers: dict[str, str],  # type: ignore[type-arg]
) -> None:
    await stock_the_mirror(sync_env.conn)
    [customer] = await register_customers(sync_env, 1)
    container = sync_env.container
    deliver = DeliverOutbox(
        await container.get(OutboxDelivery),
        await container.get(ErpWriter),
        await container.get(Clock),
        DeliveryPolicy(
            retry=RetryPolicy(
                base=timedelta(milliseconds=1), max_delay=timedelta(milliseconds=1), max_attempts=2
            ),
            lookup_delay=timedelta(0),
        ),
    )
    await deliver.drain()
    [order] = await place_orders(sync_env, [customer], 1)
    await set_faults(sync_env.sandbox.url, "5xx:route=b2c_orders")

    # The retry comes due at once: one pass spends both attempts.
    first = await deliver.drain()

    assert (first.retried, first.dead) == (1, 1)
    message = await sync_env.conn.fetchval(
        "SELECT id FROM outbox WHERE aggregate_id = $1 AND status = 'dead'", order
    )
    await set_faults(sync_env.sandbox.url, None)
    retried = await api.post(f"/sync/queue/{message}/retry", headers=admin_headers)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "pending"

    third = await deliver.drain()

    assert third.delivered == 1
    created = [w for w in await sandbox_writes(sync_env.sandbox.url) if w["route"] == "b2c-orders"]
    assert [w["orderId"] for w in created] == [str(order)]
    detail = (await api.get(f"/sync/queue/{message}", headers=admin_headers)).json()
    assert detail["status"] == "delivered"
    outcomes = [a["outcome"] for a in detail["history"]]
    assert outcomes == ["retry", "dead", "delivered"]


async def test_an_order_shows_where_its_way_to_the_erp_stands(
    sync_env: SyncEnv,
    api: AsyncTestClient,  # type: ignore[type-arg]
    admin_headers: dict[str, str],
) -> None:
    await stock_the_mirror(sync_env.conn)
    await seed.sku(sync_env.conn, 999999, "W-1", price="5.00", stock=("3",))
    [customer] = await register_customers(sync_env, 1)
    [sent] = await place_orders(sync_env, [customer], 1)
    async with sync_env.container() as request:
        refused = await (await request.get(PlaceOrder))(
            PlaceOrderCommand(customer_id=customer, items=(ItemRequest(999999, 1),))
        )

    queued = (await api.get(f"/orders/{sent}", headers=admin_headers)).json()
    await (await sync_env.container.get(DeliverOutbox)).drain()
    delivered = (await api.get(f"/orders/{sent}", headers=admin_headers)).json()
    failed = (await api.get(f"/orders/{refused.id}", headers=admin_headers)).json()

    assert (queued["erp_delivery"], queued["erp"]) == ({"status": "pending", "error": None}, None)
    assert delivered["erp_delivery"] == {"status": "delivered", "error": None}
    created = [w for w in await sandbox_writes(sync_env.sandbox.url) if w["route"] == "b2c-orders"]
    assert (delivered["erp"]["branch_code"], delivered["erp"]["order_code"]) == (
        created[0]["branchCode"],
        created[0]["orderCode"],
    )
    assert failed["erp_delivery"]["status"] == "failed"
    assert "999999" in failed["erp_delivery"]["error"]
    assert failed["erp"] is None


@pytest.mark.parametrize("path", ["/clients", "/orders", "/sync/process"])
async def test_a_body_nested_too_deep_is_a_400_not_a_500(
    api: AsyncTestClient,  # type: ignore[type-arg]
    admin_headers: dict[str, str],
    path: str,
) -> None:
    body = "[" * 100_000 + "]" * 100_000

    response = await api.post(
        path, content=body, headers={**admin_headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["errors"] == [{"field": "body", "message": "nested too deeply"}]
