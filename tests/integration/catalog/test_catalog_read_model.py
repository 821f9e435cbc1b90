"""Keeping the read model current: the sync marks stale references, a refresh rebuilds them,
and entries whose page did not change are left alone (stable ETags)."""

from __future__ import annotations

from typing import Any
from unittest.mock import ANY

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from domain.sync import Stream
from tests.integration.catalog.helpers import (
    Client,
    exact,
    mark,
    references,
    refresh,
    sync,
    walk,
)
from tests.integration.catalog.oracle import load_oracle, normalise
from tests.integration.conftest import SyncEnv

pytestmark = pytest.mark.integration


async def _entries(env: SyncEnv) -> dict[str, Any]:
    return {
        r["reference_code"]: r
        for r in await env.conn.fetch("SELECT * FROM catalog_entries ORDER BY reference_code")
    }


async def _dirty(env: SyncEnv) -> set[str]:
    return {r["reference_code"] for r in await env.conn.fetch("SELECT * FROM catalog_dirty")}


async def _references_of(env: SyncEnv, product_codes: tuple[int, ...]) -> set[str]:
    rows = await env.conn.fetch(
        "SELECT DISTINCT reference_code FROM skus WHERE product_code = ANY($1::bigint[])",
        list(product_codes),
    )
    return {r["reference_code"] for r in rows}


async def _pages_match_the_oracle(api: Client, headers: dict[str, str], env: SyncEnv) -> None:
    oracle = await load_oracle(env.conn)
    listed = references(await walk(api, headers, {}, limit=100))
    assert set(listed) == set(oracle.products)
    for reference, product in oracle.products.items():
        response = await api.get(f"/products/{reference}", headers=headers)
        assert response.status_code == 200, reference
        assert normalise(exact(response.text)) == product.document(), reference


