"""Catalog records mirrored from the ERP.

Records are immutable tuples: the sync path handles millions of them, and a tuple is the cheapest
immutable value Python has. Field order is part of each record's contract; adapters address fields
by name (``Record._fields``), never by position.

Codes are kept as the ERP gives them: product codes are integers, color and classification codes
are strings, branch/stock/price/cost codes are integers. Datetimes are timezone-aware.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple


class Color(NamedTuple):
    code: str
    name: str
    additional_info: str | None
    changed_at: datetime | None


class SizeGrid(NamedTuple):
    """A size grid: an ordered list of size labels (``P``, ``M``, ``G``; ``36``, ``38``)."""

    code: str
    name: str
    grid_type: str | None
    sizes: tuple[str, ...]
    changed_at: datetime | None


class Classification(NamedTuple):
    """A value of a classification type (category, brand, collection… — tenant configuration)."""

    type_code: int
    type_name: str
    code: str
    name: str


class ClassificationRef(NamedTuple):
    type_code: int
    code: str


class Sku(NamedTuple):
    """One sellable SKU (reference × color × size) with the reference data it carries.

    ``reference_code`` groups SKUs into a product. ``is_active`` / ``is_blocked`` come from the ERP
    and are applied as given; a SKU absent from a delta is never deactivated.
    """

    product_code: int
    sku: str | None
    name: str
    reference_code: str
    reference_name: str
    description: str | None
    color_code: str | None
    color_name: str | None
    size: str | None
    grid_code: str | None
    barcodes: tuple[str, ...]
    ncm: str | None
    measured_unit: str | None
    is_active: bool
    is_blocked: bool
    classifications: tuple[ClassificationRef, ...]
    changed_at: datetime | None


class StockBalance(NamedTuple):
    """Stock of one product at one branch and stock code.

    ``available`` is computed by the tenant's configured formula when the record is built.
    """

    product_code: int
    branch_code: int
    stock_code: int
    stock: Decimal
    sales_order: Decimal
    input_transaction: Decimal
    output_transaction: Decimal
    production_order_progress: Decimal
    production_order_wait_lib: Decimal
    available: Decimal
    changed_at: datetime | None


class Price(NamedTuple):
    """A price of one product at one branch and price code.

    ``promotional_price`` is None when there is no promotion (TOTVS sends 0 for that).
    """

    product_code: int
    branch_code: int
    price_code: int
    price: Decimal
    promotional_price: Decimal | None
    changed_at: datetime | None

    @property
    def effective(self) -> Decimal:
        return self.promotional_price if self.promotional_price is not None else self.price


class Cost(NamedTuple):
    product_code: int
    branch_code: int
    cost_code: int
    cost: Decimal
    changed_at: datetime | None


class FutureStock(NamedTuple):
    """Pending quantity of one product in a production order: future stock by ``expected_date``."""

    branch_code: int
    order_code: int
    product_code: int
    status: int
    quantity: Decimal
    pending_quantity: Decimal
    expected_date: date | None
    changed_at: datetime | None
