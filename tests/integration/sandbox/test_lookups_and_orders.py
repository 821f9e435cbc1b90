"""Colors, grids, classifications and production orders over HTTP."""

from __future__ import annotations

from sandbox.totvs_moda import RunningSandbox
from tests.integration.sandbox.conftest import COLORS, ORDERS, Api


async def test_colors_page_with_the_search_envelope(api: Api, sandbox: RunningSandbox) -> None:
    colors = await api.all_pages(COLORS, {"pageSize": 7})
    assert [c["colorCode"] for c in colors] == [
        c["code"] for c in sandbox.catalog.expected_colors()
    ]
    assert {"colorCode", "colorName", "additionalColorInformation", "maxChangeFilterDate"} == set(
        colors[0]
    )


async def test_grid_reads_pascal_case_query_parameters_case_insensitively(api: Api) -> None:
    status, body = await api.get("/product/v2/grid?Order=code&Page=1&PageSize=3")
    assert status == 200
    assert (body["totalItems"], len(body["items"]), body["hasNext"]) == (7, 3, True)
    assert body["items"][0]["grid"] == ["P", "M", "G", "GG"]
    status, body = await api.get("/product/v2/grid?page=3&pagesize=3")
    assert [g["code"] for g in body["items"]] == ["7"]
    status, body = await api.get("/product/v2/grid?StartChangeDate=2027-01-01T00:00:00")
    assert body["items"] == []


async def test_classifications_filter_by_repeated_type_codes(api: Api) -> None:
    status, body = await api.get("/product/v2/classifications?TypeCodeList=2&TypeCodeList=3")
    assert status == 200
    assert {c["typeCode"] for c in body["items"]} == {2, 3}
    assert all(isinstance(c["code"], str) for c in body["items"])
    status, body = await api.get("/product/v2/classifications")
    assert {c["typeName"] for c in body["items"]} == {"CATEGORIA", "MARCA", "COLECAO"}


async def test_production_orders_need_branch_code_list(api: Api) -> None:
    status, _ = await api.post(ORDERS, {"filter": {"statusList": [5, 10, 20]}})
    assert status == 400


async def test_production_orders_expand_items_with_pending_quantities(
    api: Api, sandbox: RunningSandbox
) -> None:
    orders = await api.all_pages(
        ORDERS,
        {
            "filter": {"branchCodeList": [1, 2], "statusList": [5, 10, 20]},
            "expand": "items,locations",
        },
    )
    assert orders
    expected = {
        (f["order_code"], f["product_code"]): f for f in sandbox.catalog.expected_future_stock()
    }
    items = [(o, i) for o in orders for i in o["items"]]
    assert len(items) == len(expected)
    for order, item in items:
        row = expected[order["orderCode"], item["productCode"]]
        assert item["pendingQuantity"] == row["pending_quantity"]
        assert order["status"] == row["status"]
        assert isinstance(order["status"], int)
        assert order["estimatedDeliveryDate"].startswith(row["expected_date"].isoformat())
        assert {"sizeCode", "sizeName"} <= set(item)
    assert all(o["locations"] for o in orders)
    _status, body = await api.post(ORDERS, {"filter": {"branchCodeList": [1, 2]}})
    assert "items" not in body["items"][0]
