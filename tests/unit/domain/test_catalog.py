from decimal import Decimal

from domain.catalog import Price
from tests.unit.fakes import T0


def test_effective_price_is_the_promotional_price_when_there_is_one() -> None:
    price = Price(10, 1, 1, Decimal("99.90"), Decimal("79.90"), T0)

    assert price.effective == Decimal("79.90")


def test_effective_price_is_the_list_price_without_a_promotion() -> None:
    price = Price(10, 1, 1, Decimal("99.90"), None, T0)

    assert price.effective == Decimal("99.90")
