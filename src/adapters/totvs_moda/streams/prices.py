"""Prices — ``POST product/v2/prices/search``, mapped by ``priceCode`` (never array position)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from adapters.totvs_moda.http import Request
from adapters.totvs_moda.stream_spec import ChangeWindow, RowError
from domain.catalog import Price


class PriceEntry(msgspec.Struct, rename="camel", gc=False):
    branch_code: int
    price_code: int
    price: Decimal | None = None
    promotional_price: Decimal | None = None


class PriceRow(msgspec.Struct, rename="camel", gc=False):
    product_code: int
    prices: list[PriceEntry] | None = None
    max_change_filter_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class PricesSpec:
    """A full read asks for products having a price in the configured codes."""

    page_size: int
    branch_codes: tuple[int, ...]
    price_codes: tuple[int, ...]
    row_type = PriceRow
    key_field = "productCode"
    changed_field = "maxChangeFilterDate"

    def request(self, page: int, window: ChangeWindow) -> Request:
        branches, codes = list(self.branch_codes), list(self.price_codes)
        scope = {"branchPriceCodeList": branches, "priceCodeList": codes}
        if window.full:
            filter_ = {"hasPrice": True, **scope}
        else:
            filter_ = {"change": window.change(inPrice=True, inPromotionalPrice=True, **scope)}
        body = {
            "filter": filter_,
            "option": {"prices": [{"branchCode": b, "priceCodeList": codes} for b in branches]},
            "order": "productCode",
            "page": page,
            "pageSize": self.page_size,
        }
        return Request("POST", "product/v2/prices/search", body)

    def key(self, row: PriceRow) -> str | None:
        return str(row.product_code)

    def changed(self, row: PriceRow) -> datetime | None:
        return row.max_change_filter_date

    def map(self, row: PriceRow, changed_at: datetime | None, out: list[Any]) -> None:
        for entry in row.prices or ():
            if (
                entry.price_code not in self.price_codes
                or entry.branch_code not in self.branch_codes
            ):
                continue
            if entry.price is None:
                raise RowError(f"price {entry.price_code} at branch {entry.branch_code} is null")
            promotional = entry.promotional_price
            out.append(
                Price(
                    product_code=row.product_code,
                    branch_code=entry.branch_code,
                    price_code=entry.price_code,
                    price=entry.price,
                    promotional_price=promotional if promotional else None,  # 0 = no promotion
                    changed_at=changed_at,
                )
            )
