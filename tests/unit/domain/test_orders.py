from decimal import Decimal
from itertools import product

import pytest

from domain.errors import PonteError, ValidationError
from domain.money import Money
from domain.orders import (
    InvalidTransition,
    OrderLine,
    OrderStatus,
    can_transition,
    merge_lines,
    order_total,
    transition,
)

S = OrderStatus
ALLOWED = {
    (S.PENDING, S.CONFIRMED),
    (S.PENDING, S.CANCELLED),
    (S.CONFIRMED, S.INVOICED),
    (S.CONFIRMED, S.CANCELLED),
    (S.INVOICED, S.SHIPPED),
    (S.SHIPPED, S.DELIVERED),
}
ALL_PAIRS = list(product(OrderStatus, repeat=2))
FORBIDDEN = [pair for pair in ALL_PAIRS if pair not in ALLOWED]


def brl(amount: str) -> Money:
    return Money(Decimal(amount))


def test_statuses_and_their_wire_values() -> None:
    assert [s.value for s in OrderStatus] == [
        "pending",
        "confirmed",
        "invoiced",
        "shipped",
        "delivered",
        "cancelled",
    ]
    assert len(ALL_PAIRS) == 36
    assert len(FORBIDDEN) == 30


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_transition(current: OrderStatus, target: OrderStatus) -> None:
    assert can_transition(current, target)
    assert transition(current, target) is target


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_forbidden_transition(current: OrderStatus, target: OrderStatus) -> None:
    assert not can_transition(current, target)
    with pytest.raises(InvalidTransition) as caught:
        transition(current, target)

    assert caught.value.current is current
    assert caught.value.target is target
    assert str(caught.value) == f"an order cannot go from {current.value} to {target.value}"
    assert isinstance(caught.value, PonteError)


@pytest.mark.parametrize("status", [S.INVOICED, S.SHIPPED, S.DELIVERED])
def test_cancelling_after_invoicing_is_forbidden(status: OrderStatus) -> None:
    with pytest.raises(InvalidTransition, match=f"from {status.value} to cancelled"):
        transition(status, S.CANCELLED)


@pytest.mark.parametrize("status", list(OrderStatus))
def test_only_delivered_and_cancelled_are_terminal(status: OrderStatus) -> None:
    terminal = status in {S.DELIVERED, S.CANCELLED}

    assert status.is_terminal is terminal
    assert any(can_transition(status, target) for target in OrderStatus) is not terminal


def test_happy_path_walks_every_non_cancel_status_in_order() -> None:
    status = S.PENDING
    for target in (S.CONFIRMED, S.INVOICED, S.SHIPPED, S.DELIVERED):
        status = transition(status, target)
    assert status is S.DELIVERED


# --- lines -------------------------------------------------------------------------------------


def test_line_total_is_unit_price_times_quantity() -> None:
    assert OrderLine(101, 3, brl("19.99")).total == brl("59.97")


@pytest.mark.parametrize("value", [0, -1, True, 1.0, "2", None])
def test_line_needs_a_positive_int_quantity(value: object) -> None:
    with pytest.raises(ValidationError, match="positive integer") as caught:
        OrderLine(101, value, brl("1"))  # type: ignore[arg-type]
    assert caught.value.field == "quantity"


@pytest.mark.parametrize("value", [0, True, 1.0, "2", None])
def test_line_needs_a_non_zero_int_product_code(value: object) -> None:
    with pytest.raises(ValidationError, match="non-zero integer") as caught:
        OrderLine(value, 1, brl("1"))  # type: ignore[arg-type]
    assert caught.value.field == "product_code"


def test_a_line_may_name_a_ponte_managed_sku_by_its_negative_code() -> None:
    assert OrderLine(-7, 2, brl("10")).total == brl("20")


def test_line_rejects_a_negative_unit_price_but_allows_zero() -> None:
    with pytest.raises(ValidationError) as caught:
        OrderLine(101, 1, Money(Decimal("-1"), allow_negative=True))
    assert caught.value.field == "unit_price"

    assert OrderLine(101, 2, Money.zero()).total == Money.zero()


def test_merge_sums_quantities_per_sku_keeping_first_appearance_order() -> None:
    lines = [
        OrderLine(300, 1, brl("10.00")),
        OrderLine(100, 2, brl("5.50")),
        OrderLine(300, 4, brl("10")),
        OrderLine(200, 1, brl("7.00")),
        OrderLine(100, 3, brl("5.5")),
    ]

    assert merge_lines(lines) == (
        OrderLine(300, 5, brl("10.00")),
        OrderLine(100, 5, brl("5.50")),
        OrderLine(200, 1, brl("7.00")),
    )


def test_merge_keeps_distinct_lines_and_accepts_any_iterable() -> None:
    lines = [OrderLine(1, 1, brl("1")), OrderLine(2, 2, brl("2"))]

    assert merge_lines(iter(lines)) == tuple(lines)
    assert merge_lines([]) == ()


def test_merge_preserves_the_order_total() -> None:
    lines = [OrderLine(1, 2, brl("3.33")), OrderLine(2, 1, brl("1")), OrderLine(1, 5, brl("3.33"))]

    assert order_total(merge_lines(lines)) == order_total(lines) == brl("24.31")


def test_merge_rejects_one_sku_at_two_unit_prices() -> None:
    lines = [OrderLine(100, 1, brl("5.50")), OrderLine(100, 1, brl("5.49"))]

    with pytest.raises(ValidationError, match=r"product 100 .* 5\.50 and 5\.49") as caught:
        merge_lines(lines)
    assert caught.value.field == "unit_price"


# --- totals ------------------------------------------------------------------------------------


LINES = [OrderLine(1, 2, brl("49.90")), OrderLine(2, 1, brl("100.00"))]  # 199.80


def test_total_is_lines_plus_freight_minus_discount() -> None:
    assert order_total(LINES) == brl("199.80")
    assert order_total(LINES, freight=brl("15.00")) == brl("214.80")
    assert order_total(LINES, discount=brl("19.80")) == brl("180.00")
    assert order_total(LINES, freight=brl("15.00"), discount=brl("20.00")) == brl("194.80")


def test_total_of_no_lines_is_the_freight() -> None:
    assert order_total([]) == Money.zero()
    assert order_total([], freight=brl("9.90")) == brl("9.90")


def test_discount_may_bring_the_total_to_exactly_zero() -> None:
    assert order_total(LINES, freight=brl("10"), discount=brl("209.80")) == Money.zero()


def test_discount_above_lines_plus_freight_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"209\.81 exceeds the order value 209\.80") as caught:
        order_total(LINES, freight=brl("10"), discount=brl("209.81"))
    assert caught.value.field == "discount"


@pytest.mark.parametrize("field", ["freight", "discount"])
def test_negative_freight_or_discount_is_refused(field: str) -> None:
    negative = Money(Decimal("-1"), allow_negative=True)

    with pytest.raises(ValidationError, match="cannot be negative") as caught:
        order_total(LINES, **{field: negative})
    assert caught.value.field == field
