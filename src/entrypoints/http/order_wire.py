"""The wire shapes of ``/orders`` (msgspec Structs) and their mapping to and from the use cases."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec

from application.orders.items import MAX_ITEMS, MAX_QUANTITY, ItemRequest
from application.orders.model import ErpOrderState, Order
from application.orders.place_order import MAX_NOTES_LENGTH
from domain.customers import Address, AddressType
from domain.errors import ValidationError
from domain.orders import OrderStatus
from entrypoints.http.problems import FieldError, ProblemError

#: ``product_code`` is a PostgreSQL bigint; the domain judges the sign (422).
ProductCodeIn = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
QuantityIn = Annotated[int, msgspec.Meta(ge=1, le=MAX_QUANTITY)]
MoneyIn = Annotated[
    Decimal,
    msgspec.Meta(
        description="Reais with at most two decimal places, as a string or a number.",
        examples=["19.90"],
    ),
]
Line = Annotated[str, msgspec.Meta(max_length=200)]


class OrderItemIn(msgspec.Struct, forbid_unknown_fields=True):
    #: The SKU's ERP code.
    product_code: ProductCodeIn
    quantity: QuantityIn


ItemsIn = Annotated[list[OrderItemIn], msgspec.Meta(min_length=1, max_length=MAX_ITEMS)]


class ShippingAddressIn(msgspec.Struct, forbid_unknown_fields=True):
    """The customers API's address shape, so a customer's address can be sent as is."""

    street: Line
    number: Annotated[str, msgspec.Meta(max_length=20)]
    district: Line
    city: Line
    state: Annotated[str, msgspec.Meta(max_length=20, description="UF, e.g. SP")]
    zip_code: Annotated[str, msgspec.Meta(max_length=20, description="CEP")]
    complement: Line | None = None
    country: Annotated[str, msgspec.Meta(max_length=20)] = "BR"
    type: AddressType = AddressType.SHIPPING


class OrderIn(msgspec.Struct, forbid_unknown_fields=True):
    customer_id: UUID
    items: ItemsIn
    freight: MoneyIn | None = None
    discount: MoneyIn | None = None
    shipping_address: ShippingAddressIn | None = None
    notes: Annotated[str, msgspec.Meta(max_length=MAX_NOTES_LENGTH)] | None = None


class OrderChangeIn(msgspec.Struct, forbid_unknown_fields=True):
    #: Replaces the whole item list (pending orders only).
    items: ItemsIn | None = None
    #: Admins only.
    status: OrderStatus | None = None


class OrderItemOut(msgspec.Struct):
    product_code: int
    reference_code: str
    section_code: str | None
    quantity: int
    unit_price: str
    total: str
    #: Units the ERP invoiced and cancelled, as last read from it.
    served_quantity: int
    cancelled_quantity: int


class InvoiceOut(msgspec.Struct):
    number: str | None
    series: str | None
    #: The NF-e's 44-digit access key.
    access_key: str | None
    issued_at: str | None
    tracking_code: str | None
    status: str | None


class ErpDeliveryOut(msgspec.Struct):
    """The order's way to the ERP: ``pending`` (queued or retrying), ``in_flight``,
    ``delivered``, ``failed`` (the ERP refused it: ``error`` says why; it is not retried) or
    ``dead`` (retries spent; an operator can retry it)."""

    status: str
    error: str | None


class ErpOrderOut(msgspec.Struct):
    """The order in the ERP: its key there, its status there (the ERP's own name, null until
    the follow-up sync reads it) and its invoices."""

    branch_code: int
    order_code: int
    status: str | None
    invoices: list[InvoiceOut]


class ShippingAddressOut(msgspec.Struct):
    type: AddressType
    street: str
    number: str
    complement: str | None
    district: str
    city: str
    state: str
    #: The CEP's 8 digits.
    zip_code: str
    country: str


class OrderOut(msgspec.Struct):
    id: UUID
    customer_id: UUID
    status: OrderStatus
    items: list[OrderItemOut]
    #: Σ item totals; ``total`` = subtotal + freight − discount. Amounts are decimal strings.
    subtotal: str
    freight: str
    discount: str
    total: str
    shipping_address: ShippingAddressOut | None
    notes: str | None
    #: Whether the order's units are held in the stock reservations.
    reservation_open: bool
    created_at: datetime
    updated_at: datetime
    #: ``ponte`` (placed through the API) or ``erp`` (stores, other channels).
    origin: str
    #: Null until the order reached the ERP.
    erp: ErpOrderOut | None
    #: Where sending it to the ERP stands; null for an order that came from the ERP.
    erp_delivery: ErpDeliveryOut | None


class OrdersOut(msgspec.Struct):
    items: list[OrderOut]
    next_cursor: str | None


def address_out(a: Address) -> ShippingAddressOut:
    return ShippingAddressOut(
        type=a.type,
        street=a.street,
        number=a.number,
        complement=a.complement,
        district=a.district,
        city=a.city,
        state=a.state,
        zip_code=a.zip_code,
        country=a.country,
    )


def order_out(order: Order) -> OrderOut:
    address = order.shipping_address
    return OrderOut(
        id=order.id,
        customer_id=order.customer_id,
        status=order.status,
        items=[
            OrderItemOut(
                product_code=i.product_code,
                reference_code=i.reference_code,
                section_code=i.section_code,
                quantity=i.quantity,
                unit_price=str(i.unit_price),
                total=str(i.total),
                served_quantity=i.served,
                cancelled_quantity=i.cancelled,
            )
            for i in order.items
        ],
        subtotal=str(order.subtotal),
        freight=str(order.freight),
        discount=str(order.discount),
        total=str(order.total),
        shipping_address=None if address is None else address_out(address),
        notes=order.notes,
        reservation_open=order.reservation_open,
        created_at=order.created_at,
        updated_at=order.updated_at,
        origin=order.origin,
        erp=_erp_out(order.erp),
        erp_delivery=(
            None
            if order.delivery is None
            else ErpDeliveryOut(status=order.delivery.status, error=order.delivery.error)
        ),
    )


def _erp_out(erp: ErpOrderState | None) -> ErpOrderOut | None:
    if erp is None:
        return None
    return ErpOrderOut(
        branch_code=erp.branch_code,
        order_code=erp.order_code,
        status=erp.status,
        invoices=[
            InvoiceOut(
                number=i.number,
                series=i.series,
                access_key=i.access_key,
                issued_at=i.issued_at,
                tracking_code=i.tracking_code,
                status=i.status,
            )
            for i in erp.invoices
        ],
    )


def item_requests(items: list[OrderItemIn]) -> tuple[ItemRequest, ...]:
    return tuple(ItemRequest(i.product_code, i.quantity) for i in items)


def shipping_address(a: ShippingAddressIn | None) -> Address | None:
    """:raises ValidationError: (``shipping_address.<field>``) e.g. a malformed CEP or state."""
    if a is None:
        return None
    try:
        return Address(
            type=a.type,
            street=a.street,
            number=a.number,
            complement=a.complement,
            district=a.district,
            city=a.city,
            state=a.state,
            zip_code=a.zip_code,
            country=a.country,
        )
    except ValidationError as error:
        field = "shipping_address" + (f".{error.field}" if error.field else "")
        raise ValidationError(str(error), field=field) from error


def bad_request(field: str, message: str) -> ProblemError:
    errors = [FieldError(field=field, message=message)]
    return ProblemError(400, "validation", "The request is invalid.", errors=errors)


def aware(field: str, value: datetime | None) -> datetime | None:
    """A filter instant in UTC. :raises ProblemError: 400 (``field``) without a UTC offset."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise bad_request(field, "needs a UTC offset, e.g. 2026-11-23T12:00:00Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise bad_request(field, "is out of range") from None
