from decimal import Decimal

import pytest

from domain.errors import PonteError, ValidationError
from domain.reservations import InsufficientStock, StockPosition, available_to_sell


@pytest.mark.parametrize(
    ("erp_available", "reserved", "expected"),
    [
        (Decimal(10), 0, 10),
        (Decimal(10), 3, 7),
        (Decimal(10), 10, 0),
        (Decimal(10), 12, 0),  # more reserved than the ERP shows: floored for display
        (Decimal(0), 0, 0),
        (Decimal(-4), 0, 0),  # ERP balances can go negative
        (Decimal("5.000"), 2, 3),
        (Decimal("5.9"), 0, 5),  # whole units only
        (Decimal("5.9"), 5, 0),
        (Decimal("-0.5"), 0, 0),
    ],
)
def test_available_to_sell(erp_available: Decimal, reserved: int, expected: int) -> None:
    result = available_to_sell(erp_available, reserved)

    assert result == expected
    assert type(result) is int
    assert StockPosition(7, erp_available, reserved).available == expected


def test_reserving_returns_the_new_position_and_leaves_the_old_one_alone() -> None:
    before = StockPosition(7, Decimal(10), 3)

    after = before.reserve(4)

    assert after == StockPosition(7, Decimal(10), 7)
    assert after.available == 3
    assert before.available == 7


def test_exactly_the_available_quantity_can_be_reserved() -> None:
    position = StockPosition(7, Decimal(10), 3).reserve(7)

    assert position.reserved == 10
    assert position.available == 0


def test_one_more_than_available_is_refused_with_the_numbers() -> None:
    position = StockPosition(7, Decimal(10), 3)

    with pytest.raises(InsufficientStock) as caught:
        position.reserve(8)

    error = caught.value
    assert isinstance(error, PonteError)
    assert (error.product_code, error.requested, error.available) == (7, 8, 7)
    assert str(error) == "product 7: 8 requested, 7 available to sell"


@pytest.mark.parametrize(
    ("erp_available", "reserved"),
    [(Decimal(0), 0), (Decimal(5), 5), (Decimal(5), 9), (Decimal(-3), 0), (Decimal("0.99"), 0)],
)
def test_nothing_can_be_reserved_when_nothing_is_available(
    erp_available: Decimal, reserved: int
) -> None:
    with pytest.raises(InsufficientStock) as caught:
        StockPosition(7, erp_available, reserved).reserve(1)
    assert caught.value.available == 0
    assert caught.value.requested == 1


def test_reservations_accumulate_until_stock_runs_out() -> None:
    position = StockPosition(7, Decimal(3), 0)
    for _ in range(3):
        position = position.reserve(1)

    assert position.reserved == 3
    with pytest.raises(InsufficientStock):
        position.reserve(1)


@pytest.mark.parametrize("quantity", [0, -1, True, 1.0, "1"])
def test_reservation_quantity_must_be_a_positive_int(quantity: object) -> None:
    with pytest.raises(ValidationError, match="positive integer") as caught:
        StockPosition(7, Decimal(10), 0).reserve(quantity)  # type: ignore[arg-type]
    assert caught.value.field == "quantity"


def test_negative_reserved_total_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        StockPosition(7, Decimal(10), -1)
    assert caught.value.field == "reserved"


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity")])
def test_non_finite_erp_available_is_rejected(value: Decimal) -> None:
    with pytest.raises(ValidationError) as caught:
        StockPosition(7, value, 0)
    assert caught.value.field == "erp_available"
