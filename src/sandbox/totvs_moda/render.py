"""Persons and sales orders as the wire shows them (:mod:`commerce_wire`), with ``expand``."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from msgspec import UNSET

from sandbox.totvs_moda.commerce_wire import (
    ElectronicInvoice,
    Individual,
    LegalEntity,
    OrderInvoice,
    PersonAddress,
    PersonClassification,
    PersonEmail,
    PersonPhone,
    SalesOrderItem,
    SalesOrderRow,
)
from sandbox.totvs_moda.core import CatalogCore
from sandbox.totvs_moda.persons import EMAIL_TYPES, PHONE_TYPES, Person
from sandbox.totvs_moda.sales_orders import Invoice, SalesOrder
from sandbox.totvs_moda.statuses import ORDER_STATUSES, is_bare
from sandbox.totvs_moda.times import to_aware, to_wire

SALT_BARE_PERSON, SALT_BARE_ORDER = 40, 41
OPERATION_NAMES = {1: "VENDA LOJA", 510: "VENDA E-COMMERCE (B2C)"}
PERSON_EXPANDS = frozenset({"phones", "addresses", "emails", "classifications"})
ORDER_EXPANDS = frozenset({"items", "invoices", "shippingaddress"})


def render_person(
    catalog: CatalogCore, person: Person, expand: Set[str]
) -> Individual | LegalEntity:
    config = catalog.config
    bare = is_bare(config.seed, person.code, config.bare_enum_rate, SALT_BARE_PERSON)
    common: dict[str, Any] = {
        "code": person.code,
        "name": person.name,
        "isInactive": person.is_inactive,
        "customerStatus": "Inativo" if person.is_inactive else "Ativo",
        "status": 0 if bare else ("Inactive" if person.is_inactive else "Active"),
        "branchInsertCode": person.branch_insert_code,
        "insertDate": to_wire(person.insert_at),
        "maxChangeFilterDate": to_wire(person.at),
        "isCustomer": person.is_customer,
        "isSupplier": person.is_supplier,
        "isRepresentative": person.is_representative,
        "isPurchasingGuide": person.is_purchasing_guide,
        "isShippingCompany": person.is_shipping_company,
        "phones": [
            PersonPhone(
                p.sequence,
                p.type_code,
                PHONE_TYPES.get(p.type_code),
                p.number,
                p.branch_line,
                p.is_default,
            )
            for p in person.phones
        ]
        if "phones" in expand
        else UNSET,
        "addresses": [_address(person, n) for n in range(len(person.addresses))]
        if "addresses" in expand
        else UNSET,
        "emails": [
            PersonEmail(
                e.sequence, e.type_code, EMAIL_TYPES.get(e.type_code), e.email, e.is_default
            )
            for e in person.emails
        ]
        if "emails" in expand
        else None,
        "classifications": [
            PersonClassification(t, f"TIPO {t}", c, f"Classificação {c}")
            for t, c in person.classifications
        ]
        if "classifications" in expand
        else UNSET,
    }
    if person.legal:
        founded = person.foundation_date
        return LegalEntity(
            **common,
            cnpj=person.document,
            fantasyName=person.fantasy_name,
            uf=person.uf,
            numberStateRegistration=person.state_registration,
            dateFoundation=None
            if founded is None
            else f"{founded[8:10]}/{founded[5:7]}/{founded[:4]} 00:00:00",
        )
    return Individual(
        **common,
        cpf=person.document,
        rg=person.rg,
        birthDate=None if person.birth_date is None else f"{person.birth_date}T00:00:00",
        gender=person.gender,
        isEmployee=person.is_employee,
        isBloqued=person.is_bloqued,
    )


def _address(person: Person, n: int) -> PersonAddress:
    a = person.addresses[n]
    return PersonAddress(
        a.sequence, a.type_code, a.type_name, a.public_place, a.address, a.number, a.complement,
        a.neighborhood, a.ibge_city_code, a.city_name, a.state, a.cep, 1058, "Brasil", None,
        a.reference,
    )  # fmt: skip


def render_order(catalog: CatalogCore, order: SalesOrder, expand: Set[str]) -> SalesOrderRow:
    config = catalog.config
    key = order.branch_code * 1_000_000_000 + order.order_code
    bare = is_bare(config.seed, key, config.bare_enum_rate, SALT_BARE_ORDER)
    terms = order.terms
    net = order.net_value
    return SalesOrderRow(
        branchCode=order.branch_code,
        orderCode=order.order_code,
        orderId=order.order_id,
        customerOrderCode=terms.customer_order_code,
        integrationCode=terms.integration_code,
        insertDate=to_wire(order.insert_at),
        orderDate=to_wire(order.order_at),
        maxChangeFilterDate=to_wire(order.at),
        arrivalDate=_wire(terms.arrival_at),
        billingForecastDate=_wire(terms.billing_forecast_at),
        customerCode=order.customer_code,
        customerCpfCnpj=order.customer_document,
        customerName=order.customer_name,
        sellerCode=terms.seller_code,
        representativeCode=terms.representative_code,
        operationCode=terms.operation_code,
        operationName=None
        if terms.operation_code is None
        else OPERATION_NAMES.get(terms.operation_code, f"OPERACAO {terms.operation_code}"),
        paymentConditionCode=terms.payment_condition_code,
        priceTableCode=terms.price_table_code,
        quantity=order.quantity,
        grossValue=float(order.gross_value),
        discountValue=float(order.gross_value - net),
        netValue=float(net),
        totalAmountOrder=float(order.total),
        freightType=terms.freight_type,
        freightValue=float(order.freight_value),
        shippingCompanyCode=terms.shipping_company_code,
        shippingCompanyCpfCnpj=terms.shipping_company_document,
        shippingService=terms.shipping_service,
        shippingServiceName=terms.shipping_service_name,
        statusOrder=ORDER_STATUSES[order.status] if bare else order.status,
        reasonBlockingCode=order.reason_blocking_code,
        reasonBlockingDescription=order.reason_blocking_description,
        hasPdvTransaction=order.origin == "erp",
        hasFinancialProcessed=bool(order.invoices),
        items=_items(catalog, order) if "items" in expand else UNSET,
        invoices=[_invoice(order, i) for i in order.invoices] if "invoices" in expand else UNSET,
        shippingAddress=terms.shipping_address if "shippingaddress" in expand else None,
    )


def _wire(epoch: int | None) -> str | None:
    return None if epoch is None else to_wire(epoch)


def _items(catalog: CatalogCore, order: SalesOrder) -> list[SalesOrderItem]:
    items = []
    released = order.status == "BillingReleased"
    for line in order.lines:
        base = catalog.view(line.product_code).base
        color = catalog.color(base.color)
        items.append(
            SalesOrderItem(
                productCode=line.product_code,
                productSku=base.sku,
                name=base.name,
                referenceCode=base.info.ref.code,
                referenceName=base.info.name,
                colorCode=color.code,
                colorName=color.name,
                sizeName=base.size,
                quantity=line.quantity,
                toSettleQuantity=line.pending if released else 0,
                settledQuantity=line.settled,
                canceledQuantity=line.canceled,
                extraQuantity=0,
                pendingQuantity=line.pending,
                originalPrice=float(line.original_price),
                price=float(line.price),
                discountPercentage=float(line.discount_percentage),
                insertDate=to_wire(line.insert_at),
                lastChangeDate=to_wire(line.changed_at),
                billingForecastDate=_wire(line.billing_forecast_at),
                billingLimitDate=None,
                lastBillingDate=_wire(line.last_billing_at),
            )
        )
    return items


def _invoice(order: SalesOrder, invoice: Invoice) -> OrderInvoice:
    issued = to_wire(invoice.issue_at)
    quantity = invoice.quantity
    return OrderInvoice(
        code=invoice.code,
        serial=invoice.serial,
        accessKey=invoice.access_key,
        issueDate=issued,
        status="Issued",
        shippingCompanyName=None,
        packageNumber=1,
        grossWeight=round(0.35 * quantity, 3),
        netWeight=round(0.3 * quantity, 3),
        trackingCode=invoice.tracking_code,
        quantity=quantity,
        productValue=float(invoice.product_value),
        shippingValue=float(invoice.shipping_value),
        ipiValue=0.0,
        totalValue=float(invoice.product_value + invoice.shipping_value),
        transactionBranchCode=order.branch_code,
        transactionDate=to_aware(invoice.issue_at).strftime("%Y-%m-%dT00:00:00"),
        transactionCode=invoice.transaction_code,
        electronic=ElectronicInvoice(invoice.access_key, "Authorized", invoice.receipt, issued),
    )
