"""Cancelling an order."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from uuid import UUID

from application.orders.model import Order
from application.orders.update_order import OrderChanges
from domain.orders import OrderStatus, transition


@dataclass(frozen=True, slots=True)
class CancelOrderCommand:
    order_id: UUID


class CancelOrder:
    """Move an order to ``cancelled`` and release every unit it holds. Possible until the order
    is invoiced, never after."""

    def __init__(self, changes: OrderChanges) -> None:
        self._changes = changes

    async def __call__(self, command: CancelOrderCommand) -> Order:
        """:raises NotFound: no order has this id.
        :raises InvalidTransition: the order is already cancelled, or invoiced or later.
        """
        before = await self._changes.locked(command.order_id)
        status = transition(before.status, OrderStatus.CANCELLED)
        after = dataclasses.replace(before, status=status, reservation_open=False)
        return await self._changes.apply(before, after)
