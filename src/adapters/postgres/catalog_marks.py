"""Which catalog entries a sync merge makes stale: marks in ``catalog_dirty``, per stream.

Run *before* the merge, inside the sync's transaction, so the marks commit with the data, and on
the staged rows that will change something (``changed``: new keys and rows whose values differ,
as the merge judges them): the rows an incremental pass re-reads in its lookback window are
unchanged and mark nothing — else every pass would rebuild, say, every product of the last color
the ERP touched. For SKUs the reference the SKU had before the run is marked too (a SKU may
move). Costs are not shown to storefronts and mark nothing.
"""

from __future__ import annotations

from domain.sync import Stream

#: Marks are appended (see ``catalog_dirty``): never a conflict, never a wait on an order.
_MARK = (
    "INSERT INTO catalog_dirty (reference_code) SELECT DISTINCT reference_code FROM ({select}) m"
)


_BY_PRODUCT_CODE = _MARK.format(
    select="SELECT DISTINCT k.reference_code FROM skus k "
    "WHERE k.product_code IN (SELECT product_code FROM changed)"
)


#: SQL per stream; streams absent here mark nothing.
MARKS: dict[Stream, str] = {
    Stream.COLORS: _MARK.format(
        select="SELECT DISTINCT k.reference_code FROM skus k "
        "WHERE k.color_code IN (SELECT code FROM changed)"
    ),
    Stream.SIZES: _MARK.format(
        select="SELECT DISTINCT k.reference_code FROM skus k "
        "WHERE k.grid_code IN (SELECT code FROM changed)"
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
    Stream.BALANCES: _BY_PRODUCT_CODE,
    Stream.PRICES: _BY_PRODUCT_CODE,
    Stream.PRODUCTION_ORDERS: _BY_PRODUCT_CODE,
}

#: Streams whose marks read the ``changed`` rows. Classifications compare on their own; products
#: mark every staged reference, since their pages also carry the reference's own fields (name,
#: description, classifications), merged into other tables than the SKUs'.
_ON_CHANGES = frozenset(MARKS) - {Stream.CLASSIFICATIONS, Stream.PRODUCTS}


def mark_statement(stream: Stream, changed: str) -> str | None:
    """The statement marking what ``stream``'s staged rows make stale; ``changed`` is the text
    of CTEs ending in one named ``changed`` (see :func:`merge_sql.changed_rows`). An empty
    ``changed`` skips the whole statement (a one-time filter: no scan of ``skus``)."""
    mark = MARKS.get(stream)
    if mark is None or stream not in _ON_CHANGES:
        return mark
    return f"WITH {changed} {mark} WHERE EXISTS (SELECT FROM changed)"
