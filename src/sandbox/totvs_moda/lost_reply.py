"""The ``lost-reply`` fault: process the call, then drop the connection without an answer.

A middleware inside :func:`middleware.pipeline`, so it runs only for calls that reached their
handler (no other fault fired, the token is valid). The write is applied and logged like any other;
the client sees a timeout or a connection error, as when the ERP commits and the reply is lost.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from sandbox.totvs_moda.context import context
from sandbox.totvs_moda.errors import ApiError
from sandbox.totvs_moda.faults import FaultKind
from sandbox.totvs_moda.middleware import Handler, reset


@web.middleware
async def lost_reply(request: web.Request, handler: Handler) -> web.StreamResponse:
    route = request.match_info.route.name
    if route is None or route.startswith("admin."):
        return await handler(request)
    ctx = context(request)
    wait = ctx.faults.lost_reply(route)
    if wait is None:
        return await handler(request)
    ctx.stats.faults[FaultKind.LOST_REPLY.value] += 1
    with contextlib.suppress(ApiError):  # a refused write is processed too: nothing to lose
        await handler(request)
    if wait:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ctx.stopping.wait(), wait)
    reset(request)
    return web.Response(status=500)  # never reaches the client: the connection is gone
