"""Hand-written fakes of the sync ports, for unit tests of the use cases.

The fakes share a ``journal`` (a list of event strings) so tests can check the order in which the
use case touched its ports.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from application.sync.ports import MergeResult, Page
from application.sync.sync_stream import SyncPolicy, SyncStream
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
from domain.sync import Cursor, Rejection, Stream, SyncRun

Key = tuple[Any, ...]

T0 = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)

_KEY_FIELDS: dict[type, tuple[str, ...]] = {
    Color: ("code",),
    SizeGrid: ("code",),
    Classification: ("type_code", "code"),
    Sku: ("product_code",),
    StockBalance: ("product_code", "branch_code", "stock_code"),
    Price: ("product_code", "branch_code", "price_code"),
    Cost: ("product_code", "branch_code", "cost_code"),
    FutureStock: ("branch_code", "order_code", "product_code"),
}


def natural_key(record: Any) -> Key:
    """The fields that identify a catalog record upstream."""
    return tuple(getattr(record, name) for name in _KEY_FIELDS[type(record)])


def at(minutes: float) -> datetime:
    """``T0`` plus ``minutes``: readable timestamps for tests."""
    return T0 + timedelta(minutes=minutes)


def color(code: str, changed_at: datetime | None, name: str | None = None) -> Color:
    return Color(code, name or f"Color {code}", None, changed_at)


def page(
    number: int,
    *records: Any,
    rejections: Sequence[Rejection] = (),
    max_changed_at: datetime | None = None,
    total_items: int | None = None,
) -> Page:
    """A page; ``max_changed_at`` defaults to the latest ``changed_at`` among ``records``."""
    if max_changed_at is None:
        stamps = [r.changed_at for r in records if r.changed_at is not None]
        max_changed_at = max(stamps, default=None)
    return Page(number, list(records), list(rejections), max_changed_at, total_items)


class FixedClock:
    def __init__(self, now: datetime = T0) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at


class FakeCatalogSource:
    """Yields scripted pages per stream; can fail after a number of pages.

    ``calls`` records ``(stream, since)`` for every read.
    """

    def __init__(self, journal: list[str]) -> None:
        self.journal = journal
        self.pages: dict[Stream, list[Page]] = {}
        self.failures: dict[Stream, tuple[int, Exception]] = {}
        self.calls: list[tuple[Stream, datetime | None]] = []

    def script(self, stream: Stream, *pages: Page) -> None:
        self.pages[stream] = list(pages)

    def fail(self, stream: Stream, error: Exception, *, after_pages: int = 0) -> None:
        self.failures[stream] = (after_pages, error)

    def streams_read(self) -> list[Stream]:
        return [stream for stream, _ in self.calls]

    async def read(self, stream: Stream, since: datetime | None) -> AsyncIterator[Page]:
        self.calls.append((stream, since))
        self.journal.append(f"read {stream}")
        failure = self.failures.get(stream)
        for index, item in enumerate(self.pages.get(stream, [])):
            if failure is not None and index == failure[0]:
                raise failure[1]
            await asyncio.sleep(0)  # let concurrent readers interleave
            yield item
        if failure is not None:
            raise failure[1]
        self.journal.append(f"read done {stream}")


class FakeSyncTransactions:
    """Committed rows and cursors per stream, and run locks shared by every session."""

    def __init__(self, journal: list[str]) -> None:
        self.journal = journal
        self.committed: dict[Stream, dict[Key, Any]] = {}
        self.cursors: dict[Stream, datetime | None] = {}
        self.locks: set[Stream] = set()
        self.commits = 0

    def seed(self, stream: Stream, *records: Any, cursor: datetime | None = None) -> None:
        """Data as if a previous run had committed it."""
        rows = self.committed.setdefault(stream, {})
        rows.update((natural_key(r), r) for r in records)
        self.cursors[stream] = cursor

    def rows(self, stream: Stream) -> list[Any]:
        return list(self.committed.get(stream, {}).values())

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[FakeSyncSession]:
        session = FakeSyncSession(self)
        try:
            yield session
        finally:
            session.close()


class FakeSyncSession:
    """Stages, merges and saves cursors in a private buffer that only :meth:`commit` publishes."""

    def __init__(self, store: FakeSyncTransactions) -> None:
        self._store = store
        self._held: set[Stream] = set()
        self._staged: dict[Stream, dict[Key, Any]] = {}
        self._merged: dict[Stream, dict[Key, Any]] = {}
        self._cursors: dict[Stream, datetime | None] = {}

    async def try_lock(self, stream: Stream) -> bool:
        if stream in self._held:
            return True
        if stream in self._store.locks:
            return False
        self._store.locks.add(stream)
        self._held.add(stream)
        return True

    async def cursor(self, stream: Stream) -> Cursor:
        if stream in self._cursors:
            return Cursor(stream, self._cursors[stream])
        return Cursor(stream, self._store.cursors.get(stream))

    async def stage(self, stream: Stream, records: Sequence[Any]) -> None:
        staged = self._staged.setdefault(stream, {})
        for record in records:
            key = natural_key(record)
            kept = staged.get(key)
            if kept is None or _not_after(kept.changed_at, record.changed_at):
                staged[key] = record

    async def merge(self, stream: Stream) -> MergeResult:
        base = self._merged.setdefault(stream, dict(self._store.committed.get(stream, {})))
        inserted = updated = unchanged = 0
        for key, record in self._staged.pop(stream, {}).items():
            if key not in base:
                inserted += 1
            elif base[key] != record:
                updated += 1
            else:
                unchanged += 1
            base[key] = record
        return MergeResult(inserted, updated, unchanged)

    async def save_cursor(self, cursor: Cursor) -> None:
        self._cursors[cursor.stream] = cursor.position

    async def commit(self) -> None:
        for stream, rows in self._merged.items():
            self._store.committed[stream] = rows
        self._store.cursors.update(self._cursors)
        self._store.commits += 1
        self._store.journal.append("commit")
        self._staged, self._merged, self._cursors = {}, {}, {}

    def close(self) -> None:
        """End of the transaction: anything not committed is lost and the locks are released."""
        self._store.locks -= self._held
        self._held.clear()
        self._staged, self._merged, self._cursors = {}, {}, {}


def _not_after(kept: datetime | None, new: datetime | None) -> bool:
    return kept is None or (new is not None and new >= kept)


class FakeSyncRunLog:
    """Keeps a snapshot of every run as it was when started and when finished."""

    def __init__(self, journal: list[str]) -> None:
        self.journal = journal
        self.started: list[SyncRun] = []
        self.finished: list[SyncRun] = []
        self._next_id = 1

    async def start(self, run: SyncRun) -> SyncRun:
        saved = dataclasses.replace(run, id=self._next_id)
        self._next_id += 1
        self.started.append(copy.deepcopy(saved))
        self.journal.append(f"run start {run.stream}")
        return saved

    async def finish(self, run: SyncRun) -> None:
        if run.id not in {r.id for r in self.started}:
            raise AssertionError(f"finish of a run that was never started: {run!r}")
        self.finished.append(copy.deepcopy(run))
        self.journal.append(f"run finish {run.stream}")

    async def fail_interrupted(self, at: datetime) -> int:
        return 0


class RecordingProgress:
    """Records ``(stream, pages so far, rows read so far, total_items)`` per page."""

    def __init__(self) -> None:
        self.calls: list[tuple[Stream, int, int, int | None]] = []

    def on_page(self, run: SyncRun, total_items: int | None) -> None:
        self.calls.append((run.stream, run.counts.pages, run.counts.read, total_items))


@dataclasses.dataclass
class SyncWorld:
    """Every fake a sync use case needs, sharing one journal."""

    journal: list[str]
    source: FakeCatalogSource
    transactions: FakeSyncTransactions
    runs: FakeSyncRunLog
    clock: FixedClock
    progress: RecordingProgress

    @classmethod
    def create(cls) -> SyncWorld:
        journal: list[str] = []
        return cls(
            journal,
            FakeCatalogSource(journal),
            FakeSyncTransactions(journal),
            FakeSyncRunLog(journal),
            FixedClock(),
            RecordingProgress(),
        )

    def sync_stream(self, lookback: timedelta = timedelta(seconds=30)) -> SyncStream:
        return SyncStream(
            self.source,
            self.transactions,
            self.runs,
            self.clock,
            SyncPolicy(lookback=lookback),
            self.progress,
        )
