"""Listing orders, newest first, keyset-paged."""

from __future__ import annotations

from dataclasses import dataclass, field

from application.orders.model import OrderFilter, OrderPage
from application.orders.ports import OrderRepository
from domain.errors import ValidationError

MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class ListOrdersQuery:
    filter: OrderFilter = field(default_factory=OrderFilter)
    limit: int = 20
    #: The previous page's ``next_cursor``.
    after: str | None = None


class ListOrders:
    def __init__(self, orders: OrderRepository) -> None:
        self._orders = orders

    async def __call__(self, query: ListOrdersQuery) -> OrderPage:
        """:raises ValidationError: (``limit``) outside 1..100; (``created_to``) when the period
            ends before it starts.
        :raises InvalidPageCursor: ``after`` is not a cursor a listing returned.
        """
        if not 1 <= query.limit <= MAX_PAGE_SIZE:
            raise ValidationError(f"limit is 1 to {MAX_PAGE_SIZE}", field="limit")
        start, end = query.filter.created_from, query.filter.created_to
        if start is not None and end is not None and end < start:
            raise ValidationError("the period ends before it starts", field="created_to")
        return await self._orders.page(query.filter, limit=query.limit, after=query.after)
