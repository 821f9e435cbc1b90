"""Domain records as COPY rows for the staging tables, with the least per-row Python work.

Records go as they are when their fields are the staged columns. Decimals are sent as their
exact text (``str``) into text staging columns and cast to numeric by the merge: asyncpg's binary
numeric encoder costs several times more per value than ``str``. Fields are read by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any

from domain.catalog import Cost, FutureStock, Price, StockBalance

Rows = Callable[[Sequence[Any]], Iterable[tuple[Any, ...]]]


def as_is(records: Sequence[Any]) -> Iterable[tuple[Any, ...]]:
    return records


def picking(record: type[tuple[Any, ...]], columns: Sequence[str]) -> Rows:
    """Rows of the named fields of ``record``, in ``columns`` order."""
    fields: tuple[str, ...] = record._fields  # type: ignore[attr-defined]
    pick = itemgetter(*(fields.index(c) for c in columns))

    def rows(records: Sequence[Any]) -> Iterable[tuple[Any, ...]]:
        return map(pick, records)

    return rows


BALANCE_COLUMNS = (
    "product_code",
    "branch_code",
    "stock_code",
    "stock",
    "sales_order",
    "input_transaction",
    "output_transaction",
    "production_order_progress",
    "production_order_wait_lib",
    "available",
    "changed_at",
)


def balance_rows(records: Sequence[StockBalance]) -> list[tuple[Any, ...]]:
    s = str
    return [
        (
            r.product_code,
            r.branch_code,
            r.stock_code,
            s(r.stock),
            s(r.sales_order),
            s(r.input_transaction),
            s(r.output_transaction),
            s(r.production_order_progress),
            s(r.production_order_wait_lib),
            s(r.available),
            r.changed_at,
        )
        for r in records
    ]


PRICE_COLUMNS = (
    "product_code",
    "branch_code",
    "price_code",
    "price",
    "promotional_price",
    "changed_at",
)


def price_rows(records: Sequence[Price]) -> list[tuple[Any, ...]]:
    s = str
    return [
        (
            r.product_code,
            r.branch_code,
            r.price_code,
            s(r.price),
            None if r.promotional_price is None else s(r.promotional_price),
            r.changed_at,
        )
        for r in records
    ]


COST_COLUMNS = ("product_code", "branch_code", "cost_code", "cost", "changed_at")


def cost_rows(records: Sequence[Cost]) -> list[tuple[Any, ...]]:
    s = str
    return [(r.product_code, r.branch_code, r.cost_code, s(r.cost), r.changed_at) for r in records]


FUTURE_STOCK_COLUMNS = (
    "branch_code",
    "order_code",
    "product_code",
    "status",
    "quantity",
    "pending_quantity",
    "expected_date",
    "changed_at",
)


def future_stock_rows(records: Sequence[FutureStock]) -> list[tuple[Any, ...]]:
    s = str
    return [
        (
            r.branch_code,
            r.order_code,
            r.product_code,
            r.status,
            s(r.quantity),
            s(r.pending_quantity),
            r.expected_date,
            r.changed_at,
        )
        for r in records
    ]
