"""Sync run records, each write in its own short transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.locks import stream_lock_key
from adapters.postgres.tables import sync_run_rejections, sync_runs
from domain.sync import RunStatus, Stream, SyncRun

INTERRUPTED = "interrupted: the worker stopped before the run finished"


class PostgresSyncRunLog:
    """Writes runs on connections of their own, apart from the sync transaction.

    A run is visible while it is running, and its outcome is recorded even when the sync
    transaction rolls back.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def start(self, run: SyncRun) -> SyncRun:
        """Insert ``run``; sets its ``id`` and returns it."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                insert(sync_runs).values(**_columns(run)).returning(sync_runs.c.id)
            )
            run.id = result.scalar_one()
        return run

    async def finish(self, run: SyncRun) -> None:
        """Store the run's outcome, counts and rejections.

        :raises ValueError: when the run was never started.
        """
        if run.id is None:
            raise ValueError("finish() of a run that was never started")
        async with self._engine.begin() as connection:
            await connection.execute(
                update(sync_runs).where(sync_runs.c.id == run.id).values(**_columns(run))
            )
            await connection.execute(
                sync_run_rejections.delete().where(sync_run_rejections.c.run_id == run.id)
            )
            if run.rejections:
                await connection.execute(
                    insert(sync_run_rejections),
                    [
                        {"run_id": run.id, "seq": seq, "key": r.key, "reason": r.reason}
                        for seq, r in enumerate(run.rejections)
                    ],
                )

    async def fail_interrupted(self, at: datetime) -> int:
        """Fail the ``running`` runs of every stream whose run lock is free right now.

        The sync holds its stream's advisory lock for its whole transaction, so a free lock means
        nobody runs that stream and its ``running`` records are left over from a dead worker. Each
        stream is checked in a short transaction of its own that holds the lock while it updates,
        so no new run of that stream can start in between. Running records of a stream this
        version does not know are left alone.
        """
        running = sync_runs.c.status == RunStatus.RUNNING.value
        async with self._engine.connect() as connection:
            names = (
                await connection.execute(select(sync_runs.c.stream).where(running).distinct())
            ).scalars()
            streams = [Stream(name) for name in names if name in _STREAM_NAMES]
        closed = 0
        for stream in streams:
            async with self._engine.begin() as connection:
                key = stream_lock_key(stream)
                if not await connection.scalar(select(func.pg_try_advisory_xact_lock(key))):
                    continue
                result = await connection.execute(
                    update(sync_runs)
                    .where(running, sync_runs.c.stream == stream.value)
                    .values(status=RunStatus.FAILED.value, finished_at=at, error=INTERRUPTED)
                )
                closed += result.rowcount
        return closed


_STREAM_NAMES = frozenset(stream.value for stream in Stream)


def _columns(run: SyncRun) -> dict[str, Any]:
    counts = run.counts
    return {
        "stream": run.stream.value,
        "mode": run.mode.value,
        "status": run.status.value,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "pages": counts.pages,
        "rows_read": counts.read,
        "rows_inserted": counts.inserted,
        "rows_updated": counts.updated,
        "rows_unchanged": counts.unchanged,
        "rows_rejected": counts.rejected,
        "error": run.error,
        "cursor_before": run.cursor_before,
        "cursor_after": run.cursor_after,
    }
