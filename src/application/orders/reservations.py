"""Moving the units an order holds in the stock reservations."""

from __future__ import annotations

from collections.abc import Mapping

from application.orders.errors import ReservationMismatch
from application.orders.ports import StockLedger
from domain.reservations import StockPosition


async def move_holding(
    ledger: StockLedger, before: Mapping[int, int], after: Mapping[int, int]
) -> list[int]:
    """Change what one order holds from ``before`` to ``after`` (units per SKU); the SKUs whose
    holding changed, ascending.

    Only SKUs whose holding changes are locked, in ascending code order. A SKU held more needs
    that many more units available to sell (ERP available − every open reservation); holding
    less, or nothing, always succeeds.

    :raises InsufficientStock: for the first SKU (ascending) short of units; nothing is saved.
    :raises ReservationMismatch: when the ledger holds fewer units than ``before`` says.
    """
    changed = sorted(
        code for code in before.keys() | after.keys() if before.get(code, 0) != after.get(code, 0)
    )
    if not changed:
        return []
    positions = await ledger.lock(changed)
    moved: list[StockPosition] = []
    for code in changed:
        position = positions[code]
        delta = after.get(code, 0) - before.get(code, 0)
        if delta > 0:
            moved.append(position.reserve(delta))
        elif position.reserved + delta < 0:
            raise ReservationMismatch(
                f"product {code}: {position.reserved} units reserved, {-delta} to release"
            )
        else:
            moved.append(StockPosition(code, position.erp_available, position.reserved + delta))
    await ledger.save(moved)
    return changed
