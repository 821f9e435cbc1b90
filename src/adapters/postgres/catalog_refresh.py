"""The storefront catalog read model: rebuilding ``catalog_entries`` from the mirror.

Writers (the sync, orders, admin edits) only *mark* references in ``catalog_dirty``, in their own
transaction; :class:`PostgresCatalogRefresher` later claims marks with ``FOR UPDATE SKIP LOCKED``
(so several API processes share the work), rebuilds those entries and deletes the marks, all in
one transaction. A mark made while a rebuild runs waits for it and survives it, so the next pass
sees the newer data: nothing is lost, and a hot product is rebuilt once per pass, not per order.

Rules of an entry:

- A product is shown when it is active, not deleted, and has at least one active, unblocked SKU
  with a price in the storefront table (``price_code`` at ``price_branch``). Only such SKUs appear.
- Effective price = the promotional price when it is set, positive and below the price; else the
  price.
- Available to sell per SKU = ⌊Σ ERP available over its balances − open reservations⌋, at least 0;
  stock per branch = ⌊Σ ERP available at that branch⌋, at least 0.
- Future stock = production-order rows with a pending quantity, by expected date.
- ``card`` is a listing item, ``body`` the product page, ``etag`` the MD5 of ``body``. An entry
  whose body did not change is not rewritten, so its ETag is stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.folding import fold_sql
from adapters.postgres.raw import RawConnection, raw_in_transaction
from application.catalog.ports import RefreshResult


@dataclass(frozen=True, slots=True)
class CatalogView:
    """Which ERP price table and classification types the storefront uses, and where Ponte
    products keep their stock."""

    price_code: int = 1
    price_branch: int = 1
    category_type: int = 1
    brand_type: int = 2
    collection_type: int = 3
    stock_branch: int = 1
    stock_code: int = 1


_SEARCH_TEXT = (
    "p.name || ' ' || p.reference_code || ' ' || coalesce(p.description, '') || ' ' "
    "|| coalesce(p.web_description, '')"
)

#: $1 references, $2 price_code, $3 price_branch, $4 category type, $5 brand type,
#: $6 collection type.
#: Returns the entry of each shown product among the references; one statement, so the
#: figures of one entry are read from one snapshot.
BUILD = f"""
WITH refs AS (SELECT DISTINCT unnest($1::text[]) AS reference_code),
p AS MATERIALIZED (
    SELECT p.* FROM products p JOIN refs USING (reference_code)
    WHERE p.is_active AND p.deleted_at IS NULL
),
k AS MATERIALIZED (
    SELECT k.product_code, k.sku, k.reference_code, k.color_code,
           coalesce(c.name, k.color_name) AS color_name, k.size, k.barcodes,
           pr.price, pr.promotional_price,
           CASE WHEN pr.promotional_price > 0 AND pr.promotional_price < pr.price
                THEN pr.promotional_price ELSE pr.price END AS effective,
           greatest(0, floor(coalesce(b.available, 0) - coalesce(r.reserved, 0)))::bigint
               AS available,
           coalesce(array_position(g.sizes, k.size), 2147483647) AS size_rank
    FROM skus k
    JOIN p ON p.reference_code = k.reference_code
    JOIN prices pr ON pr.product_code = k.product_code AND pr.price_code = $2
                  AND pr.branch_code = $3 AND pr.price IS NOT NULL
    LEFT JOIN LATERAL (
        SELECT sum(s.available) AS available FROM stock_balances s
        WHERE s.product_code = k.product_code
    ) b ON true
    LEFT JOIN stock_reservations r ON r.product_code = k.product_code
    LEFT JOIN size_grids g ON g.code = k.grid_code
    LEFT JOIN colors c ON c.code = k.color_code
    WHERE k.is_active AND NOT k.is_blocked
),
branch_stock AS (
    SELECT b.product_code, b.branch_code, sum(b.available) AS available
    FROM stock_balances b WHERE b.product_code IN (SELECT product_code FROM k)
    GROUP BY 1, 2
),
sku_stock AS (
    SELECT product_code,
           json_agg(json_build_object(
               'branch', branch_code, 'available', greatest(0, floor(available))::bigint
           ) ORDER BY branch_code) AS stock
    FROM branch_stock GROUP BY 1
),
sku_future AS (
    SELECT f.product_code,
           json_agg(json_build_object(
               'branch', f.branch_code,
               'production_order', f.order_code,
               'quantity', f.pending_quantity,
               'expected_date', f.expected_date
           ) ORDER BY f.expected_date NULLS LAST, f.branch_code, f.order_code) AS future
    FROM future_stock f
    WHERE f.product_code IN (SELECT product_code FROM k) AND f.pending_quantity > 0
    GROUP BY 1
),
sku_docs AS (
    SELECT k.reference_code,
           json_agg(json_build_object(
               'product_code', k.product_code,
               'sku', k.sku,
               'color', CASE WHEN k.color_code IS NULL THEN NULL
                        ELSE json_build_object('code', k.color_code, 'name', k.color_name) END,
               'size', k.size,
               'barcodes', k.barcodes,
               'price', round(k.price, 2),
               'promotional_price', round(k.promotional_price, 2),
               'effective_price', round(k.effective, 2),
               'available', k.available,
               'stock', coalesce(st.stock, '[]'::json),
               'future_stock', coalesce(fu.future, '[]'::json)
           ) ORDER BY k.color_code NULLS LAST, k.size_rank, k.size, k.product_code) AS skus,
           round(min(k.effective), 2) AS price_min,
           round(max(k.effective), 2) AS price_max,
           bool_or(k.effective < k.price) AS on_sale,
           bool_or(k.available > 0) AS in_stock
    FROM k
    LEFT JOIN sku_stock st ON st.product_code = k.product_code
    LEFT JOIN sku_future fu ON fu.product_code = k.product_code
    GROUP BY 1
),
ref_colors AS (
    SELECT reference_code,
           array_agg(color_code ORDER BY color_code) AS codes,
           json_agg(json_build_object('code', color_code, 'name', color_name)
                    ORDER BY color_code) AS list
    FROM (SELECT DISTINCT reference_code, color_code, color_name FROM k
          WHERE color_code IS NOT NULL) c
    GROUP BY 1
),
ref_sizes AS (
    SELECT reference_code, array_agg(size ORDER BY size_rank, size) AS sizes
    FROM (SELECT reference_code, size, min(size_rank) AS size_rank FROM k
          WHERE size IS NOT NULL GROUP BY 1, 2) s
    GROUP BY 1
),
ref_barcodes AS (
    SELECT k.reference_code, array_agg(DISTINCT bc) AS barcodes
    FROM k CROSS JOIN LATERAL unnest(k.barcodes) AS bc GROUP BY 1
),
ref_branches AS (
    SELECT k.reference_code, array_agg(DISTINCT bs.branch_code) AS branches
    FROM k JOIN branch_stock bs ON bs.product_code = k.product_code
    WHERE bs.available >= 1 GROUP BY 1
),
cls AS (
    SELECT pc.reference_code,
           array_agg(pc.type_code || ':' || pc.code ORDER BY pc.type_code) AS keys,
           json_agg(json_build_object(
               'type', pc.type_code, 'type_name', c.type_name, 'code', pc.code, 'name', c.name
           ) ORDER BY pc.type_code) AS list,
           (array_agg(json_build_object('code', pc.code, 'name', c.name))
               FILTER (WHERE pc.type_code = $4))[1] AS category,
           (array_agg(json_build_object('code', pc.code, 'name', c.name))
               FILTER (WHERE pc.type_code = $5))[1] AS brand,
           (array_agg(json_build_object('code', pc.code, 'name', c.name))
               FILTER (WHERE pc.type_code = $6))[1] AS collection
    FROM product_classifications pc
    JOIN p ON p.reference_code = pc.reference_code
    LEFT JOIN classifications c ON c.type_code = pc.type_code AND c.code = pc.code
    GROUP BY 1
),
entries AS (
    SELECT p.reference_code, p.name, p.created_at,
           to_tsvector('simple', {fold_sql(_SEARCH_TEXT)}) AS search,
           coalesce(cls.keys, '{{}}') AS classifications,
           coalesce(rc.codes, '{{}}') AS colors,
           coalesce(rs.sizes, '{{}}') AS sizes,
           coalesce(rb.barcodes, '{{}}') AS barcodes,
           coalesce(rbr.branches, '{{}}') AS stock_branches,
           d.price_min, d.price_max, d.in_stock,
           json_build_object(
               'reference', p.reference_code,
               'name', p.name,
               'price', json_build_object('min', d.price_min, 'max', d.price_max),
               'on_sale', d.on_sale,
               'in_stock', d.in_stock,
               'image', p.images[1],
               'colors', coalesce(rc.list, '[]'::json),
               'sizes', coalesce(rs.sizes, '{{}}'),
               'category', cls.category,
               'brand', cls.brand,
               'collection', cls.collection
           )::text AS card,
           json_build_object(
               'reference', p.reference_code,
               'name', p.name,
               'description', coalesce(p.web_description, p.description),
               'origin', p.origin,
               'images', p.images,
               'expires_on', p.expires_on,
               'price', json_build_object('min', d.price_min, 'max', d.price_max),
               'on_sale', d.on_sale,
               'in_stock', d.in_stock,
               'category', cls.category,
               'brand', cls.brand,
               'collection', cls.collection,
               'classifications', coalesce(cls.list, '[]'::json),
               'colors', coalesce(rc.list, '[]'::json),
               'sizes', coalesce(rs.sizes, '{{}}'),
               'skus', d.skus,
               'updated_at', p.changed_at
           )::text AS body
    FROM p
    JOIN sku_docs d ON d.reference_code = p.reference_code
    LEFT JOIN cls ON cls.reference_code = p.reference_code
    LEFT JOIN ref_colors rc ON rc.reference_code = p.reference_code
    LEFT JOIN ref_sizes rs ON rs.reference_code = p.reference_code
    LEFT JOIN ref_barcodes rb ON rb.reference_code = p.reference_code
    LEFT JOIN ref_branches rbr ON rbr.reference_code = p.reference_code
)
"""  # noqa: S608

#: Rebuild the entries of $1: upsert the shown ones (only when something changed), delete the
#: rest. Returns (written, removed).
REBUILD = f"""
{BUILD},
upserted AS (
    INSERT INTO catalog_entries AS t (
        reference_code, name, search, classifications, colors, sizes, barcodes, price_min,
        price_max, stock_branches, in_stock, listed_at, card, body, etag, refreshed_at
    )
    SELECT reference_code, name, search, classifications, colors, sizes, barcodes, price_min,
           price_max, stock_branches, in_stock, created_at, card, body, md5(body), now()
    FROM entries
    ON CONFLICT (reference_code) DO UPDATE SET
        name = EXCLUDED.name, search = EXCLUDED.search,
        classifications = EXCLUDED.classifications, colors = EXCLUDED.colors,
        sizes = EXCLUDED.sizes, barcodes = EXCLUDED.barcodes, price_min = EXCLUDED.price_min,
        price_max = EXCLUDED.price_max, stock_branches = EXCLUDED.stock_branches,
        in_stock = EXCLUDED.in_stock, listed_at = EXCLUDED.listed_at, card = EXCLUDED.card,
        body = EXCLUDED.body, etag = EXCLUDED.etag, refreshed_at = EXCLUDED.refreshed_at
    WHERE t.body IS DISTINCT FROM EXCLUDED.body OR t.card IS DISTINCT FROM EXCLUDED.card
       OR t.search IS DISTINCT FROM EXCLUDED.search
       OR t.listed_at IS DISTINCT FROM EXCLUDED.listed_at
    RETURNING 1
),
removed AS (
    DELETE FROM catalog_entries t
    WHERE t.reference_code = ANY($1::text[])
      AND NOT EXISTS (SELECT FROM entries e WHERE e.reference_code = t.reference_code)
    RETURNING 1
)
SELECT (SELECT count(*) FROM upserted) AS written, (SELECT count(*) FROM removed) AS removed
"""  # noqa: S608

#: Claim up to $1 marks (skipping those another refresher holds) and delete them.
CLAIM = """
DELETE FROM catalog_dirty WHERE reference_code IN (
    SELECT reference_code FROM catalog_dirty ORDER BY marked_at LIMIT $1 FOR UPDATE SKIP LOCKED
) RETURNING reference_code
"""


class PostgresCatalogRefresher:
    """Rebuilds catalog entries: marked ones in batches, or given references at once."""

    def __init__(self, engine: AsyncEngine, view: CatalogView) -> None:
        self._engine = engine
        self._view = view

    def _params(self) -> tuple[int, ...]:
        v = self._view
        return (v.price_code, v.price_branch, v.category_type, v.brand_type, v.collection_type)

    async def refresh_marked(self, batch: int = 2000) -> RefreshResult:
        """Rebuild up to ``batch`` marked references in one transaction."""
        async with self._engine.connect() as connection:
            raw = await raw_in_transaction(connection, "SET LOCAL jit = off")
            claimed = [r["reference_code"] for r in await raw.fetch(CLAIM, batch)]
            written = removed = 0
            if claimed:
                written, removed = await self._rebuild(raw, claimed)
            await connection.commit()
        return RefreshResult(len(claimed), written, removed)

    async def refresh(self, references: Sequence[str]) -> RefreshResult:
        """Rebuild ``references`` now and clear their marks (waiting for a refresher that holds
        one, so the rebuild reads data at least as new as the mark's)."""
        async with self._engine.connect() as connection:
            raw = await raw_in_transaction(connection, "SET LOCAL jit = off")
            await raw.execute(
                "DELETE FROM catalog_dirty WHERE reference_code = ANY($1::text[])",
                list(references),
            )
            written, removed = await self._rebuild(raw, references)
            await connection.commit()
        return RefreshResult(len(references), written, removed)

    async def _rebuild(self, raw: RawConnection, references: Sequence[str]) -> tuple[int, int]:
        row = await raw.fetchrow(REBUILD, list(references), *self._params())
        assert row is not None
        return int(row["written"]), int(row["removed"])
