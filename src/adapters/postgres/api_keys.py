"""API keys on the request's connection; nothing is durable before ``commit()``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import api_keys
from domain.accounts import ApiKey, ApiScope


def _key(row: RowMapping) -> ApiKey:
    return ApiKey(
        id=row["id"],
        name=row["name"],
        scopes=tuple(ApiScope(s) for s in row["scopes"]),
        digest=row["digest"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )


class PostgresApiKeyRepository:
    """Implements :class:`application.accounts.storage.ApiKeyRepository`."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, key: ApiKey) -> None:
        await self._connection.execute(
            insert(api_keys).values(
                id=key.id,
                name=key.name,
                digest=key.digest,
                scopes=[s.value for s in key.scopes],
                created_at=key.created_at,
                last_used_at=key.last_used_at,
                revoked_at=key.revoked_at,
            )
        )

    async def all(self) -> list[ApiKey]:
        query = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id)
        return [_key(row) for row in (await self._connection.execute(query)).mappings()]

    async def by_digest(self, digest: str) -> ApiKey | None:
        query = select(api_keys).where(api_keys.c.digest == digest)
        row = (await self._connection.execute(query)).mappings().first()
        return _key(row) if row else None

    async def revoke(self, key_id: UUID, at: datetime) -> bool:
        await self._connection.execute(
            update(api_keys)
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        query = select(api_keys.c.id).where(api_keys.c.id == key_id)
        return (await self._connection.execute(query)).first() is not None

    async def touch(self, key_id: UUID, at: datetime) -> None:
        await self._connection.execute(
            update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=at)
        )
