"""Who presents an API key, and whether it may do what it asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from application.accounts.errors import InvalidApiKey, MissingScope
from application.accounts.ports import ApiKeySecrets
from application.accounts.storage import ApiKeyRepository, UnitOfWork
from application.clock import Clock
from domain.accounts import ApiKey, ApiScope

#: ``last_used_at`` is refreshed at most this often per key, so a busy client writes rarely.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthenticateApiKeyQuery:
    secret: str
    scope: ApiScope


class AuthenticateApiKey:
    def __init__(
        self, keys: ApiKeyRepository, secrets: ApiKeySecrets, uow: UnitOfWork, clock: Clock
    ) -> None:
        self._keys, self._secrets, self._uow, self._clock = keys, secrets, uow, clock

    async def __call__(self, query: AuthenticateApiKeyQuery) -> ApiKey:
        """:raises InvalidApiKey: unknown or revoked key. :raises MissingScope: valid key
        without ``scope``."""
        key = await self._keys.by_digest(self._secrets.digest(query.secret))
        if key is None or key.is_revoked:
            raise InvalidApiKey("unknown or revoked API key")
        if not key.allows(query.scope):
            raise MissingScope(f"the API key lacks the scope {query.scope}")
        now = self._clock.now()
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
            key.last_used_at = now
            await self._keys.touch(key.id, now)
            await self._uow.commit()
        return key
