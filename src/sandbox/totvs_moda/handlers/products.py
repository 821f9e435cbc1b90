"""``POST /product/v2/products/search``: one item per SKU (contract §7.4)."""

from __future__ import annotations

from aiohttp import web
from msgspec import UNSET

from sandbox.totvs_moda.binding import json_body
from sandbox.totvs_moda.catalog import SandboxCatalog
from sandbox.totvs_moda.context import context
from sandbox.totvs_moda.errors import BadRequest
from sandbox.totvs_moda.handlers.common import branch
from sandbox.totvs_moda.responses import json_response
from sandbox.totvs_moda.search import Search, parse_search
from sandbox.totvs_moda.seeds import RefInfo
from sandbox.totvs_moda.selection import Family
from sandbox.totvs_moda.tables import GRIDS
from sandbox.totvs_moda.times import to_wire
from sandbox.totvs_moda.wire import BarCode, Detail, Product, ProductClassification


async def search_products(request: web.Request) -> web.Response:
    ctx = context(request)
    body = json_body(await request.read())
    search = parse_search(body, "products", Family.PRODUCT, ctx.policy)
    if search.option.get("branchinfocode") is None:
        raise BadRequest("option.branchInfoCode is required")
    branch(ctx.catalog, search.option["branchinfocode"], "option.branchInfoCode")
    codes, total = search.page_codes(ctx.catalog)
    items = product_items(ctx.catalog, search, codes)
    return json_response(ctx.policy.envelope(items, total, search.page, search.size))


def product_items(catalog: SandboxCatalog, search: Search, codes: list[int]) -> list[Product]:
    """Items for ascending ``codes``.

    This is the sandbox's hottest loop (a full read of a million SKUs runs it a million times):
    reference-level values are read once per reference and shared by its SKUs.
    """
    seeds, overlay, colors = catalog.seeds, catalog.overlay, catalog.colors()
    seeded_at = catalog.seeded_at
    seeded_second, seeded_stamp = -1, ""
    with_classifications = "classifications" in search.expand
    with_details = "details" in search.expand
    items: list[Product] = []
    last = 0
    for code in codes:
        if code > last:
            ref = catalog.ref_of(code)
            info, skus = seeds.reference(ref)
            first, last = ref.first_code, ref.last_code
            grid_code, reference_code, reference_id = GRIDS[ref.grid].code, ref.code, ref.idx + 1
            reference_name = info.name
            description, ncm = info.description, info.ncm
            sales_start = None if info.sales_start is None else to_wire(info.sales_start)
            classifications = _classifications(info) if with_classifications else UNSET
            details = _details(info) if with_details else None
        base = skus[code - first]
        state = overlay.get(code) if overlay else None
        color = colors[base.color]
        if state is None:
            second = seeded_at(code)
            if second != seeded_second:  # neighbouring seeded SKUs often share a second
                seeded_second, seeded_stamp = second, to_wire(second)
            stamp = seeded_stamp
            active, blocked = base.is_active, base.is_blocked
        else:
            stamp = to_wire(search.stamp(state.at))
            active, blocked = state.is_active, state.is_blocked
        barcodes = base.barcodes
        items.append(
            Product(
                code,
                base.name,
                base.sku,
                stamp,
                color.code,
                color.name,
                color.additional_info,
                base.size,
                grid_code,
                reference_code,
                reference_id,
                reference_name,
                description,
                ncm,
                active,
                blocked,
                sales_start,
                [BarCode(barcodes[0], True)] if len(barcodes) == 1 else _barcodes(barcodes),
                details,
                classifications,
            )
        )
    return items


def _barcodes(barcodes: tuple[str, ...]) -> list[BarCode]:
    if len(barcodes) == 1:
        return [BarCode(barcodes[0], True)]
    return [BarCode(b, n == 0) for n, b in enumerate(barcodes)]


def _classifications(info: RefInfo) -> list[ProductClassification]:
    return [
        ProductClassification(type_code, type_name, None, code, name, None)
        for type_code, type_name, code, name in info.classifications
    ]


def _details(info: RefInfo) -> list[Detail]:
    return [Detail(1, "DESCRICAO", None, "Descrição", info.details)]
