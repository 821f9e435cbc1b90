"""The catalog's lean connection pool: reuse, queueing, the size bound and broken connections."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adapters.postgres.read_pool import ReadPool


class FakeConnection:
    def __init__(self, number: int) -> None:
        self.number = number
        self.closed = False
        self.terminated = False

    def is_closed(self) -> bool:
        return self.closed or self.terminated

    async def fetchval(self, query: str, *args: Any) -> Any:
        if query == "fail":
            raise ConnectionResetError("the server went away")
        if query == "wait":
            await args[0].wait()
        return self.number

    async def close(self) -> None:
        self.closed = True

    def terminate(self) -> None:
        self.terminated = True


class Connector:
    def __init__(self) -> None:
        self.made: list[FakeConnection] = []

    async def __call__(self) -> FakeConnection:
        self.made.append(FakeConnection(len(self.made) + 1))
        return self.made[-1]


async def test_an_idle_connection_is_reused() -> None:
    connect = Connector()
    pool = ReadPool(connect, size=3)
    assert await pool.fetchval("q") == 1
    assert await pool.fetchval("q") == 1
    assert len(connect.made) == 1


async def test_callers_beyond_the_size_wait_for_a_connection() -> None:
    connect = Connector()
    pool = ReadPool(connect, size=2)
    gate = asyncio.Event()
    busy = [asyncio.create_task(pool.fetchval("wait", gate)) for _ in range(2)]
    await asyncio.sleep(0)
    third = asyncio.create_task(pool.fetchval("q"))
    await asyncio.sleep(0)
    assert not third.done()
    assert len(connect.made) == 2

    gate.set()
    assert sorted(await asyncio.gather(*busy)) == [1, 2]
    assert await third in (1, 2)
    assert len(connect.made) == 2


async def test_a_broken_connection_is_dropped_and_replaced() -> None:
    connect = Connector()
    pool = ReadPool(connect, size=1)
    assert await pool.fetchval("q") == 1
    with pytest.raises(ConnectionError):
        await pool.fetchval("fail")
    assert connect.made[0].terminated
    assert await pool.fetchval("q") == 2


async def test_a_connection_closed_while_idle_is_never_handed_out() -> None:
    connect = Connector()
    pool = ReadPool(connect, size=1)
    assert await pool.fetchval("q") == 1
    connect.made[0].closed = True  # e.g. the server restarted
    assert await pool.fetchval("q") == 2


async def test_a_waiter_gets_the_slot_of_a_dropped_connection() -> None:
    connect = Connector()
    pool = ReadPool(connect, size=1)
    gate = asyncio.Event()

    class Doomed(FakeConnection):
        async def fetchval(self, query: str, *args: Any) -> Any:
            await gate.wait()
            raise ConnectionResetError("the server went away")

    async def doomed() -> Doomed:
        connect.made.append(Doomed(1))
        return connect.made[-1]  # type: ignore[return-value]

    pool._connect = doomed
    failing = asyncio.create_task(pool.fetchval("q"))
    await asyncio.sleep(0)
    pool._connect = connect
    waiting = asyncio.create_task(pool.fetchval("q"))
    await asyncio.sleep(0)
    assert not waiting.done()

    gate.set()
    with pytest.raises(ConnectionError):
        await failing
    assert await waiting == 2  # a fresh connection in the freed slot
    assert len(connect.made) == 2


async def test_close_closes_idle_connections_and_refuses_new_callers() -> None:
    connect = Connector()
    pool = ReadPool(connect, size=2)
    await pool.fetchval("q")
    await pool.close()
    assert connect.made[0].closed
    with pytest.raises(RuntimeError, match="closed"):
        await pool.fetchval("q")


def test_the_size_is_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ReadPool(Connector(), size=0)


async def test_a_freed_slot_handed_to_a_cancelled_waiter_is_passed_on() -> None:
    connect = Connector()
    pool = ReadPool(connect, size=1)
    broken = await pool._acquire()
    leaving = asyncio.create_task(pool.fetchval("q"))
    await asyncio.sleep(0)  # now waiting for the only slot

    await pool._discard(broken)  # the slot goes to the waiter...
    leaving.cancel()  # ...which goes away before it can use it
    with pytest.raises(asyncio.CancelledError):
        await leaving

    assert None not in pool._idle
    assert pool._opened == 0
    assert await asyncio.wait_for(pool.fetchval("q"), 1) == 2


async def test_a_broken_protocol_state_is_a_lost_connection_but_a_refused_statement_is_not() -> (
    None
):
    from asyncpg import exceptions as asyncpg_errors  # type: ignore[import-untyped]

    class Confused(FakeConnection):
        async def fetchval(self, query: str, *args: Any) -> Any:
            if query == "refused":
                raise asyncpg_errors.UndefinedTableError("no such table")
            raise asyncpg_errors.InternalClientError("cannot switch to state 12")

    made: list[Confused] = []

    async def connect() -> Confused:
        made.append(Confused(len(made) + 1))
        return made[-1]

    pool = ReadPool(connect, size=1)
    with pytest.raises(asyncpg_errors.UndefinedTableError):
        await pool.fetchval("refused")
    assert not made[0].terminated  # the server refused a statement: the connection is fine
    with pytest.raises(ConnectionError, match="connection lost"):
        await pool.fetchval("q")
    assert made[0].terminated
