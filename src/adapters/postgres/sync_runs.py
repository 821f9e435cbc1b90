"""Sync run records, each write in its own short transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.tables import sync_run_rejections, sync_runs
from domain.sync import SyncRun


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
