"""The log of outside calls in ``outside_calls``: buffered writes, operators' reads, retention."""

from __future__ import annotations

import asyncio
import collections
import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, delete, literal, or_, select, tuple_
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.raw import raw_in_transaction
from adapters.postgres.sync_status import MAX_RUN_ID as MAX_ID
from adapters.postgres.sync_status import decode_cursor, encode_cursor
from adapters.postgres.tables import outside_calls
from application.ops.calls import CallFilter, CallPage, OutsideCall, OutsideCallRecord

log = logging.getLogger(__name__)

_COLUMNS = (
    "at",
    "connection",
    "method",
    "path",
    "status",
    "duration_ms",
    "correlation_id",
    "request_body",
    "response_body",
    "error",
)
#: ``duration_ms`` is ``numeric(12, 3)``.
_MAX_DURATION_MS = 999_999_999.999


class PostgresCallLog:
    """Records outside calls (:class:`CallRecorder`), reads them back (:class:`CallLogReader`)
    and purges old ones (:class:`CallLogPurger`).

    :meth:`record` only appends to an in-memory buffer; one background task, started with
    :meth:`start`, writes the buffer every ``flush_interval`` seconds (sooner when it is half
    full) with one COPY per batch. When more than ``max_buffer`` calls wait, the oldest are
    dropped and counted in :attr:`dropped`; so are the calls of a batch that could not be written
    (the error is logged without any body). :meth:`aclose` stops the task and writes what is left.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        flush_interval: float = 0.5,
        max_buffer: int = 1000,
        purge_batch: int = 5000,
    ) -> None:
        if flush_interval <= 0 or max_buffer < 1 or purge_batch < 1:
            raise ValueError("flush_interval, max_buffer and purge_batch must be positive")
        self._engine = engine
        self._interval = flush_interval
        self._max = max_buffer
        self._purge_batch = purge_batch
        self._buffer: collections.deque[OutsideCall] = collections.deque()
        self._wake = asyncio.Event()
        self._writing = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._dropped = 0
        self._overflowed = 0

    @property
    def dropped(self) -> int:
        """Calls recorded but never written: pushed out of a full buffer, or in a failed batch."""
        return self._dropped

    def record(self, call: OutsideCall) -> None:
        if len(self._buffer) >= self._max:
            self._buffer.popleft()
            self._dropped += 1
            self._overflowed += 1
        self._buffer.append(call)
        if len(self._buffer) * 2 >= self._max:
            self._wake.set()

    def start(self) -> None:
        """Start the background writer (inside the running event loop); idempotent."""
        if self._task is None:
            self._closing = False
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="outside-calls-writer"
            )

    async def aclose(self) -> None:
        """Stop the background writer and write what is left in the buffer."""
        self._closing = True
        task, self._task = self._task, None
        if task is not None:
            self._wake.set()
            await task
        await self.flush()

    async def flush(self) -> int:
        """Write every buffered call now; returns how many were written. Never raises."""
        async with self._writing:
            written = 0
            while self._buffer:
                batch = [self._buffer.popleft() for _ in range(min(len(self._buffer), self._max))]
                try:
                    await self._insert(batch)
                except Exception as error:
                    self._dropped += len(batch)
                    log.warning(
                        "dropped %d outside calls: writing them failed (%s, sqlstate %s)",
                        len(batch),
                        type(error).__name__,
                        getattr(error, "sqlstate", None),
                    )
                else:
                    written += len(batch)
            if self._overflowed:
                log.warning("dropped %d outside calls: the buffer was full", self._overflowed)
                self._overflowed = 0
            return written

    async def page(self, filter: CallFilter, *, limit: int, after: str | None) -> CallPage:
        """Calls newest first (``at``, then id), at most ``limit`` of them.

        :raises InvalidPageCursor: when ``after`` is not a cursor this returned.
        :raises ValueError: when ``limit`` < 1.
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        c = outside_calls.c
        query = _filtered(select(outside_calls), filter)
        if after is not None:
            query = query.where(tuple_(c.at, c.id) < tuple_(*map(literal, decode_cursor(after))))
        query = query.order_by(c.at.desc(), c.id.desc()).limit(limit + 1)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        items = [_record(row) for row in rows[:limit]]
        if len(rows) <= limit:
            return CallPage(items, None)
        last = items[-1]
        return CallPage(items, encode_cursor(last.at, last.id))

    async def get(self, call_id: int) -> OutsideCallRecord | None:
        """None for an unknown id, an out-of-range one included."""
        if not 1 <= call_id <= MAX_ID:
            return None
        query = select(outside_calls).where(outside_calls.c.id == call_id)
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).mappings().one_or_none()
        return None if row is None else _record(row)

    async def purge(self, older_than: datetime) -> int:
        """Delete calls made before ``older_than``, ``purge_batch`` rows per transaction, so a
        large purge never holds long locks; returns how many were deleted."""
        c = outside_calls.c
        old = select(c.id).where(c.at < older_than).limit(self._purge_batch)
        statement = delete(outside_calls).where(c.id.in_(old.scalar_subquery()))
        deleted = 0
        while True:
            async with self._engine.begin() as connection:
                count = (await connection.execute(statement)).rowcount
            deleted += count
            if count < self._purge_batch:
                return deleted

    async def _run(self) -> None:
        while not self._closing:
            try:
                async with asyncio.timeout(self._interval):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # flush() never raises; this loop must outlive any surprise
                log.warning("the outside calls writer failed a round", exc_info=False)

    async def _insert(self, batch: list[OutsideCall]) -> None:
        records = [_row(call) for call in batch]
        async with self._engine.begin() as connection:
            raw = await raw_in_transaction(connection)
            await raw.copy_records_to_table("outside_calls", records=records, columns=_COLUMNS)


def _text(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL."""
    return value.replace("\x00", "\ufffd") if value and "\x00" in value else value


def _row(call: OutsideCall) -> tuple[Any, ...]:
    duration = min(max(call.duration_ms, 0.0), _MAX_DURATION_MS)
    return (
        call.at,
        _text(call.connection),
        _text(call.method),
        _text(call.path),
        call.status,
        Decimal(f"{duration:.3f}"),
        _text(call.correlation_id),
        _text(call.request_body),
        _text(call.response_body),
        _text(call.error),
    )


def _filtered(query: Select[Any], filter: CallFilter) -> Select[Any]:
    c = outside_calls.c
    conditions = [
        c.connection == filter.connection if filter.connection is not None else None,
        c.correlation_id == filter.correlation_id if filter.correlation_id is not None else None,
        c.status == filter.status if filter.status is not None else None,
        or_(c.status.is_(None), c.status >= 400) if filter.failed_only else None,
        c.method == filter.method.upper() if filter.method else None,
        c.path.startswith(filter.path_prefix, autoescape=True) if filter.path_prefix else None,
        c.at >= filter.since if filter.since is not None else None,
        c.at < filter.until if filter.until is not None else None,
    ]
    present = [condition for condition in conditions if condition is not None]
    return query.where(and_(*present)) if present else query


def _record(row: RowMapping) -> OutsideCallRecord:
    return OutsideCallRecord(
        id=row["id"],
        at=row["at"],
        connection=row["connection"],
        method=row["method"],
        path=row["path"],
        status=row["status"],
        duration_ms=float(row["duration_ms"]),
        correlation_id=row["correlation_id"],
        request_body=row["request_body"],
        response_body=row["response_body"],
        error=row["error"],
    )
