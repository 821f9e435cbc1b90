"""The sync transaction: cursor with the data, rollback, the stream lock."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.sync_session import PostgresSyncTransactions
from domain.sync import Cursor, Stream
from tests.integration.postgres.db import fetch, sync
from tests.integration.postgres.records import at, make

pytestmark = pytest.mark.integration


@pytest.fixture
def transactions(engine: AsyncEngine) -> PostgresSyncTransactions:
    return PostgresSyncTransactions(engine)


async def test_a_stream_never_synced_has_an_empty_cursor(
    transactions: PostgresSyncTransactions,
) -> None:
    async with transactions.begin() as session:
        assert await session.cursor(Stream.PRICES) == Cursor(Stream.PRICES, None)


async def test_the_cursor_commits_with_the_data(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    await sync(
        transactions, Stream.PRICES, [make(Stream.PRICES, 1)], cursor=Cursor(Stream.PRICES, at(1))
    )
    await sync(
        transactions, Stream.PRICES, [make(Stream.PRICES, 2)], cursor=Cursor(Stream.PRICES, at(2))
    )

    async with transactions.begin() as session:
        assert await session.cursor(Stream.PRICES) == Cursor(Stream.PRICES, at(2))
        assert await session.cursor(Stream.COSTS) == Cursor(Stream.COSTS, None)
    assert len(await fetch(engine, "SELECT * FROM prices")) == 2


async def test_leaving_without_commit_keeps_neither_data_nor_cursor(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    await sync(
        transactions, Stream.PRICES, [make(Stream.PRICES, 1)], cursor=Cursor(Stream.PRICES, at(1))
    )

    async with transactions.begin() as session:
        await session.stage(
            Stream.PRICES, [make(Stream.PRICES, 1, version=1), make(Stream.PRICES, 2)]
        )
        await session.merge(Stream.PRICES)
        await session.save_cursor(Cursor(Stream.PRICES, at(5)))

    rows = await fetch(engine, "SELECT product_code, price FROM prices")
    assert rows == [{"product_code": 1, "price": make(Stream.PRICES, 1).price}]
    async with transactions.begin() as session:
        assert await session.cursor(Stream.PRICES) == Cursor(Stream.PRICES, at(1))


async def test_an_error_rolls_the_whole_run_back(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    async def failing_run() -> None:
        async with transactions.begin() as session:
            await session.stage(Stream.COLORS, [make(Stream.COLORS, 1)])
            await session.merge(Stream.COLORS)
            await session.save_cursor(Cursor(Stream.COLORS, at(1)))
            raise RuntimeError("the source failed")

    with pytest.raises(RuntimeError):
        await failing_run()

    assert await fetch(engine, "SELECT * FROM colors") == []
    assert await fetch(engine, "SELECT * FROM sync_cursors") == []


async def test_staging_works_again_in_the_next_session(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    # Staging tables are dropped at commit; a pooled connection must create them again.
    for key in range(4):
        await sync(transactions, Stream.PRODUCTS, [make(Stream.PRODUCTS, key)])
    for key in range(2):
        async with transactions.begin() as session:
            await session.stage(Stream.PRODUCTS, [make(Stream.PRODUCTS, 10 + key)])

    assert len(await fetch(engine, "SELECT * FROM skus")) == 4


async def test_only_one_session_at_a_time_holds_a_stream(
    transactions: PostgresSyncTransactions,
) -> None:
    async with transactions.begin() as first:
        assert await first.try_lock(Stream.PRODUCTS)
        async with transactions.begin() as second:
            assert not await second.try_lock(Stream.PRODUCTS)
            assert await second.try_lock(Stream.PRICES)
        await first.commit()

    async with transactions.begin() as third:
        assert await third.try_lock(Stream.PRODUCTS)


async def test_a_rolled_back_session_releases_its_stream(
    transactions: PostgresSyncTransactions,
) -> None:
    async with transactions.begin() as first:
        assert await first.try_lock(Stream.COSTS)

    async with transactions.begin() as second:
        assert await second.try_lock(Stream.COSTS)
