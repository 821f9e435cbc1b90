"""``GET /products`` and ``GET /products/{reference}`` on the catalog read model.

Raw asyncpg on a pool of its own: these are the hottest queries of the API, and each is one
prepared statement (cached per connection) returning ready JSON, so the process only joins
strings. Listing is keyset-paginated on (sort key, reference); see ``catalog_entries`` indexes.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from adapters.postgres.folding import fold
from application.catalog.queries import (
    ProductDocument,
    ProductPage,
    ProductQuery,
    ProductSort,
)
from application.sync.status import InvalidPageCursor


class Pool(Protocol):
    """The slice of ``asyncpg.Pool`` used here (asyncpg ships no type information)."""

    async def fetch(self, query: str, *args: Any) -> list[Any]: ...

    async def fetchrow(self, query: str, *args: Any) -> Any: ...

    async def fetchval(self, query: str, *args: Any) -> Any: ...


#: Column, direction and the cursor value's parser per sort.
_SORTS: dict[ProductSort, tuple[str, str, Any]] = {
    ProductSort.NAME: ("name", "ASC", str),
    ProductSort.PRICE: ("price_min", "ASC", Decimal),
    ProductSort.PRICE_DESC: ("price_min", "DESC", Decimal),
    ProductSort.NEWEST: ("listed_at", "DESC", datetime.fromisoformat),
}


def _encode_cursor(sort: ProductSort, key: object, reference: str) -> str:
    value = key.isoformat() if isinstance(key, datetime) else str(key)
    raw = json.dumps([sort.value, value, reference], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: ProductSort) -> tuple[Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, value, reference = json.loads(raw)
        if name != sort.value or not isinstance(value, str) or not isinstance(reference, str):
            raise ValueError(cursor)
        return _SORTS[sort][2](value), reference
    except (ValueError, TypeError, binascii.Error, InvalidOperation, UnicodeDecodeError):
        raise InvalidPageCursor(cursor) from None


def tsquery(words: tuple[str, ...]) -> str:
    """Every word as a prefix, all required (words are letters and digits only)."""
    return " & ".join(f"{fold(w)}:*" for w in words)


class _Where:
    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.args: list[Any] = []

    def add(self, clause: str, *values: Any) -> None:
        """``clause`` with ``{}`` placeholders numbered in order."""
        numbers = []
        for value in values:
            self.args.append(value)
            numbers.append(f"${len(self.args)}")
        self.clauses.append(clause.format(*numbers))

    def sql(self) -> str:
        return " WHERE " + " AND ".join(self.clauses) if self.clauses else ""


class PostgresCatalogReader:
    """Implements :class:`application.catalog.ports.CatalogReader`."""

    def __init__(
        self, pool: Pool, *, category_type: int, brand_type: int, collection_type: int
    ) -> None:
        self._pool = pool
        self._types = (category_type, brand_type, collection_type)

    def _filters(self, query: ProductQuery) -> _Where:
        where = _Where()
        keys = [
            f"{type_code}:{code}"
            for type_code, code in zip(
                self._types, (query.category, query.brand, query.collection), strict=True
            )
            if code is not None
        ]
        if keys:
            where.add("classifications @> {}::text[]", keys)
        for column, value in (
            ("colors", query.color),
            ("sizes", query.size),
            ("barcodes", query.barcode),
        ):
            if value is not None:
                where.add(f"{column} @> ARRAY[{{}}::text]", value)
        if query.branch is not None:
            where.add("stock_branches @> ARRAY[{}::int]", query.branch)
        if query.available is not None:
            where.add("in_stock = {}", query.available)
        if query.price_min is not None:
            where.add("price_max >= {}", query.price_min)
        if query.price_max is not None:
            where.add("price_min <= {}", query.price_max)
        if query.words:
            where.add("search @@ to_tsquery('simple', {})", tsquery(query.words))
        return where

    async def page(self, query: ProductQuery) -> ProductPage:
        where = self._filters(query)
        total = None
        if query.with_total:
            total = await self._pool.fetchval(
                f"SELECT count(*) FROM catalog_entries{where.sql()}",  # noqa: S608
                *where.args,
            )
        column, direction, _ = _SORTS[query.sort]
        if query.cursor is not None:
            key, reference = _decode_cursor(query.cursor, query.sort)
            comparison = ">" if direction == "ASC" else "<"
            where.add(f"({column}, reference_code) {comparison} ({{}}, {{}})", key, reference)
        where.args.append(query.limit + 1)
        rows = await self._pool.fetch(
            f"SELECT card, reference_code, {column} AS key FROM catalog_entries{where.sql()} "  # noqa: S608
            f"ORDER BY {column} {direction}, reference_code {direction} LIMIT ${len(where.args)}",
            *where.args,
        )
        next_cursor = None
        if len(rows) > query.limit:
            rows = rows[: query.limit]
            last = rows[-1]
            next_cursor = _encode_cursor(query.sort, last["key"], last["reference_code"])
        return ProductPage([row["card"] for row in rows], next_cursor, total)

    async def document(self, reference: str) -> ProductDocument | None:
        row = await self._pool.fetchrow(
            "SELECT etag, body FROM catalog_entries WHERE reference_code = $1", reference
        )
        if row is None:
            return None
        return ProductDocument(reference, row["etag"], row["body"])
