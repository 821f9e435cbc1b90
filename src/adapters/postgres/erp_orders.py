"""Orders from the ERP, applied page by page in the sync's transaction (Python-side decisions,
a handful of batched statements per page).

An ERP order whose key, or whose client id (``orderId``), names a Ponte order updates it: the ERP
key when missing, the ERP's status, registration and change times, invoices, units served and
cancelled per SKU, and Ponte's status following the ERP (see :func:`domain.erp_orders.follow_erp`;
a move the state machine forbids is left out and listed as a notice). Orders that came from the
ERP (origin ``erp``) also follow its items, totals and shipping address. Any other ERP order is
inserted with origin ``erp`` for the customer holding its customer code, with no reservation
(the ERP holds its stock). A customer code Ponte does not know is registered from the order (see
:data:`~adapters.postgres.erp_order_sql.REGISTER_CUSTOMERS`; a notice says so), under the persons
streams' merge lock; only an order naming no customer code is rejected.

Reservations are released at the end (:meth:`ErpOrderFollowUp.finish`): of orders the ERP
cancelled, and of every order the ERP registered no later than the balances stream's cursor —
from then on the ERP's balances count it. Releasing last keeps the lock order of the order use
cases (orders, then stock).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from adapters.postgres import erp_order_sql as sql
from adapters.postgres import erp_releases
from adapters.postgres.addresses import address_json
from adapters.postgres.erp_customers import MERGE_LOCK_KEY
from adapters.postgres.folding import fold
from adapters.postgres.raw import RawConnection
from application.sync.ports import MergeResult
from domain.erp_customers import ErpCustomer
from domain.erp_orders import ErpInvoice, ErpOrder, ErpOrderItem, follow_erp, new_order_status
from domain.orders import OrderStatus
from domain.sync import Rejection, Stream

log = logging.getLogger(__name__)

_NEVER = datetime.min.replace(tzinfo=UTC)
#: (units, served, cancelled, unit price, reference) per product code.
_Items = dict[int, tuple[int, int, int, Decimal, str | None]]


@dataclass(slots=True)
class _Known:
    """A Ponte order as stored, with its items."""

    id: UUID
    own: bool  # came from the ERP
    status: OrderStatus
    reservation_open: bool
    erp_key: tuple[int, int] | None
    erp_status: str | None
    erp_inserted_at: datetime | None
    erp_changed_at: datetime | None
    invoices: Any
    freight: Decimal
    discount: Decimal
    total: Decimal
    shipping_address: Any
    items: _Items = field(default_factory=dict)


@dataclass(slots=True)
class _Writes:
    """One page's statements, as rows of their arrays."""

    inserts: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    new_items: list[tuple[Any, ...]] = field(default_factory=list)
    replaced: list[UUID] = field(default_factory=list)
    served: list[tuple[Any, ...]] = field(default_factory=list)


