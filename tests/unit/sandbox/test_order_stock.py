"""Sales orders move the ERP's balances: B2C and admin store orders reserve ``salesOrder``,
cancels give it back, settling ships units out of ``stock``; seeded orders move nothing."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.totvs_moda import expected
from sandbox.totvs_moda.commerce import Commerce
from sandbox.totvs_moda.errors import BadRequest
from sandbox.totvs_moda.sales_orders import SalesOrder
from sandbox.totvs_moda.selection import Family, Window
from sandbox.totvs_moda.state import StockValues
from tests.unit.sandbox.clock import FakeClock
from tests.unit.sandbox.commerce_fixtures import b2c_body, make_commerce

STOCK_ONLY = frozenset({Family.STOCK})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def commerce(clock: FakeClock) -> Commerce:
    return make_commerce(clock, stock_codes=(1, 2))


def create(commerce: Commerce, **overrides: Any) -> SalesOrder:
    body = b2c_body(**overrides)
    return commerce.create_order(body, body)


def cancel(commerce: Commerce, order: SalesOrder) -> SalesOrder:
    body = {"branchcode": order.branch_code, "ordercode": order.order_code}
    return commerce.cancel_order({**body, "reasoncancellationcode": 1}, body)


def balance(commerce: Commerce, code: int, branch: int = 1, stock_code: int = 1) -> StockValues:
    catalog = commerce.catalog
    return catalog.stock(catalog.view(code), branch, stock_code)


def moved(commerce: Commerce, code: int, before: StockValues, **deltas: int) -> bool:
    """Whether the balance of ``code`` at branch 1, stock code 1 is ``before`` plus ``deltas``
    (``stock``, ``sales``)."""
    stock, sales, inputs, outputs = before
    wanted = (stock + deltas.get("stock", 0), sales + deltas.get("sales", 0), inputs, outputs)
    return balance(commerce, code) == wanted


def changed_since(commerce: Commerce, start: float) -> list[int]:
    """Product codes a ``balances/search`` with ``filter.change`` from ``start`` returns."""
    selection = commerce.catalog.select(Window(start, None, STOCK_ONLY))
    return selection.codes(0, 1000)


def stock_at(commerce: Commerce, code: int) -> int:
    return commerce.catalog.view(code).at[Family.STOCK]


def test_a_b2c_order_reserves_each_quantity_and_stamps_the_stock_family(
    commerce: Commerce, clock: FakeClock
) -> None:
    five, six = balance(commerce, 5), balance(commerce, 6)
    others = [balance(commerce, 5, 2), balance(commerce, 5, 1, 2), balance(commerce, 7)]
    version = commerce.catalog.version
    order = create(commerce)
    assert moved(commerce, 5, five, sales=2)
    assert moved(commerce, 6, six, sales=1)
    assert [balance(commerce, 5, 2), balance(commerce, 5, 1, 2), balance(commerce, 7)] == others
    assert stock_at(commerce, 5) == stock_at(commerce, 6) == order.insert_at == int(clock.now())
    assert commerce.catalog.version > version
    assert changed_since(commerce, clock.now() - 1) == [5, 6]
    assert changed_since(commerce, clock.now() + 1) == []


def test_the_order_branch_is_the_one_that_moves(commerce: Commerce) -> None:
    one, two = balance(commerce, 5, 1), balance(commerce, 5, 2)
    create(commerce, branchcode=2)
    assert balance(commerce, 5, 1) == one
    assert balance(commerce, 5, 2) == (two[0], two[1] + 2, two[2], two[3])


def test_a_refused_order_moves_nothing(commerce: Commerce) -> None:
    five = balance(commerce, 5)
    with pytest.raises(BadRequest):
        create(commerce, totalamountorder=1)
    assert balance(commerce, 5) == five
    assert 5 not in commerce.catalog.overlay


def test_cancel_gives_the_pending_quantity_back_stamped_at_the_cancel(
    commerce: Commerce, clock: FakeClock
) -> None:
    five, six = balance(commerce, 5), balance(commerce, 6)
    order = create(commerce)
    clock.advance(30)
    cancel(commerce, order)
    assert balance(commerce, 5) == five
    assert balance(commerce, 6) == six
    assert stock_at(commerce, 5) == int(clock.now())
    assert changed_since(commerce, clock.now()) == [5, 6]


def test_settling_ships_units_out_of_stock_and_sales_order(
    commerce: Commerce, clock: FakeClock
) -> None:
    five, six = balance(commerce, 5), balance(commerce, 6)
    order = create(commerce)
    clock.advance(10)
    commerce.advance(1, order.order_code, "PartiallyAnswered", settle={5: 1})
    assert moved(commerce, 5, five, stock=-1, sales=1)
    assert moved(commerce, 6, six, sales=1)
    assert changed_since(commerce, clock.now()) == [5]
    clock.advance(10)
    commerce.advance(1, order.order_code, "Attended", settle={5: 1})
    assert moved(commerce, 5, five, stock=-2)
    assert moved(commerce, 6, six)  # its pending unit was canceled, never shipped
    assert changed_since(commerce, clock.now()) == [5, 6]


def test_attended_by_default_ships_everything_pending(commerce: Commerce) -> None:
    five, six = balance(commerce, 5), balance(commerce, 6)
    order = create(commerce)
    commerce.advance(1, order.order_code, "Attended")
    assert moved(commerce, 5, five, stock=-2)
    assert moved(commerce, 6, six, stock=-1)


def test_advance_to_canceled_gives_back_and_other_statuses_move_nothing(
    commerce: Commerce, clock: FakeClock
) -> None:
    five = balance(commerce, 5)
    order = create(commerce)
    clock.advance(10)
    commerce.advance(1, order.order_code, "BillingReleased")
    change = {"branchcode": 1, "ordercode": order.order_code, "statusorder": "Blocked"}
    commerce.change_order_status(change, change)
    assert moved(commerce, 5, five, sales=2)
    assert changed_since(commerce, clock.now()) == []
    commerce.advance(1, order.order_code, "Canceled")
    assert balance(commerce, 5) == five
    with pytest.raises(BadRequest):
        commerce.advance(1, order.order_code, "Attended")
    assert balance(commerce, 5) == five


def test_seeded_store_orders_move_nothing(commerce: Commerce) -> None:
    open_orders = [o for o in commerce.orders.orders.values() if o.status == "InProgress"]
    assert open_orders
    order = open_orders[0]
    before = [balance(commerce, line.product_code, order.branch_code) for line in order.lines]
    commerce.advance(order.branch_code, order.order_code, "Attended")
    after = [balance(commerce, line.product_code, order.branch_code) for line in order.lines]
    assert after == before
    assert commerce.catalog.overlay == {}


def test_an_admin_store_order_reserves_and_ships(commerce: Commerce) -> None:
    order = commerce.add_store_order(branch=2, customer_code=1, lines=2)
    lines = [(line.product_code, line.quantity) for line in order.lines]
    reserved = {code: balance(commerce, code, 2) for code, _ in lines}
    commerce.advance(2, order.order_code, "Attended")
    for code, quantity in lines:
        stock, sales, inputs, outputs = reserved[code]
        assert balance(commerce, code, 2) == (stock - quantity, sales - quantity, inputs, outputs)


def test_reset_gives_back_what_dropped_orders_still_held(
    commerce: Commerce, clock: FakeClock
) -> None:
    five, six = balance(commerce, 5), balance(commerce, 6)
    kept = create(commerce)
    commerce.advance(1, kept.order_code, "PartiallyAnswered", settle={5: 1})
    create(commerce, orderid="order-2")
    clock.advance(5)
    commerce.reset()
    assert moved(commerce, 5, five, stock=-1)
    assert moved(commerce, 6, six)
    assert changed_since(commerce, clock.now()) == [5, 6]
    assert not commerce.stock.booked
    order = create(commerce)  # codes start over: the new order is booked afresh
    assert moved(commerce, 5, five, stock=-1, sales=2)
    cancel(commerce, order)
    assert moved(commerce, 5, five, stock=-1)


def test_move_stock_skips_unknown_codes_and_branches_and_floors_sales_order(
    commerce: Commerce,
) -> None:
    catalog = commerce.catalog
    version = catalog.version
    assert catalog.move_stock(9, [(5, 0, 3)], 1) == ()
    assert catalog.move_stock(1, [(catalog.max_code + 1, 0, 3), (0, 0, 1), (5, 0, 0)], 1) == ()
    assert (catalog.overlay, catalog.version) == ({}, version)
    stock, sales, inputs, outputs = balance(commerce, 5)
    assert catalog.move_stock(1, [(5, -1, -(sales + 7))], 1) == (5,)
    assert balance(commerce, 5) == (stock - 1, 0, inputs, outputs)


def test_expected_balances_follow_the_moves(commerce: Commerce, clock: FakeClock) -> None:
    six = balance(commerce, 6, 2)
    order = create(commerce, branchcode=2)
    clock.advance(10)
    commerce.advance(2, order.order_code, "PartiallyAnswered", settle={6: 1})
    catalog = commerce.catalog
    rows = [r for r in expected.balances(catalog, 5) if r["product_code"] in (5, 6)]
    assert len(rows) == 2 * 2 * 2  # two codes × two branches × two stock codes
    for row in rows:
        code, branch, stock_code = row["product_code"], row["branch_code"], row["stock_code"]
        stock, sales, inputs, outputs = balance(commerce, code, branch, stock_code)
        assert (row["stock"], row["sales_order"]) == (stock, sales)
        assert (row["input_transaction"], row["output_transaction"]) == (inputs, outputs)
        assert row["changed_at"].timestamp() == stock_at(commerce, code)
    by_key = {(r["product_code"], r["branch_code"], r["stock_code"]): r for r in rows}
    assert (by_key[6, 2, 1]["stock"], by_key[6, 2, 1]["sales_order"]) == (six[0] - 1, six[1])
    assert by_key[5, 2, 1]["changed_at"].timestamp() == order.insert_at
    assert by_key[6, 2, 1]["changed_at"].timestamp() == order.insert_at + 10
