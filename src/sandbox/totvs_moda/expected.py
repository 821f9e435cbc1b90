"""The state a faithful mirror of the sandbox catalog holds, for reconciliation.

Each function yields one dict per row Ponte stores, keyed by the field names of the matching record
in ``domain.catalog`` (``Color``, ``SizeGrid``, ``Classification``, ``Sku``, ``StockBalance``,
``Price``, ``Cost``, ``FutureStock``), with the same value types: ``Decimal`` money and quantities,
timezone-aware ``changed_at`` (America/Sao_Paulo), tuples for sequences. Differences:

- SKU ``description`` is the root description, or the first ``details`` text when the root is null;
  ``changed_at`` is the product-family timestamp (``inProduct``).
- Balances carry the raw columns only (no ``available``: that depends on the tenant's formula);
  their ``changed_at`` is the stock-family timestamp. Prices and costs use their own families.
- ``promotional_price`` is None when TOTVS sends 0.
- Future stock has one row per production-order item, ``expected_date`` the estimated delivery date.

Rows come in the order the ERP pages them (product code, then branch and code).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sandbox.totvs_moda.core import CatalogCore
from sandbox.totvs_moda.selection import Family
from sandbox.totvs_moda.tables import GRIDS
from sandbox.totvs_moda.times import to_aware


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def colors(catalog: CatalogCore) -> Iterator[dict[str, Any]]:
    for c in catalog.colors():
        yield {
            "code": c.code,
            "name": c.name,
            "additional_info": c.additional_info,
            "changed_at": to_aware(c.at),
        }


def sizes(catalog: CatalogCore) -> Iterator[dict[str, Any]]:
    for code, name, grid_type, labels, at in catalog.grids():
        yield {
            "code": code,
            "name": name,
            "grid_type": grid_type,
            "sizes": labels,
            "changed_at": to_aware(at),
        }


def classifications(catalog: CatalogCore) -> Iterator[dict[str, Any]]:
    for type_code, type_name, code, name in catalog.classifications():
        yield {"type_code": type_code, "type_name": type_name, "code": code, "name": name}


def skus(catalog: CatalogCore, first_code: int = 1) -> Iterator[dict[str, Any]]:
    for view in catalog.views(range(max(1, first_code), catalog.max_code + 1)):
        code = view.base.product_code
        base, info = view.base, view.base.info
        color = catalog.color(base.color)
        yield {
            "product_code": code,
            "sku": base.sku,
            "name": base.name,
            "reference_code": info.ref.code,
            "reference_name": info.name,
            "description": info.description or info.details,
            "color_code": color.code,
            "color_name": color.name,
            "size": base.size,
            "grid_code": GRIDS[info.ref.grid].code,
            "barcodes": base.barcodes,
            "ncm": info.ncm,
            "measured_unit": "UN",
            "is_active": view.is_active,
            "is_blocked": view.is_blocked,
            "classifications": tuple((c[0], c[2]) for c in info.classifications),
            "changed_at": to_aware(view.at[Family.PRODUCT]),
        }


def balances(catalog: CatalogCore, first_code: int = 1) -> Iterator[dict[str, Any]]:
    config = catalog.config
    for view in catalog.views(range(max(1, first_code), catalog.max_code + 1)):
        code = view.base.product_code
        changed_at = to_aware(view.at[Family.STOCK])
        for branch in config.branches:
            for stock_code in config.stock_codes:
                stock, sales, inputs, outputs = catalog.stock(view, branch, stock_code)
                yield {
                    "product_code": code,
                    "branch_code": branch,
                    "stock_code": stock_code,
                    "stock": Decimal(stock),
                    "sales_order": Decimal(sales),
                    "input_transaction": Decimal(inputs),
                    "output_transaction": Decimal(outputs),
                    "production_order_progress": Decimal(
                        catalog.production_pending(view, branch, stock_code)
                    ),
                    "production_order_wait_lib": Decimal(0),
                    "changed_at": changed_at,
                }


def prices(catalog: CatalogCore, first_code: int = 1) -> Iterator[dict[str, Any]]:
    config = catalog.config
    for view in catalog.views(range(max(1, first_code), catalog.max_code + 1)):
        code = view.base.product_code
        changed_at = to_aware(view.at[Family.PRICE])
        for branch in config.branches:
            for price_code in config.price_codes:
                price, promo = catalog.price(view, branch, price_code)
                yield {
                    "product_code": code,
                    "branch_code": branch,
                    "price_code": price_code,
                    "price": money(price),
                    "promotional_price": money(promo) if promo else None,
                    "changed_at": changed_at,
                }


def costs(catalog: CatalogCore, first_code: int = 1) -> Iterator[dict[str, Any]]:
    config = catalog.config
    for view in catalog.views(range(max(1, first_code), catalog.max_code + 1)):
        code = view.base.product_code
        changed_at = to_aware(view.at[Family.COST])
        for branch in config.branches:
            for cost_code in config.cost_codes:
                yield {
                    "product_code": code,
                    "branch_code": branch,
                    "cost_code": cost_code,
                    "cost": money(catalog.cost(view, branch, cost_code)),
                    "changed_at": changed_at,
                }


def future_stock(catalog: CatalogCore) -> Iterator[dict[str, Any]]:
    base_day = to_aware(catalog.base_at).date()
    for order in catalog.production_orders():
        for item in order.items:
            yield {
                "branch_code": order.branch_code,
                "order_code": order.order_code,
                "product_code": item.product_code,
                "status": order.status,
                "quantity": Decimal(item.quantity),
                "pending_quantity": Decimal(item.quantity - item.finished),
                "expected_date": base_day + timedelta(days=order.delivery_day),
                "changed_at": to_aware(order.at),
            }
