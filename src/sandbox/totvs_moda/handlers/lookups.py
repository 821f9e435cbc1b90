"""Colors, size grids and classifications (contract §7.1–7.3)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.totvs_moda.binding import Query, as_int, json_body, section, str_list
from sandbox.totvs_moda.context import context
from sandbox.totvs_moda.responses import json_response
from sandbox.totvs_moda.search import change_window
from sandbox.totvs_moda.times import to_wire
from sandbox.totvs_moda.wire import ClassificationItem, ColorItem, GridItem


async def search_colors(request: web.Request) -> web.Response:
    """``POST /product/v2/colors/search``: ``filter.change`` and ``filter.colorCodeList``."""
    ctx = context(request)
    body = json_body(await request.read())
    filter_ = section(body, "filter")
    change = section(filter_, "change")
    window = change_window(change) if change else None
    wanted = str_list(filter_.get("colorcodelist"), "colorCodeList")
    page, size = ctx.policy.window("colors", body.get("page"), body.get("pagesize"))
    rows = [
        ColorItem(c.code, c.name, c.additional_info, to_wire(c.at))
        for c in ctx.catalog.colors()
        if (window is None or window.contains(c.at)) and (wanted is None or c.code in wanted)
    ]
    return _paged(request, rows, page, size)


async def list_grids(request: web.Request) -> web.Response:
    """``GET /product/v2/grid?StartChangeDate=&EndChangeDate=&Order=&Page=&PageSize=``."""
    ctx = context(request)
    query = Query(request.query)
    window = change_window(
        {"startdate": query.one("StartChangeDate"), "enddate": query.one("EndChangeDate")}
    )
    page, size = ctx.policy.window("grid", query.one("Page"), query.one("PageSize"))
    rows = [
        GridItem(code, name, grid_type, list(sizes), to_wire(at))
        for code, name, grid_type, sizes, at in ctx.catalog.grids()
        if window.contains(at)
    ]
    order = (query.one("Order") or "code").strip()
    descending = order.startswith("-")
    if order.lstrip("-") == "name":
        rows.sort(key=lambda g: g.name, reverse=descending)
    else:
        rows.sort(key=lambda g: int(g.code), reverse=descending)
    return _paged(request, rows, page, size)


async def list_classifications(request: web.Request) -> web.Response:
    """``GET /product/v2/classifications?TypeCodeList=1&TypeCodeList=2`` (all types if absent)."""
    ctx = context(request)
    query = Query(request.query)
    types = [as_int(t, "TypeCodeList") for t in query.many("TypeCodeList")] or None
    page, size = ctx.policy.window("classifications", query.one("Page"), query.one("PageSize"))
    rows = [ClassificationItem(*c) for c in ctx.catalog.classifications(types)]
    return _paged(request, rows, page, size)


def _paged(request: web.Request, rows: list[Any], page: int, size: int) -> web.Response:
    policy = context(request).policy
    start = (page - 1) * size
    return json_response(policy.envelope(rows[start : start + size], len(rows), page, size))
