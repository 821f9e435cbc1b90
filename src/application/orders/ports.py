"""Ports of the order use cases. Every write joins the request's transaction and becomes
durable only on :meth:`UnitOfWork.commit`."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Protocol
from uuid import UUID

from application.orders.model import Order, OrderFilter, OrderItem, OrderPage, SkuQuote
from domain.reservations import StockPosition


class SkuPricing(Protocol):
    async def quotes(self, product_codes: Collection[int]) -> dict[int, SkuQuote]:
        """The sellable SKUs among ``product_codes``, at their storefront unit price.

        Sellable: the SKU exists, is active and not blocked, its product is not deleted and it
        has a storefront price. Codes not sellable are absent from the answer.
        """
        ...


class CustomerDirectory(Protocol):
    async def is_active(self, customer_id: UUID) -> bool:
        """Whether the customer exists and is not deleted."""
        ...


class StockLedger(Protocol):
    """Units held by open orders, per SKU, beside the ERP's available figure."""

    async def lock(self, product_codes: Collection[int]) -> dict[int, StockPosition]:
        """The position of each of ``product_codes``, locked until the transaction ends.

        Locks are taken in ascending ``product_code`` order, so callers locking overlapping
        sets wait for each other instead of deadlocking. A SKU never reserved starts at 0.
        """
        ...

    async def save(self, positions: Iterable[StockPosition]) -> None:
        """Store the ``reserved`` units of positions previously :meth:`lock`-ed, and have the
        catalog read model rebuild their products (their stock to sell changed)."""
        ...


class OrderRepository(Protocol):
    async def add(self, order: Order) -> None: ...

    async def get(self, order_id: UUID, *, lock: bool = False) -> Order | None:
        """The order, or None. With ``lock``, it stays locked until the transaction ends, so
        concurrent changes to one order are applied one after the other."""
        ...

    async def update(self, order: Order) -> None:
        """Store the order's status, totals, ``reservation_open`` and ``updated_at``."""
        ...

    async def replace_items(self, order_id: UUID, items: Iterable[OrderItem]) -> None: ...

    async def page(self, order_filter: OrderFilter, *, limit: int, after: str | None) -> OrderPage:
        """Orders newest first (``created_at``, then ``id``, descending), at most ``limit``.

        :raises InvalidPageCursor: when ``after`` is not a cursor this returned.
        """
        ...


class UnitOfWork(Protocol):
    async def commit(self) -> None: ...
