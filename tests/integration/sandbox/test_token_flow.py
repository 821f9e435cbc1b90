"""The token endpoint and bearer checks over real HTTP."""

from __future__ import annotations

from typing import Any

import aiohttp

from sandbox.totvs_moda import RunningSandbox
from tests.integration.sandbox.conftest import LOGIN, PRODUCTS, Api
from tests.unit.sandbox.clock import FakeClock

SEARCH = {"option": {"branchInfoCode": 1}, "pageSize": 5}


async def token(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, form: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{sandbox.api_url}/authorization/v2/token", data=form) as response:
        return response.status, await response.json()


async def test_the_password_grant_takes_swagger_cased_fields(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    form = {
        "Grant_type": "password",
        "Client_id": "ponte",
        "Client_secret": "ponte-secret",
        "Username": "ponte",
        "Password": "ponte",
        "Branch": "",
        "Mfa_totvs": "",
    }
    status, body = await token(http, sandbox, form)
    assert status == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86400
    assert body["access_token"]
    assert body["refresh_token"]


async def test_bad_credentials_get_an_oauth_error(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    status, body = await token(http, sandbox, {**LOGIN, "password": "nope"})
    assert status in (400, 401)
    assert body["error"] == "invalid_grant"
    assert body["error_description"]


async def test_a_json_body_is_not_a_token_request(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    async with http.post(f"{sandbox.api_url}/authorization/v2/token", json=LOGIN) as response:
        assert response.status == 400
        assert (await response.json())["error"] == "invalid_request"


async def test_calls_without_a_valid_bearer_get_401(api: Api) -> None:
    api.token = None
    assert (await api.post(PRODUCTS, SEARCH))[0] == 401
    api.token = "made-up"
    assert (await api.post(PRODUCTS, SEARCH))[0] == 401


async def test_a_refreshed_token_works_and_the_old_refresh_token_does_not(
    sandbox: RunningSandbox, http: aiohttp.ClientSession, api: Api
) -> None:
    _, issued = await token(http, sandbox, LOGIN)
    refresh = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    status, refreshed = await token(http, sandbox, refresh)
    assert status == 200
    api.token = refreshed["access_token"]
    assert (await api.post(PRODUCTS, SEARCH))[0] == 200
    assert (await token(http, sandbox, refresh))[0] == 400


async def test_an_expired_token_gets_401(api: Api, clock: FakeClock) -> None:
    assert (await api.post(PRODUCTS, SEARCH))[0] == 200
    clock.advance(86_400)
    assert (await api.post(PRODUCTS, SEARCH))[0] == 401
    await api.login()
    assert (await api.post(PRODUCTS, SEARCH))[0] == 200


async def test_revoked_tokens_get_401_mid_pagination(
    sandbox: RunningSandbox, http: aiohttp.ClientSession, api: Api
) -> None:
    assert (await api.post(PRODUCTS, {**SEARCH, "page": 1}))[0] == 200
    async with http.post(f"{sandbox.url}/_sandbox/tokens/revoke") as response:
        assert (await response.json())["revoked"] >= 1
    assert (await api.post(PRODUCTS, {**SEARCH, "page": 2}))[0] == 401
    await api.login()
    assert (await api.post(PRODUCTS, {**SEARCH, "page": 2}))[0] == 200


async def test_an_undecodable_form_is_a_400(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    async with http.post(
        f"{sandbox.api_url}/authorization/v2/token",
        data=b"grant_type=password&client_id=\xff",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ) as response:
        assert response.status == 400
        assert (await response.json())["error"] == "invalid_request"
