"""Turning requested items into priced order items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from application.orders.errors import UnsellableSku
from application.orders.model import OrderItem, bounded
from application.orders.ports import SkuPricing
from domain.errors import ValidationError
from domain.money import Money
from domain.orders import OrderLine, merge_lines

MAX_ITEMS = 100
MAX_QUANTITY = 100_000


@dataclass(frozen=True, slots=True)
class ItemRequest:
    """A client's line: a SKU (its ERP ``product_code``) and a quantity; never a price."""

    product_code: int
    quantity: int


def money(value: Decimal | None, field: str) -> Money | None:
    """``value`` as an order amount.

    :raises ValidationError: (``field``) on a negative, sub-cent, non-finite or too large amount.
    """
    if value is None:
        return None
    try:
        amount = Money(value)
    except ValidationError as error:
        raise ValidationError(str(error), field=field) from None
    return bounded(amount, field)


def _checked(index: int, item: ItemRequest) -> None:
    try:
        OrderLine(item.product_code, item.quantity, Money.zero())
    except ValidationError as error:
        raise ValidationError(str(error), field=f"items[{index}].{error.field}") from None
    if item.quantity > MAX_QUANTITY:
        raise ValidationError(
            f"quantity cannot exceed {MAX_QUANTITY}", field=f"items[{index}].quantity"
        )


def check_items(requested: Sequence[ItemRequest]) -> None:
    """:raises ValidationError: see :func:`priced_items`."""
    if not 1 <= len(requested) <= MAX_ITEMS:
        raise ValidationError(f"an order has 1 to {MAX_ITEMS} items", field="items")
    for index, item in enumerate(requested):
        _checked(index, item)


async def priced_items(
    pricing: SkuPricing, requested: Sequence[ItemRequest]
) -> tuple[OrderItem, ...]:
    """One item per SKU (repeats merged, quantities summed) at the SKU's storefront price, in
    ascending ``product_code`` order. Prices always come from the catalog, never the client.

    :raises ValidationError: (``items``) on no items or more than :data:`MAX_ITEMS`;
        (``items[i].product_code``/``items[i].quantity``) on a code or quantity that is not a
        positive int, or a quantity above :data:`MAX_QUANTITY`; (``items``) when the lines'
        value exceeds what an order can hold.
    :raises UnsellableSku: when an item's SKU is not sellable.
    """
    check_items(requested)
    quotes = await pricing.quotes({item.product_code for item in requested})
    unsellable = [
        (i, item.product_code)
        for i, item in enumerate(requested)
        if item.product_code not in quotes
    ]
    if unsellable:
        codes = list(dict.fromkeys(code for _, code in unsellable))
        raise UnsellableSku(unsellable[0][0], codes)
    lines = merge_lines(
        OrderLine(item.product_code, item.quantity, quotes[item.product_code].unit_price)
        for item in requested
    )
    bounded(sum((line.total for line in lines), Money.zero()), "items")
    items = (
        OrderItem(
            line, quotes[line.product_code].reference_code, quotes[line.product_code].section_code
        )
        for line in lines
    )
    return tuple(sorted(items, key=lambda item: item.product_code))
