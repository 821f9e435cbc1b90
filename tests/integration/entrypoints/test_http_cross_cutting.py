"""Behaviour across the whole API, through the real app: security headers, CORS, the body limit,
request ids, the access log, the docs and Sentry's opt-in."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.http import asgi
from entrypoints.http.app import create_app
from entrypoints.logs import RequestIdFilter
from entrypoints.providers import make_container
from entrypoints.settings import load_settings
from tests.integration.conftest import (
    JWT_SECRET,
    FastPasswords,
    QuickRetries,
    SyncEnv,
    ponte_environment,
)

pytestmark = pytest.mark.integration

SHOP = "https://shop.example.com"
LIMIT = 1024
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-resource-policy": "same-origin",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
}


@pytest.fixture
async def edge(sync_env: SyncEnv) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """The real app configured from the environment with a CORS origin and a 1 KiB body limit."""
    env = ponte_environment(
        sync_env.settings.database_url or "", sync_env.settings.redis_url or "", sync_env.sandbox
    )
    settings = load_settings({**env, "CORS_ORIGINS": f"{SHOP}/", "MAX_BODY_BYTES": str(LIMIT)})
    app = create_app(make_container(settings, QuickRetries(), FastPasswords()), settings)
    async with AsyncTestClient(app=app) as client:
        yield client


def assert_security_headers(response: Any) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name


# --- security headers -------------------------------------------------------------------------


async def test_security_headers_on_a_success(edge) -> None:  # type: ignore[no-untyped-def]
    response = await edge.get("/health")

    assert response.status_code == 200
    assert_security_headers(response)


async def test_security_headers_on_an_unknown_route(edge) -> None:  # type: ignore[no-untyped-def]
    response = await edge.get("/no/such/route")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert_security_headers(response)


async def test_security_headers_on_problem_responses(edge) -> None:  # type: ignore[no-untyped-def]
    unauthenticated = await edge.get("/auth/me")
    malformed = await edge.post("/auth/login", json={"email": 3, "nope": True})

    assert unauthenticated.status_code == 401
    assert malformed.status_code == 400
    for response in (unauthenticated, malformed):
        assert response.headers["content-type"].startswith("application/problem+json")
        assert_security_headers(response)


async def test_the_docs_still_render_with_a_relaxed_csp(edge) -> None:  # type: ignore[no-untyped-def]
    scalar = await edge.get("/schema")
    swagger = await edge.get("/schema/swagger")
    spec = await edge.get("/schema/openapi.json")

    for page in (scalar, swagger):
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert "<script" in scalar.text
    assert "swagger-ui" in swagger.text
    assert spec.status_code == 200
    assert "/health" in spec.json()["paths"]


# --- CORS -------------------------------------------------------------------------------------


async def test_preflight_from_an_allowed_origin(edge) -> None:  # type: ignore[no-untyped-def]
    response = await edge.options(
        "/auth/login",
        headers={
            "Origin": SHOP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-api-key, idempotency-key",
        },
    )

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == SHOP
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert {"authorization", "content-type", "x-api-key", "idempotency-key"} <= allowed
    assert "access-control-allow-credentials" not in response.headers
    assert response.headers["x-request-id"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_preflight_from_another_origin_is_refused(edge) -> None:  # type: ignore[no-untyped-def]
    response = await edge.options(
        "/auth/login",
        headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"},
    )

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_preflight_asking_for_an_unlisted_header_is_refused(edge) -> None:  # type: ignore[no-untyped-def]
    response = await edge.options(
        "/auth/login",
        headers={
            "Origin": SHOP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-something-else",
        },
    )

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_an_allowed_origin_may_read_the_exposed_headers(edge) -> None:  # type: ignore[no-untyped-def]
    response = await edge.get("/health", headers={"Origin": SHOP})

    assert response.headers["access-control-allow-origin"] == SHOP
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert exposed == {"etag", "x-request-id", "location", "retry-after"}


async def test_cors_is_off_when_no_origin_is_configured(api) -> None:  # type: ignore[no-untyped-def]
    preflight = await api.options(
        "/auth/login", headers={"Origin": SHOP, "Access-Control-Request-Method": "POST"}
    )
    simple = await api.get("/health", headers={"Origin": SHOP})

    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in simple.headers


# --- body limit -------------------------------------------------------------------------------


def login_body(size: int) -> bytes:
    """A well-formed login of exactly ``size`` bytes (padded with JSON whitespace)."""
    body = json.dumps({"email": "nobody@example.com", "password": "not the password"}).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


async def test_a_body_over_the_limit_is_413(edge) -> None:  # type: ignore[no-untyped-def]
    response = await edge.post(
        "/auth/login", content=login_body(LIMIT + 1), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/payload-too-large")
    assert str(LIMIT) in problem["detail"]
    assert_security_headers(response)


async def test_a_body_at_the_limit_is_read(edge) -> None:  # type: ignore[no-untyped-def]
    response = await edge.post(
        "/auth/login", content=login_body(LIMIT), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 401, response.text
    assert response.json()["type"].endswith("/invalid-credentials")


async def test_a_body_without_content_length_is_counted_as_it_streams(edge) -> None:  # type: ignore[no-untyped-def]
    request = edge.build_request(
        "POST",
        "/auth/login",
        content=login_body(4 * LIMIT),
        headers={"Content-Type": "application/json"},
    )
    del request.headers["Content-Length"]

    response = await edge.send(request)

    assert response.status_code == 413
    assert response.json()["type"].endswith("/payload-too-large")


async def test_the_default_limit_is_one_mebibyte(api) -> None:  # type: ignore[no-untyped-def]
    response = await api.post(
        "/auth/login",
        content=login_body(1_048_576 + 1),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413


# --- request ids and the access log -----------------------------------------------------------


async def test_a_sane_request_id_is_echoed(edge) -> None:  # type: ignore[no-untyped-def]
    response = await edge.get("/health", headers={"X-Request-ID": "shop-7f3a.1_b"})

    assert response.headers["x-request-id"] == "shop-7f3a.1_b"


@pytest.mark.parametrize("incoming", [None, "x" * 129, "has spaces", 'quote"d'])
async def test_a_missing_or_insane_request_id_is_replaced(edge, incoming) -> None:  # type: ignore[no-untyped-def]
    headers = {"X-Request-ID": incoming} if incoming is not None else {}

    first = await edge.get("/no/such/route", headers=headers)
    second = await edge.get("/no/such/route", headers=headers)

    generated = first.headers["x-request-id"]
    assert generated != incoming
    assert len(generated) == 32
    assert int(generated, 16) >= 0
    assert second.headers["x-request-id"] != generated


async def test_a_problem_body_quotes_the_request_id(edge) -> None:  # type: ignore[no-untyped-def]
    response = await edge.get("/no/such/route", headers={"X-Request-ID": "support-42"})

    assert response.status_code == 404
    assert response.json()["request_id"] == "support-42"


async def test_one_access_line_per_request_with_its_request_id(edge, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="ponte.access")

    response = await edge.get(
        "/auth/me?token=secret",
        headers={"User-Agent": "storefront/2.1", "Authorization": "Bearer not-a-token"},
    )

    assert response.status_code == 401
    lines = [r for r in caplog.records if r.name == "ponte.access"]
    assert len(lines) == 1
    fields = vars(lines[0])
    assert fields["request_id"] == response.headers["x-request-id"]
    assert (fields["method"], fields["path"], fields["status"]) == ("GET", "/auth/me", 401)
    assert fields["user_agent"] == "storefront/2.1"
    assert fields["client"] == "testclient"
    assert fields["bytes"] == len(response.content)
    assert fields["duration_ms"] > 0
    assert "secret" not in lines[0].getMessage()
    assert "not-a-token" not in lines[0].getMessage()


async def test_log_lines_written_while_serving_carry_the_request_id(edge, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.handler.addFilter(RequestIdFilter())  # what configure_logging puts on its handler
    caplog.set_level(logging.INFO)

    response = await edge.get("/auth/me", headers={"X-Request-ID": "trace-me"})

    assert response.status_code == 401
    handler_line = next(r for r in caplog.records if r.getMessage().startswith("unauthenticated"))
    assert vars(handler_line)["request_id"] == "trace-me"


async def test_building_the_app_leaves_the_logging_setup_alone(sync_env: SyncEnv) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    create_app(make_container(sync_env.settings), sync_env.settings)

    assert (root.handlers, root.level) == (handlers, level), "logging is set up in one place"


# --- the ASGI factory: logging format, Sentry, proxy headers ------------------------------------


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, sync_env: SyncEnv) -> list[tuple[str, str]]:
    """`ponte api`'s environment; returns the (level, format) each logging setup was given."""
    for name in ("SENTRY_DSN", "LOG_FORMAT", "LOG_LEVEL", "CORS_ORIGINS", "MAX_BODY_BYTES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", sync_env.settings.database_url or "")
    monkeypatch.setenv("REDIS_URL", sync_env.settings.redis_url or "")
    monkeypatch.setenv("JWT_SECRET", JWT_SECRET)
    setups: list[tuple[str, str]] = []
    # The real setup would replace pytest's own log capture for the rest of the session.
    monkeypatch.setattr(asgi, "configure_logging", lambda *args: setups.append(args))
    return setups