class ErpOrderFollowUp:
    """Applies the orders stream's pages on one connection; :meth:`finish` once at the end."""

    def __init__(self, raw: RawConnection) -> None:
        self._raw = raw
        self._inserted = self._updated = self._unchanged = 0
        self._rejected: list[Rejection] = []
        self._notices: list[Rejection] = []
        self._cancelled: set[UUID] = set()

    async def apply(self, records: Sequence[ErpOrder]) -> None:
        """Apply one page: the latest change per ERP key, in key order."""
        latest: dict[tuple[int, int], ErpOrder] = {}
        for record in records:
            seen = latest.get(record.key)
            if seen is None or _stamp(record) >= _stamp(seen):
                latest[record.key] = record
        self._unchanged += len(records) - len(latest)
        orders = sorted(latest.values(), key=lambda r: r.key)
        by_key, by_id = await self._known(orders)
        customers = await self._customers(
            [r for r in orders if r.key not in by_key and _ponte_id(r.client_id) not in by_id]
        )
        writes = _Writes()
        for order in orders:
            known = by_key.get(order.key)
            ponte_id = _ponte_id(order.client_id)
            if known is None and ponte_id is not None:
                known = by_id.get(ponte_id)
                if known is not None and known.erp_key not in (None, order.key):
                    self._reject(order, _repeated_id(known))
                    continue
            if known is None:
                self._insert(order, customers, writes)
            else:
                self._follow(order, known, writes)
                by_key[order.key] = known
        await self._write(writes)

    async def finish(self) -> MergeResult:
        """Release the reservations the ERP took over; the run's counts."""
        position = await self._raw.fetchval(sql.BALANCES_POSITION, Stream.BALANCES.value)
        taken = await erp_releases.taken_over(self._raw, position)
        released = await erp_releases.release(self._raw, self._cancelled | set(taken))
        if released:
            log.info("released the stock reservations of %d orders the ERP holds", released)
        self._cancelled.clear()
        result = MergeResult(
            self._inserted,
            self._updated,
            self._unchanged,
            tuple(self._rejected),
            tuple(self._notices),
        )
        self._inserted = self._updated = self._unchanged = 0
        self._rejected, self._notices = [], []
        return result

    # --- deciding ----------------------------------------------------------------------------

    def _follow(self, order: ErpOrder, known: _Known, writes: _Writes) -> None:
        if _older(order.changed_at, known.erp_changed_at):
            self._unchanged += 1
            return
        followed = follow_erp(
            known.status, order.progress, invoiced=bool(order.invoices), served=order.served
        )
        if followed.ignored is not None:
            log.warning("order %s (ERP %s): %s", known.id, order.label, followed.ignored)
            self._notices.append(Rejection(order.label, f"status not followed: {followed.ignored}"))
        status = followed.status(known.status)
        if status is OrderStatus.CANCELLED and known.reservation_open:
            self._cancelled.add(known.id)
        invoices = [_invoice_json(i) for i in order.invoices]
        shipping = _address_json(order.shipping_address) if known.own else known.shipping_address
        totals = (
            (order.freight, order.discount, order.total)
            if known.own
            else (known.freight, known.discount, known.total)
        )
        erp_key = known.erp_key or order.key
        header = (
            status,
            erp_key,
            order.status_name,
            order.inserted_at,
            order.changed_at,
            invoices,
            totals,
            shipping,
        )
        before = (
            known.status,
            known.erp_key,
            known.erp_status,
            known.erp_inserted_at,
            known.erp_changed_at,
            known.invoices,
            (known.freight, known.discount, known.total),
            known.shipping_address,
        )
        items_changed = self._follow_items(order, known, writes)
        if header != before:
            writes.updates.append(
                (
                    known.id,
                    status.value,
                    *erp_key,
                    order.status_name,
                    order.inserted_at,
                    order.changed_at,
                    json.dumps(invoices),
                    known.own,
                    *totals,
                    json.dumps(shipping) if known.own and shipping is not None else None,
                )
            )
        if header != before or items_changed:
            self._updated += 1
        else:
            self._unchanged += 1
        known.status, known.erp_key, known.erp_changed_at = status, erp_key, order.changed_at

    def _follow_items(self, order: ErpOrder, known: _Known, writes: _Writes) -> bool:
        """Queue the items' changes; whether any."""
        if known.own:
            if _same_items(known.items, order.items):
                return False
            writes.replaced.append(known.id)
            writes.new_items.extend(_item_rows(known.id, order.items))
            return True
        changed = False
        for item in order.items:
            held = known.items.get(item.product_code)
            if held is not None and (held[1], held[2]) != (item.served, item.cancelled):
                writes.served.append((known.id, item.product_code, item.served, item.cancelled))
                changed = True
        return changed

    def _insert(self, order: ErpOrder, customers: Mapping[int, UUID], writes: _Writes) -> None:
        if order.customer_code is None:
            self._reject(order, "the ERP names no customer (customerCode)")
            return
        customer = customers.get(order.customer_code)
        if customer is None:
            self._reject(
                order,
                f"customer {order.customer_code} is not in Ponte and could not be registered "
                "from the order",
            )
            return
        order_id = uuid.uuid4()
        status = new_order_status(
            order.progress, invoiced=bool(order.invoices), served=order.served
        )
        writes.inserts.append(
            (
                order_id,
                customer,
                status.value,
                order.freight,
                order.discount,
                order.total,
                _dumps(_address_json(order.shipping_address)),
                order.ordered_at or order.inserted_at,
                *order.key,
                order.status_name,
                order.inserted_at,
                order.changed_at,
                json.dumps([_invoice_json(i) for i in order.invoices]),
            )
        )
        writes.new_items.extend(_item_rows(order_id, order.items))
        self._inserted += 1

    def _reject(self, order: ErpOrder, reason: str) -> None:
        self._rejected.append(Rejection(order.label, reason))

    # --- reading and writing -----------------------------------------------------------------

    async def _known(
        self, orders: Sequence[ErpOrder]
    ) -> tuple[dict[tuple[int, int], _Known], dict[UUID, _Known]]:
        """Ponte's orders named by the page, locked: by ERP key and by Ponte id."""
        raw = self._raw
        keyed = await raw.fetch(
            sql.BY_ERP_KEY, [o.branch_code for o in orders], [o.order_code for o in orders]
        )
        found = {row["id"]: _known_order(row) for row in keyed}
        ids = {pid for o in orders if (pid := _ponte_id(o.client_id)) is not None} - found.keys()
        if ids:
            found |= {row["id"]: _known_order(row) for row in await raw.fetch(sql.BY_ID, ids)}
        if found:
            for row in await raw.fetch(sql.ITEMS, list(found)):
                found[row["order_id"]].items[row["product_code"]] = (
                    row["quantity"],
                    row["served_quantity"],
                    row["cancelled_quantity"],
                    row["unit_price"],
                    row["reference_code"],
                )
        by_key = {k.erp_key: k for k in found.values() if k.erp_key is not None}
        return by_key, found

    async def _customers(self, orders: Sequence[ErpOrder]) -> dict[int, UUID]:
        """Customer ids by the ERP codes ``orders`` name; unknown codes are registered from the
        first order naming each."""
        named: dict[int, tuple[ErpOrder, ErpCustomer]] = {}
        for order in orders:
            if (customer := order.named_customer()) is not None:
                named.setdefault(customer.erp_code, (order, customer))
        if not named:
            return {}
        rows = await self._raw.fetch(sql.CUSTOMERS, sorted(named))
        found = {row["erp_code"]: row["id"] for row in rows}
        missing = [named[code] for code in sorted(named.keys() - found.keys())]
        if missing:
            found |= await self._register(missing)
        return found

    async def _register(self, named: Sequence[tuple[ErpOrder, ErpCustomer]]) -> dict[int, UUID]:
        """Register the customers ``named`` (see the module); their ids by ERP code.

        The persons streams' merge lock keeps their merge from deciding on a snapshot without
        these. A document named twice is kept by the lowest code. A code the statement leaves
        out (a concurrent writer met a unique index) is retried without its document, then
        looked up.
        """
        await self._raw.execute("SELECT pg_advisory_xact_lock($1)", MERGE_LOCK_KEY)
        customers = [customer for _, customer in named]
        documents: list[str | None] = []
        for customer in customers:
            digits = customer.document.digits if customer.document else None
            documents.append(None if digits in documents else digits)
        rows = await self._raw.fetch(sql.REGISTER_CUSTOMERS, *_registration(customers, documents))
        done = {row["erp_code"] for row in rows}
        left = [c for c in customers if c.erp_code not in done]
        if left:
            rows += await self._raw.fetch(
                sql.REGISTER_CUSTOMERS, *_registration(left, [None] * len(left))
            )
        registered = {row["erp_code"]: row for row in rows}
        for order, customer in named:
            if (row := registered.get(customer.erp_code)) is not None:
                self._notices.append(Rejection(order.label, _registered(customer, row["linked"])))
        found = {code: row["id"] for code, row in registered.items()}
        unknown = [c.erp_code for c in customers if c.erp_code not in found]
        if unknown:
            rows = await self._raw.fetch(sql.CUSTOMERS, unknown)
            found |= {row["erp_code"]: row["id"] for row in rows}
        log.info("registered %d customers named by ERP orders", len(registered))
        return found

    async def _write(self, writes: _Writes) -> None:
        raw = self._raw
        if writes.inserts:
            await raw.execute(sql.INSERT_ORDERS, *_columns(writes.inserts, 14))
        if writes.updates:
            await raw.execute(sql.UPDATE_ORDERS, *_columns(writes.updates, 13))
        if writes.replaced:
            await raw.execute(sql.DELETE_ITEMS, writes.replaced)
        if writes.new_items:
            await raw.execute(sql.INSERT_ITEMS, *_columns(writes.new_items, 7))
        if writes.served:
            await raw.execute(sql.UPDATE_SERVED, *_columns(writes.served, 4))


