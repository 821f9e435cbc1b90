"""The edge middleware, the log formatting and Sentry's opt-in, without a server or a database."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from typing import Any

import pytest

from entrypoints import logs
from entrypoints.http import problems
from entrypoints.http.middleware import EdgeMiddleware, accepted_request_id, cors_config
from entrypoints.logs import JsonFormatter, RequestIdFilter, configure_logging, make_formatter
from entrypoints.observability import init_sentry, tag_request_id
from entrypoints.settings import HttpSettings, Secret

Headers = list[tuple[bytes, bytes]]


def scope(path: str = "/things", headers: Headers | None = None) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode() + b"?token=secret",
        "query_string": b"token=secret",
        "headers": headers or [],
        "client": ("203.0.113.9", 51234),
    }


class Recorder:
    """An ASGI app answering 200 ``hello``; remembers the request id it saw while serving."""

    def __init__(self, headers: Headers | None = None, fail: bool = False) -> None:
        self.headers = headers or [(b"content-type", b"text/plain")]
        self.fail = fail
        self.seen_request_id: str | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.seen_request_id = logs.request_id.get()
        logging.getLogger("ponte.test").warning("inside the request")
        if self.fail:
            raise RuntimeError("boom")
        await send({"type": "http.response.start", "status": 200, "headers": self.headers})
        await send({"type": "http.response.body", "body": b"hel", "more_body": True})
        await send({"type": "http.response.body", "body": b"lo"})


async def serve(app: Any, request: dict[str, Any]) -> dict[str, str]:
    """Response headers (lowercase names) of ``request`` through the edge middleware."""
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await EdgeMiddleware(app, docs_path="/schema")(request, receive, send)  # type: ignore[arg-type]
    start = messages[0]
    assert start["type"] == "http.response.start"
    return {name.decode(): value.decode() for name, value in start["headers"]}


async def test_security_headers_and_a_strict_csp_on_api_responses() -> None:
    headers = await serve(Recorder(), scope("/catalog/products"))

    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cross-origin-resource-policy"] == "same-origin"
    assert headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
    assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert headers["content-type"] == "text/plain"


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger", "/schema/openapi.json"])
async def test_docs_pages_may_load_scripts_but_not_be_framed(path: str) -> None:
    headers = await serve(Recorder(), scope(path))

    assert headers["content-security-policy"] == "frame-ancestors 'none'"
    assert headers["x-frame-options"] == "DENY"


async def test_a_path_merely_starting_with_schema_is_an_api_path() -> None:
    headers = await serve(Recorder(), scope("/schemas"))

    assert headers["content-security-policy"].startswith("default-src 'none'")


async def test_a_header_the_handler_set_is_kept() -> None:
    app = Recorder(headers=[(b"cross-origin-resource-policy", b"cross-origin")])

    headers = await serve(app, scope())

    assert headers["cross-origin-resource-policy"] == "cross-origin"


async def test_a_sane_incoming_request_id_is_kept_and_visible_while_serving() -> None:
    app = Recorder()
    incoming = "Req-1.2_3"

    headers = await serve(app, scope(headers=[(b"x-request-id", incoming.encode())]))

    assert headers["x-request-id"] == incoming
    assert app.seen_request_id == incoming
    assert logs.request_id.get() is None, "the id does not leak past the request"


@pytest.mark.parametrize(
    "incoming",
    [b"", b"has space", b"new\nline", b"semi;colon", b"x" * 129, "ção".encode()],
)
def test_an_insane_request_id_is_replaced_by_a_fresh_one(incoming: bytes) -> None:
    fresh = accepted_request_id(incoming)

    assert fresh != incoming.decode("utf-8", "replace")
    assert len(fresh) == 32
    assert int(fresh, 16) >= 0


def test_ids_up_to_128_characters_are_kept() -> None:
    assert accepted_request_id(b"a" * 128) == "a" * 128
    assert accepted_request_id(None) != accepted_request_id(None)


async def test_a_request_without_an_id_gets_a_generated_one() -> None:
    app = Recorder()

    headers = await serve(app, scope())

    assert len(headers["x-request-id"]) == 32
    assert app.seen_request_id == headers["x-request-id"]


async def test_one_access_line_per_request_without_the_query_string(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="ponte.access")
    headers = [(b"user-agent", b"storefront/1.0"), (b"authorization", b"Bearer sekret")]

    response = await serve(Recorder(), scope("/catalog/products", headers))

    [line] = [r for r in caplog.records if r.name == "ponte.access"]
    fields = vars(line)
    assert fields["method"] == "GET"
    assert fields["path"] == "/catalog/products"
    assert fields["status"] == 200
    assert fields["bytes"] == 5
    assert fields["client"] == "203.0.113.9"
    assert fields["user_agent"] == "storefront/1.0"
    assert fields["request_id"] == response["x-request-id"]
    assert fields["duration_ms"] >= 0
    message = line.getMessage()
    assert message.startswith("GET /catalog/products 200 ")
    assert "secret" not in message
    assert "sekret" not in message


async def test_a_failing_app_is_logged_as_500_and_the_error_propagates(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="ponte.access")

    with pytest.raises(RuntimeError):
        await serve(Recorder(fail=True), scope())

    [line] = [r for r in caplog.records if r.name == "ponte.access"]
    assert vars(line)["status"] == 500
    assert logs.request_id.get() is None


async def test_lifespan_and_other_scopes_pass_through_untouched() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    await EdgeMiddleware(app, docs_path="/schema")({"type": "lifespan"}, None, None)  # type: ignore[arg-type]

    assert seen == ["lifespan"]


# --- log lines --------------------------------------------------------------------------------


def record(message: str = "hello %s", *args: object, **extra: object) -> logging.LogRecord:
    entry = logging.LogRecord("ponte.test", logging.INFO, __file__, 1, message, args, None)
    entry.__dict__.update(extra)
    return entry


def test_the_filter_stamps_the_current_request_id() -> None:
    token = logs.request_id.set("abc123")
    try:
        entry = record()
        assert RequestIdFilter().filter(entry)
    finally:
        logs.request_id.reset(token)

    assert vars(entry)["request_id"] == "abc123"


def test_outside_a_request_there_is_no_id() -> None:
    entry = record()
    RequestIdFilter().filter(entry)

    assert "request_id" not in vars(entry)
    assert make_formatter("text").format(entry).endswith("ponte.test [-] hello %s")


def test_json_lines_carry_the_message_extra_fields_and_request_id() -> None:
    entry = record("GET %s", "/health", status=200, request_id="r1", client=None)

    line = json.loads(JsonFormatter().format(entry))

    assert line["message"] == "GET /health"
    assert (line["level"], line["logger"]) == ("INFO", "ponte.test")
    assert (line["status"], line["request_id"], line["client"]) == (200, "r1", None)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["ts"])
    assert "args" not in line
    assert "msg" not in line


def test_json_lines_hold_tracebacks_on_one_line() -> None:
    try:
        raise ValueError("bad")
    except ValueError:
        entry = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    text = JsonFormatter().format(entry)

    assert "\n" not in text
    assert "ValueError: bad" in json.loads(text)["exc"]


def test_configure_logging_writes_json_lines_with_the_request_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    try:
        configure_logging("INFO", "json")
        token = logs.request_id.set("req-42")
        try:
            logging.getLogger("ponte.test").info("inside %s", "a request")
        finally:
            logs.request_id.reset(token)
        logging.getLogger("ponte.test").debug("below the level")
    finally:
        logs._stop_writer()  # writes out what is queued
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)

    [line] = [json.loads(text) for text in stderr.getvalue().splitlines()]
    assert line["message"] == "inside a request"
    assert line["request_id"] == "req-42"


# --- CORS and Sentry --------------------------------------------------------------------------


def test_no_cors_without_origins() -> None:
    assert cors_config(HttpSettings()) is None


def test_cors_allows_the_listed_origins_and_api_headers() -> None:
    config = cors_config(HttpSettings(cors_origins=("https://shop.example.com",)))

    assert config is not None
    assert config.is_origin_allowed("https://shop.example.com")
    assert not config.is_origin_allowed("https://evil.example.com")
    assert {"authorization", "x-api-key", "idempotency-key", "if-none-match"} <= set(
        config.allow_headers
    )
    assert set(config.expose_headers) == {"ETag", "X-Request-ID", "Location", "Retry-After"}
    assert config.allow_credentials is False


def test_sentry_is_never_imported_without_a_dsn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # any import of it now fails

    assert init_sentry(HttpSettings()) is False


def test_sentry_is_initialised_without_personal_data_when_a_dsn_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sentry_sdk
    import sentry_sdk.integrations.logging as sentry_logging

    calls: list[dict[str, Any]] = []
    ignored: list[str] = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: calls.append(options))
    monkeypatch.setattr(sentry_logging, "ignore_logger", ignored.append)
    dsn = "https://public@sentry.example.com/1"

    assert init_sentry(HttpSettings(sentry_dsn=Secret(dsn))) is True

    [options] = calls
    assert options["dsn"] == dsn
    assert options["send_default_pii"] is False
    assert options["max_request_body_size"] == "never"
    assert options["include_local_variables"] is False
    assert options["before_send"] is tag_request_id
    assert ignored == [problems.log.name], "unhandled errors are reported once, not twice"


def test_sentry_events_are_tagged_with_the_request_id() -> None:
    token = logs.request_id.set("req-7")
    try:
        event = tag_request_id({"tags": {"a": "b"}}, {})
    finally:
        logs.request_id.reset(token)

    assert event["tags"] == {"a": "b", "request_id": "req-7"}
    assert tag_request_id({}, {}) == {}
