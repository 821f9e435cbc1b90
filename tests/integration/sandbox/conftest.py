"""A real sandbox server on a free port and an aiohttp client to call it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from sandbox.totvs_moda import RunningSandbox, SandboxCatalog, run_sandbox
from tests.unit.sandbox.clock import FakeClock

BASE = datetime(2026, 4, 1, 12, 0, 0, tzinfo=UTC)
LOGIN = {
    "grant_type": "password",
    "client_id": "ponte",
    "client_secret": "ponte-secret",
    "username": "ponte",
    "password": "ponte",
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 4, 2, 12, 0, 0, tzinfo=UTC))


@pytest.fixture
async def sandbox(clock: FakeClock) -> AsyncIterator[RunningSandbox]:
    catalog = SandboxCatalog(
        skus=230, seed=4, branches=(1, 2), price_codes=(1, 2), clock=clock, base_time=BASE
    )
    async with run_sandbox(catalog) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


class Api:
    """Thin helpers over the sandbox's wire API."""

    def __init__(self, sandbox: RunningSandbox, http: aiohttp.ClientSession) -> None:
        self.sandbox = sandbox
        self.http = http
        self.token: str | None = None

    async def login(self) -> str:
        async with self.http.post(
            f"{self.sandbox.api_url}/authorization/v2/token", data=LOGIN
        ) as r:
            assert r.status == 200
            self.token = (await r.json())["access_token"]
        return self.token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def post(self, path: str, body: Any) -> tuple[int, Any]:
        async with self.http.post(
            f"{self.sandbox.api_url}{path}", json=body, headers=self.headers()
        ) as r:
            return r.status, await r.json(content_type=None) if await r.read() else None

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.http.get(f"{self.sandbox.api_url}{path}", headers=self.headers()) as r:
            return r.status, await r.json(content_type=None) if await r.read() else None

    async def all_pages(self, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item of a search, checking each envelope against the stopping rules."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            status, envelope = await self.post(path, {**body, "page": page})
            assert status == 200, envelope
            assert_envelope(envelope, page, body.get("pageSize", 100))
            items += envelope["items"]
            if not envelope["hasNext"]:
                return items
            page += 1


def assert_envelope(envelope: dict[str, Any], page: int, size: int) -> None:
    total = envelope["totalItems"]
    assert envelope["count"] == total
    assert envelope["totalPages"] == -(-total // size)
    assert envelope["hasNext"] == (page < envelope["totalPages"])
    expected = max(0, min(size, total - (page - 1) * size))
    assert len(envelope["items"]) == expected


@pytest.fixture
async def api(sandbox: RunningSandbox, http: aiohttp.ClientSession) -> Api:
    client = Api(sandbox, http)
    await client.login()
    return client


PRODUCTS = "/product/v2/products/search"
BALANCES = "/product/v2/balances/search"
PRICES = "/product/v2/prices/search"
COSTS = "/product/v2/costs/search"
COLORS = "/product/v2/colors/search"
ORDERS = "/production-order/v2/orders/search"