def _known_order(row: Mapping[str, Any]) -> _Known:
    key = row["erp_branch_code"], row["erp_order_code"]
    return _Known(
        id=row["id"],
        own=row["origin"] == "erp",
        status=OrderStatus(row["status"]),
        reservation_open=row["reservation_open"],
        erp_key=None if key[1] is None else key,
        erp_status=row["erp_status"],
        erp_inserted_at=row["erp_inserted_at"],
        erp_changed_at=row["erp_changed_at"],
        invoices=json.loads(row["invoices"]),
        freight=row["freight"],
        discount=row["discount"],
        total=row["total"],
        shipping_address=_loads(row["shipping_address"]),
    )


def _registration(
    customers: Sequence[ErpCustomer], documents: Sequence[str | None]
) -> list[list[Any]]:
    """The arrays of :data:`~adapters.postgres.erp_order_sql.REGISTER_CUSTOMERS`."""
    return [
        [c.erp_code for c in customers],
        [c.kind.value for c in customers],
        [c.name for c in customers],
        [fold(c.name) for c in customers],
        list(documents),
    ]


def _registered(customer: ErpCustomer, linked: bool) -> str:
    if linked:
        return (
            f"customer {customer.erp_code} was not in Ponte by its code: linked to the "
            "customer with its document"
        )
    return (
        f"customer {customer.erp_code} was not in Ponte: registered from this order; the "
        "customers streams complete it"
    )


