"""What operators read: stream health and the paged run history."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.sync_runs import PostgresSyncRunLog
from adapters.postgres.sync_session import PostgresSyncTransactions
from adapters.postgres.sync_status import PostgresSyncStatusReader
from application.sync.status import InvalidPageCursor, RunFilter
from domain.sync import Cursor, RunMode, RunStatus, Stream, SyncRun
from tests.integration.postgres.db import sync
from tests.integration.postgres.records import at

pytestmark = pytest.mark.integration


async def record(
    engine: AsyncEngine,
    stream: Stream,
    minute: int,
    status: RunStatus,
    mode: RunMode = RunMode.INCREMENTAL,
) -> SyncRun:
    runs = PostgresSyncRunLog(engine)
    run = await runs.start(SyncRun(None, stream, mode, at(minute)))
    if status == RunStatus.SUCCEEDED:
        run.succeed(at(minute + 1), at(minute))
    elif status == RunStatus.FAILED:
        run.fail(at(minute + 1), "boom")
    elif status == RunStatus.SKIPPED:
        run.skip(at(minute))
    await runs.finish(run)
    return run


async def test_streams_report_cursor_last_run_and_health(engine: AsyncEngine) -> None:
    await record(engine, Stream.PRICES, 0, RunStatus.SUCCEEDED)
    failed = await record(engine, Stream.PRICES, 10, RunStatus.FAILED)
    await record(engine, Stream.PRICES, 20, RunStatus.SKIPPED)
    await record(engine, Stream.COSTS, 0, RunStatus.SUCCEEDED)
    running = await record(engine, Stream.COLORS, 5, RunStatus.RUNNING)
    await sync(
        PostgresSyncTransactions(engine), Stream.COSTS, [], cursor=Cursor(Stream.COSTS, at(3))
    )

    statuses = {s.stream: s for s in await PostgresSyncStatusReader(engine).streams()}

    assert list(statuses) == list(Stream)
    prices = statuses[Stream.PRICES]
    # A skipped run did nothing: the failure before it is what the stream last did.
    assert (prices.health, prices.last_success_at) == ("failing", at(1))
    assert prices.last_run is not None
    assert prices.last_run.id == failed.id
    costs = statuses[Stream.COSTS]
    assert (costs.health, costs.cursor, costs.last_success_at) == ("ok", at(3), at(1))
    colors = statuses[Stream.COLORS]
    assert (colors.health, colors.last_success_at) == ("running", None)
    assert colors.last_run is not None
    assert colors.last_run.id == running.id
    never = statuses[Stream.SIZES]
    assert (never.health, never.cursor, never.last_run, never.last_success_at) == (
        "never",
        None,
        None,
        None,
    )


async def test_runs_are_listed_newest_first_page_by_page(engine: AsyncEngine) -> None:
    recorded = [
        await record(engine, Stream.PRICES, minute, RunStatus.SUCCEEDED) for minute in range(7)
    ]
    # Two runs started at the same instant are still ordered, by id.
    recorded.append(await record(engine, Stream.COSTS, 6, RunStatus.FAILED))
    reader = PostgresSyncStatusReader(engine)

    seen: list[int | None] = []
    after: str | None = None
    pages = 0
    while True:
        page = await reader.runs(RunFilter(), limit=3, after=after)
        seen.extend(run.id for run in page.items)
        pages += 1
        if page.next_cursor is None:
            break
        after = page.next_cursor

    expected = sorted(recorded, key=lambda r: (r.started_at, r.id), reverse=True)
    assert seen == [r.id for r in expected]
    assert pages == 3


async def test_a_page_that_ends_exactly_at_the_last_run_has_no_next_cursor(
    engine: AsyncEngine,
) -> None:
    for minute in range(3):
        await record(engine, Stream.PRICES, minute, RunStatus.SUCCEEDED)

    page = await PostgresSyncStatusReader(engine).runs(RunFilter(), limit=3, after=None)

    assert (len(page.items), page.next_cursor) == (3, None)


async def test_runs_are_filtered(engine: AsyncEngine) -> None:
    await record(engine, Stream.PRICES, 0, RunStatus.SUCCEEDED, RunMode.FULL)
    await record(engine, Stream.PRICES, 10, RunStatus.FAILED)
    await record(engine, Stream.PRICES, 20, RunStatus.SUCCEEDED)
    await record(engine, Stream.COSTS, 30, RunStatus.SUCCEEDED)
    reader = PostgresSyncStatusReader(engine)

    async def minutes(run_filter: RunFilter) -> list[int]:
        page = await reader.runs(run_filter, limit=50, after=None)
        return [int((run.started_at - at(0)).total_seconds() // 60) for run in page.items]

    assert await minutes(RunFilter(stream=Stream.PRICES)) == [20, 10, 0]
    assert await minutes(RunFilter(status=RunStatus.SUCCEEDED)) == [30, 20, 0]
    assert await minutes(RunFilter(mode=RunMode.FULL)) == [0]
    assert await minutes(RunFilter(started_after=at(10), started_before=at(30))) == [20, 10]
    assert await minutes(RunFilter(stream=Stream.PRICES, status=RunStatus.FAILED)) == [10]


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


MAX_ID = 2**63 - 1


@pytest.mark.parametrize(
    "cursor",
    [
        # not base64, or not the base64 it hands out
        pytest.param("not base64!", id="not-base64"),
        pytest.param(cursor_of("2025-01-01T00:00:00+00:00|30").rstrip("="), id="unpadded"),
        pytest.param(cursor_of("2025-01-01T00:00:00+00:00|3").replace("M", "M\n", 1), id="junk"),
        pytest.param("Ä" + cursor_of("2025-01-01T00:00:00+00:00|3")[1:], id="non-ascii"),
        pytest.param(base64.urlsafe_b64encode(b"\xff\xfe").decode(), id="not-utf8"),
        # not its format
        pytest.param(cursor_of("2025-01-01T00:00:00+00:00"), id="no-id"),
        pytest.param(cursor_of("2025-01-01T00:00:00+00:00|3|4"), id="extra-part"),
        pytest.param(cursor_of("2025-01-01T00:00:00+00:00|three"), id="id-not-a-number"),
        pytest.param(cursor_of("2025-01-01T00:00:00+00:00| 3"), id="id-padded"),
        pytest.param(cursor_of("2025-01-01 00:00:00Z|3"), id="other-iso-spelling"),
        # an id no run can have
        pytest.param(cursor_of("2025-01-01T00:00:00+00:00|0"), id="id-zero"),
        pytest.param(cursor_of("2025-01-01T00:00:00+00:00|-3"), id="id-negative"),
        pytest.param(cursor_of(f"2025-01-01T00:00:00+00:00|{MAX_ID + 1}"), id="id-2**63"),
        pytest.param(cursor_of(f"2025-01-01T00:00:00+00:00|{10**40}"), id="id-huge"),
        # a start that is no instant, or one outside the years it handles
        pytest.param(cursor_of("yesterday|3"), id="start-unparseable"),
        pytest.param(cursor_of("2025-13-01T00:00:00+00:00|3"), id="start-no-such-month"),
        pytest.param(cursor_of("2025-01-01T00:00:00|3"), id="start-naive"),
        pytest.param(cursor_of("9999-01-01T00:00:00+00:00|3"), id="start-year-9999"),
        pytest.param(cursor_of("9998-12-31T23:30:00-01:00|3"), id="start-9999-in-utc"),
        pytest.param(cursor_of("0001-01-01T00:30:00+01:00|3"), id="start-year-0-in-utc"),
    ],
)
async def test_a_cursor_it_did_not_make_is_refused(engine: AsyncEngine, cursor: str) -> None:
    with pytest.raises(InvalidPageCursor, match="cursor"):
        await PostgresSyncStatusReader(engine).runs(RunFilter(), limit=5, after=cursor)


@pytest.mark.parametrize(
    ("cursor", "finds_the_run"),
    [
        (cursor_of(f"9998-12-31T23:59:59.999999+00:00|{MAX_ID}"), True),
        (cursor_of("0001-01-01T00:00:00+00:00|1"), False),
    ],
)
async def test_cursors_at_the_edges_of_the_range_reach_the_database_safely(
    engine: AsyncEngine, cursor: str, finds_the_run: bool
) -> None:
    run = await record(engine, Stream.PRICES, 0, RunStatus.SUCCEEDED)

    page = await PostgresSyncStatusReader(engine).runs(RunFilter(), limit=5, after=cursor)

    assert [r.id for r in page.items] == ([run.id] if finds_the_run else [])


async def test_limit_below_one_is_refused(engine: AsyncEngine) -> None:
    with pytest.raises(ValueError, match="limit"):
        await PostgresSyncStatusReader(engine).runs(RunFilter(), limit=0, after=None)
