"""Use case: run one stream once, incrementally or in full."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
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
from domain.sync import Rejection, RunMode, Stream, SyncRun

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

    lookback: timedelta


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
        mode = RunMode.FULL if command.full else RunMode.INCREMENTAL
        run = SyncRun(None, command.stream, mode, self._clock.now())
        try:
            async with self._transactions.begin() as session:
                if await session.try_lock(command.stream):
                    await self._run(session, run, full=command.full)
                else:
                    run.skip(self._clock.now())
        except BaseException as error:
            await self._record_failure(run, error)
            if not isinstance(error, Exception):
                raise  # cancelled (job timeout, shutdown): recorded, then let it propagate
            return run
        # Recorded after the transaction ends: no second connection while holding the first.
        if run.id is None:
            run.id = (await self._runs.start(run)).id
        await self._runs.finish(run)
        return run

    async def _run(self, session: SyncSession, run: SyncRun, *, full: bool) -> None:
        cursor = await session.cursor(run.stream)
        full = full or cursor.position is None
        run.mode = RunMode.FULL if full else RunMode.INCREMENTAL
        run.cursor_before = cursor.position
        run.id = (await self._runs.start(run)).id
        since = None if full else cursor.window_start(self._policy.lookback)
        seen = await self._pull(session, run, since)
        merged = await session.merge(run.stream)
        run.counts.inserted, run.counts.updated = merged.inserted, merged.updated
        run.counts.unchanged = merged.unchanged
        run.counts.rejected += len(merged.rejected)
        self._keep(run, [*merged.rejected, *merged.notices])
        after = cursor.advanced_to(seen)
        await session.save_cursor(after)
        await session.commit()
        run.succeed(self._clock.now(), after.position)

    @staticmethod
    def _keep(run: SyncRun, rejections: Sequence[Rejection]) -> None:
        room = MAX_REJECTIONS_KEPT - len(run.rejections)
        if room > 0:
            run.rejections.extend(rejections[:room])

    async def _record_failure(self, run: SyncRun, error: BaseException) -> None:
        if isinstance(error, Exception) and not isinstance(error, SourceError):
            log.error("sync of %s failed", run.stream, exc_info=error)
        run.fail(self._clock.now(), _describe(error))
        try:
            if run.id is None:
                run.id = (await asyncio.shield(self._runs.start(run))).id
            await asyncio.shield(self._runs.finish(run))
        except Exception:
            log.exception("could not record the failed run of %s", run.stream)

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
            self._keep(run, page.rejections)
            if page.max_changed_at is not None and (seen is None or page.max_changed_at > seen):
                seen = page.max_changed_at
            self._progress.on_page(run, page.total_items)
        return seen


def _describe(error: BaseException) -> str:
    """What operators see on the run: the ERP's own words, never internals (SQL, paths)."""
    name = type(error).__name__
    if isinstance(error, SourceError):
        return f"{name}: {str(error) or name}"[:2000]
    if not isinstance(error, Exception):
        return f"interrupted ({name})"
    return f"internal error ({name}); see the worker log"
