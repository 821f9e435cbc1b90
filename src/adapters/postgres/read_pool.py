"""A lean set of asyncpg connections for the catalog's hot read queries.

``asyncpg.Pool`` costs about 130 µs of CPU per acquire/release on this kind of machine (timeouts,
a release coroutine, state resets) — more than the query it wraps (measured: a primary-key fetch
takes 170 µs on a bare connection and 300 µs through the pool). The catalog's reads are
single read-only statements that leave no session state, so they need none of that: this hands
out idle connections from a deque, queues callers when all are busy, opens connections lazily up
to ``size``, and drops a connection that fails so the next caller opens a fresh one.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from asyncpg import exceptions as asyncpg_errors  # type: ignore[import-untyped]

#: Errors that mean the connection itself failed (closed by the server, broken protocol state),
#: as opposed to a statement the server refused: they surface as ConnectionError (a 503 in the
#: API), and the connection is dropped.
_LOST = (
    asyncpg_errors.ConnectionDoesNotExistError,
    asyncpg_errors.InterfaceError,
    asyncpg_errors.InternalClientError,
    OSError,
)

Connect = Callable[[], Awaitable[Any]]


class ReadPool:
    def __init__(self, connect: Connect, size: int) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self._connect = connect
        self._size = size
        self._opened = 0
        self._idle: collections.deque[Any] = collections.deque()
        self._waiters: collections.deque[asyncio.Future[Any]] = collections.deque()
        self._closed = False

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Any]:
        connection = await self._acquire()
        try:
            yield connection
        except BaseException as error:
            # Only a statement the server refused leaves the connection in a known state;
            # anything else (a lost connection, a cancelled query) and it is not reused.
            if not isinstance(error, asyncpg_errors.PostgresError):
                await self._discard(connection)
                connection = None
            if isinstance(error, _LOST):
                raise ConnectionError(f"database connection lost: {error!r}") from error
            raise
        finally:
            if connection is not None:
                self._release(connection)

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        async with self.connection() as connection:
            return await connection.fetch(query, *args)  # type: ignore[no-any-return]

    async def fetchrow(self, query: str, *args: Any) -> Any:
        async with self.connection() as connection:
            return await connection.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        async with self.connection() as connection:
            return await connection.fetchval(query, *args)

    async def close(self) -> None:
        self._closed = True
        while self._idle:
            await self._idle.popleft().close()
        for waiter in self._waiters:
            waiter.cancel()

    async def _acquire(self) -> Any:
        if self._closed:
            raise RuntimeError("the read pool is closed")
        while self._idle:
            connection = self._idle.popleft()
            if not connection.is_closed():
                return connection
            self._opened -= 1  # the server closed it while idle (a restart, a timeout)
        if self._opened < self._size:
            self._opened += 1
            try:
                return await self._connect()
            except BaseException:
                self._opened -= 1
                raise
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            connection = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                handed = waiter.result()  # handed over just as we were cancelled: pass it on
                if handed is None:
                    self._free_slot()
                else:
                    self._release(handed)
            raise
        if connection is None:  # a slot freed by a discarded connection: open a new one
            try:
                return await self._connect()
            except BaseException:
                self._opened -= 1
                raise
        return connection

    def _release(self, connection: Any) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        if self._closed:
            asyncio.get_running_loop().create_task(connection.close())
        else:
            self._idle.append(connection)

    async def _discard(self, connection: Any) -> None:
        connection.terminate()
        self._free_slot()

    def _free_slot(self) -> None:
        """A connection is gone: its slot goes to a waiter (which opens a new one), or is freed."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the waiter opens the replacement
                return
        self._opened -= 1
