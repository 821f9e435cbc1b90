"""The request pipeline in front of every API route: statistics, faults, bearer auth, 400s.

``/_sandbox/`` routes and unknown paths pass straight through.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Awaitable, Callable

from aiohttp import web

from sandbox.totvs_moda.context import Context, context
from sandbox.totvs_moda.errors import ApiError
from sandbox.totvs_moda.faults import FaultKind, FaultRule
from sandbox.totvs_moda.responses import JSON, json_response

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_HTML = (
    b"<!DOCTYPE html><html><head><title>Servi\xc3\xa7o indispon\xc3\xadvel</title></head>"
    b"<body><h1>Servi\xc3\xa7o temporariamente indispon\xc3\xadvel</h1></body></html>"
)
_5XX_STATUSES = (500, 502, 503)
_HANG_CAP = 60.0


@web.middleware
async def pipeline(request: web.Request, handler: Handler) -> web.StreamResponse:
    route = request.match_info.route.name
    if route is None or route.startswith("admin."):
        return await handler(request)
    ctx = context(request)
    ctx.stats.calls[route] += 1
    decision = ctx.faults.decide(route)
    if decision.delay:
        await _wait(ctx, decision.delay)
    if decision.fault is None:
        response = await _serve(ctx, request, handler, route)
    else:
        ctx.stats.faults[decision.fault.kind.value] += 1
        response = await _inject(ctx, decision.fault, request, handler, route)
    ctx.stats.statuses[response.status] += 1
    return response


async def _serve(
    ctx: Context, request: web.Request, handler: Handler, route: str
) -> web.StreamResponse:
    if route != "token":
        token = bearer(request)
        if token is None or not ctx.tokens.valid(token):
            return unauthorized()
    try:
        return await handler(request)
    except ApiError as e:
        return web.Response(body=ctx.errors.render(e), status=e.status, content_type=JSON)


def bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def unauthorized() -> web.Response:
    return web.Response(status=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


async def _inject(
    ctx: Context, rule: FaultRule, request: web.Request, handler: Handler, route: str
) -> web.StreamResponse:
    kind = rule.kind
    if kind is FaultKind.SERVER_ERROR:
        n = ctx.stats.faults[kind.value] - 1  # this fault is already counted
        status = rule.status or _5XX_STATUSES[n % len(_5XX_STATUSES)]
        if rule.body == "json" or (rule.body is None and n % 2 == 0):
            return json_response({"code": "InternalError", "message": "Erro interno"}, status)
        return web.Response(status=status, text="Internal Server Error")
    if kind is FaultKind.TOO_MANY_REQUESTS:
        return web.Response(
            status=429,
            headers={"Retry-After": str(rule.retry_after)},
            content_type=JSON,
            text='{"code":"TooManyRequests","message":"Too many requests"}',
        )
    if kind is FaultKind.NON_JSON:
        return web.Response(status=200, body=_HTML, content_type="text/html", charset="utf-8")
    if kind is FaultKind.EXPIRE_TOKEN:
        token = bearer(request)
        if token is not None:
            ctx.tokens.revoke(token)
        return unauthorized()
    if kind is FaultKind.TRUNCATED:
        response = await _serve(ctx, request, handler, route)
        body = response.body if isinstance(response, web.Response) else None
        if response.status != 200 or not isinstance(body, bytes) or len(body) < 2:
            return response
        return web.Response(status=200, body=body[: len(body) // 2], content_type=JSON)
    if kind is FaultKind.HANG:
        await _wait(ctx, _HANG_CAP if rule.duration is None else rule.duration)
    reset(request)
    return web.Response(status=500)  # never reaches the client: the connection is gone


async def _wait(ctx: Context, seconds: float) -> None:
    """Sleep, but wake up when the server stops."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(ctx.stopping.wait(), seconds)


def reset(request: web.Request) -> None:
    """Drop the connection with a TCP reset (SO_LINGER 0), not an orderly close."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
