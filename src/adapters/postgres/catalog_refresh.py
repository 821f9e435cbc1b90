"""The storefront catalog read model: rebuilding ``catalog_entries`` from the mirror.

Writers (the sync, orders, admin edits) only *mark* references in ``catalog_dirty``, in their own
transaction, by appending a row: they never wait on each other or on a rebuild.
:class:`PostgresCatalogRefresher` later claims committed marks with ``FOR UPDATE SKIP LOCKED`` (so
several API processes share the work), rebuilds those entries and deletes the marks, all in one
transaction; it reads data at least as new as the marks it claimed. A mark committed after
the claim is not seen by it and stays for the next pass: nothing is lost, and a hot product is
rebuilt once per pass, not per order.

Rules of an entry:

- A product is shown when it is active, not deleted, and has at least one active, unblocked SKU
  with a positive price in the storefront table (``price_code`` at ``price_branch``), as orders
  require. Only such SKUs appear.
- Effective price = the promotional price when it is set, positive and below the price; else the
  price.
- Available to sell per SKU = ⌊Σ ERP available over its balances − open reservations⌋, at least 0;
  stock per branch = ⌊Σ ERP available at that branch⌋, at least 0.
- Future stock = production-order rows with a pending quantity, by expected date.
- ``card`` is a listing item, ``body`` the product page, ``etag`` the MD5 of ``body``. An entry
  whose body did not change is not rewritten, so its ETag is stable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.folding import fold_sql
from adapters.postgres.raw import RawConnection, raw_in_transaction
from adapters.postgres.statistics import refresh_statistics
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
    "d.name || ' ' || d.reference_code || ' ' || coalesce(d.description, '') || ' ' "
    "|| coalesce(d.web_description, '')"
)
#: Search words: the folded text split at every run of non-alphanumerics (so ``VALE-100`` is
#: ``vale`` and ``100``, not the parser's ``-100``).
_FOLDED_SEARCH_TEXT = fold_sql(_SEARCH_TEXT)

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
-- One row per shown SKU, everything it needs read through indexes (linear in the batch; joins
-- of per-reference aggregates made the planner rescan them per row, quadratically).
k AS MATERIALIZED (
    SELECT p.reference_code, p.name, p.description, p.web_description, p.origin, p.images,
           p.expires_on, p.created_at, p.changed_at,
           k.product_code, k.sku, k.color_code, coalesce(c.name, k.color_name) AS color_name,
           k.size, k.barcodes, pr.price, pr.promotional_price,
           CASE WHEN pr.promotional_price > 0 AND pr.promotional_price < pr.price
                THEN pr.promotional_price ELSE pr.price END AS effective,
           greatest(0, floor(coalesce(st.total, 0) - coalesce(r.reserved, 0)))::bigint
               AS available,
           coalesce(array_position(g.sizes, k.size), 2147483647) AS size_rank,
           coalesce(st.stock, '[]'::json) AS stock,
           coalesce(st.branches, '{{}}') AS branches,
           coalesce(fu.future, '[]'::json) AS future
    FROM p
    JOIN skus k ON k.reference_code = p.reference_code
    JOIN prices pr ON pr.product_code = k.product_code AND pr.price_code = $2
                  AND pr.branch_code = $3 AND pr.price > 0
    LEFT JOIN LATERAL (
        SELECT sum(b.available) AS total,
               json_agg(json_build_object(
                   'branch', b.branch_code, 'available', greatest(0, floor(b.available))::bigint
               ) ORDER BY b.branch_code) AS stock,
               array_agg(b.branch_code) FILTER (WHERE b.available >= 1) AS branches
        FROM (
            SELECT s.branch_code, sum(s.available) AS available FROM stock_balances s
            WHERE s.product_code = k.product_code GROUP BY 1
        ) b
    ) st ON true
    LEFT JOIN LATERAL (
        SELECT json_agg(json_build_object(
                   'branch', f.branch_code,
                   'production_order', f.order_code,
                   'quantity', f.pending_quantity,
                   'expected_date', f.expected_date
               ) ORDER BY f.expected_date NULLS LAST, f.branch_code, f.order_code) AS future
        FROM future_stock f
        WHERE f.product_code = k.product_code AND f.pending_quantity > 0
    ) fu ON true
    LEFT JOIN stock_reservations r ON r.product_code = k.product_code
    LEFT JOIN size_grids g ON g.code = k.grid_code
    LEFT JOIN colors c ON c.code = k.color_code
    WHERE k.is_active AND NOT k.is_blocked
),
-- One pass over the SKU rows: per-reference figures are aggregates of one GROUP BY.
d AS MATERIALIZED (
    SELECT k.reference_code, k.name, k.description, k.web_description, k.origin, k.images,
           k.expires_on, k.created_at, k.changed_at,
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
               'stock', k.stock,
               'future_stock', k.future
           ) ORDER BY k.color_code NULLS LAST, k.size_rank, k.size, k.product_code) AS skus,
           array_agg(DISTINCT round(k.effective, 2) ORDER BY round(k.effective, 2)) AS prices,
           round(min(k.effective), 2) AS price_min,
           round(max(k.effective), 2) AS price_max,
           bool_or(k.effective < k.price) AS on_sale,
           bool_or(k.available > 0) AS in_stock,
           coalesce(array_agg(DISTINCT k.color_code) FILTER (WHERE k.color_code IS NOT NULL),
                    '{{}}') AS colors,
           coalesce(jsonb_agg(DISTINCT jsonb_build_object(
                        'code', k.color_code, 'name', k.color_name))
                        FILTER (WHERE k.color_code IS NOT NULL), '[]') AS color_list,
           -- Sizes in grid order: "<rank>:<size>" sorts by rank, then the prefix is cut.
           coalesce((
               SELECT array_agg(substr(x, 12) ORDER BY x)
               FROM unnest(array_agg(DISTINCT lpad(k.size_rank::text, 10, '0') || ':' || k.size)
                           FILTER (WHERE k.size IS NOT NULL)) AS x
           ), '{{}}') AS sizes,
           coalesce((
               SELECT array_agg(DISTINCT b ORDER BY b)
               FROM unnest(string_to_array(string_agg(array_to_string(k.barcodes, ','), ','), ','))
                    AS b WHERE b <> ''
           ), '{{}}') AS barcodes,
           coalesce((
               SELECT array_agg(DISTINCT b::int ORDER BY b::int)
               FROM unnest(string_to_array(string_agg(array_to_string(k.branches, ','), ','), ','))
                    AS b WHERE b <> ''
           ), '{{}}') AS stock_branches
    FROM k
    GROUP BY k.reference_code, k.name, k.description, k.web_description, k.origin, k.images,
             k.expires_on, k.created_at, k.changed_at
),
entries AS (
    SELECT d.reference_code, d.name, d.created_at,
           to_tsvector('simple', regexp_replace({_FOLDED_SEARCH_TEXT}, '[^[:alnum:]]+', ' ', 'g'))
               AS search,
           coalesce(cls.keys, '{{}}') AS classifications,
           cls.category ->> 'code' AS category_code,
           cls.brand ->> 'code' AS brand_code,
           d.colors, d.sizes, d.barcodes, d.stock_branches,
           d.prices, d.price_min, d.price_max, d.in_stock,
           json_build_object(
               'reference', d.reference_code,
               'name', d.name,
               'price', json_build_object('min', d.price_min, 'max', d.price_max),
               'on_sale', d.on_sale,
               'in_stock', d.in_stock,
               'image', d.images[1],
               'colors', d.color_list,
               'sizes', d.sizes,
               'category', cls.category,
               'brand', cls.brand,
               'collection', cls.collection
           )::text AS card,
           json_build_object(
               'reference', d.reference_code,
               'name', d.name,
               'description', coalesce(d.web_description, d.description),
               'origin', d.origin,
               'images', d.images,
               'expires_on', d.expires_on,
               'price', json_build_object('min', d.price_min, 'max', d.price_max),
               'on_sale', d.on_sale,
               'in_stock', d.in_stock,
               'category', cls.category,
               'brand', cls.brand,
               'collection', cls.collection,
               'classifications', coalesce(cls.list, '[]'::json),
               'colors', d.color_list,
               'sizes', d.sizes,
               'skus', d.skus,
               'updated_at', d.changed_at
           )::text AS body
    FROM d
    LEFT JOIN LATERAL (
        SELECT array_agg(pc.type_code || ':' || pc.code ORDER BY pc.type_code) AS keys,
               json_agg(json_build_object(
                   'type', pc.type_code, 'type_name', c.type_name, 'code', pc.code,
                   'name', c.name
               ) ORDER BY pc.type_code) AS list,
               (array_agg(json_build_object('code', pc.code, 'name', c.name))
                   FILTER (WHERE pc.type_code = $4))[1] AS category,
               (array_agg(json_build_object('code', pc.code, 'name', c.name))
                   FILTER (WHERE pc.type_code = $5))[1] AS brand,
               (array_agg(json_build_object('code', pc.code, 'name', c.name))
                   FILTER (WHERE pc.type_code = $6))[1] AS collection
        FROM product_classifications pc
        LEFT JOIN classifications c ON c.type_code = pc.type_code AND c.code = pc.code
        WHERE pc.reference_code = d.reference_code
    ) cls ON true
)
"""  # noqa: S608