async def test_the_factory_configures_json_logs_and_no_sentry_by_default(
    environment: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # any import of it now fails

    app = asgi.app_from_environment()

    assert environment == [("INFO", "json")]
    async with AsyncTestClient(app=app) as client:
        response = await client.get("/health")
    assert response.status_code == 200
    assert response.headers["x-frame-options"] == "DENY"


async def test_the_factory_initialises_sentry_when_a_dsn_is_set(
    environment: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sentry_sdk

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: calls.append(options))
    monkeypatch.setenv("SENTRY_DSN", "https://public@sentry.example.com/1")
    monkeypatch.setenv("LOG_FORMAT", "text")

    asgi.app_from_environment()

    assert environment == [("INFO", "text")]
    [options] = calls
    assert options["dsn"] == "https://public@sentry.example.com/1"
    assert options["send_default_pii"] is False


async def test_the_factory_believes_forwarded_headers_only_from_trusted_proxies(
    environment: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test client's peer is ``testclient``: trusted when listed, ignored otherwise."""
    seen: list[object] = []

    async def peer(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["client"])

    for allowed, expected in (
        ("testclient", ("203.0.113.9", 0)),
        ("10.0.0.1", ("testclient", 50000)),
    ):
        monkeypatch.setenv("FORWARDED_ALLOW_IPS", allowed)
        monkeypatch.setattr(asgi, "create_app", lambda *args: peer)
        app = asgi.app_from_environment()
        scope = {
            "type": "http",
            "client": ("testclient", 50000),
            "headers": [(b"x-forwarded-for", b"203.0.113.9")],
            "scheme": "http",
        }
        await app(scope, None, None)  # type: ignore[arg-type]
        assert seen.pop() == expected
