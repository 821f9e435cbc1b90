"""Incremental reads over HTTP after the catalog changes."""

from __future__ import annotations

from sandbox.totvs_moda import RunningSandbox
from tests.integration.sandbox.conftest import BALANCES, COSTS, PRICES, PRODUCTS, Api
from tests.unit.sandbox.clock import FakeClock

AFTER_SEED = "2026-04-01T09:00:01"  # one second after the seeded rows, naive Sao Paulo time


def products(change: dict[str, object]) -> dict[str, object]:
    return {"option": {"branchInfoCode": 1}, "filter": {"change": change}, "pageSize": 1000}


async def codes(api: Api, path: str, body: dict[str, object]) -> list[int]:
    return [item["productCode"] for item in await api.all_pages(path, body)]


async def test_a_window_after_the_seed_sees_only_what_changed(
    api: Api, sandbox: RunningSandbox, clock: FakeClock
) -> None:
    catalog = sandbox.catalog
    assert await codes(api, PRODUCTS, products({"startDate": AFTER_SEED})) == []
    clock.advance(60)
    off = catalog.deactivate(4)
    prices = catalog.change_prices(6)
    changed = await codes(api, PRODUCTS, products({"startDate": AFTER_SEED, "inProduct": True}))
    assert changed == list(off.product_codes)
    everything = await codes(api, PRODUCTS, products({"startDate": AFTER_SEED}))
    assert everything == sorted(set(off.product_codes) | set(prices.product_codes))
    body = {
        "filter": {"change": {"startDate": AFTER_SEED, "inPrice": True}},
        "option": {"prices": [{"branchCode": 1, "priceCodeList": [1, 2]}]},
        "pageSize": 1000,
    }
    assert await codes(api, PRICES, body) == list(prices.product_codes)


async def test_max_change_filter_date_is_the_naive_local_change_time(
    api: Api, sandbox: RunningSandbox, clock: FakeClock
) -> None:
    clock.advance(3600)  # 2026-04-02T13:00:00Z = 10:00:00 in Sao Paulo
    stock = sandbox.catalog.change_stock(2)
    body = {
        "filter": {"change": {"startDate": "2026-04-02T13:00:00Z", "inStock": True}},
        "option": {"balances": [{"branchCode": 1, "stockCodeList": [1]}]},
    }
    items = await api.all_pages(BALANCES, body)
    assert [i["productCode"] for i in items] == list(stock.product_codes)
    assert {i["maxChangeFilterDate"] for i in items} == {"2026-04-02T10:00:00"}


async def test_both_ends_of_the_window_are_inclusive(
    api: Api, sandbox: RunningSandbox, clock: FakeClock
) -> None:
    clock.advance(7200)
    costs = sandbox.catalog.change_costs(3)
    at = "2026-04-02T11:00:00"  # the change time, naive local
    body = {
        "filter": {"change": {"startDate": at, "endDate": at, "inCost": True}},
        "option": {"costs": [{"branchCode": 1, "costCodeList": [1]}]},
    }
    assert await codes(api, COSTS, body) == list(costs.product_codes)
    body["filter"] = {"change": {"startDate": at, "endDate": "2026-04-02T10:59:59", "inCost": True}}
    status, _ = await api.post(COSTS, body)
    assert status == 400  # end before start
    body["filter"] = {"change": {"startDate": "2026-04-02T11:00:01-03:00", "inCost": True}}
    assert await codes(api, COSTS, body) == []


async def test_a_window_covering_the_seed_returns_the_full_catalog(api: Api) -> None:
    found = await codes(api, PRODUCTS, products({"startDate": "2020-01-01T00:00:00"}))
    assert found == list(range(1, 231))


async def test_new_products_show_up_in_the_next_incremental_read(
    api: Api, sandbox: RunningSandbox, clock: FakeClock
) -> None:
    clock.advance(5)
    added = sandbox.catalog.add_products(1, new_color_rate=1.0)
    items = await api.all_pages(PRODUCTS, products({"startDate": AFTER_SEED, "inProduct": True}))
    assert [i["productCode"] for i in items] == list(added.product_codes)
    assert {i["ReferenceCode"] for i in items} == set(added.reference_codes)
    colors = await api.all_pages(
        "/product/v2/colors/search", {"filter": {"change": {"startDate": AFTER_SEED}}}
    )
    assert [c["colorCode"] for c in colors] == list(added.color_codes)
