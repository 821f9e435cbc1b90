"""API keys for service clients: created, listed and revoked by admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody

from application.accounts.api_keys import (
    CreateApiKey,
    CreateApiKeyCommand,
    ListApiKeys,
    RevokeApiKey,
    RevokeApiKeyCommand,
)
from domain.accounts import ApiKey
from entrypoints.http.auth import admin_only

#: Bounds on the wire only; the domain judges names and scopes (unknown scope: 400 ``scopes``).
NameIn = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ScopeIn = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class ApiKeyIn(msgspec.Struct, forbid_unknown_fields=True):
    name: NameIn
    scopes: Annotated[list[ScopeIn], msgspec.Meta(max_length=16)]


class ApiKeyOut(msgspec.Struct):
    id: UUID
    name: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class CreatedApiKeyOut(msgspec.Struct):
    id: UUID
    name: str
    scopes: list[str]
    created_at: datetime
    #: The secret, shown this once; only its digest is stored.
    key: str


def _out(key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        name=key.name,
        scopes=[s.value for s in key.scopes],
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


class ApiKeysController(Controller):
    path = "/api-keys"
    tags = ["api keys"]
    guards = [admin_only]

    @post(
        "/",
        status_code=201,
        summary="Create an API key",
        description=(
            "Scopes: `catalog:read`, `customers:write`, `orders:write`. The key is in this "
            "response only; clients send it as `X-API-Key`."
        ),
    )
    @inject
    async def create(
        self, data: JSONBody[ApiKeyIn], create: FromDishka[CreateApiKey]
    ) -> CreatedApiKeyOut:
        created = await create(CreateApiKeyCommand(name=data.name, scopes=tuple(data.scopes)))
        key = created.key
        return CreatedApiKeyOut(
            id=key.id,
            name=key.name,
            scopes=[s.value for s in key.scopes],
            created_at=key.created_at,
            key=created.secret,
        )

    @get("/", summary="List API keys", description="Every key, revoked ones too; no secrets.")
    @inject
    async def list_keys(self, list_keys: FromDishka[ListApiKeys]) -> list[ApiKeyOut]:
        return [_out(key) for key in await list_keys()]

    @delete(
        "/{key_id:uuid}",
        status_code=204,
        summary="Revoke an API key",
        description="The key stops working at once. 404 for an unknown id.",
    )
    @inject
    async def revoke(self, key_id: FromPath[UUID], revoke: FromDishka[RevokeApiKey]) -> None:
        await revoke(RevokeApiKeyCommand(key_id=key_id))
