"""Persons, sales orders and the write log of one sandbox (contract §8, §9).

Built from the catalog's config and clock: ``persons`` + ``legal_entities`` seeded persons and
``store_orders`` seeded store orders selling seeded SKUs. API writes (customer upserts, B2C
orders, cancel, change-status) are validated in full, applied, stamped with the clock's second
and appended to :attr:`Commerce.writes`; ERP-side changes (admin routes) are not logged.
B2C and admin store orders move the catalog's balances as they are created, canceled and settled
(see :mod:`order_stock`). :meth:`Commerce.reset` returns to the seed, giving back what the dropped
orders still held in ``salesOrder``.
"""

from __future__ import annotations

from typing import Any

from sandbox.totvs_moda.binding import as_int, optional_int
from sandbox.totvs_moda.core import CatalogCore
from sandbox.totvs_moda.errors import BadRequest, NotFound
from sandbox.totvs_moda.order_input import parse_b2c
from sandbox.totvs_moda.order_seeds import seed_orders, store_order
from sandbox.totvs_moda.order_stock import OrderStock
from sandbox.totvs_moda.person_input import apply_customer, parse_customer
from sandbox.totvs_moda.person_seeds import generated_person, seed_persons
from sandbox.totvs_moda.persons import Person, PersonBook
from sandbox.totvs_moda.sales_orders import OrderBook, SalesOrder
from sandbox.totvs_moda.statuses import order_status
from sandbox.totvs_moda.write_log import WriteLog

#: ``pageSize`` maxima of the person and order searches (contract §4.1).
COMMERCE_PAGE_LIMITS: dict[str, int] = {
    "individuals": 500,
    "legal_entities": 500,
    "orders_search": 500,
}


class Commerce:
    def __init__(self, catalog: CatalogCore) -> None:
        self.catalog = catalog
        self.writes = WriteLog()
        self.stock = OrderStock(catalog)
        self.persons: PersonBook
        self.orders: OrderBook
        self.reset()

    def reset(self) -> None:
        """Back to the seeded persons and orders, with an empty write log (``seq`` goes on).

        The pending quantities of the dropped booked orders leave ``salesOrder``, stamped now.
        """
        if self.stock.booked:
            self.stock.forget(self.orders.orders, int(self.now()))
        self.persons = seed_persons(self.catalog.config, self.catalog.base_at)
        self.orders = seed_orders(self.catalog, self.persons)
        self.writes.clear()

    def now(self) -> float:
        return self.catalog.clock.now()

    # -- API writes ---------------------------------------------------------------------------

    def upsert_customer(self, body: dict[str, Any], sent: Any, *, legal: bool) -> Person:
        """``individual-customers`` / ``legal-customers``. :raises ApiError: see
        :mod:`person_input`."""
        upsert = parse_customer(body, legal=legal, branches=self.catalog.config.branches)
        now = self.now()
        person, _ = apply_customer(self.persons, upsert, int(now))
        self.writes.append(
            "legal-customers" if legal else "individual-customers",
            sent,
            now,
            document=person.document,
            customer_code=person.code,
        )
        return person

    def create_order(self, body: dict[str, Any], sent: Any) -> SalesOrder:
        """``b2c-orders``. :raises ApiError: see :mod:`order_input`."""
        new = parse_b2c(body, catalog=self.catalog, persons=self.persons)
        now = self.now()
        order = self.orders.create(new, int(now))
        self.stock.reserve(order, order.insert_at)
        self._log("b2c-orders", sent, now, order)
        return order

    def cancel_order(self, body: dict[str, Any], sent: Any) -> SalesOrder:
        """``orders/cancel``: ``orderId`` or ``branchCode`` + ``orderCode``,
        ``reasonCancellationCode`` (required), ``reasonCancellationDescription`` (<= 80)."""
        order = self._find(body)
        if body.get("reasoncancellationcode") is None:
            raise BadRequest("reasonCancellationCode is required")
        reason = as_int(body["reasoncancellationcode"], "reasonCancellationCode")
        description = _text(body.get("reasoncancellationdescription"))
        now = self.now()
        before = self.stock.progress(order)
        order.cancel(reason, description, int(now))
        self.stock.follow(order, before, int(now))
        self.orders.touch(order, int(now))
        self._log("orders/cancel", sent, now, order)
        return order

    def change_order_status(self, body: dict[str, Any], sent: Any) -> SalesOrder:
        """``orders/change-status``: ``branchCode`` + ``orderCode`` or ``orderId``,
        ``statusOrder``, optional ``reasonBlockingCode`` / ``reasonBlockingDescription``."""
        order = self._find(body)
        if body.get("statusorder") is None:
            raise BadRequest("statusOrder is required")
        status = order_status(body["statusorder"])
        reason = optional_int(body.get("reasonblockingcode"), "reasonBlockingCode")
        order.change_status(status, reason, _text(body.get("reasonblockingdescription")))
        now = self.now()
        self.orders.touch(order, int(now))
        self._log("orders/change-status", sent, now, order)
        return order

    def _find(self, body: dict[str, Any]) -> SalesOrder:
        order_id = body.get("orderid")
        return self.orders.find(
            None if order_id in (None, "") else str(order_id),
            optional_int(body.get("branchcode"), "branchCode"),
            optional_int(body.get("ordercode"), "orderCode"),
        )

    def _log(self, route: str, sent: Any, now: float, order: SalesOrder) -> None:
        self.writes.append(
            route,
            sent,
            now,
            order_id=order.order_id,
            branch_code=order.branch_code,
            order_code=order.order_code,
            document=order.customer_document,
            customer_code=order.customer_code,
        )

    # -- ERP-side changes ---------------------------------------------------------------------

    def add_person(self, *, legal: bool) -> Person:
        """A new generated person, stamped now."""
        code = self.persons.next_code
        person = generated_person(
            self.catalog.config,
            code,
            legal=legal,
            at=int(self.now()),
            taken=self.persons.by_document,
        )
        self.persons.add(person)
        return person

    def add_store_order(
        self,
        *,
        branch: int | None = None,
        customer_code: int | None = None,
        lines: int | None = None,
    ) -> SalesOrder:
        """A new generated store order, stamped now; its quantities go into ``salesOrder``.

        :raises NotFound: an unknown branch or customer; :raises ValueError: nothing to sell.
        """
        if branch is not None and branch not in self.catalog.config.branches:
            raise NotFound(f"BranchCode {branch} not found")
        customer = None
        if customer_code is not None:
            customer = self.persons.by_code.get(customer_code)
            if customer is None:
                raise NotFound(f"Customer {customer_code} not found")
        customers = [p for p in self.persons.by_code.values() if p.is_customer]
        order = store_order(
            self.catalog,
            self.orders,
            customers,
            len(self.orders),
            int(self.now()),
            branch=branch,
            customer=customer,
            lines=lines,
        )
        self.orders.add(order)
        self.stock.reserve(order, order.insert_at)
        return order

    def advance(
        self,
        branch: int,
        code: int,
        status: str,
        *,
        invoice: bool | None = None,
        settle: dict[int, int] | None = None,
    ) -> SalesOrder:
        """Move an order as the back office would; a booked order's settled units leave ``stock``
        and ``salesOrder``, its canceled ones ``salesOrder``.

        :raises NotFound: an unknown order; :raises BadRequest: see :meth:`OrderBook.advance`.
        """
        order = self.orders.find(None, branch, code)
        at = int(self.now())
        before = self.stock.progress(order)
        self.orders.advance(order, status, at, invoice=invoice, settle=settle)
        self.stock.follow(order, before, at)
        return order


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
