"""Hand-written fakes of the order ports: dicts standing in for the tables."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from application.orders.cancel_order import CancelOrder
from application.orders.get_order import GetOrder
from application.orders.list_orders import ListOrders
from application.orders.model import Order, OrderFilter, OrderItem, OrderPage, SkuQuote
from application.orders.place_order import PlaceOrder
from application.orders.update_order import OrderChanges, UpdateOrder
from application.sync.status import InvalidPageCursor
from domain.money import Money
from domain.reservations import StockPosition
from tests.unit.application.outbox_fakes import FakeOutbox

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class TickingClock:
    """Each reading is one second after the previous one."""

    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


class FakePricing:
    def __init__(self) -> None:
        self.quotes_by_code: dict[int, SkuQuote] = {}

    def sell(
        self, code: int, price: str, reference: str = "REF", section: str | None = "S1"
    ) -> None:
        self.quotes_by_code[code] = SkuQuote(code, reference, section, Money(Decimal(price)))

    async def quotes(self, product_codes: Collection[int]) -> dict[int, SkuQuote]:
        return {c: self.quotes_by_code[c] for c in product_codes if c in self.quotes_by_code}


class FakeCustomers:
    def __init__(self) -> None:
        self.active: set[UUID] = set()

    async def is_active(self, customer_id: UUID) -> bool:
        return customer_id in self.active


class FakeLedger:
    """``erp`` and ``reserved`` per SKU; records the codes of every lock, in the order given, and
    the SKUs saved (whose products the real ledger marks stale)."""

    def __init__(self) -> None:
        self.erp: dict[int, Decimal] = {}
        self.reserved: dict[int, int] = {}
        self.locks: list[list[int]] = []
        self.saves = 0
        self.marked: set[int] = set()

    async def lock(self, product_codes: Collection[int]) -> dict[int, StockPosition]:
        self.locks.append(list(product_codes))
        return {
            c: StockPosition(c, self.erp.get(c, Decimal(0)), self.reserved.get(c, 0))
            for c in product_codes
        }

    async def save(self, positions: Iterable[StockPosition]) -> None:
        self.saves += 1
        for position in positions:
            self.reserved[position.product_code] = position.reserved
            self.marked.add(position.product_code)


class FakeOrders:
    """``rows`` as the transaction sees them; ``committed`` as of the last commit."""

    def __init__(self) -> None:
        self.rows: dict[UUID, Order] = {}
        self.committed: dict[UUID, Order] = {}
        self.locked: list[UUID] = []

    async def add(self, order: Order) -> None:
        self.rows[order.id] = order

    async def get(self, order_id: UUID, *, lock: bool = False) -> Order | None:
        if lock:
            self.locked.append(order_id)
        return self.rows.get(order_id)

    async def update(self, order: Order) -> None:
        items = self.rows[order.id].items
        self.rows[order.id] = dataclasses.replace(order, items=items)

    async def replace_items(self, order_id: UUID, items: Iterable[OrderItem]) -> None:
        self.rows[order_id] = dataclasses.replace(self.rows[order_id], items=tuple(items))

    async def page(self, order_filter: OrderFilter, *, limit: int, after: str | None) -> OrderPage:
        ordered = sorted(self.rows.values(), key=lambda o: (o.created_at, o.id), reverse=True)
        if order_filter.status is not None:
            ordered = [o for o in ordered if o.status is order_filter.status]
        start = 0
        if after is not None:
            ids = [str(o.id) for o in ordered]
            if after not in ids:
                raise InvalidPageCursor(after)
            start = ids.index(after) + 1
        shown = ordered[start : start + limit]
        more = len(ordered) > start + limit
        return OrderPage(shown, str(shown[-1].id) if more else None)


class FakeUnitOfWork:
    def __init__(self, orders: FakeOrders, outbox: FakeOutbox) -> None:
        self.commits = 0
        self._orders, self._outbox = orders, outbox

    async def commit(self) -> None:
        self.commits += 1
        self._orders.committed = dict(self._orders.rows)
        self._outbox.commit()


class Shop:
    """Every fake plus the use cases wired to them, with one active customer."""

    def __init__(self) -> None:
        self.pricing, self.customers, self.ledger = FakePricing(), FakeCustomers(), FakeLedger()
        self.orders, self.outbox = FakeOrders(), FakeOutbox()
        self.uow = FakeUnitOfWork(self.orders, self.outbox)
        self.clock = TickingClock()
        self.customer = uuid4()
        self.customers.active.add(self.customer)
        changes = OrderChanges(self.orders, self.ledger, self.outbox, self.uow, self.clock)
        self.place = PlaceOrder(
            self.customers,
            self.pricing,
            self.ledger,
            self.orders,
            self.outbox,
            self.uow,
            self.clock,
        )
        self.get = GetOrder(self.orders)
        self.list = ListOrders(self.orders)
        self.update = UpdateOrder(changes, self.pricing)
        self.cancel = CancelOrder(changes)

    def stock(self, code: int, erp: str, reserved: int = 0) -> None:
        self.ledger.erp[code] = Decimal(erp)
        self.ledger.reserved[code] = reserved