async def test_a_sync_marks_what_changed_and_a_refresh_applies_it(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    before = await _entries(catalog)
    assert await _dirty(catalog) == set()
    erp = catalog.sandbox.catalog
    changed = set()
    for changes in (
        erp.change_prices(count=3, promo_rate=0),
        erp.change_stock(count=3),
        erp.deactivate(count=3),
        erp.block(count=3),
    ):
        assert changes.product_codes, changes.kind
        changed |= await _references_of(catalog, changes.product_codes)
    priced = await _references_of(catalog, erp.change_prices(count=2, promo_rate=0).product_codes)
    changed |= priced

    await sync(catalog)
    dirty = await _dirty(catalog)
    assert changed <= dirty
    assert len(dirty) < len(before), "only what changed (and the lookback's re-reads) is marked"
    # Until a refresh, the listing and pages are the previous ones.
    assert await _entries(catalog) == before

    marks = await catalog.conn.fetchval("SELECT count(*) FROM catalog_dirty")
    assert marks >= len(dirty)  # marks are appended: one per stream that touched a product
    result = await refresh(catalog)
    assert result.claimed == marks
    assert await _dirty(catalog) == set()
    await _pages_match_the_oracle(api, admin_headers, catalog)
    after = await _entries(catalog)
    for reference, entry in before.items():
        if reference not in dirty:
            assert after[reference] == entry, reference
    oracle = await load_oracle(catalog.conn)
    for reference in priced & set(oracle.products):
        assert after[reference]["etag"] != before[reference]["etag"], reference


async def test_a_mark_without_a_change_rewrites_nothing(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    before = await _entries(catalog)
    await mark(catalog, "000001", "000002", "no-such-reference")

    result = await refresh(catalog)

    assert (result.claimed, result.written, result.removed) == (3, 0, 0)
    assert await _dirty(catalog) == set()
    assert await _entries(catalog) == before
    etag = before["000001"]["etag"]
    response = await api.get(
        "/products/000001", headers={**admin_headers, "If-None-Match": f'"{etag}"'}
    )
    assert response.status_code == 304


async def test_a_sync_with_nothing_new_marks_only_the_lookback_window(
    catalog: SyncEnv,
) -> None:
    """Classifications are read whole every pass; unchanged ones must not mark every product
    (that would rebuild the whole catalog every minute)."""
    before = await _entries(catalog)

    await sync(catalog)
    dirty = await _dirty(catalog)
    marks = await catalog.conn.fetchval("SELECT count(*) FROM catalog_dirty")
    result = await refresh(catalog)

    assert dirty < set(before)
    assert (result.claimed, result.written, result.removed) == (marks, 0, 0)
    assert await _entries(catalog) == before


async def test_rows_reread_unchanged_mark_nothing_changed_ones_mark_their_products(
    catalog: SyncEnv,
) -> None:
    """The lookback window re-reads the latest changes every pass: unchanged, they must not make
    the products they touch stale (a color re-read would rebuild every product of that color)."""
    stock_streams = frozenset({Stream.COLORS, Stream.SIZES, Stream.BALANCES, Stream.PRICES})

    await sync(catalog, stock_streams)

    assert await _dirty(catalog) == set()

    changes = catalog.sandbox.catalog.change_stock(count=3)
    await sync(catalog, stock_streams)

    assert await _dirty(catalog) == await _references_of(catalog, changes.product_codes)


async def test_a_renamed_classification_marks_the_products_that_name_it(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    conn = catalog.conn
    code = await conn.fetchval(
        "SELECT code FROM product_classifications WHERE type_code = 1 "
        "GROUP BY code ORDER BY count(*) DESC, code LIMIT 1"
    )
    named = {
        r["reference_code"]
        for r in await conn.fetch(
            "SELECT reference_code FROM product_classifications WHERE type_code = 1 AND code = $1",
            code,
        )
    }
    erp_name = await conn.fetchval(
        "SELECT name FROM classifications WHERE type_code = 1 AND code = $1", code
    )
    # The mirror holds another name than the ERP's, as right after a rename upstream.
    await conn.execute(
        "UPDATE classifications SET name = 'Antigo' WHERE type_code = 1 AND code = $1", code
    )
    await mark(catalog, *named)
    await refresh(catalog)
    shown = sorted(named & set((await load_oracle(conn)).products))
    assert shown
    page = (await api.get(f"/products/{shown[0]}", headers=admin_headers)).json()
    assert page["category"] == {"code": code, "name": "Antigo"}

    await sync(catalog)
    assert named <= await _dirty(catalog)
    await refresh(catalog)

    await _pages_match_the_oracle(api, admin_headers, catalog)
    page = (await api.get(f"/products/{shown[0]}", headers=admin_headers)).json()
    assert page["category"] == {"code": code, "name": erp_name}
    listed = await walk(api, admin_headers, {"category": code}, limit=100)
    assert {item["category"]["name"] for item in listed} == {erp_name}


async def test_deactivated_and_blocked_skus_leave_their_pages_and_then_their_products(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    erp = catalog.sandbox.catalog
    gone = set(erp.deactivate(count=25).product_codes) | set(erp.block(count=10).product_codes)
    await sync(catalog)
    await refresh(catalog)

    await _pages_match_the_oracle(api, admin_headers, catalog)
    for item in await walk(api, admin_headers, {}, limit=100):
        response = await api.get(f"/products/{item['reference']}", headers=admin_headers)
        codes = {k["product_code"] for k in response.json()["skus"]}
        assert not codes & gone, item["reference"]

    # The ERP deactivates every SKU: every page is gone and the listing is empty.
    shown = len(await _entries(catalog))
    erp.deactivate(count=erp.max_code)
    await sync(catalog)
    result = await refresh(catalog)

    assert (result.written, result.removed) == (0, shown)
    assert await _entries(catalog) == {}
    assert (await api.get("/products", headers=admin_headers)).json()["items"] == []
    for reference in ("000001", "000002", "000030"):
        response = await api.get(f"/products/{reference}", headers=admin_headers)
        assert response.status_code == 404, reference


async def test_new_erp_products_and_colors_reach_the_catalog(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    erp = catalog.sandbox.catalog
    added = erp.add_products(references=2, new_color_rate=1.0)
    await sync(catalog)
    await refresh(catalog)

    await _pages_match_the_oracle(api, admin_headers, catalog)
    listed = set(references(await walk(api, admin_headers, {}, limit=100)))
    oracle = await load_oracle(catalog.conn)
    for reference in added.reference_codes:
        assert (reference in listed) == (reference in oracle.products)
    assert set(added.reference_codes) & listed


async def test_a_mark_committed_during_a_rebuild_survives_it_and_nobody_waits(
    catalog: SyncEnv,
) -> None:
    """A writer marks a product that is already marked, and commits only after a refresher has
    claimed the older mark: the writer's mark must outlive that rebuild (it covers data the
    rebuild could not see), and neither side waits for the other."""
    import asyncio

    from application.catalog.ports import CatalogRefresher

    await catalog.conn.execute("DELETE FROM catalog_dirty")
    await catalog.conn.execute("INSERT INTO catalog_dirty (reference_code) VALUES ('000001')")
    refresher = await catalog.container.get(CatalogRefresher)
    writer = await asyncpg.connect(catalog.settings.database_url.replace("+asyncpg", ""))
    try:
        async with writer.transaction():
            await writer.execute("INSERT INTO catalog_dirty (reference_code) VALUES ('000001')")
            claimed = await asyncio.wait_for(refresher.refresh_marked(200), 5)
            assert claimed.claimed == 1  # the committed mark only
        left = await catalog.conn.fetch("SELECT reference_code FROM catalog_dirty")
        assert [r["reference_code"] for r in left] == ["000001"]
    finally:
        await writer.close()


async def test_a_rebuild_after_a_reservation_touches_no_index(catalog: SyncEnv) -> None:
    """An order changes only what a page says about availability: the rebuilt entries are HOT
    updates (same page, no index entry written), even for entries whose indexed values are
    stored out of line, and the next rebuilds find room again."""
    from adapters.postgres.catalog_refresh import REBUILD

    s = catalog.settings.storefront
    params = (s.price_code, s.price_branch, s.category_type, s.brand_type, s.collection_type)
    conn = catalog.conn
    # A long description makes the search words of one entry too large for a page: they are
    # stored out of line (TOAST), and a rebuilt twin is not the same bytes.
    await conn.execute(
        "UPDATE products SET web_description = $1 WHERE reference_code = '000002'",
        " ".join(f"palavra{i}" for i in range(600)),
    )
    refs = ["000001", "000002", "000003"]
    await conn.fetchrow(REBUILD, refs, *params)
    stored = await conn.fetchval(
        "SELECT pg_column_size(search) FROM catalog_entries WHERE reference_code = '000002'"
    )
    assert stored > 8192, "the long entry's search words are stored out of line"
    for round_ in range(3):
        await conn.execute(
            "INSERT INTO stock_reservations (product_code, reserved) "
            "SELECT DISTINCT ON (reference_code) product_code, 1 FROM skus "
            "WHERE reference_code = ANY($1::text[]) ORDER BY reference_code, product_code "
            "ON CONFLICT (product_code) DO UPDATE "
            "SET reserved = stock_reservations.reserved + 1",
            refs,
        )
        counters = (
            "SELECT pg_stat_get_xact_tuples_updated('catalog_entries'::regclass), "
            "pg_stat_get_xact_tuples_hot_updated('catalog_entries'::regclass)"
        )
        async with conn.transaction():  # the counters include what is not yet reported
            before = await conn.fetchrow(counters)
            written = await conn.fetchrow(REBUILD, refs, *params)
            after = await conn.fetchrow(counters)
        assert written is not None
        assert written["written"] == len(refs), round_
        updated, hot = after[0] - before[0], after[1] - before[1]
        assert (updated, hot) == (len(refs), len(refs)), round_


async def test_the_refresher_vacuums_the_marks_it_claimed(catalog: SyncEnv) -> None:
    """Claimed marks are dead rows; after enough of them the refresher vacuums the queue itself
    (autovacuum may be off, as on this machine's server), and not before."""
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine

    from adapters.postgres.catalog_refresh import CatalogView, PostgresCatalogRefresher

    conn = catalog.conn

    async def vacuums() -> int:
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        count = await conn.fetchval(
            "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'catalog_dirty'"
        )
        return int(count)

    engine = create_async_engine(catalog.settings.database_url)
    refresher = PostgresCatalogRefresher(engine, CatalogView(), vacuum_marks_after=10)
    try:
        before = await vacuums()
        await mark(catalog, *(["000001"] * 6))
        await refresher.refresh_marked(200)
        assert await vacuums() == before  # 6 claimed: not yet
        await mark(catalog, *(["000002"] * 6))
        await refresher.refresh_marked(200)  # 12 claimed: vacuumed
        for _ in range(50):
            if await vacuums() > before:
                break
            await asyncio.sleep(0.05)
        assert await vacuums() == before + 1
        assert await conn.fetchval("SELECT count(*) FROM catalog_dirty") == 0
    finally:
        await engine.dispose()


async def _reserve(env: SyncEnv, units: dict[int, int]) -> None:
    """Hold ``units`` of each SKU as orders do, marking their products stock-only."""
    await env.conn.execute(
        "INSERT INTO stock_reservations (product_code, reserved) "
        "SELECT * FROM unnest($1::bigint[], $2::int[]) "
        "ON CONFLICT (product_code) DO UPDATE SET reserved = EXCLUDED.reserved",
        list(units),
        list(units.values()),
    )
    await env.conn.execute(
        "INSERT INTO catalog_dirty (reference_code, stock_only) "
        "SELECT DISTINCT reference_code, true FROM skus WHERE product_code = ANY($1::bigint[])",
        list(units),
    )


async def test_stock_only_marks_patch_entries_exactly_as_a_rebuild_would(
    catalog: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After reservations the refresher patches availability into the stored page and card
    instead of rebuilding them; a full rebuild afterwards finds nothing to change (same bytes,
    same ETag)."""
    from adapters.postgres.catalog_refresh import CatalogView, PostgresCatalogRefresher

    oracle = await load_oracle(catalog.conn)
    shown = sorted(oracle.products)[:4]
    sold_out, partly = shown[0], shown[1:]
    held = {
        r["product_code"]: r["reserved"]
        for r in await catalog.conn.fetch("SELECT * FROM stock_reservations")
    }
    units: dict[int, int] = {}
    for reference in shown:
        for sku in oracle[reference].skus:
            more = sku.available if reference == sold_out else 1
            units[sku.product_code] = held.get(sku.product_code, 0) + more
    assert oracle[sold_out].in_stock
    before = await _entries(catalog)
    await catalog.conn.execute("DELETE FROM catalog_dirty")
    await _reserve(catalog, units)

    engine = create_async_engine(catalog.settings.database_url)
    s = catalog.settings.storefront
    view = CatalogView(
        price_code=s.price_code,
        price_branch=s.price_branch,
        category_type=s.category_type,
        brand_type=s.brand_type,
        collection_type=s.collection_type,
    )
    refresher = PostgresCatalogRefresher(engine, view)
    try:

        async def no_rebuild(*_: object) -> tuple[int, int]:
            raise AssertionError("a stock-only mark rebuilt the whole entry")

        with monkeypatch.context() as patch:
            patch.setattr(refresher, "_rebuild", no_rebuild)
            result = await refresher.refresh_marked(200)
        assert (result.claimed, result.written, result.removed) == (len(shown), len(shown), 0)
        patched = await _entries(catalog)
        assert not patched[sold_out]["in_stock"]
        assert '"in_stock" : false' in patched[sold_out]["card"]
        for reference in partly:
            assert patched[reference]["in_stock"]
            assert patched[reference]["etag"] != before[reference]["etag"]
        now = await load_oracle(catalog.conn)
        assert sold_out not in now.shown(available=True)
        for reference in shown:
            assert normalise(exact(patched[reference]["body"])) == now[reference].document()

        await mark(catalog, *shown)
        rebuilt = await refresher.refresh_marked(200)
        assert (rebuilt.claimed, rebuilt.written) == (len(shown), 0)
        assert await _entries(catalog) == patched
    finally:
        await engine.dispose()


async def test_a_stock_only_mark_on_an_unexpected_entry_rebuilds_it_whole(catalog: SyncEnv) -> None:
    from adapters.postgres.catalog_refresh import patch_stock

    before = await _entries(catalog)
    entry = before["000001"]
    await catalog.conn.execute(
        "UPDATE catalog_entries SET body = '{}', etag = 'x' WHERE reference_code = '000001'"
    )
    assert patch_stock("{}", entry["card"], {}) is None
    await catalog.conn.execute("DELETE FROM catalog_dirty")
    await catalog.conn.execute(
        "INSERT INTO catalog_dirty (reference_code, stock_only) VALUES ('000001', true)"
    )

    result = await refresh(catalog)

    assert (result.claimed, result.written) == (1, 1)
    assert dict((await _entries(catalog))["000001"]) == {**dict(entry), "refreshed_at": ANY}
