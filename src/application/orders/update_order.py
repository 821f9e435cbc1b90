"""Changing an order: its items (while pending) and/or its status."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from uuid import UUID

from application.clock import Clock
from application.orders.errors import OrderNotEditable, OrderSentToErp
from application.orders.items import ItemRequest, priced_items
from application.orders.model import ErpDelivery, Order, bounded
from application.orders.ports import (
    OrderRepository,
    SkuPricing,
    StockLedger,
    UnitOfWork,
)
from application.orders.reservations import move_holding
from application.outbox.ports import Outbox
from domain.errors import NotFound, ValidationError
from domain.orders import OrderStatus, order_total, transition
from domain.outbox import MessageKind, MessageStatus

#: Why an order's create message ends unsent when the order is cancelled first.
WITHDRAWN = "order cancelled before it reached the ERP"


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateOrderCommand:
    order_id: UUID
    #: The new item list (replacing the old one), or None to keep it.
    items: tuple[ItemRequest, ...] | None = None
    #: The status to move to, or None to keep it.
    status: OrderStatus | None = None


class OrderChanges:
    """Applies a change to a locked order and adjusts its reservation, in one transaction.

    The order's reservation stays open until it is cancelled or the ERP has taken the order
    into its balances (the follow-up stream closes it then). Changes the ERP must hear of are
    queued in the same transaction: a cancellation (or, if the order never left, its create
    message is withdrawn instead) and a confirmation.
    """

    def __init__(
        self,
        orders: OrderRepository,
        ledger: StockLedger,
        outbox: Outbox,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._orders, self._ledger, self._outbox = orders, ledger, outbox
        self._uow, self._clock = uow, clock

    async def locked(self, order_id: UUID) -> Order:
        """:raises NotFound: no order has this id."""
        order = await self._orders.get(order_id, lock=True)
        if order is None:
            raise NotFound("order", order_id)
        return order

    async def apply(self, before: Order, after: Order) -> Order:
        """Store ``after`` (a changed ``before``) and move its held units; stock rows are locked
        last (as when placing), the order row first.

        :raises InsufficientStock: the new items need more units than are available to sell.
        """
        after = dataclasses.replace(after, updated_at=self._clock.now())
        if after.items != before.items and not await self._outbox.hold_unsent(
            MessageKind.ORDER_CREATE, after.id
        ):
            raise OrderSentToErp()
        await self._orders.update(after)
        if after.items != before.items:
            await self._orders.replace_items(after.id, after.items)
        await move_holding(self._ledger, before.held, after.held)
        if after.status is not before.status:
            after = await self._queue_status(after)
        await self._uow.commit()
        return after

    async def _queue_status(self, order: Order) -> Order:
        """Queue what the ERP must hear of the order's new status; the order as it now stands
        (a create withdrawn shows on its delivery)."""
        if order.status is OrderStatus.CANCELLED:
            # A release for billing not sent yet would only make the ERP refuse the cancel.
            await self._outbox.withdraw(MessageKind.ORDER_STATUS, order.id, WITHDRAWN)
            withdrawn = await self._outbox.withdraw(MessageKind.ORDER_CREATE, order.id, WITHDRAWN)
            if withdrawn:
                delivery = ErpDelivery(status=MessageStatus.FAILED.value, error=WITHDRAWN)
                return dataclasses.replace(order, delivery=delivery)
            await self._outbox.add(MessageKind.ORDER_CANCEL, order.id)
        elif order.status is OrderStatus.CONFIRMED:
            payload = {"status": order.status.value}
            await self._outbox.add(MessageKind.ORDER_STATUS, order.id, payload=payload)
        return order


class UpdateOrder:
    """Replace the items of a pending order and/or move its status.

    New items are priced anew at the current storefront prices (the order's freight and discount
    stay); the reservation follows: units no longer ordered are released, extra units must be
    available to sell. Cancelling releases every held unit; other moves keep the reservation.
    Who may change the status is the caller's concern (the HTTP edge lets admins only).
    """

    def __init__(self, changes: OrderChanges, pricing: SkuPricing) -> None:
        self._changes, self._pricing = changes, pricing

    async def __call__(self, command: UpdateOrderCommand) -> Order:
        """:raises ValidationError: nothing to change; a bad item (field named); or
            (``discount``) the discount now exceeds the order's value.
        :raises NotFound: no order has this id.
        :raises OrderNotEditable: items given for an order that is no longer pending.
        :raises OrderSentToErp: items given for an order already sent to the ERP.
        :raises UnsellableSku: a new item's SKU cannot be sold.
        :raises InvalidTransition: the status cannot move to ``command.status``.
        :raises InsufficientStock: the new items need more units than are available to sell.
        """
        if command.items is None and command.status is None:
            raise ValidationError("give items, a status, or both", field="items")
        before = await self._changes.locked(command.order_id)
        after = before
        if command.items is not None:
            if before.status is not OrderStatus.PENDING:
                raise OrderNotEditable(before.status.value)
            items = await priced_items(self._pricing, command.items)
            total = order_total(
                (i.line for i in items), freight=before.freight, discount=before.discount
            )
            after = dataclasses.replace(after, items=items, total=bounded(total, "total"))
        if command.status is not None:
            status = transition(before.status, command.status)
            after = dataclasses.replace(
                after,
                status=status,
                reservation_open=after.reservation_open and status is not OrderStatus.CANCELLED,
            )
        return await self._changes.apply(before, after)
