"""Customers and orders for the ERP writer tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from application.orders.model import Order, OrderItem
from domain.customers import (
    Address,
    AddressType,
    Customer,
    CustomerKind,
    CustomerOrigin,
    Phone,
    PhoneType,
)
from domain.documents import Cnpj, Cpf, Email
from domain.money import Money
from domain.orders import OrderLine, OrderStatus, order_total

ORDER_ID = UUID("0e7c6a4e-5b1f-4f7e-9a51-3c2d7e8f9a10")
CUSTOMER_ID = UUID("7d3f1b2a-8c4e-4d6f-a1b2-c3d4e5f60718")
CPF = "52998224725"
CNPJ = "11222333000181"
#: 13:00 UTC is 10:00 in Sao Paulo (UTC-3 all year).
CREATED = datetime(2026, 4, 20, 13, 0, 5, tzinfo=UTC)


def address(kind: AddressType = AddressType.SHIPPING, complement: str | None = "ap 12") -> Address:
    return Address(
        type=kind,
        street="Av. Paulista",
        number="1000",
        district="Bela Vista",
        city="São Paulo",
        state="sp",
        zip_code="01310-100",
        complement=complement,
    )


def customer(
    *,
    document: Cpf | Cnpj | None = None,
    email: str | None = "maria@example.com",
    phones: Sequence[Phone] = (),
    addresses: Sequence[Address] = (),
    birth_date: date | None = None,
    name: str = "Maria Souza",
) -> Customer:
    document = Cpf(CPF) if document is None else document
    kind = CustomerKind.INDIVIDUAL if isinstance(document, Cpf) else CustomerKind.COMPANY
    return Customer(
        id=CUSTOMER_ID,
        kind=kind,
        name=name,
        document=document,
        email=None if email is None else Email(email),
        phones=tuple(phones),
        addresses=tuple(addresses),
        birth_date=birth_date,
        origin=CustomerOrigin.PONTE,
        created_at=CREATED,
        updated_at=CREATED,
    )


def item(code: int, quantity: int, price: str) -> OrderItem:
    return OrderItem(OrderLine(code, quantity, Money(Decimal(price))), "REF", None)


def order(
    *,
    items: Sequence[OrderItem] = (),
    freight: str = "0.00",
    discount: str = "0.00",
    total: str | None = None,
    notes: str | None = None,
    shipping: Address | None = None,
    created_at: datetime = CREATED,
) -> Order:
    """An order; ``total`` defaults to the one the items, freight and discount add up to."""
    items = tuple(items) or (item(1001, 2, "10.50"),)
    money_total = (
        order_total(
            [i.line for i in items],
            freight=Money(Decimal(freight)),
            discount=Money(Decimal(discount)),
        )
        if total is None
        else Money(Decimal(total))
    )
    return Order(
        id=ORDER_ID,
        customer_id=CUSTOMER_ID,
        status=OrderStatus.PENDING,
        items=items,
        freight=Money(Decimal(freight)),
        discount=Money(Decimal(discount)),
        total=money_total,
        shipping_address=shipping,
        notes=notes,
        reservation_open=True,
        created_at=created_at,
        updated_at=created_at,
    )


def mobile() -> Phone:
    return Phone(PhoneType.MOBILE, "(11) 98765-4321")


def landline(kind: PhoneType = PhoneType.HOME) -> Phone:
    return Phone(kind, "+55 11 3333-4444")


def wire(payload: msgspec.Struct) -> Any:
    """A payload as the builtins it is sent as, amounts kept as Decimal."""
    return msgspec.to_builtins(payload, builtin_types=(Decimal,))
