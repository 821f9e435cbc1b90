"""How each stream's domain records land in their mirror table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Numeric, Table
from sqlalchemy.dialects.postgresql.base import PGDialect

from adapters.postgres import rows, tables
from domain.catalog import (
    Classification,
    Color,
    Cost,
    FutureStock,
    Price,
    SizeGrid,
    Sku,
    StockBalance,
)
from domain.sync import Stream

_DIALECT = PGDialect()  # type: ignore[no-untyped-call]


@dataclass(frozen=True, slots=True)
class Mirror:
    """A stream's target table, its key, and how its records are staged.

    ``rows`` turns a page of records into COPY rows of ``stage_columns``, the table's columns in
    record order; numeric columns are staged as text and cast by the merge (see
    :mod:`adapters.postgres.rows`).

    :raises ValueError: when the staged columns are not the table's, or not fields of the record.
    """

    table: Table
    record: type[tuple[Any, ...]]
    key: tuple[str, ...]
    stage_columns: tuple[str, ...]
    rows: rows.Rows
    values: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        columns = self.columns
        if set(columns) != set(self.stage_columns):
            raise ValueError(f"{self.table.name}: staged {self.stage_columns}, not {columns}")
        if unknown := set(self.stage_columns) - set(_fields(self.record)):
            raise ValueError(f"{self.table.name}: not fields of the record: {sorted(unknown)}")
        object.__setattr__(self, "values", tuple(c for c in columns if c not in self.key))

    @property
    def columns(self) -> tuple[str, ...]:
        """The table's columns the records fill (all but ``synced_at``)."""
        return tuple(c.name for c in self.table.columns if c.name != "synced_at")

    @property
    def stage_table(self) -> str:
        return f"stage_{self.table.name}"

    @property
    def ordered_by_change(self) -> bool:
        return "changed_at" in self.stage_columns

    def sql_type(self, column: str) -> str:
        """The column's type in the staging table."""
        if self._staged_as_text(column):
            return "text"
        return self._table_type(column)

    def cast(self, column: str) -> str:
        """A select expression reading a staged column as the table's type."""
        if self._staged_as_text(column):
            return f"{column}::{self._table_type(column)} AS {column}"
        return column

    def _staged_as_text(self, column: str) -> bool:
        return isinstance(self.table.c[column].type, Numeric)

    def _table_type(self, column: str) -> str:
        return str(self.table.c[column].type.compile(dialect=_DIALECT))


def _fields(record: type[tuple[object, ...]]) -> tuple[str, ...]:
    return record._fields  # type: ignore[attr-defined,no-any-return]


_SKU_COLUMNS = tuple(f for f in _fields(Sku) if f in tables.skus.c)

MIRRORS: dict[Stream, Mirror] = {
    Stream.COLORS: Mirror(tables.colors, Color, ("code",), _fields(Color), rows.as_is),
    Stream.SIZES: Mirror(tables.size_grids, SizeGrid, ("code",), _fields(SizeGrid), rows.as_is),
    Stream.CLASSIFICATIONS: Mirror(
        tables.classifications,
        Classification,
        ("type_code", "code"),
        _fields(Classification),
        rows.as_is,
    ),
    Stream.PRODUCTS: Mirror(
        tables.skus,
        Sku,
        ("product_code",),
        _SKU_COLUMNS,
        rows.picking(Sku, _SKU_COLUMNS),
    ),
    Stream.BALANCES: Mirror(
        tables.stock_balances,
        StockBalance,
        ("product_code", "branch_code", "stock_code"),
        rows.BALANCE_COLUMNS,
        rows.balance_rows,
    ),
    Stream.PRICES: Mirror(
        tables.prices,
        Price,
        ("product_code", "branch_code", "price_code"),
        rows.PRICE_COLUMNS,
        rows.price_rows,
    ),
    Stream.COSTS: Mirror(
        tables.costs,
        Cost,
        ("product_code", "branch_code", "cost_code"),
        rows.COST_COLUMNS,
        rows.cost_rows,
    ),
    Stream.PRODUCTION_ORDERS: Mirror(
        tables.future_stock,
        FutureStock,
        ("branch_code", "order_code", "product_code"),
        rows.FUTURE_STOCK_COLUMNS,
        rows.future_stock_rows,
    ),
}
