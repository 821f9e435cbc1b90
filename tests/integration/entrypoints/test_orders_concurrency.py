"""Concurrent orders through the real app: transactions that really overlap in PostgreSQL never
sell more than is available, and opposite item orders never deadlock.

The app is served by a real uvicorn server on a free port and hit over HTTP with aiohttp (the
Litestar test client runs each request to completion in a portal thread: it serializes them).
To make the overlap certain rather than likely, a separate connection first holds the contested
rows; the test waits until PostgreSQL shows requests blocked on them, then lets go, so every
request that reached the ledger competes for the same rows at once.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg
import pytest

from entrypoints.http.app import create_app
from entrypoints.providers import make_container
from tests.integration.conftest import FastPasswords, QuickRetries, SyncEnv
from tests.integration.entrypoints import order_seeds as seed
from tests.integration.entrypoints.live_server import own_connection, serving

pytestmark = pytest.mark.integration

USER = {"email": "rush@example.com", "password": "a long enough password"}
ORDERS = 50
#: Requests seen blocked on the held rows before letting go (the app's pool has 20 connections).
BLOCKED = 10


@dataclass
class Live:
    """A running server and a client session to it."""

    url: str
    http: aiohttp.ClientSession
    headers: dict[str, str]

    async def post_order(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        async with self.http.post(f"{self.url}/orders", json=body, headers=self.headers) as r:
            return r.status, await r.json(content_type=None)


@pytest.fixture
async def live(sync_env: SyncEnv) -> AsyncIterator[Live]:
    """The real app under uvicorn on 127.0.0.1 (a free port), with a signed-in user."""
    app = create_app(
        make_container(sync_env.settings, QuickRetries(), FastPasswords()), sync_env.settings
    )
    async with serving(app, USER) as server:
        yield Live(server.url, server.http, server.headers)


@pytest.fixture
async def blocker(sync_env: SyncEnv) -> AsyncIterator[asyncpg.Connection]:
    async with own_connection(sync_env.settings) as conn:
        yield conn


async def blocked_on_locks(conn: asyncpg.Connection, at_least: int) -> int:
    """Wait (10 s at most) until ``at_least`` backends of this database wait on a lock."""
    deadline = time.monotonic() + 10
    while True:
        waiting: int = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting >= at_least or time.monotonic() > deadline:
            return waiting
        await asyncio.sleep(0.01)


def statuses(responses: list[tuple[int, dict[str, Any]]]) -> Counter[int]:
    for status, body in responses:
        assert status in (201, 409), body
        if status == 409:
            assert body["type"].endswith("/insufficient-stock")
    return Counter(status for status, _ in responses)


async def test_fifty_orders_for_ten_units_sell_exactly_ten(
    live: Live, sync_env: SyncEnv, blocker: asyncpg.Connection
) -> None:
    conn = sync_env.conn
    await seed.product(conn, "REF-HOT")
    await seed.sku(conn, 5001, "REF-HOT", stock=("6", "4"))
    customer = str(await seed.customer(conn))
    await conn.execute("INSERT INTO stock_reservations (product_code) VALUES (5001)")
    body = {"customer_id": customer, "items": [{"product_code": 5001, "quantity": 1}]}

    hold = blocker.transaction()
    await hold.start()
    await blocker.execute("SELECT 1 FROM stock_reservations WHERE product_code = 5001 FOR UPDATE")
    requests = [asyncio.create_task(live.post_order(body)) for _ in range(ORDERS)]
    try:
        assert await blocked_on_locks(conn, BLOCKED) >= BLOCKED
    finally:
        await hold.rollback()
    responses = await asyncio.gather(*requests)

    assert statuses(responses) == {201: 10, 409: 40}
    assert await seed.reserved(conn) == {5001: 10}
    sold = await conn.fetchval("SELECT sum(quantity) FROM order_items WHERE product_code = 5001")
    assert sold == 10
    assert await conn.fetchval("SELECT count(*) FROM orders") == 10


async def test_opposite_item_orders_never_deadlock(
    live: Live, sync_env: SyncEnv, blocker: asyncpg.Connection
) -> None:
    conn = sync_env.conn
    await seed.product(conn, "REF-X")
    await seed.product(conn, "REF-Y")
    await seed.sku(conn, 6001, "REF-X", stock=("10",))
    await seed.sku(conn, 6002, "REF-Y", stock=("30",))
    customer = str(await seed.customer(conn))

    def body(*codes: int) -> dict[str, Any]:
        items = [{"product_code": code, "quantity": 1} for code in codes]
        return {"customer_id": customer, "items": items}

    # The ledger rows do not exist yet: the blocker creates them in a transaction left open, so
    # every request waits inside its own row-creating INSERT, then all race for the row locks.
    hold = blocker.transaction()
    await hold.start()
    await blocker.execute("INSERT INTO stock_reservations (product_code) VALUES (6002), (6001)")
    bodies = [body(6001, 6002) if i % 2 else body(6002, 6001) for i in range(ORDERS)]
    requests = [asyncio.create_task(live.post_order(b)) for b in bodies]
    try:
        assert await blocked_on_locks(conn, BLOCKED) >= BLOCKED
    finally:
        await hold.commit()
    responses = await asyncio.gather(*requests)

    assert statuses(responses) == {201: 10, 409: 40}
    assert await seed.reserved(conn) == {6001: 10, 6002: 10}
    assert await conn.fetchval("SELECT count(*) FROM orders") == 10
