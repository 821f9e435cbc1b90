"""A small seeded tenant (catalog, persons, store orders) on a hand-moved clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sandbox.totvs_moda import SandboxCatalog
from sandbox.totvs_moda.commerce import Commerce
from tests.unit.sandbox.clock import FakeClock

BASE = datetime(2026, 4, 1, 12, 0, 0, tzinfo=UTC)


def make_commerce(clock: FakeClock | None = None, **settings: Any) -> Commerce:
    catalog = SandboxCatalog(
        skus=230,
        seed=4,
        branches=(1, 2),
        clock=clock or FakeClock(datetime(2026, 4, 2, 12, 0, 0, tzinfo=UTC)),
        base_time=BASE,
        **settings,
    )
    return Commerce(catalog)


def b2c_body(**overrides: Any) -> dict[str, Any]:
    """A valid B2C order for the first seeded customer: 2 × 10.50 + 1 × 5.25, freight 3, discount
    1.25, total 28.00 paid by Pix. Keys lower case, as handlers pass them."""
    body: dict[str, Any] = {
        "orderid": "order-1",
        "branchcode": 1,
        "customercode": 1,
        "items": [
            {"productcode": 5, "quantity": 2, "price": 10.5},
            {"productcode": 6, "quantity": 1, "price": 5.25, "originalprice": 7.0},
        ],
        "freightvalue": 3,
        "discounts": [{"typediscountcode": 1, "discountvalue": 1.25}],
        "totalamountorder": 28.0,
        "payments": [{"documenttype": "Pix", "paymentvalue": 28}],
    }
    body.update(overrides)
    return body
