"""GetOrder and ListOrders with fakes."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from application.orders.get_order import GetOrderQuery
from application.orders.items import ItemRequest
from application.orders.list_orders import ListOrdersQuery
from application.orders.model import OrderFilter
from application.orders.place_order import PlaceOrderCommand
from domain.errors import NotFound, ValidationError
from tests.unit.application.orders.fakes import T0, Shop


async def test_get_returns_the_order_or_not_found(shop: Shop) -> None:
    order = await shop.place(
        PlaceOrderCommand(customer_id=shop.customer, items=(ItemRequest(10, 1),))
    )
    assert await shop.get(GetOrderQuery(order.id)) == order
    with pytest.raises(NotFound):
        await shop.get(GetOrderQuery(uuid4()))


async def test_list_pages_through_newest_first(shop: Shop) -> None:
    placed = [
        await shop.place(PlaceOrderCommand(customer_id=shop.customer, items=(ItemRequest(20, 1),)))
        for _ in range(3)
    ]
    first = await shop.list(ListOrdersQuery(limit=2))
    assert [o.id for o in first.items] == [placed[2].id, placed[1].id]
    rest = await shop.list(ListOrdersQuery(limit=2, after=first.next_cursor))
    assert [o.id for o in rest.items] == [placed[0].id]
    assert rest.next_cursor is None


@pytest.mark.parametrize("limit", [0, 101])
async def test_list_limits_are_1_to_100(shop: Shop, limit: int) -> None:
    with pytest.raises(ValidationError) as caught:
        await shop.list(ListOrdersQuery(limit=limit))
    assert caught.value.field == "limit"


async def test_a_period_ending_before_it_starts_is_refused(shop: Shop) -> None:
    backwards = OrderFilter(created_from=T0, created_to=T0 - timedelta(seconds=1))
    with pytest.raises(ValidationError) as caught:
        await shop.list(ListOrdersQuery(filter=backwards))
    assert caught.value.field == "created_to"
