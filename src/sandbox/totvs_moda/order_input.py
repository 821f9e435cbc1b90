"""``POST /sales-order/v2/b2c-orders``: reading and validating an ``OrderInDto`` (contract §9.2).

Rules, each a 400 ``DomainNotificationMessage`` when broken:

- ``branchCode``: a configured branch (else ``NotFound``).
- Exactly one of ``customerCode`` / ``customerCpfCnpj``; the person must exist (else ``NotFound``).
  At most one of ``representativeCode`` / ``representativeCpfCnpj`` and of ``shippingCompanyCode``
  / ``shippingCompanyCpfCnpj``.
- ``items``: not empty; each names an existing product by ``productCode`` or ``productSku`` (both:
  the same product), with an integer ``quantity`` > 0 and a ``price`` >= 0 (the net unit price;
  ``originalPrice`` defaults to it; ``discountPercentage`` / ``discountValue`` are informative).
  The same product on two lines is ``RepeatedValue``.
- ``totalAmountOrder`` = Σ(quantity × price) + ``freightValue`` − Σ ``discounts[].discountValue``,
  and = Σ ``payments[].paymentValue``, both compared at two decimals.
- ``statusOrder``: ``InProgress`` (default), ``Blocked`` or ``InAnalysis``, by name or by number
  (1, 5, 8). ``experienceType`` and ``payments[].documentType`` must be known names (or numbers).
- Dates are ISO 8601 (naive = America/Sao_Paulo). ``orderId`` is stored and echoed, never
  deduplicated: posting it twice creates two orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.totvs_moda.binding import as_date, as_int, optional_int
from sandbox.totvs_moda.core import CatalogCore
from sandbox.totvs_moda.errors import ApiError, BadRequest, NotFound
from sandbox.totvs_moda.money import ZERO, amount, cents
from sandbox.totvs_moda.persons import Person, PersonBook
from sandbox.totvs_moda.references import reference_index
from sandbox.totvs_moda.statuses import CREATABLE, order_status

EXPERIENCE_TYPES = frozenset(
    {"ecommerce", "shipfromstore", "clickandcollect", "pickupstore", "infiniteshelf"}
)
DOCUMENT_TYPES = frozenset(
    name.lower()
    for name in (
        "InvoiceMarketplace", "Cash", "Billet", "CreditCard", "DebitCard", "RecebimentoPdv",
        "Paypal", "ReceiptCheck", "Credev", "Invoice", "Advance", "Voucher", "Pix", "PicPay",
    )
)  # fmt: skip
FREIGHT_TYPES = range(1, 7)


@dataclass(frozen=True, slots=True)
class NewLine:
    product_code: int
    quantity: int
    price: Decimal
    original_price: Decimal
    discount_percentage: Decimal
    billing_forecast_at: int | None = None


@dataclass(frozen=True, slots=True)
class OrderTerms:
    """What an order carries and echoes back without rules of its own."""

    customer_order_code: str | None = None
    integration_code: str | None = None
    operation_code: int | None = None
    payment_condition_code: int | None = None
    price_table_code: int | None = None
    seller_code: int | None = None
    representative_code: int | None = None
    representative_document: str | None = None
    shipping_company_code: int | None = None
    shipping_company_document: str | None = None
    shipping_service: str | None = None
    shipping_service_name: str | None = None
    freight_type: int | None = None
    experience_type: str | None = None
    billing_forecast_at: int | None = None
    arrival_at: int | None = None
    #: Wire keys (``address``, ``number``, ``cep``...) to values.
    shipping_address: dict[str, Any] | None = None
    observations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NewOrder:
    order_id: str | None
    branch_code: int
    customer: Person
    status: str
    order_at: int | None
    lines: tuple[NewLine, ...]
    freight_value: Decimal
    #: Σ ``discounts[].discountValue`` (order level).
    discount_value: Decimal
    total: Decimal
    terms: OrderTerms


def parse_b2c(body: dict[str, Any], *, catalog: CatalogCore, persons: PersonBook) -> NewOrder:
    """:raises ApiError: on the first broken rule (see the module docstring)."""
    branch = as_int(_required(body, "branchcode", "branchCode"), "branchCode")
    if branch not in catalog.config.branches:
        raise NotFound(f"BranchCode {branch} not found")
    customer = _customer(body, persons)
    _at_most_one(body, "representativecode", "representativecpfcnpj", "representative")
    _at_most_one(body, "shippingcompanycode", "shippingcompanycpfcnpj", "shippingCompany")
    lines = _lines(body, catalog)
    freight = amount(body.get("freightvalue"), "freightValue", default=ZERO)
    discounts = sum(
        (
            amount(d.get("discountvalue"), "discounts.discountValue")
            for d in _objects(body, "discounts")
        ),
        ZERO,
    )
    total = cents(
        amount(_required(body, "totalamountorder", "totalAmountOrder"), "totalAmountOrder")
    )
    expected = cents(
        sum((line.price * line.quantity for line in lines), ZERO) + freight - discounts
    )
    if total != expected:
        raise BadRequest(
            f"totalAmountOrder {total} differs from items + freightValue - discounts = {expected}"
        )
    paid = cents(sum((_payment(p) for p in _objects(body, "payments")), ZERO))
    if paid != total:
        raise BadRequest(f"totalAmountOrder {total} differs from the sum of payments {paid}")
    status = (
        order_status(body["statusorder"]) if body.get("statusorder") is not None else "InProgress"
    )
    if status not in CREATABLE:
        raise BadRequest(f"statusOrder {status} is not allowed on a new order")
    order_id = body.get("orderid")
    return NewOrder(
        order_id=None if order_id in (None, "") else _string(order_id, "orderId"),
        branch_code=branch,
        customer=customer,
        status=status,
        order_at=_date(body, "orderdate", "orderDate"),
        lines=lines,
        freight_value=freight,
        discount_value=discounts,
        total=total,
        terms=_terms(body),
    )


def _required(body: dict[str, Any], key: str, name: str) -> Any:
    value = body.get(key)
    if value is None:
        raise BadRequest(f"{name} is required")
    return value


def _string(value: Any, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRequest(f"{name} must be a string")
    return str(value)


def _optional_string(body: dict[str, Any], key: str, name: str) -> str | None:
    value = body.get(key)
    return None if value in (None, "") else _string(value, name)


def _date(body: dict[str, Any], key: str, name: str) -> int | None:
    moment = as_date(body.get(key), name)
    return None if moment is None else int(moment)


def _objects(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise BadRequest(f"{key} must be a list of objects")
    return value


def _at_most_one(body: dict[str, Any], code: str, document: str, name: str) -> None:
    if body.get(code) is not None and body.get(document) not in (None, ""):
        raise BadRequest(f"inform {name}Code or {name}CpfCnpj, not both")


def _customer(body: dict[str, Any], persons: PersonBook) -> Person:
    code, document = body.get("customercode"), body.get("customercpfcnpj")
    if document == "":
        document = None
    if (code is None) == (document is None):
        raise BadRequest("inform exactly one of customerCode and customerCpfCnpj")
    if code is not None:
        person = persons.by_code.get(as_int(code, "customerCode"))
        if person is None:
            raise NotFound(f"Customer {code} not found")
        return person
    person = persons.by_document(_string(document, "customerCpfCnpj"))
    if person is None:
        raise NotFound(f"Customer with CpfCnpj {document} not found")
    return person


def _lines(body: dict[str, Any], catalog: CatalogCore) -> tuple[NewLine, ...]:
    items = _objects(body, "items")
    if not items:
        raise BadRequest("items must not be empty")
    lines: list[NewLine] = []
    seen: set[int] = set()
    for item in items:
        code = _product(item, catalog)
        if code in seen:
            raise ApiError(f"ProductCode {code} is repeated in items", code="RepeatedValue")
        seen.add(code)
        quantity = item.get("quantity")
        if isinstance(quantity, float) and quantity.is_integer():
            quantity = int(quantity)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise BadRequest(f"items.quantity must be an integer > 0, got {quantity!r}")
        price = amount(item.get("price"), "items.price")
        lines.append(
            NewLine(
                product_code=code,
                quantity=quantity,
                price=price,
                original_price=amount(
                    item.get("originalprice"), "items.originalPrice", default=price
                ),
                discount_percentage=amount(
                    item.get("discountpercentage"), "items.discountPercentage", default=ZERO
                ),
                billing_forecast_at=_date(item, "billingforecastdate", "items.billingForecastDate"),
            )
        )
    return tuple(lines)


def _product(item: dict[str, Any], catalog: CatalogCore) -> int:
    """The product of an item: its ``productCode``, its ``productSku``, or both naming one."""
    code = optional_int(item.get("productcode"), "items.productCode")
    sku = item.get("productsku")
    if code is not None and not catalog.exists(code):
        raise NotFound(f"ProductCode {code} not found")
    if sku in (None, ""):
        if code is None:
            raise BadRequest("items need productCode or productSku")
        return code
    by_sku = sku_code(catalog, _string(sku, "items.productSku"))
    if by_sku is None:
        raise NotFound(f"ProductSku {sku} not found")
    if code is not None and code != by_sku:
        raise BadRequest(f"productCode {code} and productSku {sku} name different products")
    return by_sku


def sku_code(catalog: CatalogCore, sku: str) -> int | None:
    """The product code of a ``productSku`` (``<reference>.<color>.<size>``), None if unknown."""
    reference = sku.split(".", 1)[0]
    index = reference_index(reference)
    ref = None if index is None else catalog.ref(index)
    if ref is None:
        return None
    for base in catalog.seeds.reference(ref)[1]:
        if base.sku == sku:
            return base.product_code
    return None


def _enum_value(value: Any, names: frozenset[str]) -> bool:
    """A number, a digit string or one of ``names`` (lower case), as ASP.NET binds enums."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and (value.lower() in names or value.isdigit())


