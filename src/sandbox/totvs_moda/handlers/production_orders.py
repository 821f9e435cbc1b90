"""``POST /production-order/v2/orders/search``: production orders, i.e. future stock (§7.9).

``filter.branchCodeList`` is required; ``filter.change`` windows the order's last change;
``filter.statusList`` keeps those statuses. Orders come in (branchCode, orderCode) order.
``expand`` accepts ``items`` and ``locations``.
"""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web
from msgspec import UNSET

from sandbox.totvs_moda.binding import expand_set, int_list, json_body, section
from sandbox.totvs_moda.catalog import SandboxCatalog
from sandbox.totvs_moda.context import context
from sandbox.totvs_moda.errors import BadRequest
from sandbox.totvs_moda.responses import json_response
from sandbox.totvs_moda.search import change_window
from sandbox.totvs_moda.seeds import OrderBase
from sandbox.totvs_moda.times import to_aware, to_wire
from sandbox.totvs_moda.wire import OrderItem, OrderLocation, ProductionOrder


async def search_production_orders(request: web.Request) -> web.Response:
    ctx = context(request)
    body = json_body(await request.read())
    filter_ = section(body, "filter")
    branches = int_list(filter_.get("branchcodelist"), "branchCodeList")
    if not branches:
        raise BadRequest("filter.branchCodeList is required")
    change = section(filter_, "change")
    window = change_window(change) if change else None
    statuses = int_list(filter_.get("statuslist"), "statusList")
    page, size = ctx.policy.window("production_orders", body.get("page"), body.get("pagesize"))
    expand = expand_set(body.get("expand"))
    orders = [
        o
        for o in ctx.catalog.production_orders()
        if o.branch_code in branches
        and (window is None or window.contains(o.at))
        and (not statuses or o.status in statuses)
    ]
    start = (page - 1) * size
    items = [
        _order(ctx.catalog, o, "items" in expand, "locations" in expand)
        for o in orders[start : start + size]
    ]
    return json_response(ctx.policy.envelope(items, len(orders), page, size))


def _order(
    catalog: SandboxCatalog, order: OrderBase, with_items: bool, with_locations: bool
) -> ProductionOrder:
    info = catalog.info(order.ref)
    at = to_wire(order.at)
    insert = to_wire(order.at - 30 * 86_400)
    delivery = to_aware(catalog.base_at).replace(hour=0, minute=0, second=0) + timedelta(
        days=order.delivery_day
    )
    items = []
    for item in order.items:
        base = catalog.view(item.product_code).base
        color = catalog.color(base.color)
        items.append(
            OrderItem(
                productCode=item.product_code,
                productName=base.name,
                colorCode=color.code,
                colorName=color.name,
                sizeCode=base.size_index + 1,
                sizeName=base.size,
                referenceCode=info.ref.code,
                referenceName=info.name,
                quantity=item.quantity,
                finishedQuantity=item.finished,
                pendingQuantity=item.quantity - item.finished,
                isStartMovement=item.finished > 0,
            )
        )
    quantity = sum(i.quantity for i in order.items)
    finished = sum(i.finished for i in order.items)
    return ProductionOrder(
        branchCode=order.branch_code,
        orderCode=order.order_code,
        quantity=quantity,
        finishedQuantity=finished,
        pendingQuantity=quantity - finished,
        status=order.status,
        priority=1,
        estimatedDeliveryDate=delivery.strftime("%Y-%m-%dT%H:%M:%S"),
        insertDate=insert,
        lastChangeDate=at,
        maxChangeFilterDate=at,
        endDate=None,
        startMovimentDate=insert if finished else None,
        customerCode=None,
        customerCpfCnpj=None,
        customerName=None,
        cycleCode=None,
        items=items if with_items else UNSET,
        locations=[
            OrderLocation(1, "CORTE", i.productCode, i.pendingQuantity, insert) for i in items
        ]
        if with_locations
        else UNSET,
    )
