"""Sales orders: creation, no deduplication by orderId, cancel and change-status rules, the back
office's advance, and what each write leaves in the log."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.totvs_moda.commerce import Commerce
from sandbox.totvs_moda.errors import ApiError, BadRequest, NotFound
from sandbox.totvs_moda.order_search import parse_order_filter
from sandbox.totvs_moda.sales_orders import SalesOrder
from tests.unit.sandbox.clock import FakeClock
from tests.unit.sandbox.commerce_fixtures import b2c_body, make_commerce


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def commerce(clock: FakeClock) -> Commerce:
    return make_commerce(clock)


def create(commerce: Commerce, **overrides: Any) -> SalesOrder:
    body = b2c_body(**overrides)
    return commerce.create_order(body, body)


def cancel(commerce: Commerce, **body: Any) -> SalesOrder:
    body.setdefault("reasoncancellationcode", 1)
    return commerce.cancel_order(body, body)


def change(commerce: Commerce, **body: Any) -> SalesOrder:
    return commerce.change_order_status(body, body)


def search(commerce: Commerce, **filter_: Any) -> list[SalesOrder]:
    filter_.setdefault("branchcodelist", [1, 2])
    return commerce.orders.search(parse_order_filter(filter_))


def test_create_allocates_codes_per_branch_and_stores_the_order(
    commerce: Commerce, clock: FakeClock
) -> None:
    first = create(commerce)
    second = create(commerce, orderid="order-2", branchcode=2)
    third = create(commerce, orderid="order-3")
    assert third.order_code == first.order_code + 1
    assert second.branch_code == 2
    assert (first.status, first.origin, first.at, first.insert_at) == (
        "InProgress",
        "api",
        int(clock.now()),
        int(clock.now()),
    )
    assert [(line.product_code, line.pending) for line in first.lines] == [(5, 2), (6, 1)]
    assert str(first.net_value) == "25.00"
    assert str(first.gross_value) == "28.00"


def test_the_same_order_id_twice_makes_two_orders(commerce: Commerce) -> None:
    one, two = create(commerce), create(commerce)
    assert one.key != two.key
    assert [o.key for o in commerce.orders.with_id("order-1")] == [one.key, two.key]
    assert sorted(o.key for o in search(commerce, orderidlist=["order-1"])) == [one.key, two.key]
    assert [e.orderCode for e in commerce.writes.after(0, 10)] == [one.order_code, two.order_code]
    assert all(e.route == "b2c-orders" for e in commerce.writes.after(0, 10))


def test_a_refused_order_changes_nothing(commerce: Commerce) -> None:
    orders = len(commerce.orders)
    with pytest.raises(ApiError):
        create(commerce, totalamountorder=1)
    assert len(commerce.orders) == orders
    assert len(commerce.writes) == 0


@pytest.mark.parametrize("status", ["InProgress", "Blocked", "InAnalysis", "InComposition"])
def test_orders_not_accepted_yet_can_be_canceled(commerce: Commerce, status: str) -> None:
    order = create(commerce)
    order.status = status
    canceled = cancel(commerce, orderid="order-1", reasoncancellationdescription="desistiu")
    assert canceled is order
    assert order.status == "Canceled"
    assert [line.canceled for line in order.lines] == [2, 1]
    assert [line.pending for line in order.lines] == [0, 0]
    assert order.reason_cancellation_description == "desistiu"
    assert commerce.writes.after(1, 1)[0].route == "orders/cancel"


@pytest.mark.parametrize("status", ["BillingReleased", "PartiallyAnswered", "Attended", "Canceled"])
def test_accepted_or_closed_orders_cannot_be_canceled(commerce: Commerce, status: str) -> None:
    order = create(commerce)
    order.status = status
    with pytest.raises(BadRequest, match="cannot be canceled"):
        cancel(commerce, branchcode=1, ordercode=order.order_code)
    assert order.status == status
    assert len(commerce.writes) == 1


def test_cancel_checks_its_body(commerce: Commerce) -> None:
    order = create(commerce)
    with pytest.raises(BadRequest, match="longer than 80"):
        cancel(commerce, orderid="order-1", reasoncancellationdescription="x" * 81)
    cancel(commerce, orderid="order-1", reasoncancellationdescription="x" * 80)
    assert order.status == "Canceled"
    with pytest.raises(BadRequest, match="reasonCancellationCode"):
        commerce.cancel_order({"orderid": "order-1"}, {})
    with pytest.raises(BadRequest, match="orderId, or branchCode and orderCode"):
        cancel(commerce, branchcode=1)
    with pytest.raises(NotFound):
        cancel(commerce, orderid="nope")
    with pytest.raises(NotFound):
        cancel(commerce, branchcode=1, ordercode=99_999)
    with pytest.raises(NotFound):
        cancel(commerce, orderid="order-1", branchcode=2)


@pytest.mark.parametrize(
    ("sent", "status"),
    [
        ("BillingReleased", "BillingReleased"),
        ("InComposition", "InComposition"),
        (8, "InAnalysis"),
        ("inprogress", "InProgress"),
    ],
)
def test_change_status_to_the_allowed_ones(
    commerce: Commerce, clock: FakeClock, sent: object, status: str
) -> None:
    order = create(commerce)
    clock.advance(30)
    change(commerce, branchcode=1, ordercode=order.order_code, statusorder=sent)
    assert order.status == status
    assert order.at == int(clock.now())
    assert commerce.writes.after(1, 1)[0].route == "orders/change-status"


@pytest.mark.parametrize("sent", ["Attended", "PartiallyAnswered", "Canceled", 6, "Bogus"])
def test_change_status_refuses_other_targets(commerce: Commerce, sent: object) -> None:
    order = create(commerce)
    with pytest.raises(BadRequest):
        change(commerce, orderid="order-1", statusorder=sent)
    assert order.status == "InProgress"
    assert len(commerce.writes) == 1


def test_change_status_keeps_a_blocking_reason_and_refuses_closed_orders(
    commerce: Commerce,
) -> None:
    order = create(commerce)
    change(
        commerce,
        orderid="order-1",
        statusorder="Blocked",
        reasonblockingcode=3,
        reasonblockingdescription="fraude?",
    )
    assert (order.reason_blocking_code, order.reason_blocking_description) == (3, "fraude?")
    change(commerce, orderid="order-1", statusorder="InProgress")
    assert order.reason_blocking_code is None
    cancel(commerce, orderid="order-1")
    with pytest.raises(BadRequest, match="Canceled"):
        change(commerce, orderid="order-1", statusorder="InProgress")
    with pytest.raises(BadRequest, match="statusOrder is required"):
        change(commerce, orderid="order-1")


def test_advance_attended_settles_everything_and_invoices(
    commerce: Commerce, clock: FakeClock
) -> None:
    order = create(commerce)
    clock.advance(120)
    commerce.advance(1, order.order_code, "Attended")
    assert order.status == "Attended"
    assert [(line.settled, line.pending, line.canceled) for line in order.lines] == [
        (2, 0, 0),
        (1, 0, 0),
    ]
    [invoice] = order.invoices
    assert len(invoice.access_key) == 44
    assert invoice.quantity == 3
    assert (str(invoice.product_value), str(invoice.shipping_value)) == ("26.25", "3")
    assert order.at == int(clock.now())
    assert len(commerce.writes) == 1  # the back office's changes are not client writes


def test_advance_partially_answered_then_attended(commerce: Commerce) -> None:
    order = create(commerce)
    commerce.advance(1, order.order_code, "PartiallyAnswered", settle={5: 1})
    assert [(line.settled, line.pending) for line in order.lines] == [(1, 1), (0, 1)]
    commerce.advance(1, order.order_code, "Attended", settle={5: 1}, invoice=True)
    assert [(line.settled, line.canceled) for line in order.lines] == [(2, 0), (0, 1)]
    assert [i.quantities for i in order.invoices] == [((5, 1),), ((5, 1),)]
    assert order.invoices[0].access_key != order.invoices[1].access_key
    with pytest.raises(BadRequest, match="Attended"):
        commerce.advance(1, order.order_code, "Canceled")


def test_advance_checks_settled_quantities(commerce: Commerce) -> None:
    order = create(commerce)
    with pytest.raises(BadRequest, match=r"settle 0\.\.2"):
        commerce.advance(1, order.order_code, "PartiallyAnswered", settle={5: 3})
    with pytest.raises(BadRequest, match="not in the order"):
        commerce.advance(1, order.order_code, "Attended", settle={7: 1})
    assert all(line.settled == 0 for line in order.lines)
    commerce.advance(1, order.order_code, "PartiallyAnswered", invoice=False)
    assert order.invoices == []
    assert order.lines[0].settled == 1


def test_advance_canceled_cancels_what_is_pending(commerce: Commerce) -> None:
    order = create(commerce)
    commerce.advance(1, order.order_code, "Canceled")
    assert (order.status, [line.canceled for line in order.lines]) == ("Canceled", [2, 1])
    with pytest.raises(NotFound):
        commerce.advance(1, 99_999, "Attended")


def test_search_filters_and_the_customer_pair(commerce: Commerce, clock: FakeClock) -> None:
    seeded = len(search(commerce))
    assert seeded == 6
    clock.advance(3600)
    order = create(commerce, statusorder="Blocked")
    assert search(commerce, change={"startdate": "2026-04-18T09:30:00"}) == [order]
    assert search(commerce, orderstatuslist=["Blocked", 5]) == [
        o for o in search(commerce) if o.status == "Blocked"
    ]
    document = commerce.persons.by_code[1].document
    assert order in search(commerce, customercpfcnpjlist=[document])
    assert order in search(commerce, customercodelist=[1])
    assert search(commerce, branchcodelist=[2], ordercodelist=[order.order_code]) == []
    with pytest.raises(BadRequest, match="not both"):
        search(commerce, customercodelist=[1], customercpfcnpjlist=[document])
    with pytest.raises(BadRequest, match="branchCodeList is required"):
        commerce.orders.search(parse_order_filter({}))
