"""How sales orders move the ERP's balances, as the back office books them.

An order the sandbox books (a B2C order, an admin store order) reserves each line's quantity in
``salesOrder`` at the order's branch and the first configured stock code. Canceling gives the
pending quantity back (``salesOrder`` drops); settling ships units out (``stock`` and
``salesOrder`` both drop). Each move stamps the SKU's stock family with its time, so incremental
``balances/search`` reads and ``expected/balances`` see it. Seeded store orders are part of the
seeded balances and move nothing. Every call is O(order lines).
"""

from __future__ import annotations

from sandbox.totvs_moda.core import CatalogCore
from sandbox.totvs_moda.sales_orders import OrderKey, SalesOrder

#: (settled, canceled) of each line of an order, in line order.
Progress = tuple[tuple[int, int], ...]


class OrderStock:
    """The balance moves of the orders the sandbox booked since the last :meth:`forget`."""

    def __init__(self, catalog: CatalogCore) -> None:
        self.catalog = catalog
        self.booked: set[OrderKey] = set()

    def reserve(self, order: SalesOrder, at: int) -> None:
        """Book a new order: every line's quantity goes into ``salesOrder``."""
        self.booked.add(order.key)
        moves = ((line.product_code, 0, line.quantity) for line in order.lines)
        self.catalog.move_stock(order.branch_code, moves, at)

    @staticmethod
    def progress(order: SalesOrder) -> Progress:
        """What :meth:`follow` compares against once the order moved."""
        return tuple((line.settled, line.canceled) for line in order.lines)

    def follow(self, order: SalesOrder, before: Progress, at: int) -> None:
        """Book what a booked order settled and canceled since ``before``."""
        if order.key not in self.booked:
            return
        moves = []
        for line, (settled, canceled) in zip(order.lines, before, strict=True):
            shipped = line.settled - settled
            moves.append((line.product_code, -shipped, -shipped - (line.canceled - canceled)))
        self.catalog.move_stock(order.branch_code, moves, at)

    def forget(self, orders: dict[OrderKey, SalesOrder], at: int) -> None:
        """Give back the pending quantities of the booked ``orders`` (they are being dropped) and
        start over with none booked."""
        for key in self.booked:
            order = orders.get(key)
            if order is not None:
                moves = ((line.product_code, 0, -line.pending) for line in order.lines)
                self.catalog.move_stock(order.branch_code, moves, at)
        self.booked.clear()
