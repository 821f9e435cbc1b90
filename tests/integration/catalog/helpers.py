"""Helpers of the catalog API tests: paging through listings, reading JSON exactly, and shaping
the mirror so that every rule of the read model has something to decide."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from litestar.testing import AsyncTestClient

from application.catalog.use_cases import RefreshCatalog
from application.sync.sync_catalog import SyncCatalog, SyncCatalogCommand
from domain.sync import Stream
from tests.integration.conftest import SyncEnv, bearer

Client = AsyncTestClient  # type: ignore[type-arg]


def exact(text: str) -> Any:
    """JSON with every non-integer number as a Decimal (prices compare exactly)."""
    return json.loads(text, parse_float=Decimal)


async def walk(
    api: Client, headers: dict[str, str], params: dict[str, Any], *, limit: int
) -> list[dict[str, Any]]:
    """Every item of a listing, following ``next_cursor`` page by page."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(500):
        query = {**params, "limit": limit}
        if cursor is not None:
            query["cursor"] = cursor
        response = await api.get("/products", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = exact(response.text)
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        assert len(page["items"]) == limit, "a page with a next cursor is full"
    raise AssertionError("pagination does not end")


def references(items: list[dict[str, Any]]) -> list[str]:
    return [item["reference"] for item in items]


async def sync(env: SyncEnv, streams: frozenset[Stream] | None = None) -> None:
    """One incremental sync pass (marks stale entries; does not rebuild them), of every stream
    or of ``streams``."""
    async with env.container() as request:
        sync_catalog = await request.get(SyncCatalog)
        command = (
            SyncCatalogCommand(full=False)
            if streams is None
            else SyncCatalogCommand(streams=streams, full=False)
        )
        report = await sync_catalog(command)
        assert report.ok, report


async def refresh(env: SyncEnv) -> Any:
    refresh_catalog = await env.container.get(RefreshCatalog)
    return await refresh_catalog()


async def mark(env: SyncEnv, *refs: str) -> None:
    """Mark references stale, as the sync, orders and admin edits do."""
    await env.conn.execute(
        "INSERT INTO catalog_dirty (reference_code) SELECT unnest($1::text[]) "
        "ON CONFLICT DO NOTHING",
        list(refs),
    )


async def mark_all(env: SyncEnv) -> None:
    await env.conn.execute(
        "INSERT INTO catalog_dirty (reference_code) SELECT reference_code FROM products "
        "ON CONFLICT DO NOTHING"
    )


async def user_headers(api: Client, email: str = "shopper@example.com") -> dict[str, str]:
    """A registered, signed-in ``user``."""
    password = "a long enough password"
    response = await api.post("/auth/register", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    return await bearer(api, email, password)


async def api_key_headers(api: Client, admin: dict[str, str], scopes: list[str]) -> dict[str, str]:
    response = await api.post(
        "/api-keys", json={"name": "storefront", "scopes": scopes}, headers=admin
    )
    assert response.status_code == 201, response.text
    return {"X-API-Key": response.json()["key"]}


async def sku_codes(env: SyncEnv, reference: str, *, sellable: bool = False) -> list[int]:
    """Product codes of a reference's SKUs (``sellable``: only active, unblocked ones)."""
    rows = await env.conn.fetch(
        "SELECT product_code FROM skus WHERE reference_code = $1 "
        "AND (NOT $2 OR (is_active AND NOT is_blocked)) ORDER BY product_code",
        reference,
        sellable,
    )
    return [r["product_code"] for r in rows]


# --- a mirror with something for every rule to decide -------------------------------------------

#: Hidden: every SKU inactive (the product row still says active).
ALL_SKUS_INACTIVE = "000004"
#: Hidden: every SKU blocked.
ALL_SKUS_BLOCKED = "000005"
#: Hidden: priced only outside the storefront table (price code 2).
UNPRICED = "000006"
#: Hidden: deleted (as admins delete Ponte products), though its SKUs are still active.
DELETED = "000013"
#: Shown with half its SKUs: the others have no storefront price.
HALF_PRICED = "000007"
#: Hidden: the product itself is inactive.
PRODUCT_INACTIVE = "000008"
#: Promotions that do and do not count.
PROMOTIONS = "000009"
#: Stock at a second branch, a second stock code, negative and fractional balances.
ODD_STOCK = "000010"
#: Every unit reserved by open orders: nothing available to sell.
RESERVED = "000012"
#: Production orders: pending, done (0 left), negative, without a date, tied on the date.
FUTURE = "000017"
#: Listed later than the rest (``newest``), two of them at the same instant.
NEWER = ("000014", "000015", "000016")


async def shape_mirror(env: SyncEnv) -> None:
    """Edit the synced mirror the way an ERP and the orders could leave it, then rebuild every
    entry. The oracle reads the same tables, so it sees these edits too."""
    conn = env.conn
    await conn.execute(
        "UPDATE skus SET is_active = false WHERE reference_code = $1", ALL_SKUS_INACTIVE
    )
    await conn.execute(
        "UPDATE skus SET is_blocked = true WHERE reference_code = $1", ALL_SKUS_BLOCKED
    )
    await conn.execute(
        "DELETE FROM prices WHERE price_code = 1 AND product_code = ANY($1::bigint[])",
        await sku_codes(env, UNPRICED),
    )
    half = await sku_codes(env, HALF_PRICED)
    await conn.execute(
        "DELETE FROM prices WHERE price_code = 1 AND product_code = ANY($1::bigint[])",
        half[::2],
    )
    await conn.execute(
        "UPDATE products SET is_active = false WHERE reference_code = $1", PRODUCT_INACTIVE
    )
    await conn.execute("UPDATE products SET deleted_at = now() WHERE reference_code = $1", DELETED)
    future = (await sku_codes(env, FUTURE, sellable=True))[0]
    await conn.executemany(
        "INSERT INTO future_stock (branch_code, order_code, product_code, status, quantity, "
        "pending_quantity, expected_date) VALUES ($1, $2, $3, 20, 10, $4::numeric, $5)",
        [
            (1, 90001, future, "0", date(2026, 12, 1)),
            (1, 90002, future, "5", None),
            (2, 90003, future, "2", date(2026, 12, 1)),
            (1, 90004, future, "3.5", date(2026, 12, 1)),
            (1, 90005, future, "-1", date(2026, 11, 1)),
        ],
    )
    # (price, promotional price): a lower promotion counts; equal, higher, zero and none do not.
    pairs = [
        ("100.00", "80.00"),
        ("100.00", "100.00"),
        ("100.00", "120.00"),
        ("100.00", "0"),
        ("100.00", None),
        ("90.00", "85.50"),
    ]
    for i, code in enumerate(await sku_codes(env, PROMOTIONS, sellable=True)):
        price, promo = pairs[i % len(pairs)]
        await conn.execute(
            "UPDATE prices SET price = $2::numeric, promotional_price = $3::numeric "
            "WHERE product_code = $1 AND price_code = 1",
            code,
            price,
            promo,
        )
    odd = await sku_codes(env, ODD_STOCK, sellable=True)
    balance = (
        "INSERT INTO stock_balances (product_code, branch_code, stock_code, stock, sales_order, "
        "input_transaction, output_transaction, production_order_progress, "
        "production_order_wait_lib, available) VALUES ($1, $2, $3, 0, 0, 0, 0, 0, 0, $4::numeric) "
        "ON CONFLICT (product_code, branch_code, stock_code) "
        "DO UPDATE SET available = EXCLUDED.available"
    )
    await conn.execute(balance, odd[0], 2, 1, "5.7")  # a second branch
    await conn.execute(balance, odd[0], 1, 2, "2.5")  # a second stock code at branch 1
    await conn.execute(balance, odd[1], 1, 1, "-3")  # negative: 0 available
    await conn.execute(balance, odd[2], 1, 1, "0.5")  # under one unit: 0
    await conn.execute(balance, odd[3], 2, 1, "3")  # branch 2 only for this one ...
    await conn.execute(balance, odd[3], 1, 1, "0")  # ... none at branch 1
    # Under one unit is no stock at a branch: branch 3 lists nothing.
    await conn.execute(balance, (await sku_codes(env, PROMOTIONS, sellable=True))[0], 3, 1, "0.9")
    await conn.execute(
        "INSERT INTO stock_reservations (product_code, reserved) "
        "SELECT b.product_code, greatest(0, ceil(sum(b.available)))::int FROM stock_balances b "
        "JOIN skus k USING (product_code) WHERE k.reference_code = $1 GROUP BY 1",
        RESERVED,
    )
    await conn.execute(
        "UPDATE products SET created_at = now() + interval '1 hour' WHERE reference_code = $1",
        NEWER[0],
    )
    await conn.execute(
        "UPDATE products SET created_at = now() + interval '2 hours' "
        "WHERE reference_code = ANY($1::text[])",
        list(NEWER[1:]),
    )
    await mark_all(env)
    await refresh(env)
