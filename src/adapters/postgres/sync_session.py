"""The catalog sync's transaction: lock, cursor, staging and merge on one connection."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.postgres import erp_customers, merge_sql, products, references
from adapters.postgres.catalog_marks import mark_statement
from adapters.postgres.erp_orders import ErpOrderFollowUp
from adapters.postgres.locks import stream_lock_key
from adapters.postgres.mirrors import MIRRORS
from adapters.postgres.raw import RawConnection, raw_in_transaction
from adapters.postgres.statistics import refresh_statistics
from application.sync.ports import MergeResult
from domain.catalog import Sku
from domain.sync import Cursor, Stream

#: Settings of the sync transaction only (SET LOCAL).
#: ``synchronous_commit = off``: a crash right after COMMIT may lose that transaction, and it is
#: lost whole — data and cursor commit together — so the next run re-reads from the older cursor
#: and converges; durability of other transactions is untouched. The gain is the WAL flush a run
#: waits for at commit: small for a backfill, most of an idle incremental run on slow disks.
#: ``work_mem``: the merges sort and hash a whole run; a backfill of a million SKUs sorts and
#: hashes ~200 MB at a time, which spills to temporary files below that.
#: ``jit = off``: each merge runs once per run; compiling it cost ~0.4 s per backfill merge and
#: saved nothing.
SESSION_SETTINGS = (
    "SET LOCAL synchronous_commit = off",
    "SET LOCAL work_mem = '256MB'",
    "SET LOCAL jit = off",
)

#: Each merge statement by whether its target table is empty.
_MERGES = {
    stream: {empty: merge_sql.merge(mirror, target_empty=empty) for empty in (False, True)}
    for stream, mirror in MIRRORS.items()
}
_MERGE_PRODUCTS = {empty: products.merge_products(target_empty=empty) for empty in (False, True)}
_MERGE_CLASSIFICATIONS = {
    empty: products.merge_classifications(target_empty=empty) for empty in (False, True)
}


#: Streams whose records are customers (see :mod:`adapters.postgres.erp_customers`).
CUSTOMER_STREAMS = frozenset({Stream.INDIVIDUALS, Stream.LEGAL_ENTITIES})


class PostgresSyncSession:
    """One stream's run inside one PostgreSQL transaction (see :class:`SyncSession`).

    Staged records go by binary COPY into ``ON COMMIT DROP`` temp tables created on first use;
    :meth:`merge` applies and then empties them. SKU pages also stage what they say about their
    references (see :mod:`adapters.postgres.references`), merged into products after the SKUs.
    Customers are staged the same way and merged set-based; orders are few and need decisions
    per order (which Ponte order, which status moves), so each page is applied as it is staged,
    with a few batched statements (see :mod:`adapters.postgres.erp_orders`).
    """

    def __init__(self, connection: AsyncConnection, raw: RawConnection) -> None:
        self._connection = connection
        self._raw = raw
        self._stages: set[str] = set()
        self._pages = 0
        self._orders: ErpOrderFollowUp | None = None

    async def try_lock(self, stream: Stream) -> bool:
        locked = await self._raw.fetchval(
            "SELECT pg_try_advisory_xact_lock($1)", stream_lock_key(stream)
        )
        return bool(locked)

    async def cursor(self, stream: Stream) -> Cursor:
        position = await self._raw.fetchval(
            "SELECT position FROM sync_cursors WHERE stream = $1", stream.value
        )
        return Cursor(stream, position)

    async def save_cursor(self, cursor: Cursor) -> None:
        await self._raw.execute(
            "INSERT INTO sync_cursors AS c (stream, position, updated_at) VALUES ($1, $2, now()) "
            "ON CONFLICT (stream) DO UPDATE "
            "SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at",
            cursor.stream.value,
            cursor.position,
        )

    async def stage(self, stream: Stream, records: Sequence[Any]) -> None:
        if not records:
            return
        if stream in CUSTOMER_STREAMS:
            rows = erp_customers.customer_rows(records)
            stage = erp_customers.STAGE
            await self._copy(stage, erp_customers.CREATE_STAGE, rows, erp_customers.COLUMNS)
            return
        if stream is Stream.ORDERS:
            await self._order_follow_up().apply(records)
            return
        mirror = MIRRORS[stream]
        self._pages += 1
        await self._copy(
            mirror.stage_table,
            merge_sql.create_stage(mirror),
            mirror.rows(records),
            mirror.stage_columns,
        )
        if stream is Stream.PRODUCTS:
            await self._stage_references(records)

    async def merge(self, stream: Stream) -> MergeResult:
        if stream in CUSTOMER_STREAMS:
            if erp_customers.STAGE not in self._stages:
                return MergeResult(0, 0, 0)
            return await erp_customers.merge_customers(self._raw)
        if stream is Stream.ORDERS:
            return await self._order_follow_up().finish()
        mirror = MIRRORS[stream]
        if mirror.stage_table not in self._stages:
            return MergeResult(0, 0, 0)
        empty = await self._prepare(mirror.stage_table, mirror.key, mirror.table.name)
        changed = merge_sql.changed_rows(mirror, target_empty=empty)
        if (mark := mark_statement(stream, changed)) is not None:
            await self._raw.execute(mark)
        row = await self._run_merge(mirror.stage_table, _MERGES[stream][empty])
        if stream is Stream.PRODUCTS:
            await self._merge_references()
        assert row is not None  # a stream's merge returns its counts
        staged, inserted, updated = row["staged"], row["inserted"], row["updated"]
        tables: tuple[str, ...] = (mirror.table.name,)
        if stream is Stream.PRODUCTS:
            tables += ("products", "product_classifications")
        await refresh_statistics(self._raw, tables, changed=inserted + updated)
        return MergeResult(inserted, updated, staged - inserted - updated)

    async def commit(self) -> None:
        await self._connection.commit()
        self._stages.clear()

    def _order_follow_up(self) -> ErpOrderFollowUp:
        if self._orders is None:
            self._orders = ErpOrderFollowUp(self._raw)
        return self._orders

    async def _stage_references(self, records: Sequence[Sku]) -> None:
        found = references.page_references(records, self._pages)
        await self._copy(
            references.REFERENCE_STAGE,
            references.CREATE_REFERENCE_STAGE,
            found.references,
            references.REFERENCE_COLUMNS,
        )
        if found.classifications:
            await self._copy(
                references.CLASSIFICATION_STAGE,
                references.CREATE_CLASSIFICATION_STAGE,
                found.classifications,
                references.CLASSIFICATION_COLUMNS,
            )

    async def _merge_references(self) -> None:
        by_reference = ("reference_code",)
        await self._merge(references.REFERENCE_STAGE, by_reference, "products", _MERGE_PRODUCTS)
        if references.CLASSIFICATION_STAGE in self._stages:
            await self._merge(
                references.CLASSIFICATION_STAGE,
                by_reference,
                "product_classifications",
                _MERGE_CLASSIFICATIONS,
            )

    async def _merge(
        self, stage: str, analyzed: Sequence[str], target: str, statements: dict[bool, str]
    ) -> Mapping[str, Any] | None:
        """Run the merge of ``stage`` into ``target``, then empty ``stage``.

        The statement variant depends on whether ``target`` is empty (the first backfill skips
        comparing with it).
        """
        empty = await self._prepare(stage, analyzed, target)
        return await self._run_merge(stage, statements[empty])

    async def _prepare(self, stage: str, analyzed: Sequence[str], target: str) -> bool:
        """Sample ``stage`` for the planner; whether ``target`` is empty.

        Temp tables have no statistics: without them the planner guesses 200 distinct keys and
        picks nested loops that suit a page and ruin a backfill, so the columns the merge (and
        the catalog marks before it) group on are sampled first, at a small cost whatever the
        run's size.
        """
        await self._raw.execute(f"ANALYZE {stage} ({', '.join(analyzed)})")
        return not await self._raw.fetchval(f"SELECT EXISTS (SELECT FROM {target})")  # noqa: S608

    async def _run_merge(self, stage: str, statement: str) -> Mapping[str, Any] | None:
        row = await self._raw.fetchrow(statement)
        await self._raw.execute(f"TRUNCATE {stage}")
        return row

    async def _copy(
        self, table: str, ddl: str, rows: Iterable[tuple[Any, ...]], columns: Sequence[str]
    ) -> None:
        if table not in self._stages:
            await self._raw.execute(ddl)
            self._stages.add(table)
        await self._raw.copy_records_to_table(table, records=rows, columns=columns)


class PostgresSyncTransactions:
    """Opens :class:`PostgresSyncSession` s on ``engine`` (asyncpg driver)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[PostgresSyncSession]:
        async with self._engine.connect() as connection:
            try:
                raw = await raw_in_transaction(connection, *SESSION_SETTINGS)
                yield PostgresSyncSession(connection, raw)
            finally:
                if connection.in_transaction():
                    await connection.rollback()
