"""Admins create, list and revoke API keys for service clients."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from application.accounts.errors import ApiKeyNotFound
from application.accounts.ports import ApiKeySecrets
from application.accounts.storage import ApiKeyRepository, UnitOfWork
from application.clock import Clock
from domain.accounts import ApiKey, api_key_name, api_scopes


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateApiKeyCommand:
    name: str
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CreatedApiKey:
    """The new key and its secret: the only time the secret exists outside the client."""

    key: ApiKey
    secret: str


class CreateApiKey:
    def __init__(
        self, keys: ApiKeyRepository, secrets: ApiKeySecrets, uow: UnitOfWork, clock: Clock
    ) -> None:
        self._keys, self._secrets, self._uow, self._clock = keys, secrets, uow, clock

    async def __call__(self, command: CreateApiKeyCommand) -> CreatedApiKey:
        """:raises ValidationError: bad name. :raises UnknownScope: no or unknown scopes."""
        name, scopes = api_key_name(command.name), api_scopes(command.scopes)
        secret = self._secrets.new_secret()
        key = ApiKey(
            id=uuid4(),
            name=name,
            scopes=scopes,
            digest=self._secrets.digest(secret),
            created_at=self._clock.now(),
        )
        await self._keys.add(key)
        await self._uow.commit()
        return CreatedApiKey(key=key, secret=secret)


class ListApiKeys:
    def __init__(self, keys: ApiKeyRepository) -> None:
        self._keys = keys

    async def __call__(self) -> list[ApiKey]:
        return await self._keys.all()


@dataclass(frozen=True, slots=True, kw_only=True)
class RevokeApiKeyCommand:
    key_id: UUID


class RevokeApiKey:
    """Idempotent for a known key: revoking a revoked key keeps its first ``revoked_at``."""

    def __init__(self, keys: ApiKeyRepository, uow: UnitOfWork, clock: Clock) -> None:
        self._keys, self._uow, self._clock = keys, uow, clock

    async def __call__(self, command: RevokeApiKeyCommand) -> None:
        """:raises ApiKeyNotFound: no key has this id."""
        if not await self._keys.revoke(command.key_id, self._clock.now()):
            raise ApiKeyNotFound(f"no API key {command.key_id}")
        await self._uow.commit()
