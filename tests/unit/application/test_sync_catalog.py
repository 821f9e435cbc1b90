"""SyncCatalog: stages in dependency order, and a failure holds later stages back."""

import itertools

from application.sync.ports import SourceUnavailable
from application.sync.sync_catalog import SyncCatalog, SyncCatalogCommand
from domain.sync import STAGES, RunStatus, Stream
from tests.unit.fakes import SyncWorld, at, page


def catalog(world: SyncWorld) -> SyncCatalog:
    for stream in Stream:
        world.source.script(stream, page(1, max_changed_at=at(1)))
    return SyncCatalog(world.sync_stream())


async def test_every_stream_runs_and_each_stage_finishes_before_the_next_starts() -> None:
    world = SyncWorld.create()

    report = await catalog(world)(SyncCatalogCommand())

    assert report.ok
    assert report.held_back == []
    assert sorted(world.source.streams_read()) == sorted(Stream)
    for stage, next_stage in itertools.pairwise(STAGES):
        last_done = max(world.journal.index(f"run finish {s}") for s in stage)
        first_read = min(world.journal.index(f"read {s}") for s in next_stage)
        assert last_done < first_read


async def test_only_requested_streams_run() -> None:
    world = SyncWorld.create()

    report = await catalog(world)(
        SyncCatalogCommand(streams=frozenset({Stream.PRICES, Stream.COLORS}))
    )

    assert world.source.streams_read() == [Stream.COLORS, Stream.PRICES]
    assert [run.stream for run in report.runs] == [Stream.COLORS, Stream.PRICES]
    assert report.ok


async def test_a_failed_stream_holds_back_later_stages_but_not_its_siblings() -> None:
    world = SyncWorld.create()
    use_case = catalog(world)
    world.source.fail(Stream.SIZES, SourceUnavailable("down"))

    report = await use_case(SyncCatalogCommand())

    statuses = {run.stream: run.status for run in report.runs}
    assert statuses == {
        Stream.COLORS: RunStatus.SUCCEEDED,
        Stream.SIZES: RunStatus.FAILED,
        Stream.CLASSIFICATIONS: RunStatus.SUCCEEDED,
    }
    assert report.held_back == [
        Stream.PRODUCTS,
        Stream.BALANCES,
        Stream.PRICES,
        Stream.COSTS,
        Stream.PRODUCTION_ORDERS,
        Stream.INDIVIDUALS,
        Stream.LEGAL_ENTITIES,
        Stream.ORDERS,
    ]
    assert not report.ok
    assert set(world.source.streams_read()) == {Stream.COLORS, Stream.SIZES, Stream.CLASSIFICATIONS}


async def test_a_failure_in_the_last_stage_makes_the_report_not_ok() -> None:
    world = SyncWorld.create()
    use_case = catalog(world)
    world.source.fail(Stream.ORDERS, RuntimeError("boom"))

    report = await use_case(SyncCatalogCommand())

    assert report.held_back == []
    assert not report.ok
    assert len(report.runs) == len(Stream)


async def test_a_stream_running_in_another_pass_holds_back_later_stages() -> None:
    world = SyncWorld.create()
    use_case = catalog(world)

    async with world.transactions.begin() as other_worker:
        assert await other_worker.try_lock(Stream.COLORS)
        report = await use_case(SyncCatalogCommand())

    statuses = {run.stream: run.status for run in report.runs}
    assert statuses[Stream.COLORS] is RunStatus.SKIPPED
    assert statuses[Stream.SIZES] is RunStatus.SUCCEEDED  # its own stage still runs
    assert Stream.PRODUCTS in report.held_back
    assert not report.ok
    assert Stream.PRODUCTS not in world.source.streams_read()


async def test_full_is_passed_to_every_stream() -> None:
    world = SyncWorld.create()
    use_case = catalog(world)
    for stream in (Stream.COLORS, Stream.PRODUCTS):
        world.transactions.seed(stream, cursor=at(0))

    await use_case(
        SyncCatalogCommand(streams=frozenset({Stream.COLORS, Stream.PRODUCTS}), full=True)
    )

    assert world.source.calls == [(Stream.COLORS, None), (Stream.PRODUCTS, None)]
