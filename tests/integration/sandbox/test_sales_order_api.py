"""Sales orders over real HTTP: search rules, B2C create → search by orderId, cancel and
change-status, and the back office's advance seen through the search."""

from __future__ import annotations

from typing import Any

from sandbox.totvs_moda import SandboxCatalog, run_sandbox
from tests.integration.sandbox.commerce_api import (
    B2C_ORDERS,
    CANCEL,
    CHANGE_STATUS,
    SALES_ORDERS,
    admin,
    b2c_order,
    writes,
)
from tests.integration.sandbox.conftest import Api
from tests.unit.sandbox.clock import FakeClock

EXPAND = "items,invoices,shippingAddress"


async def find(api: Api, order_id: str, **extra: Any) -> list[dict[str, Any]]:
    body = {"filter": {"branchCodeList": [1, 2], "orderIdList": [order_id]}, **extra}
    status, envelope = await api.post(SALES_ORDERS, body)
    assert status == 200, envelope
    items: list[dict[str, Any]] = envelope["items"]
    return items


async def test_search_needs_branch_code_list(api: Api) -> None:
    status, error = await api.post(SALES_ORDERS, {"filter": {}})
    assert status == 400
    assert "branchCodeList" in str(error)
    both = {"branchCodeList": [1], "customerCodeList": [1], "customerCpfCnpjList": ["1"]}
    assert (await api.post(SALES_ORDERS, {"filter": both}))[0] == 400


async def test_seeded_store_orders_page_and_expand(api: Api) -> None:
    orders = await api.all_pages(
        SALES_ORDERS, {"filter": {"branchCodeList": [1, 2]}, "pageSize": 4}
    )
    assert len(orders) == 6
    assert [(o["branchCode"], o["orderCode"]) for o in orders] == sorted(
        (o["branchCode"], o["orderCode"]) for o in orders
    )
    assert all("items" not in o and "invoices" not in o for o in orders)
    assert all(o["shippingAddress"] is None for o in orders)
    _, expanded = await api.post(
        SALES_ORDERS, {"filter": {"branchCodeList": [1, 2]}, "expand": EXPAND, "pageSize": 100}
    )
    invoiced = [o for o in expanded["items"] if o["invoices"]]
    assert invoiced
    for order in invoiced:
        invoice = order["invoices"][0]
        assert len(invoice["accessKey"]) == 44
        assert invoice["accessKey"].isdigit()
        assert invoice["electronic"]["accessKey"] == invoice["accessKey"]
        assert sum(i["settledQuantity"] for i in order["items"]) >= invoice["quantity"]
    _, only_branch_2 = await api.post(SALES_ORDERS, {"filter": {"branchCodeList": [2]}})
    assert all(o["branchCode"] == 2 for o in only_branch_2["items"])


async def test_b2c_create_then_find_by_order_id(api: Api, clock: FakeClock) -> None:
    clock.advance(120)
    status, created = await api.post(B2C_ORDERS, b2c_order("ponte-1"))
    assert status == 201
    assert (created["branchCode"], created["orderId"]) == (1, "ponte-1")
    assert created["orderCode"] > 0
    [order] = await find(api, "ponte-1", expand=EXPAND)
    assert (order["orderCode"], order["statusOrder"], order["customerCode"]) == (
        created["orderCode"],
        "Blocked",
        1,
    )
    assert (order["totalAmountOrder"], order["freightValue"], order["netValue"]) == (
        124.7,
        10.0,
        114.7,
    )
    assert order["orderDate"] == "2026-04-02T08:30:00"
    assert order["maxChangeFilterDate"] == "2026-04-02T09:02:00"
    assert order["operationName"] == "VENDA E-COMMERCE (B2C)"
    assert [(i["productCode"], i["quantity"], i["pendingQuantity"]) for i in order["items"]] == [
        (12, 2, 2),
        (40, 1, 1),
    ]
    assert order["items"][0]["originalPrice"] == 59.9
    assert order["shippingAddress"]["cep"] == "01304001"
    assert order["invoices"] == []
    window = {"startDate": "2026-04-02T12:01:00Z", "endDate": "2026-04-02T12:03:00Z"}
    _, changed = await api.post(SALES_ORDERS, {"filter": {"branchCodeList": [1], "change": window}})
    assert [o["orderId"] for o in changed["items"]] == ["ponte-1"]


async def test_b2c_refusals_are_domain_notifications_and_not_logged(api: Api) -> None:
    cases = [
        (b2c_order("x", totalAmountOrder=1), None),
        (b2c_order("x", customerCpfCnpj="52998224725"), None),
        (
            b2c_order(
                "x",
                items=[
                    {"productCode": 12, "quantity": 1, "price": 10},
                    {"productCode": 12, "quantity": 1, "price": 10},
                ],
                totalAmountOrder=25,
                payments=[{"paymentValue": 25}],
            ),
            "RepeatedValue",
        ),
        (b2c_order("x", customerCode=424_242), "NotFound"),
    ]
    for body, code in cases:
        status, error = await api.post(B2C_ORDERS, body)
        assert status == 400, body
        if code is not None:
            assert code in str(error)
    assert await writes(api) == []


