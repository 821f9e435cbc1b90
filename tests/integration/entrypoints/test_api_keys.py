"""API keys through the real app: admin management and the ``require_scope`` guard."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import get
from litestar.testing import AsyncTestClient

from domain.accounts import ApiScope
from entrypoints.http.app import create_app
from entrypoints.http.auth import require_scope
from entrypoints.providers import make_container
from tests.integration.conftest import FastPasswords, QuickRetries, SyncEnv, bearer

pytestmark = pytest.mark.integration

USER = {"email": "bob@example.com", "password": "a long enough password"}


@get("/test-only/catalog", guards=[require_scope(ApiScope.CATALOG_READ)], sync_to_thread=False)
def catalog_probe() -> dict[str, bool]:
    return {"ok": True}


@pytest.fixture
async def scoped(sync_env: SyncEnv) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """The real app plus one test-only route behind ``require_scope("catalog:read")``."""
    app = create_app(
        make_container(sync_env.settings, QuickRetries(), FastPasswords()), sync_env.settings
    )
    app.register(catalog_probe)
    async with AsyncTestClient(app=app) as client:
        yield client


async def _create(api, admin_headers, scopes: list[str]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    response = await api.post(
        "/api-keys", json={"name": "storefront", "scopes": scopes}, headers=admin_headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_admins_create_and_list_keys_and_the_secret_is_shown_once(  # type: ignore[no-untyped-def]
    api, admin_headers, sync_env
) -> None:
    created = await _create(api, admin_headers, ["orders:write", "catalog:read"])
    secret = created["key"]
    assert isinstance(secret, str)
    assert secret.startswith("pk_")
    assert created["scopes"] == ["catalog:read", "orders:write"]
    assert {"id", "name", "created_at"} <= created.keys()

    listed = await api.get("/api-keys", headers=admin_headers)
    assert listed.status_code == 200
    [row] = listed.json()
    assert row["id"] == created["id"]
    assert "key" not in row
    assert secret not in listed.text
    stored = await sync_env.conn.fetchval("SELECT digest FROM api_keys")
    assert stored != secret
    assert secret not in stored


async def test_plain_users_and_strangers_cannot_manage_keys(api, admin_headers) -> None:  # type: ignore[no-untyped-def]
    await api.post("/auth/register", json=USER)
    user = await bearer(api, USER["email"], USER["password"])
    body = {"name": "x", "scopes": ["catalog:read"]}
    assert (await api.post("/api-keys", json=body, headers=user)).status_code == 403
    assert (await api.get("/api-keys", headers=user)).status_code == 403
    assert (await api.post("/api-keys", json=body)).status_code == 401


async def test_an_unknown_scope_is_400_naming_the_field(api, admin_headers) -> None:  # type: ignore[no-untyped-def]
    response = await api.post(
        "/api-keys", json={"name": "x", "scopes": ["catalog:write"]}, headers=admin_headers
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["scopes"]


async def test_the_guard_takes_a_scoped_key_or_any_signed_in_user(  # type: ignore[no-untyped-def]
    api, scoped, admin_headers
) -> None:
    reader = (await _create(api, admin_headers, ["catalog:read"]))["key"]
    writer = (await _create(api, admin_headers, ["orders:write"]))["key"]
    await api.post("/auth/register", json=USER)
    user = await bearer(api, USER["email"], USER["password"])

    ok = await scoped.get("/test-only/catalog", headers={"X-API-Key": reader})
    assert ok.status_code == 200, ok.text
    assert (await scoped.get("/test-only/catalog", headers=user)).status_code == 200

    wrong = await scoped.get("/test-only/catalog", headers={"X-API-Key": writer})
    assert wrong.status_code == 403
    assert wrong.json()["type"].endswith("/insufficient-scope")
    unknown = await scoped.get("/test-only/catalog", headers={"X-API-Key": "pk_nope"})
    assert unknown.status_code == 401
    assert (await scoped.get("/test-only/catalog")).status_code == 401


async def test_a_revoked_key_is_401_and_use_is_recorded(  # type: ignore[no-untyped-def]
    api, scoped, admin_headers
) -> None:
    created = await _create(api, admin_headers, ["catalog:read"])
    headers = {"X-API-Key": str(created["key"])}
    assert (await scoped.get("/test-only/catalog", headers=headers)).status_code == 200
    [row] = (await api.get("/api-keys", headers=admin_headers)).json()
    assert row["last_used_at"] is not None

    revoked = await api.delete(f"/api-keys/{created['id']}", headers=admin_headers)
    assert revoked.status_code == 204
    assert (await scoped.get("/test-only/catalog", headers=headers)).status_code == 401
    [row] = (await api.get("/api-keys", headers=admin_headers)).json()
    assert row["revoked_at"] is not None
    missing = await api.delete(
        "/api-keys/00000000-0000-0000-0000-000000000000", headers=admin_headers
    )
    assert missing.status_code == 404
