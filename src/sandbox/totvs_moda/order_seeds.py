"""Seeded store orders: ``store_orders`` sales orders the tenant's stores made (origin ``erp``).

Order *i* is a pure function of the seed and *i*: a branch, a seeded customer, one to three seeded
SKUs at their first price code's price. Their statuses cycle through ``Attended`` (invoiced),
``InProgress``, ``BillingReleased``, ``PartiallyAnswered`` (invoiced), ``Canceled`` and
``Blocked``; change timestamps spread over the day before ``base_at``.
"""

from __future__ import annotations

from decimal import Decimal

from sandbox.totvs_moda.core import CatalogCore
from sandbox.totvs_moda.hashing import mix
from sandbox.totvs_moda.money import ZERO
from sandbox.totvs_moda.order_input import OrderTerms
from sandbox.totvs_moda.persons import Person, PersonBook
from sandbox.totvs_moda.sales_orders import OrderBook, OrderLine, SalesOrder

SALT_STORE_ORDER, SALT_STORE_LINE = 32, 33
SEED_SPREAD = 86_400
STATUS_CYCLE = (
    "Attended",
    "InProgress",
    "BillingReleased",
    "PartiallyAnswered",
    "Canceled",
    "Blocked",
)
STORE_OPERATION = 1


def seed_orders(catalog: CatalogCore, persons: PersonBook) -> OrderBook:
    config = catalog.config
    book = OrderBook(config.seed, config.branches)
    customers = [p for p in persons.by_code.values() if p.is_customer]
    total = config.store_orders if customers and catalog.max_code else 0
    for i in range(total):
        at = catalog.base_at - (total - 1 - i) * SEED_SPREAD // total
        order = store_order(catalog, book, customers, i, at)
        book.add(order)
        status = STATUS_CYCLE[i % len(STATUS_CYCLE)]
        if status != "InProgress":
            book.advance(order, status, order.at)
    return book


def store_order(
    catalog: CatalogCore,
    book: OrderBook,
    customers: list[Person],
    index: int,
    at: int,
    *,
    branch: int | None = None,
    customer: Person | None = None,
    lines: int | None = None,
) -> SalesOrder:
    """Store order ``index`` (not yet added to ``book``; its code is allocated).

    :raises ValueError: without customers or SKUs to sell.
    """
    if not customers and customer is None:
        raise ValueError("no customer to sell to")
    if not catalog.max_code:
        raise ValueError("no SKU to sell")
    config = catalog.config
    h = mix(config.seed, index, SALT_STORE_ORDER)
    branch = branch if branch is not None else config.branches[h % len(config.branches)]
    customer = customer or customers[(h >> 8) % len(customers)]
    count = lines if lines is not None else 1 + (h >> 16) % 3
    codes: dict[int, int] = {}
    for k in range(max(1, count) * 4):
        if len(codes) >= max(1, count):
            break
        draw = mix(config.seed, index * 64 + k, SALT_STORE_LINE)
        codes.setdefault(1 + draw % catalog.max_code, 1 + (draw >> 32) % 3)
    order_lines = []
    for code, quantity in sorted(codes.items()):
        view = catalog.view(code)
        price, promo = catalog.price(view, branch, config.price_codes[0])
        order_lines.append(
            OrderLine(
                product_code=code,
                quantity=quantity,
                price=Decimal(promo or price).scaleb(-2),
                original_price=Decimal(price).scaleb(-2),
                discount_percentage=Decimal(100 - promo * 100 // price if promo else 0),
                insert_at=at,
                changed_at=at,
            )
        )
    total = sum((line.price * line.quantity for line in order_lines), ZERO)
    return SalesOrder(
        branch_code=branch,
        order_code=book.allocate(branch),
        order_id=None,
        origin="erp",
        customer_code=customer.code,
        customer_document=customer.document,
        customer_name=customer.name,
        status="InProgress",
        order_at=at,
        insert_at=at,
        at=at,
        lines=order_lines,
        freight_value=ZERO,
        discount_value=ZERO,
        total=total,
        terms=OrderTerms(
            operation_code=STORE_OPERATION,
            payment_condition_code=1,
            price_table_code=1,
            seller_code=1 + (h >> 24) % 20,
            freight_type=4,
        ),
    )
