"""Order status machine, order lines and order totals."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from domain.errors import PonteError, ValidationError
from domain.money import Money


class OrderStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    INVOICED = "invoiced"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return not _NEXT[self]


#: The only allowed moves. Cancelling is possible until the order is invoiced, never after.
_NEXT: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.INVOICED, OrderStatus.CANCELLED}),
    OrderStatus.INVOICED: frozenset({OrderStatus.SHIPPED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


class InvalidTransition(PonteError):
    """An order cannot move from ``current`` to ``target``."""

    def __init__(self, current: OrderStatus, target: OrderStatus) -> None:
        super().__init__(f"an order cannot go from {current.value} to {target.value}")
        self.current = current
        self.target = target


def can_transition(current: OrderStatus, target: OrderStatus) -> bool:
    return target in _NEXT[current]


def transition(current: OrderStatus, target: OrderStatus) -> OrderStatus:
    """Returns ``target``.

    :raises InvalidTransition: when the move is not allowed (staying put is not a move).
    """
    if not can_transition(current, target):
        raise InvalidTransition(current, target)
    return target


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A quantity of one SKU at one unit price. ``product_code`` is the ERP's code (positive) or,
    for a product Ponte manages, its own (negative).

    :raises ValidationError: on a product code that is 0 or not an int, a quantity that is not a
        positive int, or a negative unit price (a zero price, e.g. a gift, is allowed).
    """

    product_code: int
    quantity: int
    unit_price: Money

    def __post_init__(self) -> None:
        code: object = self.product_code
        # ERP SKUs have positive codes; Ponte-managed ones negative (never 0).
        if isinstance(code, bool) or not isinstance(code, int) or code == 0:
            raise ValidationError("product_code must be a non-zero integer", field="product_code")
        quantity: object = self.quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise ValidationError("quantity must be a positive integer", field="quantity")
        if self.unit_price.amount < 0:
            raise ValidationError("unit price cannot be negative", field="unit_price")

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


def merge_lines(lines: Iterable[OrderLine]) -> tuple[OrderLine, ...]:
    """One line per SKU, quantities summed, in order of first appearance (the ERP rejects repeats).

    :raises ValidationError: (field ``unit_price``) when one SKU comes at two unit prices.
    """
    merged: dict[int, OrderLine] = {}
    for line in lines:
        seen = merged.get(line.product_code)
        if seen is None:
            merged[line.product_code] = line
        elif seen.unit_price != line.unit_price:
            raise ValidationError(
                f"product {line.product_code} appears at two unit prices: "
                f"{seen.unit_price} and {line.unit_price}",
                field="unit_price",
            )
        else:
            merged[line.product_code] = OrderLine(
                line.product_code, seen.quantity + line.quantity, seen.unit_price
            )
    return tuple(merged.values())


def order_total(
    lines: Iterable[OrderLine], *, freight: Money | None = None, discount: Money | None = None
) -> Money:
    """Σ line totals + freight − discount.

    :raises ValidationError: on a negative freight or discount (fields ``freight``/``discount``),
        or (field ``discount``) when the discount exceeds lines plus freight: a total is never
        negative and an oversized discount is refused, not silently capped.
    """
    freight = Money.zero() if freight is None else freight
    discount = Money.zero() if discount is None else discount
    for name, value in (("freight", freight), ("discount", discount)):
        if value.amount < 0:
            raise ValidationError(f"{name} cannot be negative", field=name)
    gross = sum((line.total for line in lines), Money.zero()) + freight
    if discount > gross:
        raise ValidationError(
            f"discount {discount} exceeds the order value {gross}", field="discount"
        )
    return gross - discount
