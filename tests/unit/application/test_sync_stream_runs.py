"""SyncStream: what is applied, counted, recorded and reported."""

from application.sync.sync_stream import MAX_REJECTIONS_KEPT, SyncStreamCommand
from domain.sync import Rejection, RunCounts, RunStatus, Stream
from tests.unit.fakes import SyncWorld, at, color, page

COLORS = SyncStreamCommand(stream=Stream.COLORS)


def world_with_changes() -> SyncWorld:
    """Committed: 01 and 02. ERP: 01 unchanged, 02 renamed, 03 new, two bad rows."""
    world = SyncWorld.create()
    world.transactions.seed(Stream.COLORS, color("01", at(1)), color("02", at(2)), cursor=at(2))
    world.source.script(
        Stream.COLORS,
        page(1, color("01", at(1)), color("02", at(3), name="Navy"), total_items=5),
        page(
            2,
            color("03", at(4)),
            rejections=[Rejection("04", "empty name"), Rejection(None, "undecodable row")],
            total_items=5,
        ),
    )
    return world


async def test_success_commits_the_records_and_the_cursor_together() -> None:
    world = world_with_changes()

    run = await world.sync_stream()(COLORS)

    assert run.status is RunStatus.SUCCEEDED
    assert world.transactions.commits == 1
    assert sorted(world.transactions.rows(Stream.COLORS)) == [
        color("01", at(1)),
        color("02", at(3), name="Navy"),
        color("03", at(4)),
    ]
    assert world.transactions.cursors[Stream.COLORS] == at(4)


async def test_counts_come_from_the_pages_and_the_merge() -> None:
    world = world_with_changes()

    run = await world.sync_stream()(COLORS)

    expected = RunCounts(pages=2, read=5, inserted=1, updated=1, unchanged=1, rejected=2)
    assert run.counts == expected
    assert run.rejections == [Rejection("04", "empty name"), Rejection(None, "undecodable row")]
    assert world.runs.finished[-1].counts == expected


async def test_run_is_started_before_reading_and_finished_after_commit() -> None:
    world = world_with_changes()

    run = await world.sync_stream()(COLORS)

    assert world.journal == [
        "run start colors",
        "read colors",
        "read done colors",
        "commit",
        "run finish colors",
    ]
    started, finished = world.runs.started[0], world.runs.finished[0]
    assert started.id == finished.id == run.id is not None
    assert (started.status, started.counts, started.cursor_before) == (
        RunStatus.RUNNING,
        RunCounts(),
        at(2),
    )
    assert (finished.status, finished.cursor_after) == (RunStatus.SUCCEEDED, at(4))


async def test_rejections_kept_are_capped_while_the_count_keeps_growing() -> None:
    world = SyncWorld.create()
    rejections = [Rejection(str(n), "bad") for n in range(MAX_REJECTIONS_KEPT + 7)]
    half = len(rejections) // 2
    world.source.script(
        Stream.COLORS,
        page(1, rejections=rejections[:half], max_changed_at=at(1)),
        page(2, rejections=rejections[half:], max_changed_at=at(2)),
        page(3, rejections=[Rejection("last", "bad")], max_changed_at=at(3)),
    )

    run = await world.sync_stream()(COLORS)

    assert run.counts.rejected == MAX_REJECTIONS_KEPT + 8
    assert run.rejections == rejections[:MAX_REJECTIONS_KEPT]
    assert run.status is RunStatus.SUCCEEDED


async def test_progress_is_told_about_every_page() -> None:
    world = world_with_changes()

    await world.sync_stream()(COLORS)

    assert world.progress.calls == [(Stream.COLORS, 1, 2, 5), (Stream.COLORS, 2, 5, 5)]
