"""Orders, storefront prices and customers on the request's connection (nothing durable before
``commit()``)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, exists, literal, select, tuple_, update
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.addresses import address_from_json, address_json
from adapters.postgres.page_cursors import decode_cursor, encode_cursor
from adapters.postgres.raw import fetchval, raw_transaction
from adapters.postgres.tables import order_items, orders, outbox
from application.orders.model import (
    ErpDelivery,
    ErpOrderState,
    Invoice,
    Order,
    OrderFilter,
    OrderItem,
    OrderPage,
    SkuQuote,
)
from domain.customers import Address
from domain.money import Money
from domain.orders import OrderLine, OrderStatus

# The storefront price: the promotional price when set, positive and below the price. An ERP
# price of 0 (or less) means "not priced", never "free". Prices are rounded to cents.
_QUOTES = """
    SELECT s.product_code, s.reference_code, c.code AS section_code,
           round(CASE WHEN p.promotional_price > 0 AND p.promotional_price < p.price
                      THEN p.promotional_price ELSE p.price END, 2) AS unit_price
      FROM skus s
      JOIN products pr ON pr.reference_code = s.reference_code
      JOIN prices p ON p.product_code = s.product_code
                   AND p.branch_code = $2 AND p.price_code = $3
      LEFT JOIN product_classifications c ON c.reference_code = s.reference_code
                                         AND c.type_code = $4
     WHERE s.product_code = ANY($1::bigint[])
       AND s.is_active AND NOT s.is_blocked AND pr.deleted_at IS NULL AND p.price > 0
"""

_ACTIVE_CUSTOMER = "SELECT EXISTS (SELECT FROM customers WHERE id = $1 AND deleted_at IS NULL)"

_ITEMS = """
    SELECT $1::uuid, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::integer[],
                                   $6::numeric[])
"""
_ITEM_COLUMNS = (
    "INSERT INTO order_items (order_id, product_code, reference_code, section_code, quantity,"
    " unit_price)"
)

# The order and its items in one round trip (the items' foreign key is checked at the end of
# the statement, when the order row exists).
_ADD = f"""
    WITH new_order AS (
        INSERT INTO orders (id, customer_id, status, freight, discount, total, shipping_address,
                            notes, reservation_open, created_at, updated_at)
        VALUES ($1, $7, $8, $9, $10, $11, $12::text::jsonb, $13, $14, $15, $16)
    )
    {_ITEM_COLUMNS} {_ITEMS}
"""  # noqa: S608 - constant fragments only

_INSERT_ITEMS = f"{_ITEM_COLUMNS} {_ITEMS}"


class PostgresSkuPricing:
    """Implements :class:`application.orders.ports.SkuPricing` on the catalog mirror: prices of
    one ERP price table at one branch, sections from one classification type."""

    def __init__(
        self, connection: AsyncConnection, *, price_code: int, branch_code: int, section_type: int
    ) -> None:
        self._connection = connection
        self._params = (branch_code, price_code, section_type)

    async def quotes(self, product_codes: Collection[int]) -> dict[int, SkuQuote]:
        codes = sorted(set(product_codes))
        if not codes:
            return {}
        raw = await raw_transaction(self._connection)
        rows = await raw.fetch(_QUOTES, codes, *self._params)
        return {
            row["product_code"]: SkuQuote(
                row["product_code"],
                row["reference_code"],
                row["section_code"],
                Money(row["unit_price"]),
            )
            for row in rows
        }


class PostgresCustomerDirectory:
    """Implements :class:`application.orders.ports.CustomerDirectory`."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def is_active(self, customer_id: UUID) -> bool:
        return bool(await fetchval(self._connection, _ACTIVE_CUSTOMER, customer_id))


def _item_arrays(items: Iterable[OrderItem]) -> tuple[list[Any], ...]:
    """``$2``..``$6`` of :data:`_ITEMS`."""
    listed = list(items)
    return (
        [i.product_code for i in listed],
        [i.reference_code for i in listed],
        [i.section_code for i in listed],
        [i.quantity for i in listed],
        [i.unit_price.amount for i in listed],
    )


def _address_json(a: Address | None) -> str | None:
    return None if a is None else json.dumps(address_json(a))


def _address(raw: dict[str, Any] | None) -> Address | None:
    return None if raw is None else address_from_json(raw)


def _erp_state(row: RowMapping) -> ErpOrderState | None:
    if row["erp_order_code"] is None:
        return None
    invoices = tuple(
        Invoice(
            number=i.get("number"),
            series=i.get("series"),
            access_key=i.get("access_key"),
            issued_at=i.get("issued_at"),
            tracking_code=i.get("tracking_code"),
            status=i.get("status"),
        )
        for i in (row["invoices"] or ())
    )
    return ErpOrderState(
        branch_code=row["erp_branch_code"],
        order_code=row["erp_order_code"],
        status=row["erp_status"],
        invoices=invoices,
    )


