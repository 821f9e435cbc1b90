"""``POST /authorization/v2/token``: form-encoded, field names case-insensitive (contract §3)."""

from __future__ import annotations

from aiohttp import web

from sandbox.totvs_moda.context import context
from sandbox.totvs_moda.responses import json_response
from sandbox.totvs_moda.tokens import AuthError

_FORM = ("application/x-www-form-urlencoded", "multipart/form-data")


async def issue_token(request: web.Request) -> web.Response:
    ctx = context(request)
    if request.content_type not in _FORM:
        return _refused(AuthError("invalid_request", "the token endpoint takes a form body"))
    try:
        form = {key.lower(): str(value) for key, value in (await request.post()).items()}
    except ValueError:  # undecodable bytes
        return _refused(AuthError("invalid_request", "the form body does not decode"))
    try:
        return json_response(ctx.tokens.grant(form))
    except AuthError as e:
        return _refused(e)


def _refused(error: AuthError) -> web.Response:
    return json_response(
        {"error": error.error, "error_description": error.description}, status=error.status
    )
