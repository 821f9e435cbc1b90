"""Sales orders move balances over real HTTP: a B2C order shows up in an incremental
``balances/search`` with its quantities in ``salesOrder``, a cancel gives them back, settling ships
units out of ``stock``, and ``/_sandbox/expected/balances`` agrees with the search."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.integration.sandbox.commerce_api import B2C_ORDERS, CANCEL, admin, b2c_order
from tests.integration.sandbox.conftest import BALANCES, Api
from tests.unit.sandbox.clock import FakeClock

CODES = (12, 40)  # the products of ``b2c_order``: 2 × 12 and 1 × 40 at branch 1
OPTION = {
    "balances": [
        {"branchCode": 1, "stockCodeList": [1], "isSalesOrder": True, "isTransaction": True}
    ]
}
BRANCHES = 2  # the sandbox fixture's branches, each with one stock code


def just_before(clock: FakeClock) -> str:
    """A ``filter.change.startDate`` one second before the clock's current second."""
    return datetime.fromtimestamp(int(clock.now()) - 1, UTC).isoformat()


async def balances(api: Api, **filter_: Any) -> dict[int, dict[str, Any]]:
    """productCode -> its branch 1, stock code 1 balance."""
    items = await api.all_pages(BALANCES, {"filter": filter_, "option": OPTION, "pageSize": 100})
    return {item["productCode"]: item["balances"][0] for item in items}


async def changed_since(api: Api, start: str) -> dict[int, dict[str, Any]]:
    return await balances(api, change={"startDate": start, "inStock": True})


async def expected_row(api: Api, code: int) -> dict[str, Any]:
    """The ``expected/balances`` row of ``code`` at branch 1, stock code 1."""
    status, body = await admin(api, "GET", f"/expected/balances?page={code}&pageSize={BRANCHES}")
    assert status == 200, body
    row: dict[str, Any] = next(r for r in body["items"] if r["branch_code"] == 1)
    assert row["product_code"] == code
    return row


async def assert_expected_agrees(api: Api, searched: dict[int, dict[str, Any]]) -> None:
    for code, balance in searched.items():
        row = await expected_row(api, code)
        assert float(row["stock"]) == balance["stock"]
        assert float(row["sales_order"]) == balance["salesOrder"]
        assert float(row["input_transaction"]) == balance["inputTransaction"]
        assert float(row["output_transaction"]) == balance["outputTransaction"]


async def test_a_b2c_order_reserves_and_a_cancel_gives_back(api: Api, clock: FakeClock) -> None:
    seeded = await balances(api, productCodeList=list(CODES))
    clock.advance(60)
    status, created = await api.post(B2C_ORDERS, b2c_order("stock-1"))
    assert status == 201, created
    reserved = await changed_since(api, just_before(clock))
    assert sorted(reserved) == list(CODES)
    for code, quantity in zip(CODES, (2, 1), strict=True):
        assert reserved[code]["salesOrder"] == seeded[code]["salesOrder"] + quantity
        assert reserved[code]["stock"] == seeded[code]["stock"]
    await assert_expected_agrees(api, reserved)

    clock.advance(60)
    body = {"branchCode": 1, "orderCode": created["orderCode"], "reasonCancellationCode": 1}
    status, _ = await api.post(CANCEL, body)
    assert status == 200
    restored = await changed_since(api, just_before(clock))
    assert restored == seeded
    await assert_expected_agrees(api, restored)


async def test_settling_moves_units_out_of_stock(api: Api, clock: FakeClock) -> None:
    seeded = await balances(api, productCodeList=list(CODES))
    clock.advance(60)
    status, created = await api.post(B2C_ORDERS, b2c_order("stock-2"))
    assert status == 201, created
    clock.advance(60)
    path = f"/orders/1/{created['orderCode']}/advance"
    status, order = await admin(api, "POST", path, {"status": "Attended", "settle": {"12": 2}})
    assert status == 200, order
    settled = await changed_since(api, just_before(clock))
    assert sorted(settled) == list(CODES)
    assert settled[12]["stock"] == seeded[12]["stock"] - 2
    assert settled[12]["salesOrder"] == seeded[12]["salesOrder"]
    assert settled[40] == seeded[40]  # its unit was canceled, not shipped
    await assert_expected_agrees(api, settled)
