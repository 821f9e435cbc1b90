"""SyncStream: read mode, read window and cursor movement."""

from datetime import timedelta

from application.sync.sync_stream import SyncStreamCommand
from domain.sync import Rejection, RunMode, RunStatus, Stream
from tests.unit.fakes import SyncWorld, at, color, page

COLORS = SyncStreamCommand(stream=Stream.COLORS)


async def test_first_run_reads_everything_in_full() -> None:
    world = SyncWorld.create()
    world.source.script(Stream.COLORS, page(1, color("01", at(1))))

    run = await world.sync_stream()(COLORS)

    assert world.source.calls == [(Stream.COLORS, None)]
    assert run.mode is RunMode.FULL
    assert run.status is RunStatus.SUCCEEDED
    assert run.cursor_before is None
    assert world.transactions.cursors[Stream.COLORS] == at(1)


async def test_next_run_reads_incrementally_from_cursor_minus_lookback() -> None:
    world = SyncWorld.create()
    world.transactions.seed(Stream.COLORS, color("01", at(5)), cursor=at(5))

    run = await world.sync_stream(lookback=timedelta(seconds=45))(COLORS)

    assert world.source.calls == [(Stream.COLORS, at(5) - timedelta(seconds=45))]
    assert run.mode is RunMode.INCREMENTAL
    assert run.cursor_before == at(5)


async def test_full_command_reads_everything_despite_a_cursor() -> None:
    world = SyncWorld.create()
    world.transactions.seed(Stream.COLORS, color("01", at(5)), cursor=at(5))

    run = await world.sync_stream()(SyncStreamCommand(stream=Stream.COLORS, full=True))

    assert world.source.calls == [(Stream.COLORS, None)]
    assert run.mode is RunMode.FULL
    assert run.cursor_before == at(5)


async def test_cursor_advances_to_the_highest_change_of_any_page() -> None:
    world = SyncWorld.create()
    world.transactions.seed(Stream.COLORS, cursor=at(0))
    world.source.script(
        Stream.COLORS,
        page(1, color("01", at(3))),
        page(3, rejections=[Rejection("09", "no name")], max_changed_at=at(9)),
        page(2, color("02", at(7))),
    )

    run = await world.sync_stream()(COLORS)

    assert world.transactions.cursors[Stream.COLORS] == at(9)
    assert run.cursor_after == at(9)


async def test_cursor_never_moves_back_when_the_window_only_holds_older_changes() -> None:
    world = SyncWorld.create()
    world.transactions.seed(Stream.COLORS, color("01", at(8)), cursor=at(10))
    world.source.script(Stream.COLORS, page(1, color("01", at(8))))

    run = await world.sync_stream(lookback=timedelta(minutes=5))(COLORS)

    assert run.status is RunStatus.SUCCEEDED
    assert world.transactions.cursors[Stream.COLORS] == at(10)
    assert run.cursor_after == at(10)


async def test_a_run_with_no_pages_keeps_the_cursor() -> None:
    world = SyncWorld.create()
    world.transactions.seed(Stream.COLORS, cursor=at(4))

    run = await world.sync_stream()(COLORS)

    assert run.status is RunStatus.SUCCEEDED
    assert run.counts.pages == 0
    assert world.transactions.cursors[Stream.COLORS] == at(4)
