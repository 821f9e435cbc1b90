"""The log of outside calls: buffered writes, filtered newest-first pages, purge by age."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.call_log import PostgresCallLog
from application.ops.calls import CallFilter, InvalidPageCursor, OutsideCall, OutsideCallRecord

pytestmark = pytest.mark.integration

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def call(minute: int, **changes: object) -> OutsideCall:
    base = OutsideCall(
        at=T0 + timedelta(minutes=minute),
        connection="totvs_moda",
        method="POST",
        path="sales-order/v2/b2c-orders",
        status=200,
        duration_ms=12.345,
        correlation_id=f"outbox:{minute}",
        request_body='{"orderId":"o"}',
        response_body='{"orderCode":1}',
        error=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def minutes(records: list[OutsideCallRecord]) -> list[int]:
    return [int((r.at - T0).total_seconds() // 60) for r in records]


async def everything(log: PostgresCallLog, call_filter: CallFilter | None = None) -> list[int]:
    page = await log.page(call_filter or CallFilter(), limit=100, after=None)
    return minutes(page.items)


async def test_recorded_calls_are_written_by_the_background_writer(engine: AsyncEngine) -> None:
    log = PostgresCallLog(engine, flush_interval=0.01)
    log.start()
    try:
        for minute in range(3):
            log.record(call(minute))
        for _ in range(500):  # the writer runs every 10 ms
            if len(await everything(log)) == 3:
                break
            await asyncio.sleep(0.01)
        assert await everything(log) == [2, 1, 0]
    finally:
        await log.aclose()


async def test_a_call_reads_back_as_it_was_recorded(engine: AsyncEngine) -> None:
    log = PostgresCallLog(engine)
    recorded = call(1, status=None, error="TimeoutError", response_body=None, request_body="a\x00b")
    log.record(recorded)
    assert await log.flush() == 1

    [listed] = (await log.page(CallFilter(), limit=10, after=None)).items
    found = await log.get(listed.id)

    assert found == listed
    assert found is not None
    assert found.failed
    # NUL cannot be stored in PostgreSQL text: it is replaced, the rest is kept.
    assert found.request_body == "a\ufffdb"
    assert replace(found, request_body=recorded.request_body) == OutsideCallRecord(
        id=listed.id, **{f: getattr(recorded, f) for f in OutsideCall.__dataclass_fields__}
    )
    assert await log.get(listed.id + 1) is None
    assert await log.get(0) is None


async def test_closing_writes_what_is_left(engine: AsyncEngine) -> None:
    log = PostgresCallLog(engine, flush_interval=3600)
    log.start()
    log.record(call(0))
    log.record(call(1))

    await log.aclose()

    assert await everything(log) == [1, 0]


async def test_calls_are_paged_newest_first_with_ties_broken_by_id(engine: AsyncEngine) -> None:
    log = PostgresCallLog(engine)
    for minute in (3, 0, 6, 1, 5, 2, 4):
        log.record(call(minute))
    log.record(call(6, correlation_id="same-instant"))  # written after: the higher id
    await log.flush()

    seen: list[OutsideCallRecord] = []
    after: str | None = None
    pages = 0
    while True:
        page = await log.page(CallFilter(), limit=3, after=after)
        seen.extend(page.items)
        pages += 1
        if page.next_cursor is None:
            break
        after = page.next_cursor

    assert minutes(seen) == [6, 6, 5, 4, 3, 2, 1, 0]
    assert seen[0].correlation_id == "same-instant"
    assert pages == 3
    assert len({r.id for r in seen}) == 8


async def test_calls_are_filtered(engine: AsyncEngine) -> None:
    log = PostgresCallLog(engine)
    log.record(call(0))
    log.record(call(1, status=404, correlation_id="outbox:x"))
    log.record(call(2, status=None, error="TimeoutError", correlation_id="outbox:x"))
    log.record(call(3, status=503, method="GET", path="product/v2/products/search"))
    log.record(call(4, connection="protheus", path="sales_order/v1"))
    log.record(call(5, path="salesXorder/v1"))
    await log.flush()

    assert await everything(log, CallFilter(connection="protheus")) == [4]
    assert await everything(log, CallFilter(correlation_id="outbox:x")) == [2, 1]
    assert await everything(log, CallFilter(status=404)) == [1]
    assert await everything(log, CallFilter(failed_only=True)) == [3, 2, 1]
    assert await everything(log, CallFilter(failed_only=True, status=503)) == [3]
    assert await everything(log, CallFilter(method="get")) == [3]
    assert await everything(log, CallFilter(path_prefix="product/")) == [3]
    # ``_`` in a prefix is a character, not a wildcard.
    assert await everything(log, CallFilter(path_prefix="sales_order")) == [4]
    since, until = T0 + timedelta(minutes=1), T0 + timedelta(minutes=3)
    assert await everything(log, CallFilter(since=since, until=until)) == [2, 1]


async def test_a_made_up_cursor_is_refused(engine: AsyncEngine) -> None:
    with pytest.raises(InvalidPageCursor):
        await PostgresCallLog(engine).page(CallFilter(), limit=3, after="not a cursor")


async def test_a_full_buffer_drops_the_oldest_calls(engine: AsyncEngine) -> None:
    log = PostgresCallLog(engine, max_buffer=2)
    for minute in range(3):
        log.record(call(minute))

    await log.flush()

    assert log.dropped == 1
    assert await everything(log) == [2, 1]


async def test_a_batch_that_cannot_be_written_is_dropped_and_writing_goes_on(
    engine: AsyncEngine,
) -> None:
    log = PostgresCallLog(engine, flush_interval=3600)
    log.start()
    try:
        log.record(call(0, status=2**40))  # out of the column's range: the COPY fails
        assert await log.flush() == 0
        log.record(call(1))
        assert await log.flush() == 1
    finally:
        await log.aclose()

    assert log.dropped == 1
    assert await everything(log) == [1]


async def test_purge_deletes_calls_older_than_the_limit_in_batches(engine: AsyncEngine) -> None:
    log = PostgresCallLog(engine, purge_batch=2)
    for minute in range(7):
        log.record(call(minute))
    await log.flush()

    assert await log.purge(T0 + timedelta(minutes=5)) == 5
    assert await everything(log) == [6, 5]
    assert await log.purge(T0 + timedelta(minutes=5)) == 0
