"""Building aiohttp responses from wire values."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.totvs_moda.wire import encode

JSON = "application/json"


def json_response(value: Any, status: int = 200) -> web.Response:
    return web.Response(body=encode(value), status=status, content_type=JSON, charset="utf-8")
