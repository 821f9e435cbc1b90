"""Storage ports of the accounts use cases. Writes become durable only on ``commit()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.accounts import ApiKey, User
from domain.documents import Email


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """A stored refresh token: only the digest of the secret, never the secret.

    Tokens descending from one login share ``family_id``. A token is used once: rotating it sets
    ``rotated_at``; revoking its family sets ``revoked_at`` on every member.
    """

    digest: str
    family_id: UUID
    user_id: UUID
    issued_at: datetime
    expires_at: datetime
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None


class UserRepository(Protocol):
    async def by_email(self, email: Email) -> User | None: ...

    async def by_id(self, user_id: UUID) -> User | None: ...

    async def add(self, user: User) -> None:
        """:raises EmailTaken: when the e-mail is in use (also when a concurrent add won)."""
        ...

    async def set_password_hash(self, user_id: UUID, password_hash: str) -> None: ...

    async def admin_exists(self) -> bool: ...


class RefreshTokenStore(Protocol):
    async def add(self, token: RefreshToken) -> None: ...

    async def by_digest(self, digest: str) -> RefreshToken | None:
        """The token, locked until commit so two uses of one token are judged one after the
        other."""
        ...

    async def mark_rotated(self, digest: str, at: datetime) -> None: ...

    async def revoke_family(self, family_id: UUID, at: datetime) -> None:
        """Set ``revoked_at`` on every member of the family not revoked yet."""
        ...


class ApiKeyRepository(Protocol):
    async def add(self, key: ApiKey) -> None: ...

    async def all(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        ...

    async def by_digest(self, digest: str) -> ApiKey | None: ...

    async def revoke(self, key_id: UUID, at: datetime) -> bool:
        """Set ``revoked_at`` unless already set; whether a key with ``key_id`` exists."""
        ...

    async def touch(self, key_id: UUID, at: datetime) -> None:
        """Record ``at`` as the key's last use."""
        ...


class UnitOfWork(Protocol):
    async def commit(self) -> None: ...
