"""Wake-ups of the outbox: ``LISTEN ponte_outbox`` on a connection of its own."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from adapters.postgres.outbox_commits import CHANNEL

log = logging.getLogger(__name__)


class OutboxWakeups:
    """An event set whenever a transaction that queued outbox messages commits.

    The listening connection is (re)opened by :meth:`ensure_listening`; while it is down, the
    caller's periodic sweep is the only trigger, so a lost connection delays deliveries, never
    loses them.
    """

    def __init__(self, connect: Callable[[], Awaitable[Any]]) -> None:
        self._connect = connect
        self._connection: Any = None
        self.event = asyncio.Event()

    @classmethod
    def for_dsn(cls, dsn: str) -> OutboxWakeups:
        return cls(lambda: asyncpg.connect(dsn))

    @property
    def listening(self) -> bool:
        return self._connection is not None and not self._connection.is_closed()

    async def ensure_listening(self) -> bool:
        """Listen if not already; False (logged) when the database cannot be reached."""
        if self.listening:
            return True
        await self.aclose()
        try:
            connection = await self._connect()
            await connection.add_listener(CHANNEL, self._notified)
        except (OSError, asyncpg.PostgresError) as error:
            log.warning("cannot listen for outbox messages (%s); sweeping only", error)
            return False
        self._connection = connection
        # Messages may have been committed while nobody listened.
        self.event.set()
        return True

    def _notified(self, *_: object) -> None:
        self.event.set()

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            await connection.close()
