"""Every exchange with TOTVS Moda is recorded once, redacted, with its status and duration."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import astuple
from typing import Any

import msgspec
import pytest
from aioresponses import CallbackResult, aioresponses

from adapters.totvs_moda.http import Request, TotvsHttp
from application.ops.calls import OutsideCall
from application.outbox.erp import correlation_id
from application.sync.ports import SourceRejected, SourceUnavailable
from tests.unit.adapters.totvs_moda.conftest import (
    SECRETS,
    TOKEN_URL,
    Clock,
    Sleeps,
    api,
    make_settings,
    token_body,
)

ORDERS = api("sales-order/v2/b2c-orders")
ORDER = Request(
    "POST",
    "sales-order/v2/b2c-orders",
    {"orderId": "o-1", "customerCpfCnpj": "12345678901", "customerName": "Maria"},
)
ACCESS, REFRESH = "tok-SECRET-1", "ref-SECRET-1"
NEVER_LOGGED = (*SECRETS, ACCESS, REFRESH, "api-user", "12345678901", "Maria")


class Recorded:
    def __init__(self) -> None:
        self.calls: list[OutsideCall] = []

    def record(self, call: OutsideCall) -> None:
        self.calls.append(call)

    def of(self, path: str) -> list[OutsideCall]:
        return [c for c in self.calls if c.path.startswith(path)]


class Broken:
    def record(self, call: OutsideCall) -> None:
        raise RuntimeError("recorder down")


def decoded(body: bytes) -> Any:
    return msgspec.json.decode(body)


@pytest.fixture
def recorded() -> Recorded:
    return Recorded()


@pytest.fixture
async def http(sleeps: Sleeps, clock: Clock, recorded: Recorded) -> AsyncIterator[TotvsHttp]:
    client = TotvsHttp(make_settings(), sleep=sleeps, monotonic=clock, recorder=recorded)
    yield client
    await client.aclose()


@pytest.fixture(autouse=True)
def logged_in(mocked: aioresponses) -> None:
    mocked.post(TOKEN_URL, payload=token_body(ACCESS, refresh=REFRESH), repeat=True)


@pytest.fixture
def correlated() -> Iterator[str]:
    token = correlation_id.set("outbox:42")
    yield "outbox:42"
    correlation_id.reset(token)


def assert_nothing_secret(calls: list[OutsideCall]) -> None:
    for call in calls:
        for field in astuple(call):
            if isinstance(field, str):
                for secret in NEVER_LOGGED:
                    assert secret not in field, (secret, call)


async def test_a_successful_call_is_recorded_with_its_status_duration_and_correlation(
    http: TotvsHttp, mocked: aioresponses, recorded: Recorded, correlated: str
) -> None:
    def slow(url: object, **kwargs: object) -> CallbackResult:
        time.sleep(0.005)
        return CallbackResult(
            status=201, payload={"orderCode": 7, "customerName": "Maria", "cpf": "12345678901"}
        )

    mocked.post(ORDERS, callback=slow)

    started = time.perf_counter()
    assert await http.call(ORDER, decoded) == {
        "orderCode": 7,
        "customerName": "Maria",
        "cpf": "12345678901",
    }
    elapsed_ms = (time.perf_counter() - started) * 1000

    [order] = recorded.of("sales-order/")
    assert (order.connection, order.method, order.path) == (
        "totvs_moda",
        "POST",
        "sales-order/v2/b2c-orders",
    )
    assert (order.status, order.error, order.correlation_id) == (201, None, correlated)
    assert 5 <= order.duration_ms <= elapsed_ms
    assert msgspec.json.decode(order.request_body or "") == {
        "orderId": "o-1",
        "customerCpfCnpj": "***01",
        "customerName": "***",
    }
    assert msgspec.json.decode(order.response_body or "") == {
        "orderCode": 7,
        "customerName": "***",
        "cpf": "***01",
    }
    assert order.at.tzinfo is not None
    assert not order.failed


async def test_the_token_request_is_recorded_without_credentials_or_tokens(
    http: TotvsHttp, mocked: aioresponses, recorded: Recorded
) -> None:
    mocked.post(ORDERS, payload={})

    await http.call(ORDER, decoded)

    [token] = recorded.of("authorization/v2/token")
    assert (token.method, token.status, token.correlation_id) == ("POST", 200, None)
    assert token.request_body is not None
    assert "grant_type=password" in token.request_body
    assert "password=***" in token.request_body
    assert "client_secret=***" in token.request_body
    assert msgspec.json.decode(token.response_body or "")["access_token"] == "***"
    assert len(recorded.calls) == 2
    assert_nothing_secret(recorded.calls)


async def test_a_refused_call_is_recorded_with_its_status_and_answer(
    http: TotvsHttp, mocked: aioresponses, recorded: Recorded, correlated: str
) -> None:
    mocked.post(ORDERS, status=422, payload={"code": "InvalidCustomer", "message": "no CEP"})

    with pytest.raises(SourceRejected):
        await http.call(ORDER, decoded)

    [order] = recorded.of("sales-order/")
    assert (order.status, order.error, order.correlation_id) == (422, None, correlated)
    assert order.failed
    assert msgspec.json.decode(order.response_body or "") == {
        "code": "InvalidCustomer",
        "message": "no CEP",
    }
    assert_nothing_secret(recorded.calls)


async def test_each_timed_out_try_is_recorded_without_a_status(
    http: TotvsHttp, mocked: aioresponses, recorded: Recorded, correlated: str
) -> None:
    mocked.post(ORDERS, exception=TimeoutError(), repeat=True)

    with pytest.raises(SourceUnavailable):
        await http.call(ORDER, decoded)

    tries = recorded.of("sales-order/")
    assert len(tries) == 3  # max_attempts of the test settings
    for attempt in tries:
        assert (attempt.status, attempt.error, attempt.response_body) == (
            None,
            "TimeoutError",
            None,
        )
        assert attempt.correlation_id == correlated
        assert attempt.duration_ms >= 0
        assert attempt.request_body is not None
        assert "***01" in attempt.request_body
    assert_nothing_secret(recorded.calls)


async def test_the_query_is_kept_in_the_path_redacted(
    http: TotvsHttp, mocked: aioresponses, recorded: Recorded
) -> None:
    url = api("person/v2/individuals")
    mocked.get(f"{url}?cpfCnpj=12345678901", payload={"items": []})
    request = Request("GET", "person/v2/individuals", params=(("cpfCnpj", "12345678901"),))

    await http.call(request, decoded)

    [search] = recorded.of("person/")
    assert search.path == "person/v2/individuals?cpfCnpj=***01"
    assert search.request_body is None


async def test_a_failing_recorder_never_breaks_a_call(
    sleeps: Sleeps, clock: Clock, mocked: aioresponses
) -> None:
    mocked.post(ORDERS, payload={"orderCode": 7})
    client = TotvsHttp(make_settings(), sleep=sleeps, monotonic=clock, recorder=Broken())
    try:
        assert await client.call(ORDER, decoded) == {"orderCode": 7}
    finally:
        await client.aclose()
