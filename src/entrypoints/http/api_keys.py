"""API keys for service clients: created, listed and revoked by admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, delete, get, post
from litestar.params import Body, FromPath

from application.accounts.api_keys import (
    CreateApiKey,
    CreateApiKeyCommand,
    ListApiKeys,
    RevokeApiKey,
    RevokeApiKeyCommand,
)
from domain.accounts import ApiKey
from entrypoints.http.auth import admin_only
from entrypoints.http.openapi_examples import (
    admin_guard,
    bad_request,
    example,
    no_content,
    problem,
    problem_example,
    problems,
    success,
    unmatched_id,
)

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


# --- OpenAPI examples -----------------------------------------------------------------------------

_KEY_ID = "0193a5e9-2c4d-7e8f-9a0b-1c2d3e4f5a6b"
_KEY_IN = {"name": "Loja Centro storefront", "scopes": ["catalog:read", "orders:write"]}
_KEY_CREATED = {
    "id": _KEY_ID,
    "name": "Loja Centro storefront",
    "scopes": ["catalog:read", "orders:write"],
    "created_at": "2026-11-23T18:49:24.031288Z",
    "key": "pk_wGa-2xPKxO1UXdk9tlqi8c19BVYGD7uBjmO7D6ACwK8",
}
#: Litestar leaves ``null`` members out of examples: ``revoked_at`` is null on the first key.
_KEYS = [
    {
        "id": _KEY_ID,
        "name": "Loja Centro storefront",
        "scopes": ["catalog:read", "orders:write"],
        "created_at": "2026-11-23T18:49:24.031288Z",
        "last_used_at": "2026-11-24T09:12:00.500000Z",
        "revoked_at": None,
    },
    {
        "id": "0193a5ea-7b6c-7d5e-8f4a-3b2c1d0e9f8a",
        "name": "ERP customer import",
        "scopes": ["customers:write"],
        "created_at": "2026-11-20T10:00:00Z",
        "last_used_at": "2026-11-22T23:59:00Z",
        "revoked_at": "2026-11-23T08:30:00Z",
    },
]
_CREATE_INSTANCE = "/api-keys"
_REVOKE_INSTANCE = f"/api-keys/{_KEY_ID}"


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
            "Admins only. A credential for a service client (an ERP integration, a storefront "
            "backend) that sends it as `X-API-Key` instead of signing in. `name` is a label, "
            "1 to 100 characters after trimming (422 `name`). `scopes` are at least one of "
            "`catalog:read` (browse and show products), `customers:write` (the customer "
            "endpoints but delete) and `orders:write` (the order endpoints but cancelling and "
            "status changes); duplicates are dropped and the answer lists them in that order; an "
            "unknown or empty list is 400 naming `scopes`. A key never reaches admin endpoints "
            "and a request with a key is judged by the key alone. The secret (`key`, starting "
            "`pk_`) is in this response only: Ponte keeps just its SHA-256 digest, so a lost "
            "key is revoked and replaced, never shown again."
        ),
        responses={
            201: success(
                CreatedApiKeyOut,
                "The new key, its secret shown this once",
                example("A storefront key", _KEY_CREATED),
            ),
            400: bad_request(
                _CREATE_INSTANCE,
                ("Unknown scope", [("scopes", "unknown scopes: catalog:write")]),
                ("No scope", [("scopes", "an API key needs at least one scope")]),
                ("Unknown field", [("data", "Object contains unknown field `expires_at`")]),
            ),
            **admin_guard(_CREATE_INSTANCE),
            422: problem(
                422,
                "domain-validation",
                "a name has 1 to 100 characters",
                instance=_CREATE_INSTANCE,
                errors=[("name", "a name has 1 to 100 characters")],
                description="A blank or too long name",
            ),
        },
    )
    @inject
    async def create(
        self,
        data: Annotated[
            ApiKeyIn,
            Body(
                description="A label and the scopes the key grants",
                examples=[example("A storefront key", _KEY_IN)],
            ),
        ],
        create: FromDishka[CreateApiKey],
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

    @get(
        "/",
        summary="List API keys",
        description=(
            "Admins only. Every key, revoked ones too, oldest first; never a secret. "
            "`last_used_at` is when the key last authenticated a request (updated at most once "
            "a minute); `revoked_at` is set once a key is revoked, and a revoked key never "
            "authenticates again."
        ),
        responses={
            200: success(
                list[ApiKeyOut],
                "Every key",
                example("An active and a revoked key", _KEYS),
            ),
            **admin_guard(_CREATE_INSTANCE),
        },
    )
    @inject
    async def list_keys(self, list_keys: FromDishka[ListApiKeys]) -> list[ApiKeyOut]:
        return [_out(key) for key in await list_keys()]

    @delete(
        "/{key_id:uuid}",
        status_code=204,
        summary="Revoke an API key",
        description=(
            "Admins only. The key stops working at once (401 `invalid-api-key` for its next "
            "request) and stays listed with its `revoked_at`. Revoking a revoked key is 204 "
            "and keeps the first `revoked_at`. There is no un-revoke: create a new key. 404 for "
            "an id no key has."
        ),
        responses={
            204: no_content("Revoked; no body"),
            400: unmatched_id(_REVOKE_INSTANCE, "key_id", "Expected `uuid`"),
            **admin_guard(_REVOKE_INSTANCE),
            404: problems(
                "No key has this id",
                problem_example(
                    404, "not-found", f"no API key {_KEY_ID}", instance=_REVOKE_INSTANCE
                ),
            ),
        },
    )
    @inject
    async def revoke(self, key_id: FromPath[UUID], revoke: FromDishka[RevokeApiKey]) -> None:
        await revoke(RevokeApiKeyCommand(key_id=key_id))
