"""Closing order reservations the ERP has taken over, in the sync's transaction.

Once the ERP counts an order in its balances (their ``salesOrder`` figure), Ponte's reservation
for it would count the same units twice; once the ERP cancels it, they are free. Releasing closes
``reservation_open``, gives the units back in ``stock_reservations`` and marks the SKUs' products
stale for the catalog read model, as :class:`PostgresStockLedger` does.

Locks are taken as the order use cases take them: order rows first, then stock rows in ascending
product code order, so a release never deadlocks with an order being placed or changed.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from adapters.postgres.raw import RawConnection

# Orders the ERP registered strictly before the balances applied (both on the ERP's clock). The
# ERP stamps whole seconds: a balances read in the order's own second may have come before the
# order, so the reservation waits for a later change (holding units a little longer is safe;
# releasing them early could oversell).
_TAKEN_OVER = """
    SELECT id FROM orders
     WHERE reservation_open AND erp_inserted_at < $1
     ORDER BY id
       FOR UPDATE
"""

_CLOSE = """
    UPDATE orders SET reservation_open = false, updated_at = now()
     WHERE id = ANY($1::uuid[]) AND reservation_open
    RETURNING id
"""

_HELD = """
    SELECT product_code, sum(quantity)::integer AS units FROM order_items
     WHERE order_id = ANY($1::uuid[])
     GROUP BY product_code
     ORDER BY product_code
"""

_LOCK_STOCK = """
    SELECT product_code FROM stock_reservations
     WHERE product_code = ANY($1::bigint[])
     ORDER BY product_code
       FOR UPDATE
"""

# A ledger short of units (never expected) is floored at 0 rather than failing the sync.
_RELEASE = """
    WITH released AS (
        UPDATE stock_reservations r SET reserved = greatest(r.reserved - v.units, 0)
          FROM unnest($1::bigint[], $2::integer[]) AS v(code, units)
         WHERE r.product_code = v.code
    )
    INSERT INTO catalog_dirty (reference_code, stock_only)
    SELECT DISTINCT s.reference_code, true FROM skus s WHERE s.product_code = ANY($1::bigint[])
"""


async def taken_over(raw: RawConnection, balances_position: datetime | None) -> list[UUID]:
    """Orders with an open reservation that the ERP registered at or before
    ``balances_position`` (the balances stream's cursor), locked; none when it is None."""
    if balances_position is None:
        return []
    rows = await raw.fetch(_TAKEN_OVER, balances_position)
    return [row["id"] for row in rows]


async def release(raw: RawConnection, order_ids: Collection[UUID]) -> int:
    """Close the reservations of ``order_ids`` still open; how many it closed."""
    if not order_ids:
        return 0
    closed = [row["id"] for row in await raw.fetch(_CLOSE, sorted(order_ids))]
    if not closed:
        return 0
    held = await raw.fetch(_HELD, closed)
    codes = [row["product_code"] for row in held]
    if codes:
        await raw.fetch(_LOCK_STOCK, codes)
        await raw.execute(_RELEASE, codes, [row["units"] for row in held])
    return len(closed)
