"""Future stock — ``POST production-order/v2/orders/search`` with ``expand=items``.

One record per (branch, order, product); lines repeating a product are summed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from adapters.totvs_moda.dates import local_date
from adapters.totvs_moda.http import Request
from adapters.totvs_moda.stream_spec import ChangeWindow, RowError
from domain.catalog import FutureStock

_ZERO = Decimal(0)


class OrderItem(msgspec.Struct, rename="camel", gc=False):
    product_code: int
    quantity: Decimal | None = None
    finished_quantity: Decimal | None = None
    pending_quantity: Decimal | None = None


class OrderRow(msgspec.Struct, rename="camel", gc=False):
    branch_code: int
    order_code: int
    status: int | str | None = None  # an integer; a name or digits are tolerated
    estimated_delivery_date: datetime | None = None
    max_change_filter_date: datetime | None = None
    last_change_date: datetime | None = None
    items: list[OrderItem] | None = None


@dataclass(frozen=True, slots=True)
class ProductionOrdersSpec:
    page_size: int
    branch_codes: tuple[int, ...]
    row_type = OrderRow
    key_field = "orderCode"
    changed_field = "maxChangeFilterDate"

    def request(self, page: int, window: ChangeWindow) -> Request:
        body = {
            "filter": {"branchCodeList": list(self.branch_codes), "change": window.change()},
            "expand": "items",
            "order": "branchCode,orderCode",
            "page": page,
            "pageSize": self.page_size,
        }
        return Request("POST", "production-order/v2/orders/search", body)

    def key(self, row: OrderRow) -> str | None:
        return f"{row.branch_code}/{row.order_code}"

    def changed(self, row: OrderRow) -> datetime | None:
        return row.max_change_filter_date or row.last_change_date

    def map(self, row: OrderRow, changed_at: datetime | None, out: list[Any]) -> None:
        if row.branch_code not in self.branch_codes:
            return  # the server may ignore branchCodeList
        status = _status(row.status)
        expected = local_date(row.estimated_delivery_date) if row.estimated_delivery_date else None
        totals: dict[int, tuple[Decimal, Decimal]] = {}
        for item in row.items or ():
            quantity = item.quantity or _ZERO
            pending = item.pending_quantity
            if pending is None:
                pending = max(quantity - (item.finished_quantity or _ZERO), _ZERO)
            before = totals.get(item.product_code, (_ZERO, _ZERO))
            totals[item.product_code] = (before[0] + quantity, before[1] + pending)
        out.extend(
            FutureStock(
                branch_code=row.branch_code,
                order_code=row.order_code,
                product_code=product,
                status=status,
                quantity=quantity,
                pending_quantity=pending,
                expected_date=expected,
                changed_at=changed_at,
            )
            for product, (quantity, pending) in totals.items()
        )


def _status(value: int | str | None) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise RowError(f"status {value!r} is not an integer")
