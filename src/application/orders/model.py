"""What the order use cases read and write: an order with its priced items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.customers import Address
from domain.errors import ValidationError
from domain.money import Money
from domain.orders import OrderLine, OrderStatus

#: The largest amount an order stores (``numeric(14, 2)`` columns).
MAX_AMOUNT = Money(Decimal("999999999999.99"))


def bounded(amount: Money, field: str) -> Money:
    """``amount`` if the order tables can hold it.

    :raises ValidationError: (``field``) above :data:`MAX_AMOUNT`.
    """
    if amount > MAX_AMOUNT:
        raise ValidationError(f"{field} cannot exceed {MAX_AMOUNT}", field=field)
    return amount


@dataclass(frozen=True, slots=True)
class OrderItem:
    """A priced line plus what the catalog said of its SKU when the line was priced."""

    line: OrderLine
    reference_code: str
    #: The product's category classification code, if it had one.
    section_code: str | None
    #: Units the ERP invoiced (served) and cancelled, as last read from it.
    served: int = 0
    cancelled: int = 0

    @property
    def product_code(self) -> int:
        return self.line.product_code

    @property
    def quantity(self) -> int:
        return self.line.quantity

    @property
    def unit_price(self) -> Money:
        return self.line.unit_price

    @property
    def total(self) -> Money:
        return self.line.total


@dataclass(frozen=True, slots=True, kw_only=True)
class Invoice:
    """An invoice (NF-e) the ERP issued for an order."""

    number: str | None
    series: str | None
    #: The NF-e's 44-digit access key.
    access_key: str | None
    issued_at: str | None
    tracking_code: str | None
    status: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ErpOrderState:
    """The order as the ERP knows it: its key there, its status there (the ERP's own name, as
    last read; None until the follow-up stream reads it) and its invoices."""

    branch_code: int
    order_code: int
    status: str | None = None
    invoices: tuple[Invoice, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ErpDelivery:
    """Where the order's way to the ERP stands: its create message's status (``pending``,
    ``in_flight``, ``delivered``, ``failed``, ``dead``) and the last error it met."""

    status: str
    error: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """An order as stored. ``items`` are in ascending ``product_code`` order, one per SKU.

    While ``reservation_open``, every item's quantity is held in the stock reservations.
    """

    id: UUID
    customer_id: UUID
    status: OrderStatus
    items: tuple[OrderItem, ...]
    freight: Money
    discount: Money
    total: Money
    #: Where the order goes (a customer address, usually of type ``shipping``).
    shipping_address: Address | None
    notes: str | None
    reservation_open: bool
    created_at: datetime
    updated_at: datetime
    #: ``ponte`` (placed through the API) or ``erp`` (brought in from the ERP).
    origin: str = "ponte"
    #: None until the order reached the ERP (or for an order that never will).
    erp: ErpOrderState | None = None
    #: None for an order that is not sent (one that came from the ERP).
    delivery: ErpDelivery | None = None

    @property
    def held(self) -> dict[int, int]:
        """Units this order holds in the stock reservations, per SKU."""
        if not self.reservation_open:
            return {}
        return {item.product_code: item.quantity for item in self.items}

    @property
    def subtotal(self) -> Money:
        return sum((item.total for item in self.items), Money.zero())


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFilter:
    """Narrows a listing; every field set must match. ``created_from`` is inclusive and
    ``created_to`` exclusive."""

    order_id: UUID | None = None
    customer_id: UUID | None = None
    status: OrderStatus | None = None
    #: Orders with at least one item of this section (category) code.
    section: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrderPage:
    items: list[Order]
    #: Opaque position of the next page; None on the last page.
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class SkuQuote:
    """A sellable SKU at its storefront unit price."""

    product_code: int
    reference_code: str
    section_code: str | None
    unit_price: Money
