"""Sales orders: search, B2C create, cancel and change-status (contract §9).

Search: see :mod:`sandbox.totvs_moda.order_search`; ``expand`` ``items``, ``invoices``,
``shippingAddress``; ``order`` over ``branchCode``, ``orderCode``, ``maxChangeFilterDate``,
``orderDate``, ``insertDate``, ``customerCode`` (default ``branchCode,orderCode``). Create answers
201 ``{branchCode, orderCode, orderId}``; cancel and change-status answer 200 with the same shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from sandbox.totvs_moda.binding import expand_set, json_body, section
from sandbox.totvs_moda.commerce_wire import OrderOut
from sandbox.totvs_moda.context import context
from sandbox.totvs_moda.handlers.bodies import write_body
from sandbox.totvs_moda.order_search import parse_order_filter
from sandbox.totvs_moda.ordering import sort_rows
from sandbox.totvs_moda.render import render_order
from sandbox.totvs_moda.responses import json_response
from sandbox.totvs_moda.sales_orders import SalesOrder

ORDER_ORDER: dict[str, Callable[[SalesOrder], Any]] = {
    "branchcode": lambda o: o.branch_code,
    "ordercode": lambda o: o.order_code,
    "maxchangefilterdate": lambda o: o.at,
    "orderdate": lambda o: o.order_at,
    "insertdate": lambda o: o.insert_at,
    "customercode": lambda o: o.customer_code,
}


async def search_orders(request: web.Request) -> web.Response:
    ctx = context(request)
    body = json_body(await request.read())
    wanted = parse_order_filter(section(body, "filter"))
    page, size = ctx.policy.window("orders_search", body.get("page"), body.get("pagesize"))
    expand = expand_set(body.get("expand"))
    rows = ctx.commerce.orders.search(wanted)
    sort_rows(rows, body.get("order"), ORDER_ORDER, ("branchcode", "ordercode"))
    start = (page - 1) * size
    items = [render_order(ctx.catalog, o, expand) for o in rows[start : start + size]]
    return json_response(ctx.policy.envelope(items, len(rows), page, size))


async def create_b2c_order(request: web.Request) -> web.Response:
    ctx = context(request)
    sent, body = write_body(await request.read())
    return _out(ctx.commerce.create_order(body, sent), 201)


async def cancel_order(request: web.Request) -> web.Response:
    ctx = context(request)
    sent, body = write_body(await request.read())
    return _out(ctx.commerce.cancel_order(body, sent), 200)


async def change_order_status(request: web.Request) -> web.Response:
    ctx = context(request)
    sent, body = write_body(await request.read())
    return _out(ctx.commerce.change_order_status(body, sent), 200)


def _out(order: SalesOrder, status: int) -> web.Response:
    return json_response(OrderOut(order.branch_code, order.order_code, order.order_id), status)
