"""Raw COPY into the mirror tables: the ceiling the sync's throughput is measured against."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.mirrors import MIRRORS
from adapters.postgres.raw import raw_in_transaction
from adapters.postgres.rows import picking
from domain.sync import Stream


async def raw_copy(connection: AsyncConnection, stream: Stream, records: Sequence[Any]) -> None:
    """COPY ``records`` of ``stream`` straight into its table, in ``connection``'s transaction.

    No staging, deduplication, comparison nor products: keys must be new, and the records are
    sent as asyncpg encodes them (binary, Decimals included).
    """
    mirror = MIRRORS[stream]
    raw = await raw_in_transaction(connection)
    await raw.copy_records_to_table(
        mirror.table.name,
        records=picking(mirror.record, mirror.columns)(records),
        columns=mirror.columns,
    )
