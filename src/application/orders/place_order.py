"""Placing an order: price it from the catalog, reserve its stock, store it — one transaction."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID, uuid4

from application.clock import Clock
from application.orders.items import ItemRequest, check_items, money, priced_items
from application.orders.model import ErpDelivery, Order, bounded
from application.orders.ports import (
    CustomerDirectory,
    OrderRepository,
    SkuPricing,
    StockLedger,
    UnitOfWork,
)
from application.orders.reservations import move_holding
from application.outbox.ports import Outbox
from domain.customers import Address
from domain.errors import ValidationError
from domain.money import Money
from domain.orders import OrderStatus, order_total
from domain.outbox import MessageKind, MessageStatus

MAX_NOTES_LENGTH = 2000


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceOrderCommand:
    customer_id: UUID
    items: tuple[ItemRequest, ...]
    freight: Decimal | None = None
    discount: Decimal | None = None
    shipping_address: Address | None = None
    notes: str | None = None
    #: The new order's id; a fresh one when None.
    order_id: UUID | None = None


def clean_notes(notes: str | None) -> str | None:
    """Trimmed notes, None when blank; line breaks and tabs are kept.

    :raises ValidationError: (``notes``) when too long or holding other control characters
        (PostgreSQL cannot store NUL).
    """
    notes = (notes or "").strip() or None
    if notes is None:
        return None
    if len(notes) > MAX_NOTES_LENGTH:
        raise ValidationError(f"notes have at most {MAX_NOTES_LENGTH} characters", field="notes")
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in notes):
        raise ValidationError("notes hold control characters", field="notes")
    return notes


class PlaceOrder:
    """A new ``pending`` order holding its units in the stock reservations.

    Unit prices are the SKUs' storefront prices; repeated SKUs are merged. The reservation, the
    order and the catalog marks (see ``StockLedger.save``) commit together or not at all, so
    concurrent orders never sell more than is available. The order is queued for the ERP in the
    same transaction (after its customer, if the customer is queued too).
    """

    def __init__(
        self,
        customers: CustomerDirectory,
        pricing: SkuPricing,
        ledger: StockLedger,
        orders: OrderRepository,
        outbox: Outbox,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._customers, self._pricing, self._ledger = customers, pricing, ledger
        self._orders, self._outbox = orders, outbox
        self._uow, self._clock = uow, clock

    async def __call__(self, command: PlaceOrderCommand) -> Order:
        """:raises ValidationError: bad item, amount, notes, or address (field named), or
            (``customer_id``) an unknown or deleted customer.
        :raises UnsellableSku: an item's SKU cannot be sold.
        :raises InsufficientStock: a SKU has fewer units available to sell than ordered.
        """
        freight = money(command.freight, "freight")
        discount = money(command.discount, "discount")
        notes = clean_notes(command.notes)
        check_items(command.items)
        if not await self._customers.is_active(command.customer_id):
            raise ValidationError(
                f"customer {command.customer_id} does not exist or was deleted",
                field="customer_id",
            )
        items = await priced_items(self._pricing, command.items)
        total = bounded(
            order_total((i.line for i in items), freight=freight, discount=discount), "total"
        )
        now = self._clock.now()
        order = Order(
            id=uuid4() if command.order_id is None else command.order_id,
            customer_id=command.customer_id,
            status=OrderStatus.PENDING,
            items=items,
            freight=Money.zero() if freight is None else freight,
            discount=Money.zero() if discount is None else discount,
            total=total,
            shipping_address=command.shipping_address,
            notes=notes,
            reservation_open=True,
            created_at=now,
            updated_at=now,
            delivery=ErpDelivery(status=MessageStatus.PENDING.value),
        )
        # Stock rows are locked last, so the contended locks are held as briefly as possible;
        # should a SKU be short, the transaction, order row included, is never committed.
        await self._orders.add(order)
        await self._outbox.add(MessageKind.ORDER_CREATE, order.id, parent_id=order.customer_id)
        await move_holding(self._ledger, {}, {i.product_code: i.quantity for i in items})
        await self._uow.commit()
        return order
