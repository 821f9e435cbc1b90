"""Idempotency keys in ``idempotency_keys``, on the request's connection.

A key is claimed with a transaction-level advisory lock on a hash of (scope, key), so two
requests with one key never run at once, and the second (after the first committed) reads the
first one's row: the lock is taken by its own statement, and the row is read by a later one,
whose snapshot (READ COMMITTED) sees what the lock holder committed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.raw import fetchval
from adapters.postgres.tables import idempotency_keys as keys
from application.idempotency import IdempotencyKeyReused, Replay, RequestInFlight


def idempotency_lock_key(scope: str, key: str) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_xact_lock``, the same in every process
    (a collision only makes a request wait for an unrelated one: a spurious 409)."""
    text = f"ponte:idempotency:{len(scope)}:{scope}:{key}"
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class PostgresIdempotencyKeys:
    """Implements :class:`application.idempotency.IdempotencyKeys`. Nothing here commits."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def begin(self, scope: str, key: str, fingerprint: str) -> Replay | None:
        lock = idempotency_lock_key(scope, key)
        if not await fetchval(self._connection, "SELECT pg_try_advisory_xact_lock($1)", lock):
            raise RequestInFlight
        query = select(
            keys.c.fingerprint, keys.c.resource_id, keys.c.status_code, keys.c.response_body
        ).where(keys.c.scope == scope, keys.c.key == key)
        row = (await self._connection.execute(query)).first()
        if row is None:
            return None
        if row.fingerprint != fingerprint:
            raise IdempotencyKeyReused
        body = None if row.response_body is None else row.response_body.encode()
        return Replay(row.resource_id, row.status_code, body)

    async def reserve(
        self, scope: str, key: str, fingerprint: str, resource_id: UUID, at: datetime
    ) -> None:
        row = {"scope": scope, "key": key, "fingerprint": fingerprint, "resource_id": resource_id}
        statement = insert(keys).values(**row, created_at=at).on_conflict_do_nothing()
        if (await self._connection.execute(statement)).rowcount != 1:
            raise RequestInFlight

    async def complete(self, scope: str, key: str, status_code: int, body: bytes) -> None:
        await self._connection.execute(
            update(keys)
            .where(keys.c.scope == scope, keys.c.key == key, keys.c.status_code.is_(None))
            .values(status_code=status_code, response_body=body.decode())
        )

    async def purge(self, older_than: datetime) -> int:
        result = await self._connection.execute(delete(keys).where(keys.c.created_at < older_than))
        return int(result.rowcount)
