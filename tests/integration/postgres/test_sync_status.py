"""What operators read: stream health and the paged run history."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.sync_runs import PostgresSyncRunLog
from adapters.postgres.sync_session import PostgresSyncTransactions
from adapters.postgres.sync_status import PostgresSyncStatusReader
from application.sync.status import RunFilter
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


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        base64.urlsafe_b64encode(b"2025-01-01T00:00:00+00:00").decode(),
        base64.urlsafe_b64encode(b"yesterday|3").decode(),
        base64.urlsafe_b64encode(b"2025-01-01T00:00:00|3").decode(),
        base64.urlsafe_b64encode(b"2025-01-01T00:00:00+00:00|three").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
async def test_a_cursor_it_did_not_make_is_refused(engine: AsyncEngine, cursor: str) -> None:
    with pytest.raises(ValueError, match="cursor"):
        await PostgresSyncStatusReader(engine).runs(RunFilter(), limit=5, after=cursor)
