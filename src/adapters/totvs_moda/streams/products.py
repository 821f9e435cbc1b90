"""SKUs — ``POST product/v2/products/search``: one row per SKU, product data of one branch.

The hot path of a backfill: the mapping avoids per-row keyword calls and reuses the
classification references, which repeat across the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from adapters.totvs_moda.http import Request
from adapters.totvs_moda.stream_spec import ChangeWindow, RowError, record_builder, text
from domain.catalog import ClassificationRef, Sku

_SKU = record_builder(
    Sku,
    (
        "product_code",
        "sku",
        "name",
        "reference_code",
        "reference_name",
        "description",
        "color_code",
        "color_name",
        "size",
        "grid_code",
        "barcodes",
        "ncm",
        "measured_unit",
        "is_active",
        "is_blocked",
        "classifications",
        "changed_at",
    ),
)
_MAX_CACHED_REFS = 50_000


class ProductClassification(msgspec.Struct, rename="camel", gc=False):
    type_code: int
    code: str | int


class ProductDetail(msgspec.Struct, rename="camel", gc=False):
    description: str | None = None


class ProductBarCode(msgspec.Struct, rename="camel", gc=False):
    bar_code: str | None = None


class ProductRow(msgspec.Struct, rename="camel", gc=False):
    product_code: int
    product_sku: str | None = None
    product_name: str | None = None
    # The ERP sends ``ReferenceCode``; accept ``referenceCode`` too.
    reference_code_pascal: str | int | None = msgspec.field(default=None, name="ReferenceCode")
    reference_code: str | int | None = None
    reference_name: str | None = None
    description: str | None = None
    color_code: str | int | None = None
    color_name: str | None = None
    size: str | int | None = None
    grid_code: str | int | None = None
    bar_codes: list[ProductBarCode | str] | None = None
    ncm: str | None = None
    measured_unit: str | None = None
    is_active: bool | None = None
    is_blocked: bool | None = None
    classifications: list[ProductClassification] | None = None
    details: list[ProductDetail] | None = None
    max_change_filter_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class ProductsSpec:
    """Product data of ``branch_codes[0]`` (``option.branchInfoCode``); changes at any configured
    branch count. The description falls back to the first non-empty ``details[].description``."""

    page_size: int
    branch_codes: tuple[int, ...]
    #: Reused references, by type code then wire code.
    refs: dict[int, dict[str | int, ClassificationRef]] = field(
        default_factory=dict, compare=False, repr=False
    )
    row_type = ProductRow
    key_field = "productCode"
    changed_field = "maxChangeFilterDate"

    def request(self, page: int, window: ChangeWindow) -> Request:
        change = window.change(
            inProduct=True,
            inBranchInfo=True,
            inBarCode=True,
            branchInfoCodeList=list(self.branch_codes),
        )
        body = {
            "filter": {} if window.full else {"change": change},
            "option": {"branchInfoCode": self.branch_codes[0]},
            "expand": "classifications,details",
            "order": "productCode",
            "page": page,
            "pageSize": self.page_size,
        }
        return Request("POST", "product/v2/products/search", body)

    def key(self, row: ProductRow) -> str | None:
        return str(row.product_code)

    def changed(self, row: ProductRow) -> datetime | None:
        return row.max_change_filter_date

    def map(self, row: ProductRow, changed_at: datetime | None, out: list[Any]) -> None:
        reference = row.reference_code_pascal
        if reference is None:
            reference = row.reference_code
        if reference is None or reference == "":
            raise RowError("missing ReferenceCode")
        description = row.description
        if not description and row.details:
            for detail in row.details:
                if detail.description:
                    description = detail.description
                    break
        out.append(
            _SKU(
                (
                    row.product_code,
                    row.product_sku,
                    row.product_name or "",
                    text(reference),
                    row.reference_name or "",
                    description,
                    text(row.color_code),
                    row.color_name,
                    text(row.size),
                    text(row.grid_code),
                    _barcodes(row.bar_codes) if row.bar_codes else (),
                    row.ncm,
                    row.measured_unit,
                    row.is_active is not False,
                    row.is_blocked is True,
                    self._refs(row.classifications) if row.classifications else (),
                    changed_at,
                )
            )
        )

    def _refs(self, items: list[ProductClassification]) -> tuple[ClassificationRef, ...]:
        refs = []
        for item in items:
            by_code = self.refs.get(item.type_code)
            if by_code is None:
                by_code = self.refs[item.type_code] = {}
            ref = by_code.get(item.code)
            if ref is None:
                if len(by_code) >= _MAX_CACHED_REFS:
                    by_code.clear()
                ref = by_code[item.code] = ClassificationRef(item.type_code, text(item.code))
            refs.append(ref)
        return tuple(refs)


def _barcodes(items: list[ProductBarCode | str]) -> tuple[str, ...]:
    if len(items) == 1:  # the usual case
        code = items[0] if isinstance(items[0], str) else items[0].bar_code
        return (code,) if code else ()
    codes = [item if isinstance(item, str) else item.bar_code for item in items]
    return tuple([code for code in codes if code])
