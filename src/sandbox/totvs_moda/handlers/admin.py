"""``/_sandbox/``: drive the sandbox from tests and benchmarks (no auth, never faulted).

- ``GET  /_sandbox/health``: ``{ok, skus, maxCode, baseAt, branches, ...}``
- ``GET  /_sandbox/stats``, ``POST /_sandbox/stats/reset``: calls per route, faults, statuses;
  reset also restarts the fault plan's counters and generator.
- ``GET|PUT|DELETE /_sandbox/faults``: read, set (``{"spec": "..."}`` or the spec as text) or
  clear the fault plan. A bad spec is a 400 ``{"error": ...}``.
- ``POST /_sandbox/tokens/revoke``: revoke every token now.
- ``POST /_sandbox/mutations/{kind}``: body = keyword params of ``SandboxCatalog.mutate(kind, ...)``
  (``{"count": 10}``, ``{"fraction": 0.01}``, ``{"references": 2}``...); returns ``Changes``.
- ``GET  /_sandbox/expected/{entity}?page=1&pageSize=1000``: ``{page, pageSize, totalItems,
  hasNext, items}`` of the catalog's expected rows; ``entity`` is a stream name (``colors``,
  ``sizes``, ``classifications``, ``products``, ``balances``, ``prices``, ``costs``,
  ``production_orders``). Decimals are strings, datetimes ISO 8601 with offset.

Persons, sales orders and the write log (``writes``, ``writes/reset``, ``orders``,
``orders/{branchCode}/{orderCode}/advance``, ``persons``, ``store-orders``) are in
:mod:`sandbox.totvs_moda.handlers.admin_commerce`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

import msgspec
from aiohttp import web

from sandbox.totvs_moda.binding import Query, as_int
from sandbox.totvs_moda.catalog import SandboxCatalog
from sandbox.totvs_moda.context import context
from sandbox.totvs_moda.errors import ApiError
from sandbox.totvs_moda.faults import FaultInjector, FaultPlan, FaultSpecError
from sandbox.totvs_moda.responses import json_response
from sandbox.totvs_moda.times import to_aware


async def health(request: web.Request) -> web.Response:
    ctx = context(request)
    catalog = ctx.catalog
    config = catalog.config
    return json_response(
        {
            "ok": True,
            "skus": catalog.max_code,
            "seededSkus": config.skus,
            "seed": config.seed,
            "references": catalog.references,
            "baseAt": to_aware(catalog.base_at).isoformat(),
            "branches": config.branches,
            "stockCodes": config.stock_codes,
            "priceCodes": config.price_codes,
            "costCodes": config.cost_codes,
            "persons": len(ctx.commerce.persons),
            "salesOrders": len(ctx.commerce.orders),
            "lastWriteSeq": ctx.commerce.writes.last_seq,
        }
    )


async def stats(request: web.Request) -> web.Response:
    return json_response(context(request).stats.to_json())


async def reset_stats(request: web.Request) -> web.Response:
    ctx = context(request)
    ctx.stats.reset()
    ctx.faults.reset()
    return json_response(ctx.stats.to_json())


async def get_faults(request: web.Request) -> web.Response:
    return json_response({"spec": context(request).faults.plan.spec})


async def set_faults(request: web.Request) -> web.Response:
    ctx = context(request)
    raw = await request.read()
    spec = raw.decode()
    if request.content_type == "application/json":
        try:
            spec = str(msgspec.json.decode(raw).get("spec", ""))
        except (msgspec.DecodeError, AttributeError):
            return json_response({"error": 'body must be {"spec": "..."}'}, status=400)
    try:
        ctx.faults = FaultInjector(FaultPlan.parse(spec))
    except FaultSpecError as e:
        return json_response({"error": str(e)}, status=400)
    return json_response({"spec": ctx.faults.plan.spec})


async def clear_faults(request: web.Request) -> web.Response:
    context(request).faults = FaultInjector()
    return json_response({"spec": ""})


async def revoke_tokens(request: web.Request) -> web.Response:
    return json_response({"revoked": context(request).tokens.revoke_all()})


async def mutate(request: web.Request) -> web.Response:
    catalog = context(request).catalog
    raw = await request.read()
    try:
        params = msgspec.json.decode(raw) if raw.strip() else {}
        if not isinstance(params, dict):
            raise TypeError("the body must be a JSON object of parameters")
        changes = catalog.mutate(request.match_info["kind"], **params)
    except (msgspec.DecodeError, TypeError, ValueError) as e:
        return json_response({"error": str(e)}, status=400)
    return json_response(changes.to_json())


async def expected(request: web.Request) -> web.Response:
    catalog = context(request).catalog
    query = Query(request.query)
    entity = request.match_info["entity"].replace("-", "_")
    try:
        page = as_int(query.one("page") or 1, "page")
        size = as_int(query.one("pageSize") or 1000, "pageSize")
    except ApiError as e:
        return json_response({"error": e.message}, status=400)
    if page < 1 or size < 1:
        return json_response({"error": "page and pageSize must be 1 or more"}, status=400)
    offset = (page - 1) * size
    rows = _rows(catalog, entity, offset)
    if rows is None:
        return json_response({"error": f"unknown entity {entity!r}"}, status=404)
    total, iterator, skip = rows
    items = list(islice(iterator, skip, skip + size))
    body = {
        "page": page,
        "pageSize": size,
        "totalItems": total,
        "hasNext": offset + len(items) < total,
        "items": items,
    }
    return web.Response(body=msgspec.json.encode(body), content_type="application/json")


def _rows(
    catalog: SandboxCatalog, entity: str, offset: int
) -> tuple[int, Iterator[dict[str, Any]], int] | None:
    """(total rows, an iterator starting near ``offset``, rows still to skip)."""
    config = catalog.config
    per_product: dict[str, tuple[Callable[[int], Iterator[dict[str, Any]]], int]] = {
        "products": (catalog.expected_skus, 1),
        "skus": (catalog.expected_skus, 1),
        "balances": (catalog.expected_balances, len(config.branches) * len(config.stock_codes)),
        "prices": (catalog.expected_prices, len(config.branches) * len(config.price_codes)),
        "costs": (catalog.expected_costs, len(config.branches) * len(config.cost_codes)),
    }
    if entity in per_product:
        method, width = per_product[entity]
        return catalog.max_code * width, method(offset // width + 1), offset % width
    listed: dict[str, Callable[[], Iterator[dict[str, Any]]]] = {
        "colors": catalog.expected_colors,
        "sizes": catalog.expected_sizes,
        "grids": catalog.expected_sizes,
        "classifications": catalog.expected_classifications,
        "production_orders": catalog.expected_future_stock,
        "future_stock": catalog.expected_future_stock,
    }
    if entity not in listed:
        return None
    rows = list(listed[entity]())
    return len(rows), iter(rows), offset
