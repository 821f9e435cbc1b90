"""``GET /products`` and ``GET /products/{reference}`` through the real app, checked against an
independent Python oracle of the mirror tables (see ``oracle.py``)."""

from __future__ import annotations

import base64
import json
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from tests.integration.catalog.helpers import (
    ALL_SKUS_BLOCKED,
    ALL_SKUS_INACTIVE,
    DELETED,
    FUTURE,
    HALF_PRICED,
    NEWER,
    ODD_STOCK,
    PRODUCT_INACTIVE,
    PROMOTIONS,
    RESERVED,
    UNPRICED,
    Client,
    api_key_headers,
    exact,
    mark,
    references,
    refresh,
    shape_mirror,
    sku_codes,
    sync,
    user_headers,
    walk,
)
from tests.integration.catalog.oracle import (
    Oracle,
    collation_ranks,
    load_oracle,
    normalise,
    plain,
)
from tests.integration.conftest import SyncEnv

pytestmark = pytest.mark.integration

HIDDEN = (ALL_SKUS_INACTIVE, ALL_SKUS_BLOCKED, UNPRICED, PRODUCT_INACTIVE, DELETED)
SORTS = ("name", "price", "-price", "newest")


@pytest.fixture
async def shaped(catalog: SyncEnv) -> SyncEnv:
    await shape_mirror(catalog)
    return catalog


@pytest.fixture
async def oracle(shaped: SyncEnv) -> Oracle:
    return await load_oracle(shaped.conn)


def _cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


async def _expected_order(env: SyncEnv, oracle: Oracle, sort: str) -> list[str]:
    """The documented order: by the sort key, ties broken by reference (in the same direction,
    as keyset pagination on (key, reference) gives)."""
    products = oracle.products
    name_rank = await collation_ranks(env.conn, [p.name for p in products.values()])
    ref_rank = await collation_ranks(env.conn, products)
    keys: dict[str, Any] = {
        "name": lambda r: (name_rank[products[r].name], ref_rank[r]),
        "price": lambda r: (products[r].price_min, ref_rank[r]),
        "-price": lambda r: (products[r].price_min, ref_rank[r]),
        "newest": lambda r: (products[r].listed_at, ref_rank[r]),
    }
    return sorted(products, key=keys[sort], reverse=sort in ("-price", "newest"))


# --- what is listed ------------------------------------------------------------------------------


async def test_the_listing_holds_exactly_the_products_the_rules_allow(
    api: Client, admin_headers: dict[str, str], shaped: SyncEnv, oracle: Oracle
) -> None:
    items = await walk(api, admin_headers, {}, limit=100)

    listed = references(items)
    assert len(listed) == len(set(listed))
    assert set(listed) == set(oracle.products)
    # The shaping gave the rules something to decide.
    all_products = {r["reference_code"] for r in await shaped.conn.fetch("SELECT * FROM products")}
    assert set(HIDDEN) <= all_products - set(listed)
    assert {HALF_PRICED, PROMOTIONS, ODD_STOCK, RESERVED} <= set(listed)
    for item in items:
        assert normalise(item) == oracle[item["reference"]].card(), item["reference"]

    response = await api.get("/products", params={"total": True, "limit": 5}, headers=admin_headers)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-cache"
    page = response.json()
    assert page["total"] == len(oracle.products)
    assert len(page["items"]) == 5
    assert (await api.get("/products", headers=admin_headers)).json()["total"] is None


async def test_keyset_pagination_walks_every_sort_in_its_documented_order(
    api: Client, admin_headers: dict[str, str], shaped: SyncEnv, oracle: Oracle
) -> None:
    products = oracle.products.values()
    # Ties to break, or the tie rule would go untested.
    assert max(Counter(p.name for p in products).values()) > 1
    assert max(Counter(p.price_min for p in products).values()) > 1
    assert max(Counter(p.listed_at for p in products).values()) > 1

    for sort in SORTS:
        expected = await _expected_order(shaped, oracle, sort)
        for limit in (4, 7):
            listed = references(await walk(api, admin_headers, {"sort": sort}, limit=limit))
            assert listed == expected, (sort, limit)
    newest = references(await walk(api, admin_headers, {"sort": "newest"}, limit=3))
    assert newest[:3] == [NEWER[2], NEWER[1], NEWER[0]]


