"""Stock reservations, and the catalog marks they make, on the request's connection (nothing
durable before ``commit()``)."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.raw import raw_transaction
from domain.reservations import StockPosition

# One statement creates missing rows, locks every row and reads it: ``ON CONFLICT DO UPDATE``
# locks a row that exists (waiting for a transaction that holds it, then taking its committed
# version) and ``RETURNING`` gives that version. Rows are taken in ascending code order, so
# callers locking overlapping sets wait for each other instead of deadlocking. The update
# rewrites ``reserved`` unchanged: a cheap HOT update, unlike a separate INSERT and SELECT
# ... FOR UPDATE: one round trip less on the order hot path.
_LOCK = """
    INSERT INTO stock_reservations AS r (product_code)
    SELECT code FROM unnest($1::bigint[]) AS code ORDER BY code
    ON CONFLICT (product_code) DO UPDATE SET reserved = r.reserved
    RETURNING r.product_code, r.reserved,
              (SELECT coalesce(sum(b.available), 0) FROM stock_balances b
                WHERE b.product_code = r.product_code) AS erp_available
"""

# Saving marks the SKUs' products stale for the catalog read model in the same round trip
# (only their stock to sell changed: ``stock_only``). Marks are made in ascending order: a
# concurrent marker of the same new row waits for the other's commit, and one order keeps those
# waits from forming a cycle; they come after the stock rows, as in every transaction that takes
# both.
_SAVE = """
    WITH saved AS (
        UPDATE stock_reservations r SET reserved = v.reserved
          FROM unnest($1::bigint[], $2::integer[]) AS v(code, reserved)
         WHERE r.product_code = v.code
    )
    INSERT INTO catalog_dirty (reference_code, stock_only)
    SELECT DISTINCT s.reference_code, true FROM skus s
     WHERE s.product_code = ANY($1::bigint[])
"""


class PostgresStockLedger:
    """Implements :class:`application.orders.ports.StockLedger` on ``stock_reservations``,
    marking products in ``catalog_dirty``.

    The ERP available figure of a SKU is the sum of ``stock_balances.available`` over all its
    branches and stock codes.
    """

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def lock(self, product_codes: Collection[int]) -> dict[int, StockPosition]:
        codes = sorted(set(product_codes))
        if not codes:
            return {}
        raw = await raw_transaction(self._connection)
        rows = await raw.fetch(_LOCK, codes)
        return {
            row["product_code"]: StockPosition(
                row["product_code"], row["erp_available"], row["reserved"]
            )
            for row in rows
        }

    async def save(self, positions: Iterable[StockPosition]) -> None:
        ordered = sorted(positions, key=lambda p: p.product_code)
        if not ordered:
            return
        raw = await raw_transaction(self._connection)
        await raw.execute(_SAVE, [p.product_code for p in ordered], [p.reserved for p in ordered])
