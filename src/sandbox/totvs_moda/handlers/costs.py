"""``POST /product/v2/costs/search`` (contract §7.8).

Besides ``option.costs``, a search without ``filter.change`` must send ``filter.hasCost: true``
with ``branchCostCodeList`` and ``costCodeList`` (400 otherwise). An unknown cost code is a 400
``NotFound``, like prices.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.totvs_moda.binding import as_bool, json_body
from sandbox.totvs_moda.catalog import SandboxCatalog
from sandbox.totvs_moda.context import context
from sandbox.totvs_moda.errors import BadRequest, NotFound
from sandbox.totvs_moda.handlers.common import branch, code_list, option_blocks
from sandbox.totvs_moda.responses import json_response
from sandbox.totvs_moda.search import parse_search
from sandbox.totvs_moda.selection import Family
from sandbox.totvs_moda.tables import COST_NAMES
from sandbox.totvs_moda.times import to_wire
from sandbox.totvs_moda.wire import CostEntry, CostItem


async def search_costs(request: web.Request) -> web.Response:
    ctx = context(request)
    catalog = ctx.catalog
    body = json_body(await request.read())
    search = parse_search(body, "costs", Family.COST, ctx.policy)
    wanted = [_block(catalog, b) for b in option_blocks(search.option, "costs", "costs")]
    if search.window is None:
        f = search.filter
        if not (
            as_bool(f.get("hascost"), "hasCost")
            and f.get("branchcostcodelist")
            and f.get("costcodelist")
        ):
            raise BadRequest(
                "filter.hasCost, filter.branchCostCodeList and filter.costCodeList are required "
                "without filter.change"
            )
    codes, total = search.page_codes(catalog)
    items = []
    for view in catalog.views(codes):
        code = view.base.product_code
        costs = [
            CostEntry(
                branch_code,
                cost_code,
                COST_NAMES.get(cost_code, f"CUSTO {cost_code}"),
                catalog.cost(view, branch_code, cost_code) / 100,
            )
            for branch_code, cost_codes in wanted
            for cost_code in cost_codes
        ]
        items.append(CostItem(code, to_wire(search.stamp(view.at)), costs))
    return json_response(ctx.policy.envelope(items, total, search.page, search.size))


def _block(catalog: SandboxCatalog, block: dict[str, Any]) -> tuple[int, list[int]]:
    configured = catalog.config.cost_codes
    cost_codes = code_list(block, "costcodelist", "costCodeList", configured)
    for cost_code in cost_codes:
        if cost_code not in configured:
            raise NotFound(f"CostCode {cost_code} not found")
    return branch(catalog, block.get("branchcode"), "option.costs.branchCode"), cost_codes