async def test_price_sorted_pages_with_a_lower_bound_keep_products_straddling_it(
    api: Client, admin_headers: dict[str, str], shaped: SyncEnv, oracle: Oracle
) -> None:
    """Below the bound only products whose prices straddle it can match; they are read apart
    (the price-spread index) and must still come first, in order, across pages."""
    spread = sorted(r for r, p in oracle.products.items() if p.price_min < p.price_max)
    assert spread, "the shaped catalog has a product whose SKU prices differ"
    first = spread[0]
    straddling = oracle[first]
    low = str(straddling.price_max)
    expected = await _expected_order(shaped, oracle, "price")
    for params, rule in (
        ({"price_min": low}, {"price_min": low}),
        ({"price_min": low, "price_max": "1000"}, {"price_range": (low, "1000")}),
    ):
        shown = oracle.shown(**rule)
        assert first in shown
        assert any(oracle[r].price_min >= straddling.price_max for r in shown), "a range to merge"
        wanted = [r for r in expected if r in shown]
        for limit in (1, 3):
            pages = await walk(api, admin_headers, {**params, "sort": "price"}, limit=limit)
            assert references(pages) == wanted, (params, limit)
        assert wanted.index(first) < len(wanted) - 1, "the straddling product is merged in"


async def _listed(api: Client, headers: dict[str, str], params: dict[str, Any]) -> set[str]:
    listed = references(await walk(api, headers, params, limit=9))
    assert len(listed) == len(set(listed)), params
    return set(listed)


def _common(values: list[Any]) -> Any:
    return Counter(values).most_common(1)[0][0]


async def test_each_filter_alone_agrees_with_the_oracle(
    api: Client, admin_headers: dict[str, str], shaped: SyncEnv, oracle: Oracle
) -> None:
    products = list(oracle.products.values())
    skus = [k for p in products for k in p.skus]
    promo_barcode = oracle[PROMOTIONS].skus[0].barcodes[0]
    # Barcodes of SKUs the storefront may not show: a blocked product's, an unpriced SKU's.
    blocked_barcode = await shaped.conn.fetchval(
        "SELECT barcodes[1] FROM skus WHERE reference_code = $1 LIMIT 1", ALL_SKUS_BLOCKED
    )
    unpriced_code = (await sku_codes(shaped, HALF_PRICED))[0]
    unpriced_barcode = await shaped.conn.fetchval(
        "SELECT barcodes[1] FROM skus WHERE product_code = $1", unpriced_code
    )
    filters: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"category": c}, {"category": c}) for c in {p.classifications[1]["code"] for p in products}
    ]
    brand = _common([p.classifications[2]["code"] for p in products])
    collection = _common([p.classifications[3]["code"] for p in products])
    color = _common([k.color_code for k in skus])
    filters += [
        ({"brand": brand}, {"brand": brand}),
        ({"collection": collection}, {"collection": collection}),
        ({"color": color}, {"color": color}),
        ({"size": "M"}, {"size": "M"}),
        ({"size": "38"}, {"size": "38"}),
        ({"barcode": promo_barcode}, {"barcode": promo_barcode}),
        ({"barcode": blocked_barcode}, {"barcode": blocked_barcode}),
        ({"barcode": unpriced_barcode}, {"barcode": unpriced_barcode}),
        ({"branch": 1}, {"branch": 1}),
        ({"branch": 2}, {"branch": 2}),
        ({"branch": 3}, {"branch": 3}),
        ({"available": True}, {"available": True}),
        ({"available": False}, {"available": False}),
        ({"price_min": "100"}, {"price_min": "100"}),
        ({"price_max": "100"}, {"price_max": "100"}),
        ({"price_min": "85.50", "price_max": "100.00"}, {"price_range": ("85.50", "100.00")}),
    ]
    for params, rule in filters:
        expected = oracle.shown(**rule)
        assert await _listed(api, admin_headers, params) == expected, params
        counted = await api.get(
            "/products", params={**params, "total": True, "limit": 1}, headers=admin_headers
        )
        assert counted.json()["total"] == len(expected), params

    assert oracle.shown(barcode=promo_barcode) == {PROMOTIONS}
    assert oracle.shown(barcode=blocked_barcode) == set()
    assert oracle.shown(barcode=unpriced_barcode) == set()
    assert oracle.shown(branch=2) == {ODD_STOCK}
    assert oracle.shown(branch=3) == set()
    assert any(s["branch"] == 3 for k in oracle[PROMOTIONS].skus for s in k.stock)
    assert RESERVED in oracle.shown(available=False)
    every = set(oracle.products)
    for rule in ({"size": "M"}, {"available": True}, {"price_min": "100"}, {"brand": brand}):
        assert set() < oracle.shown(**rule) < every, rule


