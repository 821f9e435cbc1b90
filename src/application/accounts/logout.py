"""Sign out: revoke the refresh token's whole family."""

from __future__ import annotations

from dataclasses import dataclass

from application.accounts.ports import SecretHasher
from application.accounts.storage import RefreshTokenStore, UnitOfWork
from application.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class LogoutCommand:
    refresh_token: str


class Logout:
    """Idempotent: an unknown or already revoked token is not an error. Access tokens already
    issued stay valid until they expire (minutes)."""

    def __init__(
        self,
        refresh_tokens: RefreshTokenStore,
        secrets: SecretHasher,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._tokens, self._secrets, self._uow, self._clock = refresh_tokens, secrets, uow, clock

    async def __call__(self, command: LogoutCommand) -> None:
        token = await self._tokens.by_digest(self._secrets.digest(command.refresh_token))
        if token is None:
            return
        await self._tokens.revoke_family(token.family_id, self._clock.now())
        await self._uow.commit()
