"""The ``OrderInDto`` of ``POST sales-order/v2/b2c-orders``, built and reconciled before sending.

The ERP checks ``totalAmountOrder`` against Σ items + freight − discounts and against Σ payments,
rejects a product on two lines, and takes one member of each exclusive pair (``customerCode`` /
``customerCpfCnpj``, ``representativeCode`` / ``representativeCpfCnpj``, ``shippingCompanyCode`` /
``shippingCompanyCpfCnpj``). Ponte always sends the code member, and only when it has one.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from adapters.totvs_moda.dates import to_request
from adapters.totvs_moda.settings import TotvsModaOrderDefaults
from application.orders.model import Order
from application.outbox.erp import ErpRejected
from domain.customers import Address
from domain.errors import ValidationError
from domain.orders import OrderLine, merge_lines

#: Characters of ``order.notes`` sent as the order's observation (the contract gives no limit).
MAX_OBSERVATION = 1000
_CENT = Decimal("0.01")


class ItemIn(msgspec.Struct, rename="camel", kw_only=True):
    product_code: int
    quantity: int
    price: Decimal
    original_price: Decimal


class DiscountIn(msgspec.Struct, rename="camel", kw_only=True):
    type_discount_code: int
    discount_value: Decimal


class PaymentIn(msgspec.Struct, rename="camel", kw_only=True):
    document_type: str
    installment: int
    payment_value: Decimal
    payment_type: str


class ClassificationIn(msgspec.Struct, rename="camel", kw_only=True):
    classification_type_code: int
    classification_code: str


class ObservationIn(msgspec.Struct, kw_only=True):
    observation: str


class ShippingAddressIn(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True):
    address: str
    number: str
    complement: str | None = None
    neighborhood: str
    city_name: str
    state_abbreviation: str
    cep: str


class OrderIn(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True):
    """Fields left at their default (None, empty list) are not sent."""

    order_id: str
    branch_code: int
    order_date: str
    customer_code: int
    operation_code: int
    payment_condition_code: int
    seller_code: int | None = None
    representative_code: int | None = None
    status_order: str
    experience_type: str
    freight_type: int
    freight_value: Decimal
    shipping_company_code: int | None = None
    total_amount_order: Decimal
    items: list[ItemIn]
    discounts: list[DiscountIn] = []
    payments: list[PaymentIn] = []
    classifications: list[ClassificationIn] = []
    observations: list[ObservationIn] = []
    shipping_address: ShippingAddressIn | None = None


def order_payload(
    order: Order, *, customer_code: int, branch_code: int, defaults: TotvsModaOrderDefaults
) -> OrderIn:
    """The ERP order for ``order``: one item per SKU, one payment of the total.

    :raises ErpRejected: (code ``TotalMismatch``) when items + freight − discount is not the
        order's total; (``RepeatedValue``) when one SKU comes at two prices; (``NotInErp``) for a
        product only Ponte knows (negative code). Nothing is sent in these cases.
    """
    total = _cents(order.total.amount)
    freight = _cents(order.freight.amount)
    discount = _cents(order.discount.amount)
    items = [_item(line) for line in _lines(order)]
    discounts = (
        [DiscountIn(type_discount_code=defaults.discount_type_code, discount_value=discount)]
        if discount > 0
        else []
    )
    payments = (
        [
            PaymentIn(
                document_type=defaults.payment_document_type,
                installment=1,
                payment_value=total,
                payment_type="Normal",
            )
        ]
        if total > 0
        else []
    )
    classifications = []
    if defaults.classification is not None:
        type_code, code = defaults.classification
        classifications.append(
            ClassificationIn(classification_type_code=type_code, classification_code=code)
        )
    payload = OrderIn(
        order_id=str(order.id),
        branch_code=branch_code,
        order_date=to_request(order.created_at),
        customer_code=customer_code,
        operation_code=defaults.operation_code,
        payment_condition_code=defaults.payment_condition_code,
        seller_code=defaults.seller_code,
        representative_code=defaults.representative_code,
        status_order=defaults.status_order,
        experience_type=defaults.experience_type,
        freight_type=defaults.freight_type,
        freight_value=freight,
        shipping_company_code=defaults.shipping_company_code,
        total_amount_order=total,
        items=items,
        discounts=discounts,
        payments=payments,
        classifications=classifications,
        observations=_observations(order.notes),
        shipping_address=_shipping_address(order.shipping_address),
    )
    reconcile(payload)
    return payload


def reconcile(payload: OrderIn) -> None:
    """``totalAmountOrder`` = Σ items + freight − discounts = Σ payments, to the cent.

    :raises ErpRejected: (code ``TotalMismatch``) otherwise.
    """
    items = sum((item.price * item.quantity for item in payload.items), Decimal(0))
    discounts = sum((d.discount_value for d in payload.discounts), Decimal(0))
    payments = sum((p.payment_value for p in payload.payments), Decimal(0))
    expected = _cents(items + payload.freight_value - discounts)
    total = _cents(payload.total_amount_order)
    if expected != total or _cents(payments) != total or total < 0:
        raise ErpRejected(
            f"order {payload.order_id} does not add up: items {_cents(items)} + freight "
            f"{_cents(payload.freight_value)} - discounts {_cents(discounts)} = {expected}, "
            f"total {total}, payments {_cents(payments)}",
            code="TotalMismatch",
        )


def _lines(order: Order) -> tuple[OrderLine, ...]:
    try:
        lines = merge_lines(item.line for item in order.items)
    except ValidationError as error:
        raise ErpRejected(f"order {order.id}: {error}", code="RepeatedValue") from error
    for line in lines:
        if line.product_code < 0:
            raise ErpRejected(
                f"order {order.id}: product {line.product_code} is not an ERP product",
                code="NotInErp",
            )
    return lines


def _item(line: OrderLine) -> ItemIn:
    price = _cents(line.unit_price.amount)
    return ItemIn(
        product_code=line.product_code, quantity=line.quantity, price=price, original_price=price
    )


def _observations(notes: str | None) -> list[ObservationIn]:
    text = (notes or "").strip()
    if not text:
        return []
    if len(text) > MAX_OBSERVATION:
        text = text[: MAX_OBSERVATION - 3].rstrip() + "..."
    return [ObservationIn(observation=text)]


def _shipping_address(address: Address | None) -> ShippingAddressIn | None:
    if address is None:
        return None
    return ShippingAddressIn(
        address=address.street,
        number=address.number,
        complement=address.complement,
        neighborhood=address.district,
        city_name=address.city,
        state_abbreviation=address.state,
        cep=_digits(address.zip_code),
    )


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(_CENT)
