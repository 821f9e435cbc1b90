"""What operators see of the sync: streams with cursor and last run, and the run history."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, literal, select, text, tuple_
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.tables import sync_run_rejections, sync_runs
from application.sync.status import InvalidPageCursor, RunFilter, RunPage, StreamStatus
from domain.sync import Rejection, RunCounts, RunMode, RunStatus, Stream, SyncRun

#: ``sync_runs.id`` is a bigint identity: ids are 1 .. 2**63 - 1.
MAX_RUN_ID = 2**63 - 1
# Years a cursor's start may fall in, in UTC: inside what Python and asyncpg handle either side.
_YEARS = range(1, 9999)

_HEALTH = {
    RunStatus.SUCCEEDED: "ok",
    RunStatus.FAILED: "failing",
    RunStatus.RUNNING: "running",
}

# Per stream: its cursor, its latest run that was not skipped, and when it last succeeded.
_STREAMS = text("""
    SELECT s.stream, c.position AS cursor, ls.finished_at AS last_success_at,
           r.id, r.mode, r.status, r.started_at, r.finished_at, r.pages, r.rows_read,
           r.rows_inserted, r.rows_updated, r.rows_unchanged, r.rows_rejected, r.error,
           r.cursor_before, r.cursor_after
    FROM unnest(CAST(:streams AS text[])) WITH ORDINALITY AS s(stream, place)
    LEFT JOIN sync_cursors c ON c.stream = s.stream
    LEFT JOIN LATERAL (
        SELECT * FROM sync_runs
        WHERE stream = s.stream AND status <> 'skipped'
        ORDER BY started_at DESC, id DESC LIMIT 1
    ) r ON true
    LEFT JOIN LATERAL (
        SELECT finished_at FROM sync_runs
        WHERE stream = s.stream AND status = 'succeeded'
        ORDER BY started_at DESC, id DESC LIMIT 1
    ) ls ON true
    ORDER BY s.place
""")


class PostgresSyncStatusReader:
    """Reads ``sync_cursors`` and ``sync_runs`` (see :class:`SyncStatusReader`).

    A skipped run (another worker held the stream) is not a stream's last run: health and
    ``last_run`` come from the latest run that did something. Runs are listed newest first and
    paged by keyset on ``(started_at, id)``; the page cursor is opaque to callers.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def streams(self) -> list[StreamStatus]:
        async with self._engine.connect() as connection:
            result = await connection.execute(_STREAMS, {"streams": [s.value for s in Stream]})
            rows = result.mappings().all()
        return [_stream_status(row) for row in rows]

    async def runs(self, filter: RunFilter, *, limit: int, after: str | None) -> RunPage:
        """Runs newest first, at most ``limit`` of them.

        ``started_after`` is inclusive and ``started_before`` exclusive.

        :raises InvalidPageCursor: when ``after`` is not a cursor this returned.
        :raises ValueError: when ``limit`` < 1.
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        query = _filtered(select(sync_runs), filter)
        position = tuple_(sync_runs.c.started_at, sync_runs.c.id)
        if after is not None:
            query = query.where(position < tuple_(*map(literal, decode_cursor(after))))
        query = query.order_by(sync_runs.c.started_at.desc(), sync_runs.c.id.desc())
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query.limit(limit + 1))).mappings().all()
        items = [_run(row) for row in rows[:limit]]
        if len(rows) <= limit:
            return RunPage(items, None)
        last = rows[limit - 1]
        return RunPage(items, encode_cursor(last["started_at"], last["id"]))

    async def run(self, run_id: int) -> SyncRun | None:
        """None for an unknown id, an out-of-range one included."""
        if not 1 <= run_id <= MAX_RUN_ID:
            return None
        async with self._engine.connect() as connection:
            row = (
                (await connection.execute(select(sync_runs).where(sync_runs.c.id == run_id)))
                .mappings()
                .one_or_none()
            )
            if row is None:
                return None
            rejections = await connection.execute(
                select(sync_run_rejections.c.key, sync_run_rejections.c.reason)
                .where(sync_run_rejections.c.run_id == run_id)
                .order_by(sync_run_rejections.c.seq)
            )
            found = _run(row)
            found.rejections = [Rejection(key, reason) for key, reason in rejections]
        return found


def encode_cursor(started_at: datetime, run_id: int) -> str:
    return base64.urlsafe_b64encode(f"{started_at.isoformat()}|{run_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The position in ``cursor``, checked so that nothing a client makes up reaches the database.

    :raises InvalidPageCursor: unless ``cursor`` is exactly what :func:`encode_cursor` makes of
        an aware start (years 1..9998 in UTC) and an id in 1..``MAX_RUN_ID``.
    """
    invalid = InvalidPageCursor(f"invalid page cursor {cursor!r}")
    try:
        decoded = base64.b64decode(cursor.encode("ascii"), altchars=b"-_", validate=True)
        started, run_id = decoded.decode().split("|")
        position = datetime.fromisoformat(started), int(run_id)
        utc = position[0].astimezone(UTC) if position[0].tzinfo is not None else None
    except (binascii.Error, UnicodeError, ValueError, OverflowError):
        raise invalid from None
    if utc is None or utc.year not in _YEARS or not 1 <= position[1] <= MAX_RUN_ID:
        raise invalid
    if encode_cursor(*position) != cursor:
        raise invalid
    return position


def _filtered(query: Select[Any], filter: RunFilter) -> Select[Any]:
    c = sync_runs.c
    conditions = [
        c.stream == filter.stream.value if filter.stream else None,
        c.status == filter.status.value if filter.status else None,
        c.mode == filter.mode.value if filter.mode else None,
        c.started_at >= filter.started_after if filter.started_after else None,
        c.started_at < filter.started_before if filter.started_before else None,
    ]
    present = [condition for condition in conditions if condition is not None]
    return query.where(and_(*present)) if present else query


def _stream_status(row: RowMapping) -> StreamStatus:
    stream = Stream(row["stream"])
    last = _run(row) if row["id"] is not None else None
    return StreamStatus(
        stream=stream,
        cursor=row["cursor"],
        last_run=last,
        last_success_at=row["last_success_at"],
        health=_HEALTH.get(last.status, "never") if last else "never",
    )


def _run(row: RowMapping) -> SyncRun:
    return SyncRun(
        id=row["id"],
        stream=Stream(row["stream"]),
        mode=RunMode(row["mode"]),
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        status=RunStatus(row["status"]),
        counts=RunCounts(
            pages=row["pages"],
            read=row["rows_read"],
            inserted=row["rows_inserted"],
            updated=row["rows_updated"],
            unchanged=row["rows_unchanged"],
            rejected=row["rows_rejected"],
        ),
        error=row["error"],
        cursor_before=row["cursor_before"],
        cursor_after=row["cursor_after"],
    )
