"""The run log: visible while running, outcome recorded whatever the sync transaction does."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.sync_runs import INTERRUPTED, PostgresSyncRunLog
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


async def test_fail_interrupted_closes_the_running_runs_nobody_holds(engine: AsyncEngine) -> None:
    runs, reader = PostgresSyncRunLog(engine), PostgresSyncStatusReader(engine)
    orphans = [await runs.start(SyncRun(None, Stream.PRICES, RunMode.FULL, at(m))) for m in (0, 1)]
    done = await runs.start(SyncRun(None, Stream.COSTS, RunMode.FULL, at(0)))
    done.succeed(at(1), at(0))
    await runs.finish(done)

    assert await runs.fail_interrupted(at(5)) == 2

    for orphan in orphans:
        assert orphan.id is not None
        stored = await reader.run(orphan.id)
        assert stored is not None
        assert (stored.status, stored.finished_at, stored.error) == (
            RunStatus.FAILED,
            at(5),
            INTERRUPTED,
        )
    assert done.id is not None
    untouched = await reader.run(done.id)
    assert untouched is not None
    assert (untouched.status, untouched.finished_at) == (RunStatus.SUCCEEDED, at(1))
    # Its lock was only held for the update: a sync can take it straight away.
    async with PostgresSyncTransactions(engine).begin() as session:
        assert await session.try_lock(Stream.PRICES)


async def test_fail_interrupted_leaves_a_run_whose_stream_is_locked(engine: AsyncEngine) -> None:
    runs, reader = PostgresSyncRunLog(engine), PostgresSyncStatusReader(engine)

    async with PostgresSyncTransactions(engine).begin() as session:
        assert await session.try_lock(Stream.PRICES)
        alive = await runs.start(SyncRun(None, Stream.PRICES, RunMode.FULL, at(0)))
        orphan = await runs.start(SyncRun(None, Stream.COLORS, RunMode.FULL, at(0)))

        assert await runs.fail_interrupted(at(5)) == 1

        assert alive.id is not None
        assert orphan.id is not None
        still = await reader.run(alive.id)
        assert still is not None
        assert (still.status, still.finished_at, still.error) == (RunStatus.RUNNING, None, None)
        closed = await reader.run(orphan.id)
        assert closed is not None
        assert closed.status == RunStatus.FAILED

    # Once the sync transaction is gone, so is whoever was running the stream.
    assert await runs.fail_interrupted(at(6)) == 1
    gone = await reader.run(alive.id)
    assert gone is not None
    assert (gone.status, gone.finished_at) == (RunStatus.FAILED, at(6))


async def test_fail_interrupted_with_nothing_running_closes_nothing(engine: AsyncEngine) -> None:
    assert await PostgresSyncRunLog(engine).fail_interrupted(at(0)) == 0


@pytest.mark.parametrize("run_id", [0, -1, 2**63, 10**30])
async def test_a_run_id_outside_the_id_range_is_none(engine: AsyncEngine, run_id: int) -> None:
    assert await PostgresSyncStatusReader(engine).run(run_id) is None
