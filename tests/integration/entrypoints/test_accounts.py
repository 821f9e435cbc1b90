"""Accounts through the real app: sessions, refresh-token families, problems, JWT attacks."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from tests.integration.conftest import JWT_SECRET, bearer

pytestmark = pytest.mark.integration

USER = {"email": "Ana@Example.com", "password": "a long enough password"}


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": "ponte",
        "aud": "ponte-api",
        "sub": "x",
        "role": "admin",
        "iat": now,
        "exp": now + 600,
        "jti": "j",
    }
    return {**claims, **overrides}


async def test_register_login_me_refresh_reuse_and_logout(api) -> None:  # type: ignore[no-untyped-def]
    created = await api.post("/auth/register", json=USER)
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "ana@example.com"
    assert created.json()["role"] == "user"

    first = (await api.post("/auth/login", json=USER)).json()
    me = await api.get("/auth/me", headers={"Authorization": f"Bearer {first['access_token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == created.json()["id"]

    second = await api.post("/auth/refresh-token", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    newer = second.json()["refresh_token"]
    assert newer != first["refresh_token"]

    reused = await api.post("/auth/refresh-token", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    killed = await api.post("/auth/refresh-token", json={"refresh_token": newer})
    assert killed.status_code == 401, "reuse must revoke the whole family"

    third = (await api.post("/auth/login", json=USER)).json()
    out = await api.post("/auth/logout", json={"refresh_token": third["refresh_token"]})
    assert out.status_code == 204
    after = await api.post("/auth/refresh-token", json={"refresh_token": third["refresh_token"]})
    assert after.status_code == 401


async def test_duplicate_email_is_409_with_the_field(api) -> None:  # type: ignore[no-untyped-def]
    await api.post("/auth/register", json=USER)
    again = await api.post("/auth/register", json={**USER, "email": "ana@example.com"})
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["errors"] == [{"field": "email", "message": "already registered"}]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"email": "ana@example.com"}, 400, "password"),
        ({"email": 5, "password": "a long enough password"}, 400, "email"),
        ({**USER, "is_admin": True}, 400, "is_admin"),
        ({"email": "not-an-email", "password": "a long enough password"}, 422, "email"),
        ({"email": "ana@example.com", "password": "short"}, 422, "password"),
    ],
)
async def test_bad_registrations_are_problems_naming_the_field(api, body, status, field) -> None:  # type: ignore[no-untyped-def]
    response = await api.post("/auth/register", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert any(field in e["field"] or field in e["message"] for e in response.json()["errors"])


async def test_malformed_json_is_400_not_500(api) -> None:  # type: ignore[no-untyped-def]
    response = await api.post(
        "/auth/login", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_unknown_email_and_wrong_password_fail_alike(api) -> None:  # type: ignore[no-untyped-def]
    await api.post("/auth/register", json=USER)
    unknown = await api.post("/auth/login", json={**USER, "email": "bob@example.com"})
    wrong = await api.post("/auth/login", json={**USER, "password": "not the password at all"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"]


def _b64(part: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}.", id="alg-none"),
        pytest.param(jwt.encode(_claims(), "x" * 32 + "other", "HS256"), id="wrong-signature"),
        pytest.param(
            jwt.encode(_claims(iat=int(time.time()) - 900, exp=int(time.time()) - 60), JWT_SECRET),
            id="expired",
        ),
        pytest.param(jwt.encode(_claims(aud="someone-else"), JWT_SECRET), id="wrong-audience"),
        pytest.param("garbage", id="garbage"),
    ],
)
async def test_forged_or_stale_tokens_are_401(api, token) -> None:  # type: ignore[no-untyped-def]
    for path in ("/auth/me", "/sync/streams"):
        response = await api.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (path, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_sync_is_401_anonymous_403_for_users_200_for_admins(api, admin_headers) -> None:  # type: ignore[no-untyped-def]
    assert (await api.get("/sync/streams")).status_code == 401
    await api.post("/auth/register", json=USER)
    user = await bearer(api, USER["email"], USER["password"])
    forbidden = await api.get("/sync/streams", headers=user)
    assert forbidden.status_code == 403
    assert forbidden.json()["type"].endswith("/forbidden")
    assert (await api.get("/sync/streams", headers=admin_headers)).status_code == 200
    for public in ("/health", "/schema/openapi.json"):
        assert (await api.get(public)).status_code == 200
