"""Stock — ``POST product/v2/balances/search``: one record per (product, branch, stock code).

``available`` is computed with the tenant's formula. When the formula reads sales-order or
transaction columns, changes of those kinds also count as changes of the balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from adapters.totvs_moda.http import Request
from adapters.totvs_moda.stream_spec import ChangeWindow
from domain.catalog import StockBalance
from domain.stock import BALANCE_TERMS, AvailableStockFormula

_ZERO = Decimal(0)


class BalanceEntry(msgspec.Struct, rename="camel", gc=False):
    branch_code: int
    stock_code: int
    stock: Decimal | None = None
    sales_order: Decimal | None = None
    input_transaction: Decimal | None = None
    output_transaction: Decimal | None = None
    production_order_progress: Decimal | None = None
    production_order_wait_lib: Decimal | None = None


class BalanceRow(msgspec.Struct, rename="camel", gc=False):
    product_code: int
    balances: list[BalanceEntry] | None = None
    max_change_filter_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class BalancesSpec:
    page_size: int
    branch_codes: tuple[int, ...]
    stock_codes: tuple[int, ...]
    formula: AvailableStockFormula
    row_type = BalanceRow
    key_field = "productCode"
    changed_field = "maxChangeFilterDate"

    def request(self, page: int, window: ChangeWindow) -> Request:
        branches, stocks = list(self.branch_codes), list(self.stock_codes)
        terms = {name for _, name in self.formula.terms}
        flags: dict[str, Any] = {"inStock": True}
        if "sales_order" in terms:
            flags |= {"inSalesOrder": True, "branchSalesOrderCodeList": branches}
        if terms & {"input_transaction", "output_transaction"}:
            flags |= {"inTransaction": True, "branchTransactionCodeList": branches}
        change = window.change(**flags, branchStockCodeList=branches, stockCodeList=stocks)
        option = [
            {
                "branchCode": branch,
                "stockCodeList": stocks,
                "isTransaction": True,
                "isSalesOrder": True,
                "isProductionOrder": True,
            }
            for branch in branches
        ]
        body = {
            "filter": {} if window.full else {"change": change},
            "option": {"balances": option},
            "order": "productCode",
            "page": page,
            "pageSize": self.page_size,
        }
        return Request("POST", "product/v2/balances/search", body)

    def key(self, row: BalanceRow) -> str | None:
        return str(row.product_code)

    def changed(self, row: BalanceRow) -> datetime | None:
        return row.max_change_filter_date

    def map(self, row: BalanceRow, changed_at: datetime | None, out: list[Any]) -> None:
        for entry in row.balances or ():
            if (
                entry.stock_code not in self.stock_codes
                or entry.branch_code not in self.branch_codes
            ):
                continue  # the server may return more than was asked for
            values = {name: getattr(entry, name) or _ZERO for name in BALANCE_TERMS}
            out.append(
                StockBalance(
                    product_code=row.product_code,
                    branch_code=entry.branch_code,
                    stock_code=entry.stock_code,
                    **values,
                    available=self.formula.apply(values),
                    changed_at=changed_at,
                )
            )
