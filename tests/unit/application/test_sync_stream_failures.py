"""SyncStream: failed and skipped runs change nothing and are returned, not raised."""

import asyncio
import logging

import pytest

from application.sync.ports import SourceRejected, SourceUnavailable
from application.sync.sync_stream import SyncStreamCommand
from domain.sync import RunStatus, Stream
from tests.unit.fakes import SyncWorld, at, color, page

COLORS = SyncStreamCommand(stream=Stream.COLORS)


def world_with_history() -> SyncWorld:
    """Colors 01 committed at cursor 5; the ERP now sends a change to 01 and a new 02."""
    world = SyncWorld.create()
    world.transactions.seed(Stream.COLORS, color("01", at(5)), cursor=at(5))
    world.source.script(
        Stream.COLORS,
        page(1, color("01", at(6), name="Renamed")),
        page(2, color("02", at(7))),
    )
    return world


async def test_source_failure_mid_stream_fails_the_run_and_commits_nothing() -> None:
    world = world_with_history()
    world.source.fail(Stream.COLORS, SourceUnavailable("ERP timed out", status=503), after_pages=1)

    run = await world.sync_stream()(COLORS)

    assert run.status is RunStatus.FAILED
    assert run.error == "SourceUnavailable: ERP timed out"
    assert run.finished_at is not None
    assert run.cursor_after is None
    assert world.transactions.commits == 0
    assert world.transactions.rows(Stream.COLORS) == [color("01", at(5))]
    assert world.transactions.cursors[Stream.COLORS] == at(5)
    assert [(r.id, r.status, r.error) for r in world.runs.finished] == [
        (run.id, RunStatus.FAILED, "SourceUnavailable: ERP timed out")
    ]


async def test_rejected_source_fails_the_run_without_a_stack_trace(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = world_with_history()
    world.source.fail(Stream.COLORS, SourceRejected("401 invalid token", status=401))

    with caplog.at_level(logging.ERROR):
        run = await world.sync_stream()(COLORS)

    assert run.status is RunStatus.FAILED
    assert run.error == "SourceRejected: 401 invalid token"
    assert caplog.records == []


async def test_unexpected_error_is_recorded_as_failed_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = world_with_history()
    world.source.fail(Stream.COLORS, RuntimeError("boom"), after_pages=2)

    with caplog.at_level(logging.ERROR):
        run = await world.sync_stream()(COLORS)

    assert run.status is RunStatus.FAILED
    # Operators see the kind of failure; the details (SQL, paths…) stay in the log.
    assert run.error == "internal error (RuntimeError); see the worker log"
    assert "boom" not in run.error
    assert world.transactions.commits == 0
    assert world.transactions.rows(Stream.COLORS) == [color("01", at(5))]
    assert world.transactions.cursors[Stream.COLORS] == at(5)
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [RuntimeError]


async def test_a_source_error_without_a_message_is_named_by_its_type() -> None:
    world = world_with_history()
    world.source.fail(Stream.COLORS, SourceUnavailable(""))

    run = await world.sync_stream()(COLORS)

    assert run.error == "SourceUnavailable: SourceUnavailable"


async def test_a_cancelled_run_is_recorded_as_failed_and_the_cancellation_propagates() -> None:
    world = world_with_history()
    world.source.fail(Stream.COLORS, asyncio.CancelledError(), after_pages=1)

    with pytest.raises(asyncio.CancelledError):
        await world.sync_stream()(COLORS)

    [finished] = world.runs.finished
    assert finished.status is RunStatus.FAILED
    assert finished.error == "interrupted (CancelledError)"
    assert world.transactions.commits == 0
    assert world.transactions.cursors[Stream.COLORS] == at(5)


async def test_a_failed_run_leaves_the_stream_unlocked_for_the_next_run() -> None:
    world = world_with_history()
    world.source.fail(Stream.COLORS, SourceUnavailable("down"))
    sync = world.sync_stream()
    await sync(COLORS)
    del world.source.failures[Stream.COLORS]

    run = await sync(COLORS)

    assert run.status is RunStatus.SUCCEEDED
    assert world.transactions.cursors[Stream.COLORS] == at(7)


async def test_a_locked_stream_is_recorded_as_skipped_and_not_read() -> None:
    world = world_with_history()

    async with world.transactions.begin() as other_worker:
        assert await other_worker.try_lock(Stream.COLORS)
        run = await world.sync_stream()(COLORS)

    assert run.status is RunStatus.SKIPPED
    assert run.id is not None
    assert world.source.calls == []
    assert world.transactions.commits == 0
    assert [(r.id, r.status) for r in world.runs.finished] == [(run.id, RunStatus.SKIPPED)]


async def test_two_concurrent_runs_of_one_stream_read_it_once() -> None:
    world = world_with_history()
    sync = world.sync_stream()

    runs = await asyncio.gather(sync(COLORS), sync(COLORS))

    assert sorted(run.status for run in runs) == [RunStatus.SKIPPED, RunStatus.SUCCEEDED]
    assert world.source.streams_read() == [Stream.COLORS]
    assert world.transactions.commits == 1
