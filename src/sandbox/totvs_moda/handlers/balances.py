"""``POST /product/v2/balances/search``: stock per branch and stock code (contract §7.5).

Columns follow the ``option.balances[]`` flags: ``inputTransaction``/``outputTransaction`` need
``isTransaction``, ``salesOrder`` needs ``isSalesOrder``, the production-order columns need
``isProductionOrder``; otherwise they are 0. ``expected_balances`` is the all-flags view.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from msgspec import UNSET

from sandbox.totvs_moda.binding import as_bool, json_body
from sandbox.totvs_moda.catalog import SandboxCatalog
from sandbox.totvs_moda.context import context
from sandbox.totvs_moda.handlers.common import branch, code_list, option_blocks
from sandbox.totvs_moda.responses import json_response
from sandbox.totvs_moda.search import parse_search
from sandbox.totvs_moda.selection import Family
from sandbox.totvs_moda.tables import STOCK_NAMES
from sandbox.totvs_moda.times import to_wire
from sandbox.totvs_moda.wire import Balance, BalanceItem, Location


async def search_balances(request: web.Request) -> web.Response:
    ctx = context(request)
    catalog = ctx.catalog
    body = json_body(await request.read())
    search = parse_search(body, "balances", Family.STOCK, ctx.policy)
    blocks = [_block(catalog, b) for b in option_blocks(search.option, "balances", "balances")]
    wanted = [
        (branch_code, code, STOCK_NAMES.get(code, f"ESTOQUE {code}"), transactions, sales, orders)
        for branch_code, stock_codes, transactions, sales, orders in blocks
        for code in stock_codes
    ]
    codes, total = search.page_codes(catalog)
    locations = (
        [Location(b[0], "01", "DEPÓSITO PRINCIPAL") for b in blocks]
        if "locations" in search.expand
        else UNSET
    )
    items = []
    for view in catalog.views(codes):
        base = view.base
        color = catalog.color(base.color)
        balances = []
        for branch_code, stock_code, name, transactions, sales, production in wanted:
            stock, sales_order, inputs, outputs = catalog.stock(view, branch_code, stock_code)
            pending = catalog.production_pending(view, branch_code, stock_code) if production else 0
            balances.append(
                Balance(
                    branch_code,
                    stock_code,
                    name,
                    stock,
                    sales_order if sales else 0,
                    inputs if transactions else 0,
                    outputs if transactions else 0,
                    0,
                    0,
                    pending,
                    0,
                    0,
                )
            )
        items.append(
            BalanceItem(
                base.product_code,
                base.name,
                base.sku,
                base.info.ref.code,
                color.code,
                color.name,
                base.size,
                to_wire(search.stamp(view.at)),
                balances,
                locations,
            )
        )
    return json_response(ctx.policy.envelope(items, total, search.page, search.size))


def _block(
    catalog: SandboxCatalog, block: dict[str, Any]
) -> tuple[int, list[int], bool, bool, bool]:
    """(branch, stock codes, isTransaction, isSalesOrder, isProductionOrder); unknown codes drop."""
    configured = catalog.config.stock_codes
    stock_codes = code_list(block, "stockcodelist", "stockCodeList", configured)
    return (
        branch(catalog, block.get("branchcode"), "option.balances.branchCode"),
        [c for c in stock_codes if c in configured],
        as_bool(block.get("istransaction"), "isTransaction"),
        as_bool(block.get("issalesorder"), "isSalesOrder"),
        as_bool(block.get("isproductionorder"), "isProductionOrder"),
    )
