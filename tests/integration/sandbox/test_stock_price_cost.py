"""balances, prices and costs searches: required option blocks, codes, promotions."""

from __future__ import annotations

import pytest

from sandbox.totvs_moda import RunningSandbox
from tests.integration.sandbox.conftest import BALANCES, COSTS, PRICES, Api

PRICE_OPTION = {"prices": [{"branchCode": 1, "priceCodeList": [2, 1]}]}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (BALANCES, {"filter": {"productCodeList": [1]}}),
        (PRICES, {"filter": {"productCodeList": [1]}, "option": {}}),
        (COSTS, {"filter": {"productCodeList": [1], "hasCost": True}}),
        (BALANCES, {"option": {"balances": []}}),
    ],
)
async def test_required_option_blocks_are_400s(api: Api, path: str, body: object) -> None:
    status, response = await api.post(path, body)
    assert status == 400
    assert "option." in str(response)


async def test_prices_follow_the_requested_codes_and_send_zero_for_no_promotion(
    api: Api, sandbox: RunningSandbox
) -> None:
    items = await api.all_pages(PRICES, {"option": PRICE_OPTION, "pageSize": 100})
    assert len(items) == 230
    assert all([p["priceCode"] for p in i["prices"]] == [2, 1] for i in items)
    retail = [p for i in items for p in i["prices"] if p["priceCode"] == 1]
    assert any(p["promotionalPrice"] == 0 for p in retail)
    assert any(0 < p["promotionalPrice"] < p["price"] for p in retail)
    expected = {(p["product_code"], p["price_code"]): p for p in sandbox.catalog.expected_prices()}
    for item in items[:20]:
        for p in item["prices"]:
            row = expected[item["productCode"], p["priceCode"]]
            assert str(p["price"]) == str(row["price"].normalize())
            assert p["promotionalPrice"] == float(row["promotional_price"] or 0)


async def test_an_unknown_price_code_fails_the_whole_request(api: Api) -> None:
    option = {
        "prices": [
            {"branchCode": 1, "priceCodeList": [1]},
            {"branchCode": 2, "priceCodeList": [1, 77]},
        ]
    }
    status, body = await api.post(PRICES, {"option": option})
    assert status == 400
    assert "NotFound" in str(body)
    assert "77" in str(body)


async def test_costs_without_a_change_window_need_has_cost_and_code_lists(api: Api) -> None:
    option = {"costs": [{"branchCode": 1, "costCodeList": [1]}]}
    status, _ = await api.post(COSTS, {"filter": {"productCodeList": [1, 2]}, "option": option})
    assert status == 400
    body = {
        "filter": {
            "productCodeList": [1, 2],
            "hasCost": True,
            "branchCostCodeList": [1],
            "costCodeList": [1],
        },
        "option": option,
    }
    status, response = await api.post(COSTS, body)
    assert status == 200
    assert [i["productCode"] for i in response["items"]] == [1, 2]
    assert response["items"][0]["costs"][0]["costCode"] == 1
    window = {"filter": {"change": {"startDate": "2020-01-01T00:00:00"}}, "option": option}
    assert (await api.post(COSTS, window))[0] == 200


async def test_balances_have_one_entry_per_branch_and_stock_code_and_honour_flags(
    api: Api, sandbox: RunningSandbox
) -> None:
    blocks = [
        {"branchCode": 1, "stockCodeList": [1], "isTransaction": True, "isSalesOrder": True,
         "isProductionOrder": True},
        {"branchCode": 2, "stockCodeList": [1]},
    ]  # fmt: skip
    items = await api.all_pages(BALANCES, {"option": {"balances": blocks}, "pageSize": 100})
    assert len(items) == 230
    expected = {
        (b["product_code"], b["branch_code"]): b for b in sandbox.catalog.expected_balances()
    }
    for item in items:
        full, bare = item["balances"]
        assert (full["branchCode"], bare["branchCode"]) == (1, 2)
        row = expected[item["productCode"], 1]
        assert full["stock"] == row["stock"]
        assert full["inputTransaction"] == row["input_transaction"]
        assert full["salesOrder"] == row["sales_order"]
        assert full["productionOrderProgress"] == row["production_order_progress"]
        assert bare["inputTransaction"] == bare["salesOrder"] == 0
    assert any(i["balances"][0]["salesOrder"] for i in items)
