"""The slice of asyncpg's connection the hot path uses (asyncpg ships no type information)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, cast

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


class RawConnection(Protocol):
    async def execute(self, query: str, *args: Any) -> str: ...

    async def fetch(self, query: str, *args: Any) -> list[Mapping[str, Any]]: ...

    async def fetchrow(self, query: str, *args: Any) -> Mapping[str, Any] | None: ...

    async def fetchval(self, query: str, *args: Any) -> Any: ...

    def transaction(self) -> AbstractAsyncContextManager[Any]:
        """A transaction, or a savepoint inside the current one."""
        ...

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


class _Driver(RawConnection, Protocol):
    def is_in_transaction(self) -> bool: ...


async def raw_transaction(connection: AsyncConnection) -> RawConnection:
    """The asyncpg connection under ``connection``, inside ``connection``'s transaction.

    The order hot path talks to asyncpg directly (SQLAlchemy's per-statement cost is about
    twice asyncpg's here). When the connection is not in a transaction yet, an empty SELECT
    through SQLAlchemy begins one, so raw statements never autocommit one by one and
    ``commit()`` on ``connection`` ends them; after it, the next call begins a new one.
    """
    fairy = await connection.get_raw_connection()
    driver = cast("_Driver", fairy.driver_connection)
    if driver.is_in_transaction():
        return driver
    return await raw_in_transaction(connection)


async def fetchval(connection: AsyncConnection, sql: str, *args: Any) -> Any:
    """The first value of ``sql``'s first row, inside ``connection``'s transaction. A statement
    that begins the transaction goes through SQLAlchemy (which sends BEGIN first), saving
    :func:`raw_transaction` its empty SELECT; later ones go straight to asyncpg."""
    fairy = await connection.get_raw_connection()
    driver = cast("_Driver", fairy.driver_connection)
    if driver.is_in_transaction():
        return await driver.fetchval(sql, *args)
    return (await connection.exec_driver_sql(sql, args)).scalar()
