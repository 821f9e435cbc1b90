"""Token handling: password grant, cache, refresh grant with fallback, single flight, 401."""

from __future__ import annotations

import asyncio
import traceback
from typing import Any

import pytest
from aioresponses import CallbackResult, aioresponses
from yarl import URL

from adapters.totvs_moda.http import Request, TotvsHttp
from application.sync.ports import SourceRejected
from tests.unit.adapters.totvs_moda.conftest import (
    SECRETS,
    TOKEN_URL,
    Clock,
    Sleeps,
    api,
    make_settings,
    token_body,
)

GRID = api("product/v2/grid")
PING = Request("GET", "product/v2/grid")


def ok(body: bytes) -> bytes:
    return body


def token_forms(mocked: aioresponses) -> list[dict[str, str]]:
    return [call.kwargs["data"] for call in mocked.requests.get(("POST", URL(TOKEN_URL)), [])]


def bearers(mocked: aioresponses) -> list[str]:
    return [c.kwargs["headers"]["Authorization"] for c in mocked.requests[("GET", URL(GRID))]]


async def test_password_grant_is_a_form_and_the_token_is_reused(
    http: TotvsHttp, mocked: aioresponses
) -> None:
    mocked.post(TOKEN_URL, payload=token_body("tok-1"))
    mocked.get(GRID, body=b"{}", repeat=True)

    await http.call(PING, ok)
    await http.call(PING, ok)

    forms = token_forms(mocked)
    assert len(forms) == 1
    assert forms[0]["grant_type"] == "password"
    assert forms[0]["username"] == "api-user"
    assert "branch" not in forms[0]
    assert bearers(mocked) == ["Bearer tok-1", "Bearer tok-1"]


async def test_token_is_renewed_with_refresh_grant_a_minute_before_expiry(
    http: TotvsHttp, mocked: aioresponses, clock: Clock
) -> None:
    mocked.post(TOKEN_URL, payload=token_body("tok-1", expires_in=600, refresh="ref-1"))
    mocked.post(TOKEN_URL, payload=token_body("tok-2", refresh="ref-2"))
    mocked.get(GRID, body=b"{}", repeat=True)

    await http.call(PING, ok)
    clock.now += 539
    await http.call(PING, ok)
    clock.now += 2  # 541 s: inside the 60 s margin
    await http.call(PING, ok)

    assert token_forms(mocked)[1] == {"grant_type": "refresh_token", "refresh_token": "ref-1"}
    assert bearers(mocked) == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


async def test_missing_expires_in_means_one_hour(
    http: TotvsHttp, mocked: aioresponses, clock: Clock
) -> None:
    mocked.post(TOKEN_URL, payload=token_body("tok-1", expires_in=None))
    mocked.post(TOKEN_URL, payload=token_body("tok-2"))
    mocked.get(GRID, body=b"{}", repeat=True)

    await http.call(PING, ok)
    clock.now += 3539
    await http.call(PING, ok)
    clock.now += 2
    await http.call(PING, ok)

    assert bearers(mocked) == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


async def test_refused_refresh_falls_back_to_password_login(
    http: TotvsHttp, mocked: aioresponses, clock: Clock
) -> None:
    mocked.post(TOKEN_URL, payload=token_body("tok-1", expires_in=100))
    mocked.post(TOKEN_URL, status=400, payload={"error": "invalid_grant"})
    mocked.post(TOKEN_URL, payload=token_body("tok-3"))
    mocked.get(GRID, body=b"{}", repeat=True)

    await http.call(PING, ok)
    clock.now += 100
    await http.call(PING, ok)

    grants = [form["grant_type"] for form in token_forms(mocked)]
    assert grants == ["password", "refresh_token", "password"]
    assert bearers(mocked)[-1] == "Bearer tok-3"


async def test_concurrent_callers_share_one_token_request(
    http: TotvsHttp, mocked: aioresponses
) -> None:
    async def slow_token(url: Any, **kwargs: Any) -> CallbackResult:
        await asyncio.sleep(0.01)
        return CallbackResult(payload=token_body("tok-1"))

    mocked.post(TOKEN_URL, callback=slow_token, repeat=True)
    mocked.get(GRID, body=b"{}", repeat=True)

    await asyncio.gather(*(http.call(PING, ok) for _ in range(8)))

    assert len(token_forms(mocked)) == 1
    assert bearers(mocked) == ["Bearer tok-1"] * 8


async def test_401_drops_the_token_reauthenticates_and_retries_once(
    http: TotvsHttp, mocked: aioresponses
) -> None:
    mocked.post(TOKEN_URL, payload=token_body("tok-1"))
    mocked.post(TOKEN_URL, payload=token_body("tok-2"))
    mocked.get(GRID, status=401)
    mocked.get(GRID, body=b'{"items": []}')

    assert await http.call(PING, ok) == b'{"items": []}'
    assert bearers(mocked) == ["Bearer tok-1", "Bearer tok-2"]


async def test_a_second_401_is_final(http: TotvsHttp, mocked: aioresponses) -> None:
    mocked.post(TOKEN_URL, payload=token_body("tok-1"), repeat=True)
    mocked.get(GRID, status=401, repeat=True)

    with pytest.raises(SourceRejected) as caught:
        await http.call(PING, ok)

    assert caught.value.status == 401
    assert len(bearers(mocked)) == 2


async def test_branch_is_sent_when_configured(mocked: aioresponses) -> None:
    client = TotvsHttp(make_settings(branch=7))
    mocked.post(TOKEN_URL, payload=token_body())
    mocked.get(GRID, body=b"{}")
    try:
        await client.call(PING, ok)
    finally:
        await client.aclose()
    assert token_forms(mocked)[0]["branch"] == "7"


async def test_refused_login_is_a_rejection(http: TotvsHttp, mocked: aioresponses) -> None:
    mocked.post(TOKEN_URL, status=401, payload={"error": "invalid_client"})

    with pytest.raises(SourceRejected) as caught:
        await http.call(PING, ok)

    assert (caught.value.status, caught.value.code) == (401, "invalid_client")


async def test_login_errors_never_carry_credentials(mocked: aioresponses, sleeps: Sleeps) -> None:
    mocked.post(
        TOKEN_URL,
        status=400,
        payload={"error": "invalid_grant", "error_description": "bad password pw-S3CRET"},
        repeat=True,
    )
    client = TotvsHttp(make_settings(), sleep=sleeps)
    try:
        with pytest.raises(SourceRejected) as caught:
            await client.call(PING, ok)
    finally:
        await client.aclose()

    assert caught.value.code == "invalid_grant"
    said = "".join(traceback.format_exception(caught.value)) + repr(caught.value)
    for secret in SECRETS:
        assert secret not in said
