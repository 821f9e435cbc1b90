"""The run log: visible while running, outcome recorded whatever the sync transaction does."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.sync_runs import PostgresSyncRunLog
from adapters.postgres.sync_session import PostgresSyncTransactions
from adapters.postgres.sync_status import PostgresSyncStatusReader
from domain.sync import Rejection, RunCounts, RunMode, RunStatus, Stream, SyncRun
from tests.integration.postgres.records import at, make

pytestmark = pytest.mark.integration


async def test_a_started_run_is_visible_while_its_transaction_is_open(
    engine: AsyncEngine,
) -> None:
    runs, reader = PostgresSyncRunLog(engine), PostgresSyncStatusReader(engine)

    async with PostgresSyncTransactions(engine).begin() as session:
        await session.try_lock(Stream.PRICES)
        run = await runs.start(SyncRun(None, Stream.PRICES, RunMode.FULL, at(0)))
        await session.stage(Stream.PRICES, [make(Stream.PRICES, 1)])

        assert run.id is not None
        seen = await reader.run(run.id)
        assert seen is not None
        assert (seen.status, seen.stream, seen.mode) == (
            RunStatus.RUNNING,
            Stream.PRICES,
            RunMode.FULL,
        )


async def test_finish_records_the_outcome_even_when_the_sync_rolled_back(
    engine: AsyncEngine,
) -> None:
    runs, reader = PostgresSyncRunLog(engine), PostgresSyncStatusReader(engine)

    async with PostgresSyncTransactions(engine).begin() as session:
        run = await runs.start(
            SyncRun(None, Stream.PRODUCTS, RunMode.INCREMENTAL, at(0), cursor_before=at(-60))
        )
        await session.stage(Stream.PRODUCTS, [make(Stream.PRODUCTS, 1)])
        run.counts = RunCounts(pages=3, read=250, inserted=0, updated=0, unchanged=0, rejected=2)
        run.rejections = [Rejection("123", "bad size"), Rejection(None, "undecodable row")]
        run.fail(at(1), "SourceUnavailable: ERP down")
        await runs.finish(run)

    assert run.id is not None
    stored = await reader.run(run.id)
    assert stored is not None
    assert stored.status == RunStatus.FAILED
    assert stored.finished_at == at(1)
    assert stored.error == "SourceUnavailable: ERP down"
    assert stored.counts == run.counts
    assert stored.cursor_before == at(-60)
    assert stored.rejections == run.rejections


async def test_a_succeeded_run_keeps_its_counts_and_cursors(engine: AsyncEngine) -> None:
    runs, reader = PostgresSyncRunLog(engine), PostgresSyncStatusReader(engine)
    run = await runs.start(SyncRun(None, Stream.COSTS, RunMode.FULL, at(0)))
    run.counts = RunCounts(pages=1, read=11, inserted=7, updated=2, unchanged=1, rejected=1)
    run.rejections = [Rejection("9", "negative stock")]
    run.succeed(at(2), at(1))

    await runs.finish(run)
    await runs.finish(run)  # finishing again rewrites the record, it does not add to it

    assert run.id is not None
    stored = await reader.run(run.id)
    assert stored is not None
    assert (stored.status, stored.cursor_after, stored.counts) == (
        RunStatus.SUCCEEDED,
        at(1),
        run.counts,
    )
    assert stored.rejections == [Rejection("9", "negative stock")]


async def test_finishing_a_run_never_started_is_refused(engine: AsyncEngine) -> None:
    with pytest.raises(ValueError, match="never started"):
        await PostgresSyncRunLog(engine).finish(SyncRun(None, Stream.COSTS, RunMode.FULL, at(0)))


async def test_an_unknown_run_is_none(engine: AsyncEngine) -> None:
    assert await PostgresSyncStatusReader(engine).run(404) is None
