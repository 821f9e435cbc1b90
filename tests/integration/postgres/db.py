"""Reading the database and running one sync, for the PostgreSQL tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.mirrors import MIRRORS
from adapters.postgres.sync_session import PostgresSyncTransactions
from application.sync.ports import MergeResult
from domain.sync import Cursor, Stream


async def fetch(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(text(sql), params)
        return [dict(row) for row in result.mappings()]


async def table_rows(engine: AsyncEngine, stream: Stream) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The stream's table by key, with each row's ``xmin`` (changes when the row is rewritten)."""
    mirror = MIRRORS[stream]
    rows = await fetch(engine, f"SELECT xmin::text AS xmin, * FROM {mirror.table.name}")
    return {tuple(row[k] for k in mirror.key): row for row in rows}


def key_of(stream: Stream, record: Any) -> tuple[Any, ...]:
    return tuple(getattr(record, k) for k in MIRRORS[stream].key)


def mirrored(stream: Stream, record: Any, row: dict[str, Any]) -> bool:
    """Whether ``row`` holds every table column of ``record``."""
    for column in MIRRORS[stream].columns:
        value = getattr(record, column)
        stored = row[column]
        if isinstance(value, tuple):
            value = list(value)
        if stored != value:
            return False
    return True


async def sync(
    transactions: PostgresSyncTransactions,
    stream: Stream,
    *pages: Sequence[Any],
    cursor: Cursor | None = None,
) -> MergeResult:
    """One committed run: lock, stage each page, merge, save ``cursor`` when given."""
    async with transactions.begin() as session:
        assert await session.try_lock(stream)
        for page in pages:
            await session.stage(stream, page)
        result = await session.merge(stream)
        if cursor is not None:
            await session.save_cursor(cursor)
        await session.commit()
    return result