#: The status and last error of the order's latest create message (its way to the ERP), in one
#: index lookup per order.
_LATEST_CREATE = (
    select(array([outbox.c.status, outbox.c.last_error]))
    .where(outbox.c.aggregate_id == orders.c.id, outbox.c.kind == "order.create")
    .order_by(outbox.c.id.desc())
    .limit(1)
    .scalar_subquery()
    .label("delivery")
)
_ORDERS_WITH_DELIVERY = select(orders, _LATEST_CREATE)


def _delivery(row: RowMapping) -> ErpDelivery | None:
    found = row.get("delivery")
    return None if found is None else ErpDelivery(status=found[0], error=found[1])


def _order(row: RowMapping, items: list[OrderItem]) -> Order:
    return Order(
        id=row["id"],
        customer_id=row["customer_id"],
        status=OrderStatus(row["status"]),
        items=tuple(items),
        freight=Money(row["freight"]),
        discount=Money(row["discount"]),
        total=Money(row["total"]),
        shipping_address=_address(row["shipping_address"]),
        notes=row["notes"],
        reservation_open=row["reservation_open"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        origin=row["origin"],
        erp=_erp_state(row),
        delivery=_delivery(row),
    )


class PostgresOrderRepository:
    """Implements :class:`application.orders.ports.OrderRepository`. Pages are keyset-paged on
    ``(created_at, id)``; the page cursor is opaque to callers."""

    def __init__(self, connection: AsyncConnection, *, delivery: bool = True) -> None:
        """``delivery=False`` leaves ``Order.delivery`` unread (the outbox's own reads)."""
        self._connection = connection
        self._select = _ORDERS_WITH_DELIVERY if delivery else select(orders)

    async def add(self, order: Order) -> None:
        raw = await raw_transaction(self._connection)
        await raw.execute(
            _ADD,
            order.id,
            *_item_arrays(order.items),
            order.customer_id,
            order.status.value,
            order.freight.amount,
            order.discount.amount,
            order.total.amount,
            _address_json(order.shipping_address),
            order.notes,
            order.reservation_open,
            order.created_at,
            order.updated_at,
        )

    async def get(self, order_id: UUID, *, lock: bool = False) -> Order | None:
        query = self._select.where(orders.c.id == order_id)
        if lock:
            query = query.with_for_update()
        row = (await self._connection.execute(query)).mappings().first()
        if row is None:
            return None
        items = await self._items([order_id])
        return _order(row, items[order_id])

    async def update(self, order: Order) -> None:
        await self._connection.execute(
            update(orders)
            .where(orders.c.id == order.id)
            .values(
                status=order.status.value,
                total=order.total.amount,
                reservation_open=order.reservation_open,
                updated_at=order.updated_at,
            )
        )

    async def replace_items(self, order_id: UUID, items: Iterable[OrderItem]) -> None:
        await self._connection.execute(
            order_items.delete().where(order_items.c.order_id == order_id)
        )
        raw = await raw_transaction(self._connection)
        await raw.execute(_INSERT_ITEMS, order_id, *_item_arrays(items))

    async def page(self, order_filter: OrderFilter, *, limit: int, after: str | None) -> OrderPage:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        query = _filtered(self._select, order_filter)
        if after is not None:
            position = tuple_(orders.c.created_at, orders.c.id)
            query = query.where(position < tuple_(*map(literal, decode_cursor(after))))
        query = query.order_by(orders.c.created_at.desc(), orders.c.id.desc()).limit(limit + 1)
        rows = (await self._connection.execute(query)).mappings().all()
        shown = rows[:limit]
        items = await self._items([row["id"] for row in shown])
        page = [_order(row, items[row["id"]]) for row in shown]
        if len(rows) <= limit:
            return OrderPage(page, None)
        last = shown[-1]
        return OrderPage(page, encode_cursor(last["created_at"], last["id"]))

    async def _items(self, order_ids: list[UUID]) -> dict[UUID, list[OrderItem]]:
        found: dict[UUID, list[OrderItem]] = defaultdict(list)
        if not order_ids:
            return found
        query = (
            select(order_items)
            .where(order_items.c.order_id.in_(order_ids))
            .order_by(order_items.c.order_id, order_items.c.product_code)
        )
        for row in (await self._connection.execute(query)).mappings():
            line = OrderLine(row["product_code"], row["quantity"], Money(row["unit_price"]))
            found[row["order_id"]].append(
                OrderItem(
                    line,
                    row["reference_code"],
                    row["section_code"],
                    served=row["served_quantity"],
                    cancelled=row["cancelled_quantity"],
                )
            )
        return found


def _filtered(query: Select[Any], f: OrderFilter) -> Select[Any]:
    c = orders.c
    conditions = [
        c.id == f.order_id if f.order_id else None,
        c.customer_id == f.customer_id if f.customer_id else None,
        c.status == f.status.value if f.status else None,
        c.created_at >= f.created_from if f.created_from else None,
        c.created_at < f.created_to if f.created_to else None,
        exists().where(order_items.c.order_id == c.id, order_items.c.section_code == f.section)
        if f.section is not None
        else None,
    ]
    present = [condition for condition in conditions if condition is not None]
    return query.where(and_(*present)) if present else query


# Years a cursor's instant may fall in, in UTC: inside what Python and asyncpg handle.
