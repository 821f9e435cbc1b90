"""Stock reservations: what a storefront may still sell of one SKU.

Available to sell = ERP available − open reservations, in whole units. The ERP figure already
nets out orders the ERP knows about; reservations cover orders it has not received yet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import PonteError, ValidationError


class InsufficientStock(PonteError):
    """A reservation asked for more units than are available to sell."""

    def __init__(self, product_code: int, requested: int, available: int) -> None:
        super().__init__(
            f"product {product_code}: {requested} requested, {available} available to sell"
        )
        self.product_code = product_code
        self.requested = requested
        self.available = available


def available_to_sell(erp_available: Decimal, reserved: int) -> int:
    """ERP available − open reservations, rounded down to whole units and floored at 0.

    The ERP figure may be negative or fractional; neither is ever shown as sellable.
    """
    return max(0, math.floor(erp_available - reserved))


@dataclass(frozen=True, slots=True)
class StockPosition:
    """One SKU's ERP available quantity and the units held by open reservations.

    :raises ValidationError: on a non-finite ERP figure or a negative reservation total.
    """

    product_code: int
    erp_available: Decimal
    reserved: int

    def __post_init__(self) -> None:
        if not self.erp_available.is_finite():
            raise ValidationError("ERP available must be a finite number", field="erp_available")
        if self.reserved < 0:
            raise ValidationError("reserved units cannot be negative", field="reserved")

    @property
    def available(self) -> int:
        return available_to_sell(self.erp_available, self.reserved)

    def reserve(self, quantity: int) -> StockPosition:
        """The position after reserving ``quantity`` more units.

        :raises ValidationError: (field ``quantity``) unless ``quantity`` is a positive int.
        :raises InsufficientStock: when ``quantity`` exceeds what is available to sell.
        """
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise ValidationError("quantity must be a positive integer", field="quantity")
        if quantity > self.available:
            raise InsufficientStock(self.product_code, quantity, self.available)
        return StockPosition(self.product_code, self.erp_available, self.reserved + quantity)
