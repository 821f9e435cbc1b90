"""Retries on transient failures, no retry on business errors, and no secrets in errors."""

from __future__ import annotations

import traceback

import aiohttp
import msgspec
import pytest
from aioresponses import aioresponses
from yarl import URL

from adapters.totvs_moda.http import MalformedBody, Request, TotvsHttp
from application.sync.ports import SourceError, SourceRejected, SourceUnavailable
from tests.unit.adapters.totvs_moda.conftest import (
    SECRETS,
    TOKEN_URL,
    Sleeps,
    api,
    make_settings,
    token_body,
)

SEARCH = api("product/v2/products/search")
REQUEST = Request("POST", "product/v2/products/search", {"page": 1})


def as_json(body: bytes) -> object:
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError as error:
        raise MalformedBody("not JSON") from error


def searches(mocked: aioresponses) -> int:
    return len(mocked.requests.get(("POST", URL(SEARCH)), []))


@pytest.fixture(autouse=True)
def logged_in(mocked: aioresponses) -> None:
    mocked.post(TOKEN_URL, payload=token_body("tok-SECRET-1", refresh="ref-SECRET-1"), repeat=True)


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500},
        {"status": 503, "body": "<html>down</html>"},
        {"status": 408},
        {"exception": aiohttp.ClientConnectionError("reset by peer")},
        {"exception": TimeoutError()},
        {"exception": aiohttp.ClientPayloadError("truncated")},
        {"status": 200, "body": "<html>maintenance</html>"},
        {"status": 200, "body": '{"items": [{"a": 1}'},
    ],
)
async def test_transient_failures_are_retried(
    http: TotvsHttp, mocked: aioresponses, sleeps: Sleeps, failure: dict[str, object]
) -> None:
    mocked.post(SEARCH, **failure)
    mocked.post(SEARCH, payload={"items": []})

    assert await http.call(REQUEST, as_json) == {"items": []}
    assert searches(mocked) == 2
    assert sleeps.calls == [0.0]


@pytest.mark.parametrize(("header", "wait"), [("3", 3.0), ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0)])
async def test_429_waits_as_long_as_retry_after_says(
    http: TotvsHttp, mocked: aioresponses, sleeps: Sleeps, header: str, wait: float
) -> None:
    mocked.post(SEARCH, status=429, headers={"Retry-After": header})
    mocked.post(SEARCH, payload={"items": []})

    await http.call(REQUEST, as_json)

    assert sleeps.calls == [wait]


async def test_gives_up_after_the_retry_budget(
    http: TotvsHttp, mocked: aioresponses, sleeps: Sleeps
) -> None:
    mocked.post(SEARCH, status=502, repeat=True)

    with pytest.raises(SourceUnavailable) as caught:
        await http.call(REQUEST, as_json)

    assert searches(mocked) == 3  # max_attempts in the test settings
    assert len(sleeps.calls) == 2
    assert caught.value.status == 502
    assert "3 tries" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (b'{"code":"NotFound","message":"PriceCode 9 not found"}', "NotFound", "PriceCode 9"),
        (b'[{"code":"RepeatedValue","message":"repeated"}]', "RepeatedValue", "repeated"),
        (
            b'{"messages":[{"code":"parameterValueField","message":"off"}]}',
            "parameterValueField",
            "off",
        ),
    ],
)
async def test_400_is_rejected_at_once_with_the_upstream_code_and_message(
    http: TotvsHttp, mocked: aioresponses, sleeps: Sleeps, body: bytes, code: str, message: str
) -> None:
    mocked.post(SEARCH, status=400, body=body, repeat=True)

    with pytest.raises(SourceRejected) as caught:
        await http.call(REQUEST, as_json)

    assert searches(mocked) == 1
    assert sleeps.calls == []
    assert (caught.value.status, caught.value.code) == (400, code)
    assert message in str(caught.value)
    assert "products/search" in str(caught.value)


@pytest.mark.parametrize("status", [404, 405, 422])
async def test_other_4xx_are_not_retried(
    http: TotvsHttp, mocked: aioresponses, status: int
) -> None:
    mocked.post(SEARCH, status=status, repeat=True)

    with pytest.raises(SourceRejected):
        await http.call(REQUEST, as_json)

    assert searches(mocked) == 1


async def test_headers_carry_bearer_api_key_and_json_content_type(
    http: TotvsHttp, mocked: aioresponses
) -> None:
    mocked.post(SEARCH, payload={})

    await http.call(REQUEST, as_json)

    call = mocked.requests[("POST", URL(SEARCH))][0]
    headers = call.kwargs["headers"]
    assert headers["Authorization"] == "Bearer tok-SECRET-1"
    assert headers["x-api-key"] == SECRETS[3]
    assert headers["Content-Type"] == "application/json"
    assert msgspec.json.decode(call.kwargs["data"]) == {"page": 1}


def everything_said_about(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)) + repr(error) + repr(error.args)


ECHOES_EVERYTHING = (
    b'{"code":"X","message":"bad Bearer tok-SECRET-1 (refresh ref-SECRET-1),'
    b' you sent cid-S3CRET, pw-S3CRET, csecret-S3CRET and apikey-S3CRET"}'
)


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 400, "body": ECHOES_EVERYTHING},
        {"status": 401, "body": ECHOES_EVERYTHING},
        {"status": 500, "body": ECHOES_EVERYTHING},
        {"exception": aiohttp.ClientConnectionError("refused")},
    ],
)
async def test_errors_never_carry_credentials_or_tokens(
    http: TotvsHttp, mocked: aioresponses, failure: dict[str, object]
) -> None:
    mocked.post(SEARCH, repeat=True, **failure)

    with pytest.raises(SourceError) as caught:
        await http.call(REQUEST, as_json)

    said = everything_said_about(caught.value)
    for secret in (*SECRETS, "tok-SECRET-1", "ref-SECRET-1"):
        assert secret not in said


async def test_an_upstream_code_echoing_a_token_is_redacted_too(
    http: TotvsHttp, mocked: aioresponses
) -> None:
    mocked.post(SEARCH, status=400, body=b'{"code":"tok-SECRET-1","message":"no"}')

    with pytest.raises(SourceRejected) as caught:
        await http.call(REQUEST, as_json)

    assert caught.value.code == "***"


@pytest.mark.parametrize(
    ("overrides", "echoed"),
    [
        ({"client_id": "ponte", "client_secret": "ponte-secret"}, "ponte-secret"),
        ({"client_secret": "ponte-secret", "password": "ponte"}, "ponte-secret"),
        ({"password": "tok-SECRET"}, "tok-SECRET-1"),  # a secret inside the live token
    ],
)
async def test_a_secret_inside_a_longer_one_does_not_leak_the_rest(
    mocked: aioresponses, sleeps: Sleeps, overrides: dict[str, str], echoed: str
) -> None:
    mocked.post(SEARCH, status=400, body=b'{"code":"X","message":"got ' + echoed.encode() + b'!"}')
    http = TotvsHttp(make_settings(**overrides), sleep=sleeps)
    try:
        with pytest.raises(SourceRejected) as caught:
            await http.call(REQUEST, as_json)
    finally:
        await http.aclose()

    assert str(caught.value).endswith("X: got ***!")
