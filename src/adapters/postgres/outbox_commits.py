"""Waking the outbox's listening workers right after a transaction that queued messages commits.

The unit of work sends ``NOTIFY ponte_outbox`` on the writer's connection right after the commit,
in a transaction of its own (:func:`wake_listeners`), so a listening
worker starts delivering at once. Not from inside the writer's transaction (the statement trigger
of migration 0008, dropped by 0011): PostgreSQL then takes one database-wide lock when that
transaction commits and holds it through the commit's WAL flush, so every order's commit waited
for every other's (265 of 450 sampled active backends under ``bench api`` orders). The wake-up's
own transaction writes nothing and does not wait for its WAL flush (``synchronous_commit = off``):
the lock is held for microseconds. A wake-up is a hint: one that is lost (the connection dropped
right after the commit) delays the delivery until the worker's sweep, never loses it.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncConnection

log = logging.getLogger(__name__)

#: The channel the outbox's listeners are woken on.
CHANNEL = "ponte_outbox"

_WAKE = f"SET LOCAL synchronous_commit = off; NOTIFY {CHANNEL}"


class OutboxCommits:
    """Per request: whether its open transaction queued outbox messages, so that the unit of
    work wakes the outbox's listeners once it has committed them."""

    def __init__(self) -> None:
        self.queued = False


async def wake_listeners(connection: AsyncConnection) -> None:
    """``NOTIFY`` the outbox's listeners on ``connection``, outside any transaction (call right
    after the commit). Never raises: a lost wake-up only waits for the sweep."""
    try:
        fairy = await connection.get_raw_connection()
        driver: Any = fairy.driver_connection
        await driver.execute(_WAKE)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        log.warning("could not wake the outbox (%s); its sweep will deliver", error)
