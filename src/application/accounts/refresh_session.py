"""Trade a refresh token for a new session; every token is good for one use."""

from __future__ import annotations

from dataclasses import dataclass

from application.accounts.attempts import SignInThrottle
from application.accounts.errors import InvalidRefreshToken
from application.accounts.ports import SecretHasher
from application.accounts.sessions import Session, SessionIssuer
from application.accounts.storage import RefreshTokenStore, UnitOfWork, UserRepository
from application.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshSessionCommand:
    refresh_token: str
    #: The caller's address, for per-client throttling; None when there is none.
    client: str | None = None


class RefreshSession:
    """Rotation with reuse detection: presenting a token that was already rotated means it leaked
    (or a client raced itself), so the whole family is revoked and its newest token dies too."""

    def __init__(
        self,
        users: UserRepository,
        refresh_tokens: RefreshTokenStore,
        secrets: SecretHasher,
        sessions: SessionIssuer,
        uow: UnitOfWork,
        clock: Clock,
        throttle: SignInThrottle,
    ) -> None:
        self._users, self._tokens, self._secrets = users, refresh_tokens, secrets
        self._sessions, self._uow, self._clock = sessions, uow, clock
        self._throttle = throttle

    async def __call__(self, command: RefreshSessionCommand) -> Session:
        """:raises TooManyAttempts: throttled.
        :raises InvalidRefreshToken: unknown, expired, revoked or reused token."""
        await self._throttle.refresh(client=command.client)
        now = self._clock.now()
        token = await self._tokens.by_digest(self._secrets.digest(command.refresh_token))
        if token is None or token.revoked_at is not None:
            raise InvalidRefreshToken("unknown or revoked refresh token")
        if token.rotated_at is not None:
            await self._tokens.revoke_family(token.family_id, now)
            await self._uow.commit()
            raise InvalidRefreshToken("refresh token reused; the session is revoked")
        if token.expires_at <= now:
            raise InvalidRefreshToken("refresh token expired")
        user = await self._users.by_id(token.user_id)
        if user is None:
            raise InvalidRefreshToken("the user no longer exists")
        await self._tokens.mark_rotated(token.digest, now)
        session = await self._sessions.issue(user, now=now, family_id=token.family_id)
        await self._uow.commit()
        return session
