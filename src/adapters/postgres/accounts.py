"""Users and refresh tokens on one request-scoped connection; nothing is durable before
``commit()``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import exists, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.outbox_commits import OutboxCommits, wake_listeners
from adapters.postgres.tables import refresh_tokens, users
from application.accounts.errors import EmailTaken
from application.accounts.storage import RefreshToken
from domain.accounts import Role, User
from domain.documents import Email


def _user(row: RowMapping) -> User:
    return User(
        id=row["id"],
        email=Email(row["email"]),
        role=Role(row["role"]),
        password_hash=row["password_hash"],
        created_at=row["created_at"],
    )


class PostgresUserRepository:
    """Implements :class:`application.accounts.storage.UserRepository`."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def by_email(self, email: Email) -> User | None:
        result = await self._connection.execute(select(users).where(users.c.email == email.address))
        row = result.mappings().first()
        return _user(row) if row else None

    async def by_id(self, user_id: UUID) -> User | None:
        result = await self._connection.execute(select(users).where(users.c.id == user_id))
        row = result.mappings().first()
        return _user(row) if row else None

    async def add(self, user: User) -> None:
        values = {
            "id": user.id,
            "email": user.email.address,
            "role": user.role.value,
            "password_hash": user.password_hash,
            "created_at": user.created_at,
        }
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(insert(users).values(**values))
        except IntegrityError as e:
            raise EmailTaken(f"{user.email} is already registered") from e

    async def set_password_hash(self, user_id: UUID, password_hash: str) -> None:
        await self._connection.execute(
            update(users).where(users.c.id == user_id).values(password_hash=password_hash)
        )

    async def admin_exists(self) -> bool:
        query = select(exists().where(users.c.role == Role.ADMIN.value))
        return bool((await self._connection.execute(query)).scalar_one())


class PostgresRefreshTokenStore:
    """Implements :class:`application.accounts.storage.RefreshTokenStore`."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, token: RefreshToken) -> None:
        await self._connection.execute(
            insert(refresh_tokens).values(
                digest=token.digest,
                family_id=token.family_id,
                user_id=token.user_id,
                issued_at=token.issued_at,
                expires_at=token.expires_at,
                rotated_at=token.rotated_at,
                revoked_at=token.revoked_at,
            )
        )

    async def by_digest(self, digest: str) -> RefreshToken | None:
        query = select(refresh_tokens).where(refresh_tokens.c.digest == digest).with_for_update()
        row = (await self._connection.execute(query)).mappings().first()
        return RefreshToken(**row) if row else None

    async def mark_rotated(self, digest: str, at: datetime) -> None:
        await self._connection.execute(
            update(refresh_tokens).where(refresh_tokens.c.digest == digest).values(rotated_at=at)
        )

    async def revoke_family(self, family_id: UUID, at: datetime) -> None:
        await self._connection.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )


class PostgresUnitOfWork:
    """Implements :class:`application.accounts.storage.UnitOfWork` on the request's connection.

    When the transaction queued outbox messages (``outbox_commits``), the outbox's listeners are
    woken right after the commit (see :mod:`adapters.postgres.outbox_commits`).
    """

    def __init__(
        self, connection: AsyncConnection, outbox_commits: OutboxCommits | None = None
    ) -> None:
        self._connection = connection
        self._outbox_commits = outbox_commits

    async def commit(self) -> None:
        await self._connection.commit()
        commits = self._outbox_commits
        if commits is not None and commits.queued:
            commits.queued = False
            await wake_listeners(self._connection)
