"""The raw COPY the sync benchmark compares against."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.bulk import raw_copy
from domain.sync import Stream
from tests.integration.postgres.db import key_of, mirrored, table_rows
from tests.integration.postgres.records import make

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("stream", list(Stream), ids=str)
async def test_raw_copy_writes_records_straight_into_the_table(
    stream: Stream, engine: AsyncEngine
) -> None:
    records = [make(stream, key) for key in range(3)]

    async with engine.begin() as connection:
        await raw_copy(connection, stream, records[:2])
        await raw_copy(connection, stream, records[2:])

    rows = await table_rows(engine, stream)
    assert len(rows) == 3
    assert all(mirrored(stream, r, rows[key_of(stream, r)]) for r in records)


async def test_raw_copy_is_part_of_the_connection_s_transaction(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.begin()
        await raw_copy(connection, Stream.PRICES, [make(Stream.PRICES, 1)])
        await connection.rollback()

    assert await table_rows(engine, Stream.PRICES) == {}
