"""Use case: run one stream once, incrementally or in full."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.clock import Clock
from application.sync.ports import (
    CatalogSource,
    SourceError,
    SyncProgress,
    SyncRunLog,
    SyncSession,
    SyncTransactions,
)
from domain.sync import RunMode, Stream, SyncRun

log = logging.getLogger(__name__)

#: Rejected rows kept in detail per run; beyond this only the count grows.
MAX_REJECTIONS_KEPT = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncStreamCommand:
    stream: Stream
    full: bool = False


@dataclass(frozen=True, slots=True)
class SyncPolicy:
    """``lookback``: how far before the cursor an incremental read starts.

    The overlap re-reads changes that committed late upstream; re-reading is harmless because
    unchanged rows are skipped.
    """

    lookback: timedelta = timedelta(seconds=30)


class SyncStream:
    """Pull one stream from the ERP and apply it in one transaction, cursor included.

    The cursor moves only when the data it covers commits; a failed run leaves it where it was and
    is returned with status ``failed``. A stream never runs twice at once: a second caller is
    recorded as skipped.
    """

    def __init__(
        self,
        source: CatalogSource,
        transactions: SyncTransactions,
        runs: SyncRunLog,
        clock: Clock,
        policy: SyncPolicy,
        progress: SyncProgress,
    ) -> None:
        self._source = source
        self._transactions = transactions
        self._runs = runs
        self._clock = clock
        self._policy = policy
        self._progress = progress

    async def __call__(self, command: SyncStreamCommand) -> SyncRun:
        stream = command.stream
        async with self._transactions.begin() as session:
            if not await session.try_lock(stream):
                mode = RunMode.FULL if command.full else RunMode.INCREMENTAL
                run = SyncRun(None, stream, mode, self._clock.now())
                run.skip(self._clock.now())
                return await self._record_skipped(run)
            cursor = await session.cursor(stream)
            full = command.full or cursor.position is None
            run = await self._runs.start(
                SyncRun(
                    None,
                    stream,
                    RunMode.FULL if full else RunMode.INCREMENTAL,
                    self._clock.now(),
                    cursor_before=cursor.position,
                )
            )
            try:
                since = None if full else cursor.window_start(self._policy.lookback)
                seen = await self._pull(session, run, since)
                merged = await session.merge(stream)
                run.counts.inserted, run.counts.updated = merged.inserted, merged.updated
                run.counts.unchanged = merged.unchanged
                after = cursor.advanced_to(seen)
                await session.save_cursor(after)
                await session.commit()
            except Exception as error:
                if not isinstance(error, SourceError):
                    log.exception("sync of %s failed", stream)
                run.fail(self._clock.now(), _describe(error))
                await self._runs.finish(run)
                return run
        run.succeed(self._clock.now(), after.position)
        await self._runs.finish(run)
        return run

    async def _pull(
        self, session: SyncSession, run: SyncRun, since: datetime | None
    ) -> datetime | None:
        seen: datetime | None = None
        async for page in self._source.read(run.stream, since):
            if page.records:
                await session.stage(run.stream, page.records)
            run.counts.pages += 1
            run.counts.read += len(page.records) + len(page.rejections)
            run.counts.rejected += len(page.rejections)
            room = MAX_REJECTIONS_KEPT - len(run.rejections)
            if room > 0:
                run.rejections.extend(page.rejections[:room])
            if page.max_changed_at is not None and (seen is None or page.max_changed_at > seen):
                seen = page.max_changed_at
            self._progress.on_page(run, page.total_items)
        return seen

    async def _record_skipped(self, run: SyncRun) -> SyncRun:
        started = await self._runs.start(run)
        await self._runs.finish(started)
        return started


def _describe(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:2000]
