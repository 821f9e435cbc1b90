"""``POST /product/v2/prices/search`` (contract §7.6).

``prices[]`` follows ``option.prices[]`` and each block's ``priceCodeList`` order. An unknown price
code fails the whole request with 400 ``NotFound``. ``promotionalPrice`` 0 means no promotion.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.totvs_moda.binding import json_body
from sandbox.totvs_moda.catalog import SandboxCatalog
from sandbox.totvs_moda.context import context
from sandbox.totvs_moda.errors import NotFound
from sandbox.totvs_moda.handlers.common import branch, code_list, option_blocks
from sandbox.totvs_moda.responses import json_response
from sandbox.totvs_moda.search import parse_search
from sandbox.totvs_moda.selection import Family
from sandbox.totvs_moda.tables import PRICE_NAMES
from sandbox.totvs_moda.times import to_wire
from sandbox.totvs_moda.wire import PriceEntry, PriceItem


async def search_prices(request: web.Request) -> web.Response:
    ctx = context(request)
    catalog = ctx.catalog
    body = json_body(await request.read())
    search = parse_search(body, "prices", Family.PRICE, ctx.policy)
    wanted = [_block(catalog, b) for b in option_blocks(search.option, "prices", "prices")]
    codes, total = search.page_codes(catalog)
    items = []
    for view in catalog.views(codes):
        code = view.base.product_code
        prices = []
        for branch_code, price_codes in wanted:
            for price_code in price_codes:
                price, promo = catalog.price(view, branch_code, price_code)
                prices.append(
                    PriceEntry(
                        branch_code,
                        price_code,
                        PRICE_NAMES.get(price_code, f"TABELA {price_code}"),
                        price / 100,
                        promo / 100,
                    )
                )
        items.append(PriceItem(code, to_wire(search.stamp(view.at)), prices))
    return json_response(ctx.policy.envelope(items, total, search.page, search.size))


def _block(catalog: SandboxCatalog, block: dict[str, Any]) -> tuple[int, list[int]]:
    configured = catalog.config.price_codes
    price_codes = code_list(block, "pricecodelist", "priceCodeList", configured)
    for price_code in price_codes:
        if price_code not in configured:
            raise NotFound(f"PriceCode {price_code} not found")
    return branch(catalog, block.get("branchcode"), "option.prices.branchCode"), price_codes
