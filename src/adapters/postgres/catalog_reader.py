"""``GET /products`` and ``GET /products/{reference}`` on the catalog read model.

Raw asyncpg on a pool of its own (:mod:`adapters.postgres.read_pool`): these are the hottest
queries of the API, and each is one prepared statement (cached per connection) returning ready
JSON, so the process only joins strings. Listing is keyset-paginated on (sort key, reference);
see ``catalog_entries`` indexes.

Product pages are looked up in batches: lookups that arrive while earlier ones are in flight
wait for the next round trip and share it (``reference_code = ANY(...)``), so under load one query
serves many requests, and an idle API still answers each lookup at once.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import itertools
import json
from datetime import UTC, datetime
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

#: Session settings of the connections that run these queries. Listing filters are skewed (a
#: category of 20,000 products or of 500; a color on a quarter of the catalog or on a handful):
#: after five runs of a prepared statement PostgreSQL may settle on one generic plan for every
#: value, which suits the average page and takes 10-20 ms on the others. Planning each query
#: for its values costs about 0.1 ms.
SESSION_SETTINGS = {"plan_cache_mode": "force_custom_plan"}


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


#: Cursor keys with more digits than this on either side of the point were never handed out
#: (PostgreSQL's numeric, and asyncpg's encoding of it, give out long before its own limits).
_MAX_KEY_DIGITS = 1000


def _decode_cursor(cursor: str, sort: ProductSort) -> tuple[Any, str]:
    """:raises InvalidPageCursor: on anything :func:`_encode_cursor` could not have made: a
    cursor is client input, so a crafted one must be a 400, never reach the database."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, value, reference = json.loads(raw)
        if name != sort.value or not isinstance(value, str) or not isinstance(reference, str):
            raise ValueError(cursor)
        key = _SORTS[sort][2](value)
        _check_key(key, reference)
        return key, reference
    except (
        ValueError,
        TypeError,
        OverflowError,
        binascii.Error,
        InvalidOperation,
        UnicodeDecodeError,
    ):
        raise InvalidPageCursor(cursor) from None


def _check_key(key: Any, reference: str) -> None:
    """:raises ValueError: NUL in text (PostgreSQL refuses it), a non-finite or huge price, a
    naive time. :raises OverflowError: a time outside the calendar once in UTC."""
    if "\x00" in reference or (isinstance(key, str) and "\x00" in key):
        raise ValueError("NUL in a cursor")
    if isinstance(key, Decimal) and (not key.is_finite() or abs(key.adjusted()) > _MAX_KEY_DIGITS):
        raise ValueError("not a price")
    if isinstance(key, datetime):
        if key.utcoffset() is None:
            raise ValueError("a naive time")
        key.astimezone(UTC)


def tsquery(words: tuple[str, ...]) -> str:
    """Every word as a prefix, all required (words are letters and digits only)."""
    return " & ".join(f"{fold(w)}:*" for w in words)


class _Where:
    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.args: list[Any] = []
        #: The placeholder of the lower price bound, when there is one.
        self.price_low: str | None = None

    def add(self, clause: str, *values: Any) -> list[str]:
        """``clause`` with ``{}`` placeholders numbered in order; returns the placeholders."""
        numbers = []
        for value in values:
            self.args.append(value)
            numbers.append(f"${len(self.args)}")
        self.clauses.append(clause.format(*numbers))
        return numbers

    def sql(self) -> str:
        return " WHERE " + " AND ".join(self.clauses) if self.clauses else ""


_DOCUMENTS = "SELECT reference_code, etag, body FROM catalog_entries WHERE reference_code = ANY($1)"


class _DocumentBatches:
    """Coalesces concurrent product-page lookups into at most ``in_flight`` queries at a time,
    each for at most ``batch`` references."""

    def __init__(self, pool: Pool, *, in_flight: int = 2, batch: int = 100) -> None:
        self._pool = pool
        self._max_in_flight = in_flight
        self._max_batch = batch
        self._pending: dict[str, list[asyncio.Future[Any]]] = {}
        self._in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def get(self, reference: str) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(reference, []).append(future)
        self._start()
        return await future

    def _start(self) -> None:
        while self._pending and self._in_flight < self._max_in_flight:
            keys = list(itertools.islice(self._pending, self._max_batch))
            batch = {key: self._pending.pop(key) for key in keys}
            self._in_flight += 1
            task = asyncio.get_running_loop().create_task(self._run(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: dict[str, list[asyncio.Future[Any]]]) -> None:
        try:
            rows = await self._pool.fetch(_DOCUMENTS, list(batch))
        except BaseException as error:
            failure = error if isinstance(error, Exception) else RuntimeError("lookup cancelled")
            for futures in batch.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(failure)
            if not isinstance(error, Exception):
                raise
        else:
            found = {row["reference_code"]: row for row in rows}
            for reference, futures in batch.items():
                for future in futures:
                    if not future.done():
                        future.set_result(found.get(reference))
        finally:
            self._in_flight -= 1
            self._start()


class PostgresCatalogReader:
    """Implements :class:`application.catalog.ports.CatalogReader`."""

    def __init__(
        self, pool: Pool, *, category_type: int, brand_type: int, collection_type: int
    ) -> None:
        self._pool = pool
        self._types = (category_type, brand_type, collection_type)
        self._documents = _DocumentBatches(pool)

    def _filters(self, query: ProductQuery) -> _Where:
        where = _Where()
        if query.category is not None:
            where.add("category_code = {}", query.category)
        if query.brand is not None:
            where.add("brand_code = {}", query.brand)
        if query.collection is not None:
            where.add("classifications @> ARRAY[{}::text]", f"{self._types[2]}:{query.collection}")
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
        # Some SKU price inside the range; the range test on price_min/price_max narrows first
        # (and lets the price_min index drive a price-sorted page).
        low, high = query.price_min, query.price_max
        if low is not None:
            (where.price_low,) = where.add("price_max >= {}", low)
        if high is not None:
            where.add("price_min <= {}", high)
        if low is not None and high is not None:
            where.add("EXISTS (SELECT FROM unnest(prices) p WHERE p >= {} AND p <= {})", low, high)
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
        limit = f"${len(where.args)}"
        order = f"ORDER BY {column} {direction}, reference_code {direction} LIMIT {limit}"
        select = f"SELECT card, reference_code, {column} AS key FROM catalog_entries{where.sql()}"  # noqa: S608
        if query.sort is ProductSort.PRICE and (bound := where.price_low) is not None:
            # From the lower bound on, the page is one index range; below it only products whose
            # prices straddle the bound can match, and those are read from the price-spread
            # index instead of every cheaper product of the category (see tables.py).
            select = (
                f"SELECT * FROM (({select} AND price_min >= {bound} {order}) UNION ALL "  # noqa: S608
                f"({select} AND price_min < {bound} AND price_min < price_max {order})) u"
            )
            order = f"ORDER BY key ASC, reference_code ASC LIMIT {limit}"
        rows = await self._pool.fetch(f"{select} {order}", *where.args)
        next_cursor = None
        if len(rows) > query.limit:
            rows = rows[: query.limit]
            last = rows[-1]
            next_cursor = _encode_cursor(query.sort, last["key"], last["reference_code"])
        return ProductPage([row["card"] for row in rows], next_cursor, total)

    async def document(self, reference: str) -> ProductDocument | None:
        if "\x00" in reference:  # PostgreSQL holds no NUL: no such product
            return None
        row = await self._documents.get(reference)
        if row is None:
            return None
        return ProductDocument(reference, row["etag"], row["body"])
