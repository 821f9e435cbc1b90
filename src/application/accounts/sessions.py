"""A signed-in session: a short-lived access token and a refresh token to renew it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from application.accounts.ports import AccessTokens, IssuedToken, SecretHasher
from application.accounts.storage import RefreshToken, RefreshTokenStore
from domain.accounts import User


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    refresh_lifetime: timedelta


@dataclass(frozen=True, slots=True)
class Session:
    access: IssuedToken
    issued_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


class SessionIssuer:
    """Issues the tokens of a session. The refresh secret is handed out once and stored only as
    its digest; the caller commits."""

    def __init__(
        self,
        access_tokens: AccessTokens,
        secrets: SecretHasher,
        refresh_tokens: RefreshTokenStore,
        policy: SessionPolicy,
    ) -> None:
        self._access = access_tokens
        self._secrets = secrets
        self._refresh = refresh_tokens
        self._policy = policy

    async def issue(self, user: User, *, now: datetime, family_id: UUID | None = None) -> Session:
        """A new session for ``user``; ``family_id`` continues a family, ``None`` starts one."""
        secret = self._secrets.new_secret()
        expires_at = now + self._policy.refresh_lifetime
        await self._refresh.add(
            RefreshToken(
                digest=self._secrets.digest(secret),
                family_id=family_id or uuid4(),
                user_id=user.id,
                issued_at=now,
                expires_at=expires_at,
            )
        )
        access = self._access.issue(str(user.id), user.role.value, now=now)
        return Session(
            access=access, issued_at=now, refresh_token=secret, refresh_expires_at=expires_at
        )
