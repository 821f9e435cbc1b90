"""``POST /sales-order/v2/orders/search``: the ``OrderFilterModel`` (contract §9.1).

``branchCodeList`` is required. ``change`` windows ``maxChangeFilterDate``; ``startOrderDate`` /
``endOrderDate`` window ``orderDate``. ``orderIdList``, ``orderCodeList``,
``customerOrderCodeList``, ``integrationCodeList``, ``operationCodeList`` and ``orderStatusList``
(names or numbers) restrict the result; ``customerCodeList`` **or** ``customerCpfCnpjList`` and
``representativeCodeList`` **or** ``representativeCpfCnpjList`` (both: 400). Empty lists do not
filter; other keys are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.totvs_moda.binding import as_date, int_list, section, str_list
from sandbox.totvs_moda.errors import BadRequest
from sandbox.totvs_moda.sales_orders import SalesOrder
from sandbox.totvs_moda.search import change_window
from sandbox.totvs_moda.statuses import order_status


@dataclass(frozen=True, slots=True)
class OrderFilter:
    branches: frozenset[int]
    window_start: float | None = None
    window_end: float | None = None
    order_ids: frozenset[str] | None = None
    order_codes: frozenset[int] | None = None
    customer_codes: frozenset[int] | None = None
    customer_documents: frozenset[str] | None = None
    customer_order_codes: frozenset[str] | None = None
    integration_codes: frozenset[str] | None = None
    representative_codes: frozenset[int] | None = None
    representative_documents: frozenset[str] | None = None
    operation_codes: frozenset[int] | None = None
    statuses: frozenset[str] | None = None
    order_start: float | None = None
    order_end: float | None = None

    def matches(self, order: SalesOrder) -> bool:
        terms = order.terms
        return (
            order.branch_code in self.branches
            and (self.window_start is None or order.at >= self.window_start)
            and (self.window_end is None or order.at <= self.window_end)
            and (self.order_start is None or order.order_at >= self.order_start)
            and (self.order_end is None or order.order_at <= self.order_end)
            and _kept(self.order_ids, order.order_id)
            and _kept(self.order_codes, order.order_code)
            and _kept(self.customer_codes, order.customer_code)
            and _kept(self.customer_documents, order.customer_document)
            and _kept(self.customer_order_codes, terms.customer_order_code)
            and _kept(self.integration_codes, terms.integration_code)
            and _kept(self.representative_codes, terms.representative_code)
            and _kept(self.representative_documents, terms.representative_document)
            and _kept(self.operation_codes, terms.operation_code)
            and _kept(self.statuses, order.status)
        )


def _kept(wanted: frozenset[Any] | None, value: object) -> bool:
    return not wanted or value in wanted


def _set(values: list[Any] | None) -> frozenset[Any] | None:
    return frozenset(values) if values else None


def parse_order_filter(filter_: dict[str, Any]) -> OrderFilter:
    """:raises BadRequest: without ``branchCodeList``, with both members of a pair, or on values
    of the wrong type."""
    branches = int_list(filter_.get("branchcodelist"), "branchCodeList")
    if not branches:
        raise BadRequest("filter.branchCodeList is required")
    for code, document in (("customer", "customer"), ("representative", "representative")):
        if filter_.get(f"{code}codelist") and filter_.get(f"{document}cpfcnpjlist"):
            raise BadRequest(f"inform {code}CodeList or {document}CpfCnpjList, not both")
    change = section(filter_, "change")
    window = change_window(change) if change else None
    start = as_date(filter_.get("startorderdate"), "startOrderDate")
    end = as_date(filter_.get("endorderdate"), "endOrderDate")
    statuses = str_list(filter_.get("orderstatuslist"), "orderStatusList")
    return OrderFilter(
        branches=frozenset(branches),
        window_start=None if window is None else window.start,
        window_end=None if window is None else window.end,
        order_ids=_set(str_list(filter_.get("orderidlist"), "orderIdList")),
        order_codes=_set(int_list(filter_.get("ordercodelist"), "orderCodeList")),
        customer_codes=_set(int_list(filter_.get("customercodelist"), "customerCodeList")),
        customer_documents=_set(
            str_list(filter_.get("customercpfcnpjlist"), "customerCpfCnpjList")
        ),
        customer_order_codes=_set(
            str_list(filter_.get("customerordercodelist"), "customerOrderCodeList")
        ),
        integration_codes=_set(str_list(filter_.get("integrationcodelist"), "integrationCodeList")),
        representative_codes=_set(
            int_list(filter_.get("representativecodelist"), "representativeCodeList")
        ),
        representative_documents=_set(
            str_list(filter_.get("representativecpfcnpjlist"), "representativeCpfCnpjList")
        ),
        operation_codes=_set(int_list(filter_.get("operationcodelist"), "operationCodeList")),
        statuses=_set([order_status(s, "orderStatusList") for s in statuses or ()]),
        order_start=start,
        order_end=end,
    )