async def test_filters_combine_with_and(
    api: Client, admin_headers: dict[str, str], shaped: SyncEnv, oracle: Oracle
) -> None:
    promotions = oracle[PROMOTIONS]
    category = promotions.classifications[1]["code"]
    first = promotions.skus[0]
    combinations = [
        (
            {"category": category, "price_min": "80", "price_max": "100", "available": True},
            {"category": category, "price_range": ("80", "100"), "available": True},
        ),
        (
            {"color": first.color_code, "size": first.size},
            {"color": first.color_code, "size": first.size},
        ),
        (
            {"color": first.color_code, "size": "no-such-size"},
            {"color": first.color_code, "size": "no-such-size"},
        ),
        (
            {"barcode": first.barcodes[0], "available": True},
            {"barcode": first.barcodes[0], "available": True},
        ),
        (
            {"barcode": first.barcodes[0], "available": False},
            {"barcode": first.barcodes[0], "available": False},
        ),
        ({"branch": 2, "available": True}, {"branch": 2, "available": True}),
        ({"q": "saia", "available": True}, {"q": "saia", "available": True}),
    ]
    for params, rule in combinations:
        assert await _listed(api, admin_headers, params) == oracle.shown(**rule), params
    assert PROMOTIONS in oracle.shown(**combinations[0][1])
    assert oracle.shown(**combinations[3][1]) == {PROMOTIONS}
    assert oracle.shown(**combinations[4][1]) == set()


async def test_search_takes_case_and_accent_free_word_prefixes(
    api: Client, admin_headers: dict[str, str], shaped: SyncEnv, oracle: Oracle
) -> None:
    macacoes = {r for r, p in oracle.products.items() if "macacao" in plain(p.name)}
    assert macacoes
    for q in ("MACACAO", "macacão", "Macacão", "maca"):
        assert await _listed(api, admin_headers, {"q": q}) == oracle.shown(q=q), q
        assert macacoes <= oracle.shown(q=q)
    reference = sorted(oracle.products)[0]
    assert await _listed(api, admin_headers, {"q": reference}) == {reference}

    both = await _listed(api, admin_headers, {"q": "macacao listrada"})
    assert both == oracle.shown(q="macacao listrada")
    assert both == await _listed(api, admin_headers, {"q": "LISTRADA, Macacão!"})
    listrada = await _listed(api, admin_headers, {"q": "listrada"})
    assert set() < both < listrada
    assert both == macacoes & listrada

    # Description words count; a word's middle does not.
    assert await _listed(api, admin_headers, {"q": "permanente"}) == oracle.shown(q="permanente")
    assert oracle.shown(q="permanente")
    assert await _listed(api, admin_headers, {"q": "acacao"}) == set()


# --- refused requests and who may ask ------------------------------------------------------------