async def test_a_second_post_with_the_same_order_id_is_a_second_order(api: Api) -> None:
    first = (await api.post(B2C_ORDERS, b2c_order("dup")))[1]
    second = (await api.post(B2C_ORDERS, b2c_order("dup")))[1]
    assert first["orderCode"] != second["orderCode"]
    assert len(await find(api, "dup")) == 2
    logged = [w for w in await writes(api) if w["route"] == "b2c-orders"]
    assert [w["orderId"] for w in logged] == ["dup", "dup"]
    assert logged[0]["body"] == b2c_order("dup")


async def test_cancel_and_change_status(api: Api) -> None:
    _, created = await api.post(B2C_ORDERS, b2c_order("c-1"))
    key = {"branchCode": 1, "orderCode": created["orderCode"]}
    status, _ = await api.post(CHANGE_STATUS, {**key, "statusOrder": "Attended"})
    assert status == 400
    status, body = await api.post(CHANGE_STATUS, {**key, "statusOrder": 2})
    assert (status, body["orderCode"]) == (200, created["orderCode"])
    assert (await find(api, "c-1"))[0]["statusOrder"] == "BillingReleased"
    cancel = {"orderId": "c-1", "reasonCancellationCode": 1, "ReasonCancellationDescription": "x"}
    assert (await api.post(CANCEL, cancel))[0] == 400  # already accepted by the back office
    assert (await api.post(CHANGE_STATUS, {**key, "statusOrder": "InProgress"}))[0] == 200
    assert (await api.post(CANCEL, cancel))[0] == 200
    [order] = await find(api, "c-1", expand="items")
    assert order["statusOrder"] == "Canceled"
    assert [i["canceledQuantity"] for i in order["items"]] == [2, 1]
    missing = {"orderId": "nope", "reasonCancellationCode": 1}
    status, error = await api.post(CANCEL, missing)
    assert (status, "NotFound" in str(error)) == (400, True)
    routes = [w["route"] for w in await writes(api)]
    assert routes == [
        "b2c-orders",
        "orders/change-status",
        "orders/change-status",
        "orders/cancel",
    ]


async def test_admin_advance_shows_in_the_search(api: Api, clock: FakeClock) -> None:
    _, created = await api.post(B2C_ORDERS, b2c_order("adv-1"))
    code = created["orderCode"]
    clock.advance(3600)
    status, moved = await admin(
        api,
        "POST",
        f"/orders/1/{code}/advance",
        {"status": "PartiallyAnswered", "settle": {"12": 1}},
    )
    assert (status, moved["statusOrder"], moved["origin"]) == (200, "PartiallyAnswered", "api")
    status, moved = await admin(api, "POST", f"/orders/1/{code}/advance", {"status": "Attended"})
    assert status == 200
    [order] = await find(api, "adv-1", expand=EXPAND)
    assert order["statusOrder"] == "Attended"
    assert order["maxChangeFilterDate"] == "2026-04-02T10:00:00"
    assert [(i["settledQuantity"], i["pendingQuantity"]) for i in order["items"]] == [
        (2, 0),
        (1, 0),
    ]
    assert [inv["quantity"] for inv in order["invoices"]] == [1, 2]
    for invoice in order["invoices"]:
        assert len(invoice["accessKey"]) == 44
        assert invoice["trackingCode"].startswith("OP")
        assert invoice["code"] > 0
        assert invoice["serial"] == "1"
    assert order["hasFinancialProcessed"] is True
    status, error = await admin(api, "POST", f"/orders/1/{code}/advance", {"status": "Canceled"})
    assert status == 400
    assert "Attended" in error["error"]
    assert (await admin(api, "POST", "/orders/1/99999/advance", {"status": "Attended"}))[0] == 404
    assert (await admin(api, "POST", f"/orders/1/{code}/advance", {}))[0] == 400
    assert [w["route"] for w in await writes(api)] == ["b2c-orders"]
    status, listed = await admin(api, "GET", "/orders?orderId=adv-1")
    assert (status, listed["totalItems"], listed["items"][0]["orderCode"]) == (200, 1, code)


async def test_admin_store_orders_are_erp_changes(api: Api) -> None:
    status, order = await admin(api, "POST", "/store-orders", {"branchCode": 2, "lines": 2})
    assert (status, order["branchCode"], order["origin"], len(order["items"])) == (200, 2, "erp", 2)
    _, all_orders = await admin(api, "GET", "/orders?pageSize=3&page=3")
    assert (all_orders["totalItems"], len(all_orders["items"]), all_orders["hasNext"]) == (
        7,
        1,
        False,
    )
    assert (await admin(api, "POST", "/store-orders", {"customerCode": 999}))[0] == 404
    assert await writes(api) == []


async def test_bare_int_statuses_when_the_rate_says_so(api: Api) -> None:
    catalog = SandboxCatalog(skus=50, bare_enum_rate=1.0)
    async with run_sandbox(catalog) as bare:
        client = Api(bare, api.http)
        await client.login()
        _, orders = await client.post(SALES_ORDERS, {"filter": {"branchCodeList": [1]}})
        assert orders["items"]
        assert all(isinstance(o["statusOrder"], int) for o in orders["items"])
        _, persons = await client.post("/person/v2/individuals/search", {})
        assert {p["status"] for p in persons["items"]} == {0}
