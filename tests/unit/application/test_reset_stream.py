"""ResetStream: clears the cursor under the run lock, so the next run is a full backfill."""

import pytest

from application.sync.reset_stream import ResetStream, ResetStreamCommand, StreamBusy
from application.sync.sync_stream import SyncStreamCommand
from domain.sync import RunMode, Stream
from tests.unit.fakes import SyncWorld, at, color, page


async def test_reset_clears_the_cursor_and_the_next_run_is_full() -> None:
    world = SyncWorld.create()
    world.transactions.seed(Stream.COLORS, color("01", at(5)), cursor=at(5))
    world.source.script(Stream.COLORS, page(1, color("01", at(5))))

    await ResetStream(world.transactions)(ResetStreamCommand(stream=Stream.COLORS))
    run = await world.sync_stream()(SyncStreamCommand(stream=Stream.COLORS))

    assert world.source.calls == [(Stream.COLORS, None)]
    assert run.mode is RunMode.FULL
    assert world.transactions.cursors[Stream.COLORS] == at(5)
    # The data stays: a reset re-reads, it never deletes.
    assert world.transactions.rows(Stream.COLORS) == [color("01", at(5))]


async def test_reset_of_a_running_stream_is_refused_and_changes_nothing() -> None:
    world = SyncWorld.create()
    world.transactions.seed(Stream.PRICES, cursor=at(9))
    async with world.transactions.begin() as running:
        assert await running.try_lock(Stream.PRICES)

        with pytest.raises(StreamBusy):
            await ResetStream(world.transactions)(ResetStreamCommand(stream=Stream.PRICES))

    assert world.transactions.cursors[Stream.PRICES] == at(9)