#: Indexed columns of ``catalog_entries``. An update that leaves every indexed column as it
#: was is a HOT update: the new row version goes on the same page and no index is touched — what
#: a rebuild after an order (only availability changes: ``body``, ``card``, ``in_stock``) should
#: cost. PostgreSQL compares the stored bytes, and a stored value may be compressed while the
#: rebuilt one is not yet: an equal value is therefore kept as stored, not replaced by its twin.
_INDEXED = (
    "name", "search", "classifications", "category_code", "brand_code", "colors", "sizes",
    "barcodes", "price_min", "price_max", "stock_branches", "listed_at",
)  # fmt: skip
_KEEP_EQUAL_INDEXED = ", ".join(
    f"{c} = CASE WHEN t.{c} IS NOT DISTINCT FROM EXCLUDED.{c} THEN t.{c} ELSE EXCLUDED.{c} END"
    for c in _INDEXED
)

#: Rebuild the entries of $1: upsert the shown ones (only when something changed), delete the
#: rest. Returns (written, removed).
REBUILD = f"""
{BUILD},
upserted AS (
    INSERT INTO catalog_entries AS t (
        reference_code, name, search, classifications, category_code, brand_code, colors, sizes,
        barcodes, prices, price_min, price_max, stock_branches, in_stock, listed_at, card, body,
        etag, refreshed_at
    )
    SELECT reference_code, name, search, classifications, category_code, brand_code, colors,
           sizes, barcodes, prices, price_min, price_max, stock_branches, in_stock, created_at,
           card, body, md5(body), now()
    FROM entries
    ON CONFLICT (reference_code) DO UPDATE SET
        {_KEEP_EQUAL_INDEXED}, prices = EXCLUDED.prices, in_stock = EXCLUDED.in_stock,
        card = EXCLUDED.card, body = EXCLUDED.body, etag = EXCLUDED.etag,
        refreshed_at = EXCLUDED.refreshed_at
    WHERE t.body IS DISTINCT FROM EXCLUDED.body OR t.card IS DISTINCT FROM EXCLUDED.card
       OR t.search IS DISTINCT FROM EXCLUDED.search
       OR t.category_code IS DISTINCT FROM EXCLUDED.category_code
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

#: Claim up to $1 committed marks, oldest first (skipping those another refresher holds), and
#: delete them; returns their references (a reference may come more than once).
CLAIM = """
DELETE FROM catalog_dirty WHERE id IN (
    SELECT id FROM catalog_dirty ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
) RETURNING reference_code, stock_only
"""

#: The entries of $1 with each of their SKUs' units available to sell, computed as BUILD does.
STOCK_READ = """
SELECT e.reference_code, e.body, e.card, e.etag,
       array_agg(k.product_code) AS codes, array_agg(a.available) AS available
