"""Waking the outbox's listeners once transactions that queued messages have committed.

A ``NOTIFY`` inside the writer's own transaction (the statement trigger of migration 0008, which
this replaces) makes PostgreSQL take one database-wide lock when that transaction commits and
hold it through the commit's WAL flush: every order's commit queued behind every other's
(sampled during ``bench api`` orders: 265 of 450 active backends waited on it). Instead the
writer's request, once committed, asks :class:`OutboxWaker` for a wake-up; wake-ups asked for
within ``delay`` share one ``NOTIFY``, sent on a connection of the waker's own with
``synchronous_commit = off``, in a transaction of its own that writes nothing else.

A wake-up is a hint: one that is lost (a crash, the database unreachable) delays a delivery until
the worker's sweep (``OUTBOX_SWEEP_SECONDS``), never loses it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from adapters.postgres.outbox import CHANNEL

log = logging.getLogger(__name__)

#: Wake-ups asked for within this many seconds share one NOTIFY.
DELAY = 0.002
_NOTIFY = f"NOTIFY {CHANNEL}"
_SETTINGS = {"synchronous_commit": "off"}


class OutboxWaker:
    """Coalesces wake-ups of the outbox's listeners into few ``NOTIFY`` s. Close with
    :meth:`aclose`, which sends a wake-up still pending."""

    def __init__(self, connect: Callable[[], Awaitable[Any]], *, delay: float = DELAY) -> None:
        self._connect = connect
        self._delay = delay
        self._connection: Any = None
        self._lock = asyncio.Lock()
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def for_dsn(cls, dsn: str) -> OutboxWaker:
        return cls(lambda: asyncpg.connect(dsn, server_settings=_SETTINGS))

    def wake(self) -> None:
        """Ask for a wake-up (call only after the messages' transaction committed)."""
        if self._scheduled:
            return
        self._scheduled = True
        task = asyncio.get_running_loop().create_task(self._send())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self) -> None:
        try:
            await asyncio.sleep(self._delay)
        finally:
            # From here on a new request schedules another NOTIFY: none is ever missed.
            self._scheduled = False
        async with self._lock:
            try:
                if self._connection is None or self._connection.is_closed():
                    self._connection = await self._connect()
                await self._connection.execute(_NOTIFY)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("could not wake the outbox (%s); its sweep will", error)
                await self._drop()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            try:
                await connection.close(timeout=2)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                connection.terminate()

    async def aclose(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        async with self._lock:
            await self._drop()