def _same_items(stored: _Items, items: Sequence[ErpOrderItem]) -> bool:
    """Whether ``items`` are the stored ones (a reference the ERP leaves out is not compared:
    the stored one came from the mirrored SKU)."""
    if stored.keys() != {i.product_code for i in items}:
        return False
    for item in items:
        units, served, cancelled, price, reference = stored[item.product_code]
        if (units, served, cancelled, price) != (
            item.quantity,
            item.served,
            item.cancelled,
            item.unit_price,
        ):
            return False
        if item.reference_code is not None and item.reference_code != reference:
            return False
    return True


def _item_rows(order_id: UUID, items: Iterable[ErpOrderItem]) -> list[tuple[Any, ...]]:
    return [
        (
            order_id,
            i.product_code,
            i.reference_code,
            i.quantity,
            i.unit_price,
            i.served,
            i.cancelled,
        )
        for i in items
    ]


def _invoice_json(invoice: ErpInvoice) -> dict[str, str | None]:
    """An invoice as ``orders.invoices`` holds it."""
    return {
        "number": invoice.number,
        "series": invoice.series,
        "access_key": invoice.access_key,
        "issued_at": None if invoice.issued_at is None else invoice.issued_at.isoformat(),
        "tracking_code": invoice.tracking_code,
        "status": invoice.status,
    }


def _address_json(address: Any) -> dict[str, str | None] | None:
    return None if address is None else address_json(address)


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _columns(rows: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows as ``width`` parallel arrays (the statements ``unnest`` them)."""
    return [[row[n] for row in rows] for n in range(width)]


def _ponte_id(client_id: str | None) -> UUID | None:
    """The Ponte order id an ERP order carries as its client id, when it is a UUID."""
    if not client_id:
        return None
    try:
        return UUID(client_id)
    except ValueError:
        return None


def _stamp(order: ErpOrder) -> datetime:
    return order.changed_at or _NEVER


def _older(incoming: datetime | None, applied: datetime | None) -> bool:
    return incoming is not None and applied is not None and incoming < applied


def _repeated_id(known: _Known) -> str:
    branch, code = known.erp_key or (0, 0)
    return (
        f"repeats the orderId of Ponte order {known.id}, which is ERP order {branch}/{code}: "
        "a duplicate in the ERP, not imported"
    )
