"""Reading one order."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.orders.model import Order
from application.orders.ports import OrderRepository
from domain.errors import NotFound


@dataclass(frozen=True, slots=True)
class GetOrderQuery:
    order_id: UUID


class GetOrder:
    def __init__(self, orders: OrderRepository) -> None:
        self._orders = orders

    async def __call__(self, query: GetOrderQuery) -> Order:
        """:raises NotFound: no order has this id."""
        order = await self._orders.get(query.order_id)
        if order is None:
            raise NotFound("order", query.order_id)
        return order