def _payment(payment: dict[str, Any]) -> Decimal:
    kind = payment.get("documenttype")
    if kind is not None and not _enum_value(kind, DOCUMENT_TYPES):
        raise BadRequest(f"payments.documentType: invalid value {kind!r}")
    return amount(payment.get("paymentvalue"), "payments.paymentValue")


def _terms(body: dict[str, Any]) -> OrderTerms:
    experience = body.get("experiencetype")
    if experience is not None and not _enum_value(experience, EXPERIENCE_TYPES):
        raise BadRequest(f"experienceType: invalid value {experience!r}")
    freight_type = optional_int(body.get("freighttype"), "freightType")
    if freight_type is not None and freight_type not in FREIGHT_TYPES:
        raise BadRequest(f"freightType must be 1..6, got {freight_type}")
    address = body.get("shippingaddress")
    if address is not None and not isinstance(address, dict):
        raise BadRequest("shippingAddress must be an object")
    return OrderTerms(
        customer_order_code=_optional_string(body, "customerordercode", "customerOrderCode"),
        integration_code=_optional_string(body, "integrationcode", "integrationCode"),
        operation_code=optional_int(body.get("operationcode"), "operationCode"),
        payment_condition_code=optional_int(
            body.get("paymentconditioncode"), "paymentConditionCode"
        ),
        price_table_code=optional_int(body.get("pricetablecode"), "priceTableCode"),
        seller_code=optional_int(body.get("sellercode"), "sellerCode"),
        representative_code=optional_int(body.get("representativecode"), "representativeCode"),
        representative_document=_optional_string(
            body, "representativecpfcnpj", "representativeCpfCnpj"
        ),
        shipping_company_code=optional_int(body.get("shippingcompanycode"), "shippingCompanyCode"),
        shipping_company_document=_optional_string(
            body, "shippingcompanycpfcnpj", "shippingCompanyCpfCnpj"
        ),
        shipping_service=_optional_string(body, "shippingservice", "shippingService"),
        shipping_service_name=_optional_string(body, "shippingservicename", "shippingServiceName"),
        freight_type=freight_type,
        experience_type=None if experience is None else str(experience),
        billing_forecast_at=_date(body, "billingforecastdate", "billingForecastDate"),
        arrival_at=_date(body, "arrivaldate", "arrivalDate"),
        shipping_address=None if address is None else shipping_address(address),
        observations=tuple(
            _string(o.get("observation", ""), "observations.observation")
            for o in _objects(body, "observations")
        ),
    )


def shipping_address(address: dict[str, Any]) -> dict[str, Any]:
    """The wire form of a sent address: ``number`` (or ``addressNumber``), digits-only ``cep``."""
    cep = address.get("cep")
    return {
        "address": address.get("address"),
        "number": address.get("number", address.get("addressnumber")),
        "complement": address.get("complement"),
        "neighborhood": address.get("neighborhood"),
        "cityName": address.get("cityname"),
        "stateAbbreviation": address.get("stateabbreviation"),
        "cep": None if cep is None else "".join(ch for ch in str(cep) if ch.isdigit()),
        "ibgeCityCode": address.get("ibgecitycode"),
        "reference": address.get("reference"),
    }