FROM catalog_entries e
JOIN skus k ON k.reference_code = e.reference_code
CROSS JOIN LATERAL (
    SELECT greatest(0, floor(
               coalesce((SELECT sum(b.available) FROM stock_balances b
                          WHERE b.product_code = k.product_code), 0)
             - coalesce((SELECT r.reserved FROM stock_reservations r
                          WHERE r.product_code = k.product_code), 0)
           ))::bigint AS available
) a
WHERE e.reference_code = ANY($1::text[])
GROUP BY e.reference_code, e.body, e.card, e.etag
"""

#: Write patched entries, each only if it is still the version that was read (same ETag): a
#: concurrent rebuild wins, and the reference is rebuilt whole instead.
STOCK_WRITE = """
UPDATE catalog_entries e
   SET body = v.body, card = v.card, in_stock = v.in_stock, etag = md5(v.body),
       refreshed_at = now()
  FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[])
       AS v(reference_code, body, card, in_stock, etag)
 WHERE e.reference_code = v.reference_code AND e.etag = v.etag
RETURNING e.reference_code
"""

# The entry JSON is PostgreSQL's ``json_build_object`` text, keys in a fixed order. A SKU object
# starts with ``"product_code" : <code>`` and its own ``"available"`` is the first after it (the
# per-branch ``stock`` entries come later); ``"in_stock"`` is a top-level key of the page and of
# the card. Inside JSON strings every ``"`` is escaped, so these patterns only ever meet keys.
_SKU_AVAILABLE = re.compile(r'("product_code" : (-?\d+), .*?"available" : )(\d+)', re.DOTALL)
_IN_STOCK = re.compile(r'"in_stock" : (?:true|false)')


def patch_stock(body: str, card: str, available: dict[int, int]) -> tuple[str, str, bool] | None:
    """``body`` and ``card`` with each SKU's units available to sell and ``in_stock`` set from
    ``available`` (by product code), and the new ``in_stock``; None when the text is not shaped
    as expected (a SKU of the page missing from ``available``, ``in_stock`` not found once): the
    entry is then rebuilt whole."""
    stocked = False
    missing = False

    def sku(match: re.Match[str]) -> str:
        nonlocal stocked, missing
        units = available.get(int(match.group(2)))
        if units is None:
            missing = True
            return match.group(0)
        stocked = stocked or units > 0
        return f"{match.group(1)}{units}"

    body = _SKU_AVAILABLE.sub(sku, body)
    flag = f'"in_stock" : {"true" if stocked else "false"}'
    body, in_body = _IN_STOCK.subn(flag, body)
    card, in_card = _IN_STOCK.subn(flag, card)
    if missing or in_body != 1 or in_card != 1:
        return None
    return body, card, stocked


#: After enough rebuilt entries (see refresh_statistics), committed: fresh statistics, and the
#: dead row versions and GIN pending lists of rebuilt entries cleared — every search scans a GIN
#: index's pending list (measured: listings with a color, size or word took 17 % longer with
#: the lists a few thousand rebuilds left), and autovacuum may be off or late.
_MAINTAIN = "VACUUM (ANALYZE, SKIP_LOCKED)"

#: Marks claimed by one refresher after which it vacuums the marks queue itself.
VACUUM_MARKS_AFTER = 20_000


class PostgresCatalogRefresher:
    """Rebuilds catalog entries: marked ones in batches, or given references at once.

    Every claim deletes marks, and a queue's dead rows slow down every later claim (its index
    walk steps over them): after ``vacuum_marks_after`` claimed marks the refresher runs
    ``VACUUM`` on ``catalog_dirty`` itself, as autovacuum may be off or minutes behind (measured:
    850,000 dead marks behind 4,000 live ones made order bursts a third slower).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        view: CatalogView,
        *,
        vacuum_marks_after: int = VACUUM_MARKS_AFTER,
    ) -> None:
        self._engine = engine
        self._view = view
        self._vacuum_marks_after = vacuum_marks_after
        #: Entries written since statistics were last refreshed (see refresh_statistics).
        self._written = 0
        #: Marks claimed since the queue was last vacuumed.
        self._claimed = 0

    def _params(self) -> tuple[int, ...]:
        v = self._view
        return (v.price_code, v.price_branch, v.category_type, v.brand_type, v.collection_type)

    async def refresh_marked(self, batch: int = 200) -> RefreshResult:
        """Rebuild up to ``batch`` marked references in one transaction."""
        async with self._engine.connect() as connection:
            raw = await raw_in_transaction(connection, "SET LOCAL jit = off")
            marks = await raw.fetch(CLAIM, batch)
            full = dict.fromkeys(r["reference_code"] for r in marks if not r["stock_only"])
            stock = [
                reference
                for reference in dict.fromkeys(r["reference_code"] for r in marks)
                if reference not in full
            ]
            patched = rebuilt = removed = 0
            if stock:
                patched, rebuild = await self._patch_stock(raw, stock)
                full.update(dict.fromkeys(rebuild))
            if full:
                rebuilt, removed = await self._rebuild(raw, list(full))
            await connection.commit()
            # Patches change no filter column but ``in_stock``: they do not call for new
            # statistics (ANALYZE of the catalog costs about half a second of CPU).
            self._written += rebuilt + removed
            if await refresh_statistics(
                raw, ("catalog_entries",), changed=self._written, command=_MAINTAIN
            ):
                self._written = 0
        self._claimed += len(marks)
        if self._claimed >= self._vacuum_marks_after:
            self._claimed = 0
            await self._vacuum_marks()
        return RefreshResult(len(marks), patched + rebuilt, removed)

    async def _vacuum_marks(self) -> None:
        """``VACUUM`` the marks queue (outside any transaction; skipped when another vacuum or
        a schema change holds the table)."""
        async with self._engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql("VACUUM (SKIP_LOCKED) catalog_dirty")

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

    async def _patch_stock(
        self, raw: RawConnection, references: Sequence[str]
    ) -> tuple[int, list[str]]:
        """Patch the units available to sell into the entries of ``references`` whose marks all
        say only that changed. Returns the entries written and the references to rebuild whole
        instead (text not shaped as expected, or rewritten meanwhile). References without an
        entry need nothing: stock does not decide whether a product is shown."""
        rows = await raw.fetch(STOCK_READ, list(references))
        rebuild: list[str] = []
        changed: list[tuple[str, str, str, bool, str]] = []
        for row in rows:
            patched = patch_stock(
                row["body"], row["card"], dict(zip(row["codes"], row["available"], strict=True))
            )
            if patched is None:
                rebuild.append(row["reference_code"])
            elif patched[0] != row["body"] or patched[1] != row["card"]:
                changed.append((row["reference_code"], *patched, row["etag"]))
        if not changed:
            return 0, rebuild
        columns = [list(column) for column in zip(*changed, strict=True)]
        done = {r["reference_code"] for r in await raw.fetch(STOCK_WRITE, *columns)}
        rebuild += [reference for reference, *_ in changed if reference not in done]
        return len(done), rebuild

    async def _rebuild(self, raw: RawConnection, references: Sequence[str]) -> tuple[int, int]:
        row = await raw.fetchrow(REBUILD, list(references), *self._params())
        assert row is not None
        return int(row["written"]), int(row["removed"])
