"""Sales orders — ``POST sales-order/v2/orders/search`` with items, invoices and shipping address.

Every order of the configured branches: the ones Ponte sent (their ``orderId`` is Ponte's order
id) and the ones made elsewhere (stores, other channels). A full read keeps to the orders of the
last ``history_days`` days (``startOrderDate``); incremental reads filter by change only.
``statusOrder`` comes as a name or as its number in the official enum; quantities and amounts
become whole units and cents. The customer's document and name come along, so that a customer
Ponte does not know yet can be registered from the order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import msgspec

from adapters.totvs_moda.dates import aware, to_request
from adapters.totvs_moda.http import Request
from adapters.totvs_moda.stream_spec import ChangeWindow, RowError, text
from adapters.totvs_moda.streams.values import NO_NUMBER, digits_of
from domain.customers import MAX_NAME_LENGTH, Address, AddressType, CustomerKind, clean_text
from domain.documents import Cnpj, Cpf, TaxId
from domain.erp_orders import ErpInvoice, ErpOrder, ErpOrderItem, ErpOrderProgress
from domain.errors import ValidationError

#: The order search's ``pageSize`` maximum (contract §4.1).
SALES_ORDERS_PAGE_SIZE = 500
#: ``statusOrder`` by name and what it means to Ponte (contract §9.1). ``InProgress`` is the
#: status Ponte creates its orders with (``TOTVS_MODA_ORDER_STATUS``): only ``BillingReleased``,
#: what confirming an order sends, means the back office accepted it.
PROGRESS: dict[str, ErpOrderProgress] = {
    "Blocked": ErpOrderProgress.RECEIVED,
    "InAnalysis": ErpOrderProgress.RECEIVED,
    "InComposition": ErpOrderProgress.RECEIVED,
    "InProgress": ErpOrderProgress.RECEIVED,
    "BillingReleased": ErpOrderProgress.ACCEPTED,
    "PartiallyAnswered": ErpOrderProgress.PARTIALLY_SERVED,
    "Attended": ErpOrderProgress.SERVED,
    "Canceled": ErpOrderProgress.CANCELLED,
}
#: ``statusOrder`` numbers, in the official Swagger's order (1, 5 and 8 confirmed by clients).
STATUS_NUMBERS = (
    "InProgress",
    "BillingReleased",
    "PartiallyAnswered",
    "Attended",
    "Blocked",
    "Canceled",
    "InComposition",
    "InAnalysis",
)
_BY_LOWER = {name.lower(): name for name in PROGRESS}
_CENT = Decimal("0.01")
_ZERO = Decimal(0)
#: The largest amount and quantity Ponte's order tables hold.
MAX_AMOUNT = Decimal("999999999999.99")
MAX_QUANTITY = 2**31 - 1


class ItemRow(msgspec.Struct, rename="camel", gc=False):
    product_code: int
    reference_code: str | int | None = None
    quantity: Decimal | None = None
    settled_quantity: Decimal | None = None
    canceled_quantity: Decimal | None = None
    price: Decimal | None = None


class ElectronicRow(msgspec.Struct, rename="camel", gc=False):
    access_key: str | None = None


class InvoiceRow(msgspec.Struct, rename="camel", gc=False):
    code: int | str | None = None
    serial: str | int | None = None
    access_key: str | None = None
    issue_date: datetime | None = None
    tracking_code: str | None = None
    status: str | int | None = None
    electronic: ElectronicRow | None = None


class ShippingAddressRow(msgspec.Struct, rename="camel", gc=False):
    address: str | None = None
    # One integration reads ``number``, another ``addressNumber``: both are accepted.
    number: str | int | None = None
    address_number: str | int | None = None
    complement: str | None = None
    neighborhood: str | None = None
    city_name: str | None = None
    state_abbreviation: str | None = None
    cep: str | int | None = None


class SalesOrderRow(msgspec.Struct, rename="camel", gc=False):
    branch_code: int
    order_code: int
    order_id: str | None = None
    customer_code: int | None = None
    customer_cpf_cnpj: str | int | None = None
    customer_name: str | None = None
    status_order: str | int | None = None
    insert_date: datetime | None = None
    order_date: datetime | None = None
    max_change_filter_date: datetime | None = None
    freight_value: Decimal | None = None
    net_value: Decimal | None = None
    total_amount_order: Decimal | None = None
    items: list[ItemRow] | None = None
    invoices: list[InvoiceRow] | None = None
    shipping_address: ShippingAddressRow | None = None


@dataclass(frozen=True, slots=True)
class SalesOrdersSpec:
    """Orders of ``branch_codes``; a full read (with the read's moment) keeps to the last
    ``history_days`` days of ``orderDate``."""

    page_size: int
    branch_codes: tuple[int, ...]
    history_days: int = 90
    row_type = SalesOrderRow
    key_field = "orderCode"
    changed_field = "maxChangeFilterDate"

    def request(self, page: int, window: ChangeWindow) -> Request:
        filter_: dict[str, Any] = {
            "branchCodeList": list(self.branch_codes),
            "change": window.change(),
        }
        if window.full and window.read_at is not None:
            horizon = window.read_at - timedelta(days=self.history_days)
            filter_["startOrderDate"] = to_request(horizon)
        body = {
            "filter": filter_,
            "expand": "items,invoices,shippingAddress",
            "order": "branchCode,orderCode",
            "page": page,
            "pageSize": self.page_size,
        }
        return Request("POST", "sales-order/v2/orders/search", body)

    def key(self, row: SalesOrderRow) -> str | None:
        return f"{row.branch_code}/{row.order_code}"

    def changed(self, row: SalesOrderRow) -> datetime | None:
        return row.max_change_filter_date

    def map(self, row: SalesOrderRow, changed_at: datetime | None, out: list[Any]) -> None:
        if row.branch_code not in self.branch_codes:
            return  # the server may return more than was asked for
        status = status_name(row.status_order)
        items = _items(row.items or ())
        subtotal = sum((i.unit_price * i.quantity for i in items), _ZERO)
        freight = _amount(row.freight_value or _ZERO, "freightValue")
        if row.total_amount_order is not None:
            total = _amount(row.total_amount_order, "totalAmountOrder")
        elif row.net_value is not None:
            total = _amount(row.net_value, "netValue") + freight
        else:
            total = subtotal + freight
        kind, document = customer_document(row.customer_cpf_cnpj)
        out.append(
            ErpOrder(
                branch_code=row.branch_code,
                order_code=row.order_code,
                client_id=(row.order_id or "").strip() or None,
                customer_code=row.customer_code,
                customer_kind=kind,
                customer_document=document,
                customer_name=_customer_name(row.customer_name),
                status_name=status,
                progress=PROGRESS[status],
                ordered_at=aware(row.order_date) if row.order_date else None,
                inserted_at=aware(row.insert_date) if row.insert_date else None,
                changed_at=changed_at,
                items=items,
                invoices=tuple(i for i in map(_invoice, row.invoices or ()) if i is not None),
                freight=freight,
                # Line prices are net: what the total leaves out of lines + freight is a discount.
                discount=max(subtotal + freight - total, _ZERO),
                total=_amount(total, "total"),
                shipping_address=_shipping(row.shipping_address),
            )
        )


def status_name(value: str | int | None) -> str:
    """The ``statusOrder`` name of a name (any case), a number or a digit string.

    :raises RowError: for anything else.
    """
    if isinstance(value, str):
        name = _BY_LOWER.get(value.strip().lower())
        if name is not None:
            return name
        if value.strip().isascii() and value.strip().isdigit():  # "²".isdigit() too
            value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 8:
        return STATUS_NUMBERS[value - 1]
    raise RowError(f"unknown statusOrder {value!r}")


def customer_document(value: str | int | None) -> tuple[CustomerKind, TaxId | None]:
    """The customer's kind by ``customerCpfCnpj``'s digits (14: a company, else an individual)
    and the document itself when it is a valid CPF (11 digits) or CNPJ (14).

    A number lost its leading zeros: up to 11 digits it is a CPF, longer a CNPJ.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        digits = digits_of(value, 11 if value < 10**11 else 14)
    else:
        digits = digits_of(value, 0)
    if digits is None or len(digits) not in (11, 14):
        return CustomerKind.INDIVIDUAL, None
    try:
        if len(digits) == 11:
            return CustomerKind.INDIVIDUAL, Cpf(digits)
        return CustomerKind.COMPANY, Cnpj(digits)
    except ValidationError:
        kind = CustomerKind.COMPANY if len(digits) == 14 else CustomerKind.INDIVIDUAL
        return kind, None


def _customer_name(value: str | None) -> str | None:
    """``customerName`` as Ponte stores names; None when blank or unusable."""
    try:
        return clean_text(value or "", field="customerName", max_length=MAX_NAME_LENGTH)
    except ValidationError:
        return None


def _items(rows: Sequence[ItemRow]) -> tuple[ErpOrderItem, ...]:
    """One item per SKU (lines of one SKU summed, at their average price); lines with no units
    ordered are left out. :raises RowError: on a fractional or negative quantity or price."""
    merged: dict[int, list[Decimal]] = {}
    references: dict[int, str | None] = {}
    for row in rows:
        quantity = _units(row.quantity, "quantity")
        if quantity == 0:
            continue
        price = row.price if row.price is not None else _ZERO
        if not price.is_finite() or price < 0:
            raise RowError(f"product {row.product_code}: price {price} is not an amount")
        sums = merged.setdefault(row.product_code, [_ZERO, _ZERO, _ZERO, _ZERO])
        sums[0] += quantity
        sums[1] += _units(row.settled_quantity, "settledQuantity")
        sums[2] += _units(row.canceled_quantity, "canceledQuantity")
        sums[3] += price * quantity
        references.setdefault(row.product_code, text(row.reference_code) or None)
    if any(code == 0 for code in merged):
        raise RowError("an item has product code 0")
    return tuple(
        ErpOrderItem(
            product_code=code,
            reference_code=references[code],
            quantity=_count(quantity),
            served=_count(served),
            cancelled=_count(cancelled),
            unit_price=_amount(value / quantity, f"product {code} price"),
        )
        for code, (quantity, served, cancelled, value) in merged.items()
    )


def _units(value: Decimal | None, name: str) -> Decimal:
    if value is None:
        return _ZERO
    if not value.is_finite() or value < 0 or value != value.to_integral_value():
        raise RowError(f"{name} {value} is not a whole number of units")
    return value


def _count(value: Decimal) -> int:
    if value > MAX_QUANTITY:
        raise RowError(f"quantity {value} is too large")
    return int(value)


def _amount(value: Decimal, name: str) -> Decimal:
    """``value`` rounded to cents. :raises RowError: negative, not finite or too large."""
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise RowError(f"{name} {value} is not an amount Ponte can hold")
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _invoice(row: InvoiceRow) -> ErpInvoice | None:
    number = text(row.code)
    if not number:
        return None
    access_key = row.access_key or (row.electronic.access_key if row.electronic else None)
    return ErpInvoice(
        number=number,
        series=text(row.serial),
        access_key=access_key or None,
        issued_at=aware(row.issue_date) if row.issue_date else None,
        tracking_code=row.tracking_code or None,
        status=text(row.status),
    )


def _shipping(row: ShippingAddressRow | None) -> Address | None:
    if row is None:
        return None
    number = text(row.number) or text(row.address_number) or ""
    try:
        return Address(
            type=AddressType.SHIPPING,
            street=row.address or "",
            number=number if number.strip() else NO_NUMBER,
            complement=row.complement,
            district=row.neighborhood or "",
            city=row.city_name or "",
            state=row.state_abbreviation or "",
            zip_code=digits_of(row.cep, 8) or "",
        )
    except ValidationError:
        return None
