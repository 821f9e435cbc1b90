"""Costs — ``POST product/v2/costs/search``, mapped by ``costCode``.

The ERP answers 400 unless the filter carries ``hasCost`` and the code lists, so a full read sends
them; an incremental one sends them inside ``change``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from adapters.totvs_moda.http import Request
from adapters.totvs_moda.stream_spec import ChangeWindow, RowError
from domain.catalog import Cost


class CostEntry(msgspec.Struct, rename="camel", gc=False):
    branch_code: int
    cost_code: int
    cost: Decimal | None = None


class CostRow(msgspec.Struct, rename="camel", gc=False):
    product_code: int
    costs: list[CostEntry] | None = None
    max_change_filter_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class CostsSpec:
    page_size: int
    branch_codes: tuple[int, ...]
    cost_codes: tuple[int, ...]
    row_type = CostRow
    key_field = "productCode"
    changed_field = "maxChangeFilterDate"

    def request(self, page: int, window: ChangeWindow) -> Request:
        branches, codes = list(self.branch_codes), list(self.cost_codes)
        scope = {"branchCostCodeList": branches, "costCodeList": codes}
        if window.full:
            filter_ = {"hasCost": True, **scope}
        else:
            filter_ = {"change": window.change(inCost=True, **scope)}
        body = {
            "filter": filter_,
            "option": {"costs": [{"branchCode": b, "costCodeList": codes} for b in branches]},
            "order": "productCode",
            "page": page,
            "pageSize": self.page_size,
        }
        return Request("POST", "product/v2/costs/search", body)

    def key(self, row: CostRow) -> str | None:
        return str(row.product_code)

    def changed(self, row: CostRow) -> datetime | None:
        return row.max_change_filter_date

    def map(self, row: CostRow, changed_at: datetime | None, out: list[Any]) -> None:
        for entry in row.costs or ():
            if entry.cost_code not in self.cost_codes or entry.branch_code not in self.branch_codes:
                continue
            if entry.cost is None:
                raise RowError(f"cost {entry.cost_code} at branch {entry.branch_code} is null")
            out.append(
                Cost(
                    product_code=row.product_code,
                    branch_code=entry.branch_code,
                    cost_code=entry.cost_code,
                    cost=entry.cost,
                    changed_at=changed_at,
                )
            )
