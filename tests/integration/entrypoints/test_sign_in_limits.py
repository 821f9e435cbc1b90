"""Sign-in rate limits through the real app on real Redis."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from entrypoints.http.app import create_app
from entrypoints.providers import ATTEMPTS_PREFIX, make_container
from tests.integration.conftest import FastPasswords, QuickRetries, SyncEnv

pytestmark = pytest.mark.integration

USER = {"email": "carol@example.com", "password": "a long enough password"}


@pytest.fixture
async def limited(sync_env: SyncEnv) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """The real app with small limits: 3 attempts per account, 5 per client, per minute."""
    settings = dataclasses.replace(
        sync_env.settings,
        auth_rate_limit_account=3,
        auth_rate_limit_client=5,
        auth_rate_limit_window=timedelta(seconds=60),
    )
    app = create_app(make_container(settings, QuickRetries(), FastPasswords()), settings)
    async with AsyncTestClient(app=app) as client:
        yield client
    redis = Redis.from_url(settings.redis_url or "")
    try:
        keys = [key async for key in redis.scan_iter(f"{ATTEMPTS_PREFIX}*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


async def test_login_is_429_with_retry_after_past_the_account_limit(limited) -> None:  # type: ignore[no-untyped-def]
    assert (await limited.post("/auth/register", json=USER)).status_code == 201
    wrong = {**USER, "password": "not the password at all"}
    for _ in range(2):
        assert (await limited.post("/auth/login", json=wrong)).status_code == 401
    assert (await limited.post("/auth/login", json=USER)).status_code == 200

    refused = await limited.post("/auth/login", json=USER)
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["type"].endswith("/too-many-attempts")

    other = await limited.post("/auth/login", json={**USER, "email": "dan@example.com"})
    assert other.status_code == 401, "another account still has its own budget"


async def test_login_is_429_past_the_client_limit_across_accounts(limited) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        body = {"email": f"u{n}@example.com", "password": "whatever it is"}
        assert (await limited.post("/auth/login", json=body)).status_code == 401
    refused = await limited.post("/auth/login", json={**USER, "email": "u9@example.com"})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1


async def test_refresh_is_429_past_the_client_limit(limited) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        response = await limited.post("/auth/refresh-token", json={"refresh_token": "nope"})
        assert response.status_code == 401
    refused = await limited.post("/auth/refresh-token", json={"refresh_token": "nope"})
    assert refused.status_code == 429
    assert "retry-after" in refused.headers
