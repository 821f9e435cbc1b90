"""Which catalog entries a sync merge makes stale: marks in ``catalog_dirty``, per stream.

Run on the staged rows *before* the merge, inside the sync's transaction, so the marks commit with
the data. For SKUs the reference the SKU had before the run is marked too (a SKU may move).
Costs are not shown to storefronts and mark nothing.
"""

from __future__ import annotations

from domain.sync import Stream

#: Marks are appended (see ``catalog_dirty``): never a conflict, never a wait on an order.
_MARK = (
    "INSERT INTO catalog_dirty (reference_code) SELECT DISTINCT reference_code FROM ({select}) m"
)


def _by_product_code(stage: str) -> str:
    return _MARK.format(
        select=(
            "SELECT DISTINCT k.reference_code FROM skus k "  # noqa: S608 (stage: a constant)
            "WHERE k.product_code IN (SELECT product_code FROM " + stage + ")"
        )
    )


#: SQL per stream; streams absent here mark nothing.
MARKS: dict[Stream, str] = {
    Stream.COLORS: _MARK.format(
        select="SELECT DISTINCT k.reference_code FROM skus k "
        "WHERE k.color_code IN (SELECT code FROM stage_colors)"
    ),
    Stream.SIZES: _MARK.format(
        select="SELECT DISTINCT k.reference_code FROM skus k "
        "WHERE k.grid_code IN (SELECT code FROM stage_size_grids)"
    ),
    # This stream stages the whole (small) table every pass: only a new or renamed value makes
    # the pages naming it stale, else every pass would rebuild the whole catalog.
    Stream.CLASSIFICATIONS: _MARK.format(
        select="SELECT DISTINCT pc.reference_code FROM product_classifications pc "
        "JOIN stage_classifications s ON s.type_code = pc.type_code AND s.code = pc.code "
        "LEFT JOIN classifications c ON c.type_code = s.type_code AND c.code = s.code "
        "WHERE c.code IS NULL OR (c.type_name, c.name) IS DISTINCT FROM (s.type_name, s.name)"
    ),
    Stream.PRODUCTS: _MARK.format(
        select="SELECT reference_code FROM stage_skus UNION "
        "SELECT k.reference_code FROM skus k "
        "WHERE k.product_code IN (SELECT product_code FROM stage_skus)"
    ),
    Stream.BALANCES: _by_product_code("stage_stock_balances"),
    Stream.PRICES: _by_product_code("stage_prices"),
    Stream.PRODUCTION_ORDERS: _by_product_code("stage_future_stock"),
}