def _problem(response: Any, status: int, slug: str, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"].endswith("/" + slug), body
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body


async def test_malformed_listing_requests_are_client_errors(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    async def get(**params: Any) -> Any:
        return await api.get("/products", params=params, headers=admin_headers)

    _problem(await get(limit=0), 400, "validation", "limit")
    _problem(await get(limit=101), 400, "validation", "limit")
    _problem(await get(limit="many"), 400, "validation", "limit")
    _problem(await get(sort="cheapest"), 400, "validation", "sort")
    _problem(await get(price_min="50", price_max="10"), 422, "domain-validation", "price_min")
    _problem(await get(price_min="-1"), 422, "domain-validation", "price_min")
    _problem(await get(price_max="-0.01"), 422, "domain-validation", "price_max")
    _problem(await get(price_min="NaN"), 422, "domain-validation", "price_min")
    _problem(await get(price_min="cheap"), 400, "validation", "price_min")
    _problem(await get(available="maybe"), 400, "validation", "available")
    _problem(await get(branch=0), 400, "validation", "branch")
    _problem(await get(q="?!... --"), 422, "domain-validation", "search")
    _problem(await get(q="x" * 101), 400, "validation", "q")
    _problem(await get(cursor="garbage!"), 400, "validation", "cursor")
    _problem(await get(cursor=_cursor("name", "Saia", 7)), 400, "validation", "cursor")
    _problem(await get(cursor=_cursor("price", "12,90", "000001"), sort="price"), 400, "validation")
    _problem(
        await get(sort="newest", cursor=_cursor("newest", "yesterday", "1")), 400, "validation"
    )
    assert (await get(price_min="10", price_max="10")).status_code == 200


async def test_a_cursor_only_continues_the_sort_it_came_from(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    first = await api.get("/products", params={"limit": 2}, headers=admin_headers)
    cursor = first.json()["next_cursor"]
    assert cursor

    same = await api.get("/products", params={"limit": 2, "cursor": cursor}, headers=admin_headers)
    assert same.status_code == 200
    for sort in ("price", "-price", "newest"):
        response = await api.get(
            "/products", params={"sort": sort, "cursor": cursor}, headers=admin_headers
        )
        _problem(response, 400, "validation", "cursor")


async def test_crafted_cursors_with_out_of_range_keys_are_refused(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    """A cursor is client input: one this API could not have handed out is a 400, never a 500."""
    crafted = [
        ("price", _cursor("price", "1e1000000", "000001")),
        ("price", _cursor("price", "NaN", "000001")),
        ("-price", _cursor("-price", "-Infinity", "000001")),
        ("name", _cursor("name", "Saia\u0000", "000001")),
        ("name", _cursor("name", "Saia", "0\u00000")),
        ("newest", _cursor("newest", "9999-12-31T23:59:59-14:00", "000001")),
        ("newest", _cursor("newest", "0001-01-01T00:00:00+14:00", "000001")),
        ("newest", _cursor("newest", "2026-01-01T00:00:00", "000001")),
    ]
    for sort, cursor in crafted:
        response = await api.get(
            "/products", params={"sort": sort, "cursor": cursor}, headers=admin_headers
        )
        _problem(response, 400, "validation", "cursor")


async def test_nul_characters_in_filters_and_references_are_client_errors(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    for params in ({"category": "\u0000"}, {"color": "a\u0000"}, {"barcode": "789\u0000"}):
        response = await api.get("/products", params=params, headers=admin_headers)
        assert response.status_code in (400, 422), (params, response.text)
    response = await api.get("/products/000%00001", headers=admin_headers)
    assert response.status_code == 404, response.text


async def test_price_bounds_beyond_any_price_are_refused_or_match_nothing(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    for bound in ("1e131072", "1e1000000"):
        response = await api.get("/products", params={"price_min": bound}, headers=admin_headers)
        assert response.status_code == 422 or (
            response.status_code == 200 and response.json()["items"] == []
        ), (bound, response.status_code, response.text[:200])


async def test_a_price_range_matches_only_products_with_a_sku_price_inside_it(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    reference = "000003"
    codes = await sku_codes(catalog, reference, sellable=True)
    await catalog.conn.execute(
        "UPDATE prices SET price = CASE WHEN product_code = $2 THEN 50 ELSE 150 END, "
        "promotional_price = NULL WHERE price_code = 1 AND product_code = ANY($1::bigint[])",
        codes,
        codes[0],
    )
    await mark(catalog, reference)
    await refresh(catalog)
    oracle = await load_oracle(catalog.conn)
    assert {k.effective for k in oracle[reference].skus} == {50, 150}

    params = {"price_min": "80", "price_max": "120"}
    assert reference not in oracle.shown(price_range=("80", "120"))
    assert await _listed(api, admin_headers, params) == oracle.shown(price_range=("80", "120"))


async def test_search_ignores_accents_in_decomposed_form_too(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    composed = await _listed(api, admin_headers, {"q": "macacão"})
    assert composed
    assert await _listed(api, admin_headers, {"q": "macaca\u0303o"}) == composed


async def test_reading_the_catalog_needs_a_user_or_a_key_with_catalog_read(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    paths = ("/products", "/products/000001")
    for path in paths:
        _problem(await api.get(path), 401, "unauthenticated")
        _problem(await api.get(path, headers={"X-API-Key": "pk_unknown"}), 401, "invalid-api-key")

    user = await user_headers(api)
    reader = await api_key_headers(api, admin_headers, ["catalog:read"])
    orders_only = await api_key_headers(api, admin_headers, ["orders:write"])
    for path in paths:
        for headers in (user, reader, admin_headers):
            response = await api.get(path, headers=headers)
            assert response.status_code == 200, (path, response.text)
        _problem(await api.get(path, headers=orders_only), 403, "insufficient-scope")


# --- the product page ----------------------------------------------------------------------------


async def test_every_product_page_matches_the_oracle(
    api: Client, admin_headers: dict[str, str], shaped: SyncEnv, oracle: Oracle
) -> None:
    for reference, product in oracle.products.items():
        response = await api.get(f"/products/{reference}", headers=admin_headers)
        assert response.status_code == 200, response.text
        assert normalise(exact(response.text)) == product.document(), reference

    # The shaping and the sandbox gave every part of a page something to show.
    skus = [k for p in oracle.products.values() for k in p.skus]
    assert any(k.future_stock for k in skus)
    [orders] = [
        [f["production_order"] for f in k.future_stock]
        for k in oracle[FUTURE].skus
        if any(f["production_order"] == 90002 for f in k.future_stock)
    ]
    assert orders[:2] == [90004, 90003]
    assert orders[-1] == 90002
    assert not {90001, 90005} & set(orders)
    assert any(len(k.stock) == 2 for k in oracle[ODD_STOCK].skus)
    assert any(k.available == 0 and k.stock for k in oracle[ODD_STOCK].skus)
    assert {k.effective for k in oracle[PROMOTIONS].skus} == {80, Decimal("85.50"), 100}
    assert not oracle[RESERVED].in_stock
    assert 0 < len(oracle[HALF_PRICED].skus) < len(await sku_codes(shaped, HALF_PRICED))
    for reference in HIDDEN:
        response = await api.get(f"/products/{reference}", headers=admin_headers)
        _problem(response, 404, "not-found")


async def test_open_reservations_reduce_the_units_available_to_sell(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    oracle = await load_oracle(catalog.conn)
    product, sku = next(
        (p, k) for p in oracle.products.values() for k in p.skus if k.available >= 5
    )
    other = next(k for k in product.skus if k is not sku and k.available > 0)
    await catalog.conn.execute(
        "INSERT INTO stock_reservations (product_code, reserved) VALUES ($1, 3), ($2, $3)",
        sku.product_code,
        other.product_code,
        other.available + 10,
    )
    await mark(catalog, product.reference)
    await refresh(catalog)

    response = await api.get(f"/products/{product.reference}", headers=admin_headers)
    page = exact(response.text)
    by_code = {k["product_code"]: k for k in page["skus"]}
    assert by_code[sku.product_code]["available"] == sku.available - 3
    assert by_code[other.product_code]["available"] == 0
    # ERP stock per branch is the ERP's: reservations do not touch it.
    assert by_code[sku.product_code]["stock"] == sku.stock
    assert normalise(page) == (await load_oracle(catalog.conn))[product.reference].document()


async def test_unknown_products_are_404(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    for reference in ("999999", "no-such-product", "000001 "):
        _problem(await api.get(f"/products/{reference}", headers=admin_headers), 404, "not-found")


async def test_a_product_page_carries_an_etag_for_conditional_gets(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    response = await api.get("/products/000001", headers=admin_headers)
    etag = response.headers["etag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert len(etag) > 2

    for if_none_match in (etag, f"W/{etag}", f'"stale", {etag}', "*"):
        headers = {**admin_headers, "If-None-Match": if_none_match}
        unchanged = await api.get("/products/000001", headers=headers)
        assert unchanged.status_code == 304, if_none_match
        assert unchanged.headers["etag"] == etag
        assert unchanged.content == b""
    for if_none_match in ('"stale"', etag.strip('"'), f'W/{etag[:-2]}"'):
        headers = {**admin_headers, "If-None-Match": if_none_match}
        changed = await api.get("/products/000001", headers=headers)
        assert changed.status_code == 200, if_none_match
        assert changed.text == response.text
    assert (await api.get("/products/000002", headers=admin_headers)).headers["etag"] != etag


async def test_the_etag_follows_the_product_across_syncs_and_refreshes(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    before = {
        r["reference_code"]: (r["etag"], r["refreshed_at"])
        for r in await catalog.conn.fetch("SELECT * FROM catalog_entries")
    }
    changes = catalog.sandbox.catalog.change_prices(count=4, promo_rate=0)
    changed = {
        r["reference_code"]
        for r in await catalog.conn.fetch(
            "SELECT DISTINCT reference_code FROM skus WHERE product_code = ANY($1::bigint[]) "
            "AND is_active AND NOT is_blocked",
            list(changes.product_codes),
        )
    }
    assert changed
    await sync(catalog)
    await refresh(catalog)

    oracle = await load_oracle(catalog.conn)
    for reference in changed:
        old_etag = before[reference][0]
        response = await api.get(
            f"/products/{reference}", headers={**admin_headers, "If-None-Match": old_etag}
        )
        assert response.status_code == 200, reference
        assert response.headers["etag"] != old_etag
        page = exact(response.text)
        assert normalise(page) == oracle[reference].document()
        prices = {k["product_code"]: k["price"] for k in page["skus"]}
        expected = await catalog.conn.fetch(
            "SELECT product_code, price FROM prices WHERE price_code = 1 "
            "AND product_code = ANY($1::bigint[])",
            list(changes.product_codes),
        )
        for row in expected:
            if row["product_code"] in prices:
                assert prices[row["product_code"]] == row["price"]
    after = {
        r["reference_code"]: (r["etag"], r["refreshed_at"])
        for r in await catalog.conn.fetch("SELECT * FROM catalog_entries")
    }
    untouched = set(before) - changed
    assert untouched
    for reference in untouched:
        assert after[reference] == before[reference], reference
        response = await api.get(
            f"/products/{reference}",
            headers={**admin_headers, "If-None-Match": f'"{before[reference][0]}"'},
        )
        assert response.status_code == 304


async def test_fold_in_sql_and_python_agree(sync_env: SyncEnv) -> None:
    from adapters.postgres.folding import ACCENTED, fold, fold_sql

    text = ACCENTED + " Macacão ÇÃO Lírio ÑANDU Ÿ 0123 ABCxyz"
    folded = await sync_env.conn.fetchval(f"SELECT {fold_sql('$1::text')}", text)
    assert folded == fold(text) == plain(text)


async def test_every_price_in_a_page_is_exact(
    api: Client, admin_headers: dict[str, str], shaped: SyncEnv, oracle: Oracle
) -> None:
    """Prices travel as JSON numbers with two decimals, never rounded through floats."""
    response = await api.get(f"/products/{PROMOTIONS}", headers=admin_headers)
    page = exact(response.text)
    assert {k["effective_price"] for k in page["skus"]} <= {
        Decimal("80.00"),
        Decimal("85.50"),
        Decimal("100.00"),
    }
    assert page["price"] == {"min": Decimal("80.00"), "max": Decimal("100.00")}
    assert page["on_sale"] is True


async def test_price_bounds_finer_than_a_cent_are_refused(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    for bound in ("1e-20000", "10.001"):
        response = await api.get("/products", params={"price_min": bound}, headers=admin_headers)
        _problem(response, 422, "domain-validation", "price_min")


async def test_a_sku_priced_at_zero_is_not_for_sale_in_the_catalog_either(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    reference = "000003"
    codes = await sku_codes(catalog, reference, sellable=True)
    await catalog.conn.execute(
        "UPDATE prices SET price = 0, promotional_price = NULL "
        "WHERE price_code = 1 AND product_code = ANY($1::bigint[])",
        codes,
    )
    await mark(catalog, reference)
    await refresh(catalog)

    response = await api.get(f"/products/{reference}", headers=admin_headers)
    assert response.status_code == 404, response.text
