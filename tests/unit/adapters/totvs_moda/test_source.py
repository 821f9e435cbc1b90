"""TotvsModaCatalogSource end to end over a mocked ERP."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

import aiohttp
import msgspec
import pytest
from aioresponses import CallbackResult, aioresponses

from adapters.totvs_moda import TotvsModaCatalogSource
from application.sync.ports import CatalogSource, Page, SourceRejected
from domain.sync import Stream
from tests.unit.adapters.totvs_moda.conftest import (
    TOKEN_URL,
    Sleeps,
    api,
    envelope,
    make_settings,
    token_body,
)

SEARCH = api("product/v2/products/search")
NOW = datetime(2026, 4, 20, 13, 0, tzinfo=UTC)


def product(code: int) -> dict[str, Any]:
    return {"productCode": code, "ReferenceCode": "R", "maxChangeFilterDate": "2026-04-19T10:00:00"}


class PagedProducts:
    """Serves ``pages`` pages of ``per_page`` products; records bodies and requests in flight."""

    def __init__(self, pages: int, per_page: int) -> None:
        self.pages, self.per_page = pages, per_page
        self.bodies: list[dict[str, Any]] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def respond(self, url: Any, **kwargs: Any) -> CallbackResult:
        body = msgspec.json.decode(kwargs["data"])
        self.bodies.append(body)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.002)
            number = body["page"]
            first = (number - 1) * self.per_page
            items = [product(first + i) for i in range(self.per_page)]
            total = self.pages * self.per_page
            has_next = number < self.pages
            return CallbackResult(
                payload=envelope(items, page_total=self.pages, has_next=has_next, total_items=total)
            )
        finally:
            self.in_flight -= 1


async def read_all(source: CatalogSource, stream: Stream, since: datetime | None) -> list[Page]:
    return [page async for page in source.read(stream, since)]


@pytest.fixture(autouse=True)
def logged_in(mocked: aioresponses) -> None:
    mocked.post(TOKEN_URL, payload=token_body(), repeat=True)


async def test_reads_every_page_with_at_most_n_requests_in_flight(
    mocked: aioresponses, sleeps: Sleeps
) -> None:
    server = PagedProducts(pages=9, per_page=3)
    mocked.post(SEARCH, callback=server.respond, repeat=True)

    async with TotvsModaCatalogSource(make_settings(concurrency=2), sleep=sleeps) as source:
        pages = await read_all(source, Stream.PRODUCTS, None)

    assert sorted(page.number for page in pages) == list(range(1, 10))
    assert sum(len(page.records) for page in pages) == 27
    assert {page.total_items for page in pages} == {27}
    assert server.most_in_flight == 2
    assert sorted(body["page"] for body in server.bodies) == list(range(1, 10))


async def test_an_erp_capping_the_page_size_without_total_pages_is_read_to_the_end(
    mocked: aioresponses, sleeps: Sleeps
) -> None:
    """We ask for 1000 rows a page, the ERP serves 2 and states only ``hasNext``."""

    async def respond(url: Any, **kwargs: Any) -> CallbackResult:
        number = msgspec.json.decode(kwargs["data"])["page"]
        items = [product(2 * number - 1), product(2 * number)]
        return CallbackResult(payload={"items": items, "hasNext": number < 3, "totalItems": 6})

    mocked.post(SEARCH, callback=respond, repeat=True)

    async with TotvsModaCatalogSource(make_settings(), sleep=sleeps) as source:
        pages = await read_all(source, Stream.PRODUCTS, None)

    assert [sku.product_code for page in pages for sku in page.records] == [1, 2, 3, 4, 5, 6]
    assert [page.total_items for page in pages] == [6, 6, 6]


async def test_incremental_read_sends_since_as_naive_sao_paulo_time(mocked: aioresponses) -> None:
    server = PagedProducts(pages=1, per_page=2)
    mocked.post(SEARCH, callback=server.respond, repeat=True)
    since = datetime(2026, 4, 18, 3, 0, 0, tzinfo=UTC)

    async with TotvsModaCatalogSource(make_settings(), now=lambda: NOW) as source:
        [page] = await read_all(source, Stream.PRODUCTS, since)

    change = server.bodies[0]["filter"]["change"]
    assert change["startDate"] == "2026-04-18T00:00:00"
    assert change["endDate"] == "2026-04-21T10:00:00"
    assert page.max_changed_at == datetime(2026, 4, 19, 13, 0, tzinfo=UTC)


async def test_full_read_sends_no_change_filter(mocked: aioresponses) -> None:
    server = PagedProducts(pages=1, per_page=1)
    mocked.post(SEARCH, callback=server.respond, repeat=True)

    async with TotvsModaCatalogSource(make_settings()) as source:
        await read_all(source, Stream.PRODUCTS, None)

    assert server.bodies[0]["filter"] == {}
    assert server.bodies[0]["pageSize"] == 1000


ENDPOINTS = {
    Stream.COLORS: ("POST", "product/v2/colors/search", {"colorCode": "1", "colorName": "A"}),
    Stream.SIZES: ("GET", "product/v2/grid", {"code": 1, "name": "G", "grid": ["P"]}),
    Stream.CLASSIFICATIONS: (
        "GET",
        "product/v2/classifications",
        {"typeCode": 1, "typeName": "T", "code": "1", "name": "N"},
    ),
    Stream.PRODUCTS: ("POST", "product/v2/products/search", product(1)),
    Stream.BALANCES: (
        "POST",
        "product/v2/balances/search",
        {"productCode": 1, "balances": [{"branchCode": 1, "stockCode": 1, "stock": 2}]},
    ),
    Stream.PRICES: (
        "POST",
        "product/v2/prices/search",
        {"productCode": 1, "prices": [{"branchCode": 1, "priceCode": 1, "price": 2}]},
    ),
    Stream.COSTS: (
        "POST",
        "product/v2/costs/search",
        {"productCode": 1, "costs": [{"branchCode": 1, "costCode": 1, "cost": 2}]},
    ),
    Stream.PRODUCTION_ORDERS: (
        "POST",
        "production-order/v2/orders/search",
        {"branchCode": 1, "orderCode": 1, "status": 5, "items": [{"productCode": 1}]},
    ),
    Stream.INDIVIDUALS: ("POST", "person/v2/individuals/search", {"code": 1, "name": "Ana"}),
    Stream.LEGAL_ENTITIES: ("POST", "person/v2/legal-entities/search", {"code": 2, "name": "X"}),
    Stream.ORDERS: (
        "POST",
        "sales-order/v2/orders/search",
        {"branchCode": 1, "orderCode": 1, "statusOrder": "InProgress"},
    ),
}


@pytest.mark.parametrize("stream", list(Stream))
async def test_every_stream_reads_its_endpoint(
    mocked: aioresponses, source: TotvsModaCatalogSource, stream: Stream
) -> None:
    method, path, row = ENDPOINTS[stream]
    mocked.add(re.compile(re.escape(api(path)) + r"(\?.*)?$"), method, payload=envelope([row]))

    pages = await read_all(source, stream, None)

    assert [(page.number, len(page.records), len(page.rejections)) for page in pages] == [(1, 1, 0)]


async def test_a_refused_search_ends_the_read(
    mocked: aioresponses, source: TotvsModaCatalogSource
) -> None:
    mocked.post(SEARCH, status=400, payload=[{"code": "BranchInfoCode", "message": "required"}])

    with pytest.raises(SourceRejected, match="required"):
        await read_all(source, Stream.PRODUCTS, None)


async def test_an_injected_session_is_left_open(mocked: aioresponses) -> None:
    mocked.post(SEARCH, payload=envelope([product(1)]))
    async with aiohttp.ClientSession() as session:
        async with TotvsModaCatalogSource(make_settings(), session=session) as source:
            await read_all(source, Stream.PRODUCTS, None)
        assert not session.closed
