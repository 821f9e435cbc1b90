"""The product-family search body: ``filter``, ``expand``, ``page``, ``pageSize`` (contract §5, §7).

Change families and ``maxChangeFilterDate``:

- ``filter.change`` with ``in*`` flags set to true selects those flags' families
  (``inProduct``/``inBranchInfo``/``inBarCode``/``inWebInfo`` → product; ``inStock``/
  ``inSalesOrder``/``inTransaction``/``inPurchaseOrder`` → stock; ``inPrice``/
  ``inPromotionalPrice``/``inScheduledPrice``/``inDigitalPromotionPrice`` → price; ``inCost`` →
  cost). A change filter without any true flag selects every family.
- A search without ``filter.change`` selects the endpoint's own family (products → product,
  balances → stock, prices → price, costs → cost).
- An item matches the window when the latest timestamp of the selected families lies in it, and
  that timestamp is its ``maxChangeFilterDate``.

``filter.productCodeList`` and ``filter.referenceCodeList`` restrict the search (their union);
unknown codes are skipped. Other filter keys are ignored, as the ERP ignores unknown ones. Items
always come in ``productCode`` order, whatever ``order`` asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.totvs_moda.binding import (
    as_bool,
    as_date,
    expand_set,
    int_list,
    section,
    str_list,
)
from sandbox.totvs_moda.core import CatalogCore
from sandbox.totvs_moda.errors import BadRequest
from sandbox.totvs_moda.paging import PagePolicy
from sandbox.totvs_moda.selection import ALL_FAMILIES, Family, Window, latest

FLAG_FAMILIES: dict[str, Family] = {
    "inproduct": Family.PRODUCT,
    "inbranchinfo": Family.PRODUCT,
    "inbarcode": Family.PRODUCT,
    "inwebinfo": Family.PRODUCT,
    "instock": Family.STOCK,
    "insalesorder": Family.STOCK,
    "intransaction": Family.STOCK,
    "inpurchaseorder": Family.STOCK,
    "inprice": Family.PRICE,
    "inpromotionalprice": Family.PRICE,
    "inscheduledprice": Family.PRICE,
    "indigitalpromotionprice": Family.PRICE,
    "incost": Family.COST,
}


@dataclass(frozen=True, slots=True)
class Search:
    filter: dict[str, Any]
    option: dict[str, Any]
    window: Window | None
    #: Families whose latest timestamp is an item's ``maxChangeFilterDate``.
    families: frozenset[Family]
    product_codes: list[int] | None
    reference_codes: list[str] | None
    expand: frozenset[str]
    page: int
    size: int

    def page_codes(self, catalog: CatalogCore) -> tuple[list[int], int]:
        """Product codes of the requested page and the total number of matches."""
        selection = catalog.select(self.window, self.product_codes, self.reference_codes)
        return selection.codes((self.page - 1) * self.size, self.size), len(selection)

    def stamp(self, at: Sequence[int]) -> int:
        return latest(at, self.families)


def change_window(change: dict[str, Any]) -> Window:
    """:raises BadRequest: on an unreadable date or an end before the start."""
    start = as_date(change.get("startdate"), "change.startDate")
    end = as_date(change.get("enddate"), "change.endDate")
    if start is not None and end is not None and end < start:
        raise BadRequest("change.endDate is before change.startDate")
    flagged = frozenset(
        family for flag, family in FLAG_FAMILIES.items() if as_bool(change.get(flag), flag)
    )
    return Window(start, end, flagged or ALL_FAMILIES)


def parse_search(body: dict[str, Any], endpoint: str, own: Family, policy: PagePolicy) -> Search:
    filter_ = section(body, "filter")
    change = section(filter_, "change")
    window = change_window(change) if change else None
    page, size = policy.window(endpoint, body.get("page"), body.get("pagesize"))
    return Search(
        filter=filter_,
        option=section(body, "option"),
        window=window,
        families=window.families if window else frozenset((own,)),
        product_codes=int_list(filter_.get("productcodelist"), "productCodeList"),
        reference_codes=str_list(filter_.get("referencecodelist"), "referenceCodeList"),
        expand=expand_set(body.get("expand")),
        page=page,
        size=size,
    )
