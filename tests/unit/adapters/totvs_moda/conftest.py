"""Shared pieces of the TOTVS Moda adapter tests: settings with fake secrets, zero-wait retries,
an ``aioresponses`` mock and wire-body builders."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import msgspec
import pytest
from aioresponses import aioresponses
from aioresponses import core as aioresponses_core

from adapters.totvs_moda import RetryPolicy, TotvsModaCatalogSource, TotvsModaSettings
from adapters.totvs_moda.http import TotvsHttp

BASE = "http://erp.test"
TOKEN_URL = f"{BASE}/api/totvsmoda/authorization/v2/token"
SECRETS = ("cid-S3CRET", "csecret-S3CRET", "pw-S3CRET", "apikey-S3CRET")


def api(path: str) -> str:
    return f"{BASE}/api/totvsmoda/{path}"


def make_settings(**overrides: Any) -> TotvsModaSettings:
    values: dict[str, Any] = {
        "base_url": BASE,
        "client_id": SECRETS[0],
        "client_secret": SECRETS[1],
        "username": "api-user",
        "password": SECRETS[2],
        "api_key": SECRETS[3],
        "retry": RetryPolicy(max_attempts=3, base=0.0, jitter=0.0, rng=random.Random(1)),
    }
    values.update(overrides)
    return TotvsModaSettings(**values)


def token_body(
    access: str = "tok-1", expires_in: float | None = 86400, refresh: str = "ref-1"
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "access_token": access,
        "token_type": "Bearer",
        "refresh_token": refresh,
    }
    if expires_in is not None:
        body["expires_in"] = expires_in
    return body


def envelope(
    items: list[Any],
    *,
    page_total: int = 1,
    has_next: bool = False,
    total_items: int | None = None,
) -> dict[str, Any]:
    return {
        "count": len(items),
        "totalPages": page_total,
        "hasNext": has_next,
        "totalItems": len(items) if total_items is None else total_items,
        "items": items,
    }


def sent_json(call: Any) -> Any:
    """The JSON body of a recorded aioresponses call."""
    return msgspec.json.decode(call.kwargs["data"])


class Sleeps:
    """A ``sleep`` that waits for nothing and remembers what it was asked."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class _Written:
    output_size = 0


class _MockResponse(aiohttp.ClientResponse):
    """aioresponses 0.7.9 predates aiohttp 3.14's required ``stream_writer``; supply one."""

    def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", _Written())
        super().__init__(method, url, **kwargs)


@pytest.fixture
def mocked(monkeypatch: pytest.MonkeyPatch) -> Iterator[aioresponses]:
    monkeypatch.setattr(aioresponses_core, "ClientResponse", _MockResponse)
    with aioresponses() as m:
        yield m


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def http(sleeps: Sleeps, clock: Clock) -> AsyncIterator[TotvsHttp]:
    client = TotvsHttp(make_settings(), sleep=sleeps, monotonic=clock)
    yield client
    await client.aclose()


@pytest.fixture
async def source(sleeps: Sleeps) -> AsyncIterator[TotvsModaCatalogSource]:
    async with TotvsModaCatalogSource(make_settings(), sleep=sleeps) as src:
        yield src
