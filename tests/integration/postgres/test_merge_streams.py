"""Stage and merge, for every stream: inserts, updates of changed rows only, duplicates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.mirrors import MIRRORS
from adapters.postgres.sync_session import PostgresSyncTransactions
from application.sync.ports import MergeResult
from domain.catalog import Color, Price, StockBalance
from domain.sync import Stream
from tests.integration.postgres.db import fetch, key_of, mirrored, sync, table_rows
from tests.integration.postgres.records import at, make

pytestmark = pytest.mark.integration

#: Streams mirrored table for table (customers and orders have tests of their own).
EVERY_STREAM = pytest.mark.parametrize("stream", list(MIRRORS), ids=str)


@pytest.fixture
def transactions(engine: AsyncEngine) -> PostgresSyncTransactions:
    return PostgresSyncTransactions(engine)


@EVERY_STREAM
async def test_a_first_merge_inserts_every_record(
    stream: Stream, engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    records = [make(stream, key) for key in (1, 2, 3)]

    result = await sync(transactions, stream, records[:2], records[2:])

    assert result == MergeResult(inserted=3, updated=0, unchanged=0)
    rows = await table_rows(engine, stream)
    assert len(rows) == 3
    assert all(mirrored(stream, r, rows[key_of(stream, r)]) for r in records)


@EVERY_STREAM
async def test_a_merge_rewrites_only_changed_rows(
    stream: Stream, engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    same, changed, absent = make(stream, 1), make(stream, 2), make(stream, 3)
    await sync(transactions, stream, [same, changed, absent])
    before = await table_rows(engine, stream)

    newer, new = make(stream, 2, version=1), make(stream, 4)
    result = await sync(transactions, stream, [same, newer], [new])

    assert result == MergeResult(inserted=1, updated=1, unchanged=1)
    after = await table_rows(engine, stream)
    assert len(after) == 4
    for untouched in (same, absent):
        key = key_of(stream, untouched)
        assert after[key]["xmin"] == before[key]["xmin"]
        assert after[key]["synced_at"] == before[key]["synced_at"]
    assert mirrored(stream, newer, after[key_of(stream, newer)])
    assert after[key_of(stream, newer)]["xmin"] != before[key_of(stream, newer)]["xmin"]
    assert mirrored(stream, new, after[key_of(stream, new)])


@EVERY_STREAM
async def test_a_key_staged_twice_keeps_the_last_staged(
    stream: Stream, engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    first, last = make(stream, 1), make(stream, 1, version=1)

    result = await sync(transactions, stream, [first, make(stream, 2)], [last])

    assert result == MergeResult(inserted=2, updated=0, unchanged=0)
    rows = await table_rows(engine, stream)
    assert mirrored(stream, last, rows[key_of(stream, last)])


@pytest.mark.parametrize("stream", [s for s in MIRRORS if s != Stream.CLASSIFICATIONS], ids=str)
async def test_a_key_staged_twice_keeps_its_latest_change_whatever_the_page_order(
    stream: Stream, engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    latest, older = make(stream, 1, version=2), make(stream, 1, version=1)

    await sync(transactions, stream, [latest], [older])

    rows = await table_rows(engine, stream)
    assert mirrored(stream, latest, rows[key_of(stream, latest)])


@EVERY_STREAM
async def test_a_second_merge_in_one_session_applies_only_what_was_staged_since(
    stream: Stream, engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    async with transactions.begin() as session:
        await session.stage(stream, [make(stream, 1)])
        first = await session.merge(stream)
        await session.stage(stream, [make(stream, 2)])
        second = await session.merge(stream)
        await session.commit()

    assert (first, second) == (MergeResult(1, 0, 0), MergeResult(1, 0, 0))
    assert len(await table_rows(engine, stream)) == 2


async def test_merging_with_nothing_staged_changes_nothing(
    transactions: PostgresSyncTransactions,
) -> None:
    async with transactions.begin() as session:
        await session.stage(Stream.PRICES, [])
        assert await session.merge(Stream.PRICES) == MergeResult(0, 0, 0)


async def test_text_and_numbers_are_stored_exactly(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    awkward = "tab\there\nnew line, \\back\\slash, \"quotes\", 'single', ção, 🧵, ,;|"
    color = Color("X\t1", awkward, "", at(0))
    price = Price(1, 1, 1, Decimal("1234567890123.4567"), Decimal("-0.0100"), None)
    balance = StockBalance(
        1, 1, 1, Decimal("1E+3"), Decimal("0.000001"), Decimal(0), Decimal(0), Decimal(0),
        Decimal(0), Decimal("1000.000001"), at(0),
    )  # fmt: skip

    await sync(transactions, Stream.COLORS, [color])
    await sync(transactions, Stream.PRICES, [price])
    await sync(transactions, Stream.BALANCES, [balance])

    [stored_color] = await fetch(engine, "SELECT * FROM colors")
    assert (stored_color["code"], stored_color["name"]) == ("X\t1", awkward)
    assert stored_color["additional_info"] == ""
    [prices] = await fetch(engine, "SELECT price::text, promotional_price::text FROM prices")
    assert prices == {"price": "1234567890123.4567", "promotional_price": "-0.0100"}
    [stock] = await fetch(engine, "SELECT stock, sales_order, available FROM stock_balances")
    assert stock == {
        "stock": Decimal(1000),
        "sales_order": Decimal("0.000001"),
        "available": Decimal("1000.000001"),
    }


async def test_a_promotion_that_ends_is_cleared(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    await sync(transactions, Stream.PRICES, [Price(1, 1, 1, Decimal(10), Decimal(8), at(0))])

    result = await sync(transactions, Stream.PRICES, [Price(1, 1, 1, Decimal(10), None, at(1))])

    assert result.updated == 1
    [row] = await fetch(engine, "SELECT promotional_price FROM prices")
    assert row["promotional_price"] is None


async def test_a_rescaled_number_is_not_a_change(transactions: PostgresSyncTransactions) -> None:
    await sync(transactions, Stream.PRICES, [Price(1, 1, 1, Decimal("10.5"), None, at(0))])

    result = await sync(
        transactions, Stream.PRICES, [Price(1, 1, 1, Decimal("10.50"), None, at(0))]
    )

    assert result == MergeResult(inserted=0, updated=0, unchanged=1)
