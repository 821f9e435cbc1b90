"""Cross-cutting HTTP behaviour: request ids, security headers, access log, CORS, body limit.

:class:`EdgeMiddleware` is a pure ASGI middleware wrapped around the whole app (outside routing,
CORS and the exception handlers), so it also sees 404s, 405s, CORS preflights and every problem
response. It runs on every request: header lists are built once, each request scans its headers
once and the access line is only built when ``ponte.access`` is enabled for INFO.

Rules:

- **Request id**: an incoming ``X-Request-ID`` of 1–128 characters of ``[A-Za-z0-9._-]`` is kept,
  anything else is replaced by a fresh uuid4 hex. It is echoed on every response and stamped on
  every log line written while the request is served (:data:`entrypoints.logs.request_id`).
- **Security headers** on every response, unless the handler set that header itself:
  ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``, ``Referrer-Policy:
  no-referrer``, ``Strict-Transport-Security: max-age=63072000; includeSubDomains`` and
  ``Cross-Origin-Resource-Policy: same-origin``. CORP only governs *no-cors* loads (``<img>``,
  ``<script>``): storefronts' ``fetch``/XHR calls are CORS requests and are not affected by it,
  while other sites cannot embed API responses. API responses get ``Content-Security-Policy:
  default-src 'none'; frame-ancestors 'none'``; the docs UIs under the OpenAPI path load scripts,
  styles and fonts from CDNs and run inline scripts, so they only get ``frame-ancestors 'none'``.
- **Access log**: one ``ponte.access`` INFO line per request with method, path (no query string:
  it may carry secrets), status, duration_ms, bytes (response body), client, user_agent and
  request_id. Bodies and headers other than the user agent are never logged.
- **CORS** (:func:`cors_config`): an allow-list of origins, off when empty; no credentials (the
  API authenticates with headers, never cookies).
- **Body limit**: Litestar's ``request_max_body_size``; over it the answer is a 413
  ``payload-too-large`` problem (:func:`payload_too_large`).
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
from time import perf_counter
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.cors import CORSConfig
from litestar.enums import ScopeType
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.types import (
    ASGIApp,
    ExceptionHandlersMap,
    HTTPScope,
    Message,
    Receive,
    Scope,
    Send,
)

from entrypoints.http.problems import Problem, problem_response
from entrypoints.logs import request_id
from entrypoints.settings import HttpSettings

access_log = logging.getLogger("ponte.access")

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = REQUEST_ID_HEADER.lower().encode()
_USER_AGENT = b"user-agent"
_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")
_MAX_USER_AGENT = 256

_COMMON_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
)
API_HEADERS = (
    *_COMMON_HEADERS,
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
)
DOCS_HEADERS = (*_COMMON_HEADERS, (b"content-security-policy", b"frame-ancestors 'none'"))

#: Headers a browser may send cross-origin, and response headers its scripts may read.
CORS_ALLOW_HEADERS = (
    "Authorization",
    "Content-Type",
    "X-API-Key",
    "Idempotency-Key",
    "If-None-Match",
    REQUEST_ID_HEADER,
)
CORS_EXPOSE_HEADERS = ("ETag", REQUEST_ID_HEADER, "Location", "Retry-After")
CORS_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


#: Fresh ids: a random prefix per process, then a counter (unique, not secret, and far cheaper
#: than a uuid4 per request).
_ID_PREFIX = secrets.token_hex(8)
_ids = itertools.count(1)


def accepted_request_id(incoming: bytes | None) -> str:
    """``incoming`` when it is a sane id, else a fresh one."""
    if incoming is not None and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming.decode("ascii")
    return f"{_ID_PREFIX}{next(_ids):016x}"


class EdgeMiddleware:
    """Request id, security headers and the access log around ``app`` (see the module doc)."""

    __slots__ = ("_app", "_docs_path", "_docs_prefix")

    def __init__(self, app: ASGIApp, *, docs_path: str) -> None:
        self._app = app
        self._docs_path = docs_path.rstrip("/") or "/"
        self._docs_prefix = self._docs_path.rstrip("/") + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return
        started = perf_counter()
        incoming: bytes | None = None
        agent = b""
        for name, value in scope["headers"]:
            if name == _REQUEST_ID:
                incoming = value
            elif name == _USER_AGENT:
                agent = value
        current = accepted_request_id(incoming)
        path = scope["path"]
        docs = path == self._docs_path or path.startswith(self._docs_prefix)
        added = (*(DOCS_HEADERS if docs else API_HEADERS), (_REQUEST_ID, current.encode()))
        status = 500
        size = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                present = {name for name, _ in headers}
                headers.extend(header for header in added if header[0] not in present)
                message["headers"] = headers
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        token = request_id.set(current)
        try:
            await self._app(scope, receive, send_with_headers)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                _log_access(scope, status, size, perf_counter() - started, agent, current)
            request_id.reset(token)


def _log_access(
    scope: HTTPScope, status: int, size: int, seconds: float, agent: bytes, current: str
) -> None:
    raw_path: bytes | None = scope.get("raw_path")
    # The undecoded path: no query string, and no control characters smuggled in as %0A.
    path = raw_path.partition(b"?")[0].decode("latin-1") if raw_path else scope["path"]
    client = scope.get("client")
    host = client[0] if client else None
    user_agent = agent[:_MAX_USER_AGENT].decode("latin-1")
    duration_ms = round(seconds * 1000, 2)
    method = scope["method"]
    # makeRecord + handle instead of info(): no stack walk to find the caller (~10 µs a line).
    line = access_log.makeRecord(
        access_log.name,
        logging.INFO,
        __file__,
        0,
        '%s %s %d %.1fms %dB %s "%s"',
        (method, path, status, duration_ms, size, host or "-", user_agent),
        None,
        extra={
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
            "bytes": size,
            "client": host,
            "user_agent": user_agent,
            "request_id": current,
        },
    )
    access_log.handle(line)


def install_edge(app: Litestar) -> None:
    """Wrap the whole of ``app`` (after ``setup_dishka``, so the request container is inside)."""
    docs_path = (app.openapi_config.path if app.openapi_config else None) or "/schema"
    app.asgi_handler = EdgeMiddleware(app.asgi_handler, docs_path=docs_path)


def cors_config(settings: HttpSettings) -> CORSConfig | None:
    """CORS for ``CORS_ORIGINS`` (``*`` allows any origin; ``https://*.shop.com`` a pattern)."""
    if not settings.cors_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.cors_origins),
        allow_methods=list(CORS_METHODS),  # type: ignore[arg-type]
        allow_headers=list(CORS_ALLOW_HEADERS),
        expose_headers=list(CORS_EXPOSE_HEADERS),
        allow_credentials=False,
        max_age=600,
    )


def payload_too_large(
    request: Request[Any, Any, Any], exc: RequestEntityTooLarge
) -> Response[Problem]:
    """413 ``payload-too-large``: the body is over ``MAX_BODY_BYTES`` (or its route's limit)."""
    limit = request.route_handler.resolve_request_max_body_size()
    detail = (
        f"The request body is larger than the {limit} bytes accepted."
        if limit
        else "The request body is too large."
    )
    return problem_response(request, 413, "payload-too-large", detail)


EDGE_EXCEPTION_HANDLERS: ExceptionHandlersMap = {RequestEntityTooLarge: payload_too_large}
