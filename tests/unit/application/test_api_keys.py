"""API key use cases with hand-written fakes."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest

from application.accounts.api_keys import (
    CreateApiKey,
    CreateApiKeyCommand,
    ListApiKeys,
    RevokeApiKey,
    RevokeApiKeyCommand,
)
from application.accounts.authenticate_api_key import AuthenticateApiKey, AuthenticateApiKeyQuery
from application.accounts.errors import ApiKeyNotFound, InvalidApiKey, MissingScope
from domain.accounts import ApiKey, ApiScope, UnknownScope
from domain.errors import ValidationError
from tests.unit.application.test_accounts import NOW, FakeSecrets, FakeUnitOfWork


class MovingClock:
    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        return self.at


class FakeApiKeys:
    def __init__(self) -> None:
        self.rows: dict[UUID, ApiKey] = {}
        self.touches = 0

    async def add(self, key: ApiKey) -> None:
        self.rows[key.id] = key

    async def all(self) -> list[ApiKey]:
        return list(self.rows.values())

    async def by_digest(self, digest: str) -> ApiKey | None:
        return next((k for k in self.rows.values() if k.digest == digest), None)

    async def revoke(self, key_id: UUID, at: datetime) -> bool:
        key = self.rows.get(key_id)
        if key is not None and key.revoked_at is None:
            key.revoked_at = at
        return key is not None

    async def touch(self, key_id: UUID, at: datetime) -> None:
        self.touches += 1
        self.rows[key_id].last_used_at = at


class Keys:
    def __init__(self) -> None:
        self.keys, self.secrets = FakeApiKeys(), FakeSecrets()
        self.uow, self.clock = FakeUnitOfWork(), MovingClock()
        self.create = CreateApiKey(self.keys, self.secrets, self.uow, self.clock)
        self.list = ListApiKeys(self.keys)
        self.revoke = RevokeApiKey(self.keys, self.uow, self.clock)
        self.authenticate = AuthenticateApiKey(self.keys, self.secrets, self.uow, self.clock)


async def test_create_stores_only_the_digest_and_orders_scopes() -> None:
    k = Keys()
    created = await k.create(
        CreateApiKeyCommand(name=" shop ", scopes=("orders:write", "catalog:read", "catalog:read"))
    )
    assert created.secret == "s1"
    assert created.key.digest == "d:s1"
    assert created.key.name == "shop"
    assert created.key.scopes == (ApiScope.CATALOG_READ, ApiScope.ORDERS_WRITE)
    assert await k.list() == [created.key]
    assert k.uow.commits == 1


@pytest.mark.parametrize("scopes", [(), ("catalog:read", "catalog:write")])
async def test_unknown_or_no_scopes_are_refused_naming_the_field(scopes: tuple[str, ...]) -> None:
    k = Keys()
    with pytest.raises(UnknownScope) as caught:
        await k.create(CreateApiKeyCommand(name="shop", scopes=scopes))
    assert caught.value.field == "scopes"
    assert k.keys.rows == {}


async def test_a_blank_name_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        await Keys().create(CreateApiKeyCommand(name="  ", scopes=("catalog:read",)))
    assert caught.value.field == "name"


async def test_authenticate_checks_the_key_then_the_scope() -> None:
    k = Keys()
    created = await k.create(CreateApiKeyCommand(name="shop", scopes=("catalog:read",)))
    query = AuthenticateApiKeyQuery(secret=created.secret, scope=ApiScope.CATALOG_READ)
    assert (await k.authenticate(query)).id == created.key.id
    with pytest.raises(MissingScope):
        await k.authenticate(
            AuthenticateApiKeyQuery(secret=created.secret, scope=ApiScope.ORDERS_WRITE)
        )
    with pytest.raises(InvalidApiKey):
        await k.authenticate(AuthenticateApiKeyQuery(secret="s9", scope=ApiScope.CATALOG_READ))
    await k.revoke(RevokeApiKeyCommand(key_id=created.key.id))
    with pytest.raises(InvalidApiKey):
        await k.authenticate(query)


async def test_last_use_is_written_at_most_once_a_minute() -> None:
    k = Keys()
    created = await k.create(CreateApiKeyCommand(name="shop", scopes=("catalog:read",)))
    query = AuthenticateApiKeyQuery(secret=created.secret, scope=ApiScope.CATALOG_READ)
    await k.authenticate(query)
    k.clock.at = NOW + timedelta(seconds=30)
    await k.authenticate(query)
    assert (k.keys.touches, created.key.last_used_at) == (1, NOW)
    k.clock.at = NOW + timedelta(seconds=61)
    await k.authenticate(query)
    assert (k.keys.touches, created.key.last_used_at) == (2, k.clock.at)


async def test_revoke_keeps_the_first_revocation_and_refuses_unknown_ids() -> None:
    k = Keys()
    created = await k.create(CreateApiKeyCommand(name="shop", scopes=("catalog:read",)))
    await k.revoke(RevokeApiKeyCommand(key_id=created.key.id))
    k.clock.at = NOW + timedelta(hours=1)
    await k.revoke(RevokeApiKeyCommand(key_id=created.key.id))
    assert created.key.revoked_at == NOW
    with pytest.raises(ApiKeyNotFound):
        await k.revoke(RevokeApiKeyCommand(key_id=uuid4()))
