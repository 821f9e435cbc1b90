"""The slice of asyncpg's connection the hot path uses (asyncpg ships no type information)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, cast

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


class RawConnection(Protocol):
    async def execute(self, query: str, *args: Any) -> str: ...

    async def fetch(self, query: str, *args: Any) -> list[Mapping[str, Any]]: ...

    async def fetchrow(self, query: str, *args: Any) -> Mapping[str, Any] | None: ...

    async def fetchval(self, query: str, *args: Any) -> Any: ...

    async def copy_records_to_table(
        self,
        table_name: str,
        *,
        records: Iterable[Sequence[Any]],
        columns: Sequence[str] | None = None,
    ) -> str: ...


async def raw_in_transaction(connection: AsyncConnection, *statements: str) -> RawConnection:
    """The asyncpg connection under ``connection``, inside ``connection``'s transaction.

    SQLAlchemy's asyncpg adapter sends BEGIN lazily, with the first statement it executes; this
    runs ``statements`` (or an empty SELECT) through SQLAlchemy first, so the raw calls that follow
    belong to the transaction instead of autocommitting one by one.
    """
    for statement in statements or ("SELECT",):
        await connection.execute(text(statement))
    fairy = await connection.get_raw_connection()
    return cast("RawConnection", fairy.driver_connection)
