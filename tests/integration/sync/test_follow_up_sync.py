"""Follow-up from the ERP end to end: sandbox ERP over HTTP → sync streams → real PostgreSQL,
read back through the API."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any
from uuid import UUID

import aiohttp
import pytest
from litestar.testing import AsyncTestClient

from application.outbox.deliver import DeliverOutbox
from application.sync.sync_catalog import SyncCatalog, SyncCatalogCommand, SyncReport
from domain.sync import RunStatus, Stream
from tests.integration.conftest import SyncEnv
from tests.integration.outbox.support import place_orders, register_customers, stock_the_mirror

pytestmark = pytest.mark.integration

Client = AsyncTestClient  # type: ignore[type-arg]
CUSTOMERS = frozenset({Stream.INDIVIDUALS, Stream.LEGAL_ENTITIES})
FOLLOW_UP = CUSTOMERS | {Stream.ORDERS}


async def sync(env: SyncEnv, streams: frozenset[Stream]) -> SyncReport:
    async with env.container() as request:
        use_case = await request.get(SyncCatalog)
        report = await use_case(SyncCatalogCommand(streams=streams))
    assert report.ok, report
    return report


async def advance(env: SyncEnv, key: tuple[int, int], **body: Any) -> None:
    url = f"{env.sandbox.url}/_sandbox/orders/{key[0]}/{key[1]}/advance"
    async with aiohttp.ClientSession() as http, http.post(url, json=body) as response:
        assert response.status == 200, await response.text()


async def order(env: SyncEnv, order_id: UUID) -> dict[str, Any]:
    row = await env.conn.fetchrow("SELECT * FROM orders WHERE id = $1", order_id)
    assert row is not None
    return dict(row)


async def erp_key(env: SyncEnv, order_id: UUID) -> tuple[int, int]:
    row = await order(env, order_id)
    return row["erp_branch_code"], row["erp_order_code"]


async def reserved(env: SyncEnv) -> dict[int, int]:
    rows = await env.conn.fetch("SELECT product_code, reserved FROM stock_reservations")
    return {r["product_code"]: r["reserved"] for r in rows if r["reserved"]}


async def test_customers_arrive_and_a_ponte_customer_is_linked_by_document(
    sync_env: SyncEnv, api: Client, admin_headers: dict[str, str]
) -> None:
    persons = sync_env.sandbox.context.commerce.persons
    customers = [p for p in persons.by_code.values() if p.is_customer]
    mine = next(p for p in customers if not p.legal)
    body = {
        "kind": "individual",
        "name": "Cliente da Loja Online",
        "document": mine.document,
        "email": "cliente.online@example.com",
    }
    created = await api.post("/clients", json=body, headers=admin_headers)
    assert created.status_code == 201, created.text

    report = await sync(sync_env, CUSTOMERS)

    rows = {r["erp_code"]: r for r in await sync_env.conn.fetch("SELECT * FROM customers")}
    assert rows.keys() == {p.code for p in customers}
    linked = rows[mine.code]
    assert (str(linked["id"]), linked["origin"], linked["name"], linked["email"]) == (
        created.json()["id"],
        "ponte",
        "Cliente da Loja Online",
        "cliente.online@example.com",
    )
    assert {r["origin"] for code, r in rows.items() if code != mine.code} == {"erp"}
    someone = next(p for p in customers if p.legal)
    assert rows[someone.code]["document"] == someone.document
    assert rows[someone.code]["kind"] == "company"
    assert sum(run.counts.inserted for run in report.runs) == len(customers) - 1
    listed = await api.get("/clients", params={"limit": 100}, headers=admin_headers)
    assert listed.status_code == 200, listed.text
    assert {c["id"] for c in listed.json()["items"]} == {str(r["id"]) for r in rows.values()}

    again = await sync(sync_env, CUSTOMERS)

    assert all((r.counts.inserted, r.counts.updated) == (0, 0) for r in again.runs), again


async def test_store_orders_arrive_with_origin_erp(
    sync_env: SyncEnv, api: Client, admin_headers: dict[str, str]
) -> None:
    commerce = sync_env.sandbox.context.commerce
    branches = set(sync_env.settings.erp.branch_codes)
    expected = {o.key for o in commerce.orders.orders.values() if o.branch_code in branches}
    assert expected

    report = await sync(sync_env, FOLLOW_UP)

    rows = await sync_env.conn.fetch("SELECT * FROM orders")
    assert {(r["erp_branch_code"], r["erp_order_code"]) for r in rows} == expected
    assert {(r["origin"], r["reservation_open"]) for r in rows} == {("erp", False)}
    orders_run = next(r for r in report.runs if r.stream is Stream.ORDERS)
    assert (orders_run.counts.inserted, orders_run.counts.rejected) == (len(expected), 0)
    statuses = {
        (r["erp_branch_code"], r["erp_order_code"]): (r["erp_status"], r["status"]) for r in rows
    }
    for key, (erp_status, status) in statuses.items():
        assert erp_status == commerce.orders.orders[key].status
        assert (
            status
            == {
                "Attended": "invoiced",
                "InProgress": "pending",
                "BillingReleased": "confirmed",
                "PartiallyAnswered": "confirmed",
                "Canceled": "cancelled",
                "Blocked": "pending",
            }[erp_status]
        )
    listed = await api.get("/orders", params={"limit": 100}, headers=admin_headers)
    assert listed.status_code == 200, listed.text
    assert {o["id"] for o in listed.json()["items"]} == {str(r["id"]) for r in rows}

    again = await sync(sync_env, FOLLOW_UP)

    assert all((r.counts.inserted, r.counts.updated) == (0, 0) for r in again.runs), again


async def test_ponte_orders_follow_the_erp_and_release_their_stock_once_the_erp_counts_it(
    sync_env: SyncEnv, api: Client, admin_headers: dict[str, str]
) -> None:
    await stock_the_mirror(sync_env.conn)
    [customer] = await register_customers(sync_env, 1)
    served, cancelled = await place_orders(sync_env, [customer], 2)
    deliver = await sync_env.container.get(DeliverOutbox)
    delivery = await deliver.drain()
    assert (delivery.delivered, delivery.failed) == (3, 0)
    held = await reserved(sync_env)

    await sync(sync_env, FOLLOW_UP | {Stream.BALANCES})

    # Created InProgress, as Ponte sends them: not yet accepted, so still Ponte's to confirm.
    for order_id in (served, cancelled):
        row = await order(sync_env, order_id)
        assert (row["status"], row["erp_status"]) == ("pending", "InProgress")
        assert row["erp_inserted_at"] is not None
        assert row["reservation_open"]
    assert await reserved(sync_env) == held

    confirmed = await api.put(
        f"/orders/{served}", json={"status": "confirmed"}, headers=admin_headers
    )
    assert confirmed.status_code == 200, confirmed.text
    assert (await deliver.drain()).delivered == 1
    await sync(sync_env, frozenset({Stream.ORDERS}))

    row = await order(sync_env, served)
    assert (row["status"], row["erp_status"]) == ("confirmed", "BillingReleased")

    served_key, cancelled_key = [await erp_key(sync_env, o) for o in (served, cancelled)]
    await advance(sync_env, served_key, status="Attended", invoice=True)
    await advance(sync_env, cancelled_key, status="Canceled")
    await sync(sync_env, frozenset({Stream.ORDERS}))

    row = await order(sync_env, served)
    assert (row["status"], row["erp_status"], row["reservation_open"]) == (
        "invoiced",
        "Attended",
        True,
    )
    [invoice] = json.loads(row["invoices"])
    erp_order = sync_env.sandbox.context.commerce.orders.orders[served_key]
    assert invoice["access_key"] == erp_order.invoices[0].access_key
    assert re.fullmatch(r"[0-9]{44}", invoice["access_key"])
    items = await sync_env.conn.fetch(
        "SELECT quantity, served_quantity, cancelled_quantity FROM order_items WHERE order_id = $1",
        served,
    )
    assert all((i["served_quantity"], i["cancelled_quantity"]) == (i["quantity"], 0) for i in items)
    row = await order(sync_env, cancelled)
    assert (row["status"], row["reservation_open"]) == ("cancelled", False)
    still_held = await reserved(sync_env)
    assert sum(still_held.values()) < sum(held.values())

    # The ERP's balances pass the orders' registration: the ERP counts them now. Its clock ticks
    # in whole seconds, and a balance stamped in the orders' own second may predate them.
    inserted = await sync_env.conn.fetchval("SELECT max(erp_inserted_at) FROM orders")
    await asyncio.sleep(max(0.0, inserted.timestamp() + 1 - time.time()))
    sync_env.sandbox.catalog.change_stock(count=3)
    await sync(sync_env, frozenset({Stream.BALANCES}))
    await sync(sync_env, frozenset({Stream.ORDERS}))

    assert not (await order(sync_env, served))["reservation_open"]
    assert await reserved(sync_env) == {}

    again = await sync(sync_env, frozenset({Stream.ORDERS}))

    [run] = again.runs
    assert run.status is RunStatus.SUCCEEDED
    assert (run.counts.inserted, run.counts.updated) == (0, 0)


async def test_an_order_the_erp_closes_with_nothing_served_is_cancelled(
    sync_env: SyncEnv,
) -> None:
    await stock_the_mirror(sync_env.conn)
    [customer] = await register_customers(sync_env, 1)
    [placed] = await place_orders(sync_env, [customer], 1)
    assert (await (await sync_env.container.get(DeliverOutbox)).drain()).delivered == 2
    await sync(sync_env, frozenset({Stream.ORDERS}))
    assert await reserved(sync_env)

    # The back office closes it cancelling every line: Attended, no unit served, no invoice.
    await advance(sync_env, await erp_key(sync_env, placed), status="Attended", settle={})
    await sync(sync_env, frozenset({Stream.ORDERS}))

    row = await order(sync_env, placed)
    assert (row["status"], row["erp_status"], row["reservation_open"]) == (
        "cancelled",
        "Attended",
        False,
    )
    assert json.loads(row["invoices"]) == []
    assert await reserved(sync_env) == {}


async def test_orders_read_before_their_customers_bring_customers_the_persons_complete(
    sync_env: SyncEnv,
) -> None:
    commerce = sync_env.sandbox.context.commerce
    branches = set(sync_env.settings.erp.branch_codes)
    expected = [o for o in commerce.orders.orders.values() if o.branch_code in branches]
    named = {o.customer_code: commerce.persons.by_code[o.customer_code] for o in expected}

    report = await sync(sync_env, frozenset({Stream.ORDERS}))

    [run] = report.runs
    assert (run.counts.inserted, run.counts.rejected) == (len(expected), 0)
    rows = {r["erp_code"]: r for r in await sync_env.conn.fetch("SELECT * FROM customers")}
    assert rows.keys() == named.keys()
    for code, person in named.items():
        row = rows[code]
        assert (row["origin"], row["name"], row["document"]) == (
            "erp",
            person.name,
            person.document,
        )
        assert (row["kind"], row["erp_changed_at"]) == (
            "company" if person.legal else "individual",
            None,
        )
    owners = await sync_env.conn.fetch(
        "SELECT erp_branch_code, erp_order_code, customer_id FROM orders"
    )
    assert {(r["erp_branch_code"], r["erp_order_code"]): r["customer_id"] for r in owners} == {
        o.key: rows[o.customer_code]["id"] for o in expected
    }

    await sync(sync_env, CUSTOMERS)

    after = {r["erp_code"]: r for r in await sync_env.conn.fetch("SELECT * FROM customers")}
    customers = {p.code for p in commerce.persons.by_code.values() if p.is_customer}
    assert after.keys() == customers
    assert all(after[code]["id"] == rows[code]["id"] for code in named)
    assert all(after[code]["erp_changed_at"] is not None for code in named)
