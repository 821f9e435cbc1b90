from __future__ import annotations

import pytest

from tests.unit.application.orders.fakes import Shop


@pytest.fixture
def shop() -> Shop:
    """SKU 10 (REF-A, 39.90, 5 in stock), 20 (REF-A, 20.00, 10) and 30 (REF-B, 10.00, 1)."""
    shop = Shop()
    shop.pricing.sell(10, "39.90", "REF-A", "S1")
    shop.pricing.sell(20, "20.00", "REF-A", "S1")
    shop.pricing.sell(30, "10.00", "REF-B", None)
    shop.stock(10, "5")
    shop.stock(20, "10.5")
    shop.stock(30, "1")
    return shop
