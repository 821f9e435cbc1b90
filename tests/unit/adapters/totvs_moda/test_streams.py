"""Each stream's request and mapping to domain records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from adapters.totvs_moda.decoding import PageDecoder
from adapters.totvs_moda.stream_spec import ChangeWindow, StreamSpec
from adapters.totvs_moda.streams.balances import BalancesSpec
from adapters.totvs_moda.streams.classifications import ClassificationsSpec
from adapters.totvs_moda.streams.colors import ColorsSpec
from adapters.totvs_moda.streams.costs import CostsSpec
from adapters.totvs_moda.streams.prices import PricesSpec
from adapters.totvs_moda.streams.production_orders import ProductionOrdersSpec
from adapters.totvs_moda.streams.products import ProductsSpec
from adapters.totvs_moda.streams.sizes import SizesSpec
from domain.catalog import (
    Classification,
    ClassificationRef,
    Color,
    Cost,
    FutureStock,
    Price,
    StockBalance,
)
from domain.stock import AvailableStockFormula
from tests.unit.adapters.totvs_moda.conftest import envelope

SINCE = ChangeWindow("2026-04-18T00:00:00", "2026-04-20T10:00:00", full=False)
FULL = ChangeWindow("1900-01-01T00:00:00", "2026-04-20T10:00:00", full=True)


def records(spec: StreamSpec[Any], items: list[Any]) -> list[Any]:
    page = PageDecoder(spec).decode(1, msgspec.json.encode(envelope(items))).page
    assert page.rejections == []
    return list(page.records)


def test_colors() -> None:
    spec = ColorsSpec(1000)
    body = spec.request(2, SINCE).json
    assert body == {
        "filter": {"change": {"startDate": SINCE.start, "endDate": SINCE.end}},
        "page": 2,
        "pageSize": 1000,
    }
    assert spec.request(1, FULL).json["filter"]["change"]["startDate"] == "1900-01-01T00:00:00"
    [color] = records(
        spec, [{"colorCode": "001", "colorName": "PRETO", "additionalColorInformation": None}]
    )
    assert color == Color("001", "PRETO", None, None)


def test_size_grids_use_pascal_case_query() -> None:
    request = SizesSpec(1000).request(3, SINCE)
    assert (request.method, request.path, request.json) == ("GET", "product/v2/grid", None)
    assert dict(request.params) == {
        "StartChangeDate": SINCE.start,
        "EndChangeDate": SINCE.end,
        "Order": "code",
        "Page": "3",
        "PageSize": "1000",
    }


def test_classifications_are_read_by_type_and_filtered_locally() -> None:
    spec = ClassificationsSpec(1000, (1, 3))
    request = spec.request(1, SINCE)
    assert request.params[:2] == (("TypeCodeList", "1"), ("TypeCodeList", "3"))
    rows = [
        {"typeCode": 1, "typeName": "MARCA", "code": "01", "name": "ACME"},
        {"typeCode": 2, "typeName": "OUTRO", "code": "02", "name": "ignored"},
    ]
    assert records(spec, rows) == [Classification(1, "MARCA", "01", "ACME")]
    page = PageDecoder(spec).decode(1, msgspec.json.encode(envelope(rows))).page
    assert page.max_changed_at is None


def test_products_request_scopes_the_branch_and_change_flags() -> None:
    spec = ProductsSpec(1000, (5, 6))
    body = spec.request(1, SINCE).json
    assert body["option"] == {"branchInfoCode": 5}
    assert body["expand"] == "classifications,details"
    assert body["filter"]["change"] == {
        "startDate": SINCE.start,
        "endDate": SINCE.end,
        "inProduct": True,
        "inBranchInfo": True,
        "inBarCode": True,
        "branchInfoCodeList": [5, 6],
    }
    assert spec.request(1, FULL).json["filter"] == {}


def test_product_rows_map_to_skus() -> None:
    row = {
        "productCode": 101,
        "productSku": "CAM-P-PRETO",
        "productName": "CAMISETA P PRETO",
        "ReferenceCode": "CAM",
        "referenceName": "CAMISETA",
        "description": None,
        "details": [{"description": ""}, {"description": "Algodão"}],
        "colorCode": "001",
        "colorName": "PRETO",
        "size": "P",
        "gridCode": 3,
        "barCodes": [{"barCode": "7890001"}, {"barCode": None}, "7890002"],
        "ncm": "61091000",
        "measuredUnit": "UN",
        "isActive": False,
        "isBlocked": True,
        "classifications": [{"typeCode": 1, "code": "10"}, {"typeCode": 2, "code": 20}],
    }
    [sku] = records(ProductsSpec(1000, (1,)), [row])
    assert sku._asdict() == {
        "product_code": 101,
        "sku": "CAM-P-PRETO",
        "name": "CAMISETA P PRETO",
        "reference_code": "CAM",
        "reference_name": "CAMISETA",
        "description": "Algodão",
        "color_code": "001",
        "color_name": "PRETO",
        "size": "P",
        "grid_code": "3",
        "barcodes": ("7890001", "7890002"),
        "ncm": "61091000",
        "measured_unit": "UN",
        "is_active": False,
        "is_blocked": True,
        "classifications": (ClassificationRef(1, "10"), ClassificationRef(2, "20")),
        "changed_at": None,
    }


def test_root_description_wins_and_missing_flags_mean_active_unblocked() -> None:
    row = {"productCode": 1, "ReferenceCode": "R", "description": "Root", "details": None}
    [sku] = records(ProductsSpec(1000, (1,)), [row])
    assert (sku.description, sku.is_active, sku.is_blocked) == ("Root", True, False)
    assert (sku.barcodes, sku.classifications) == ((), ())


def test_balances_request_and_one_record_per_branch_and_stock_code() -> None:
    formula = AvailableStockFormula.parse(
        "stock + input_transaction - output_transaction - sales_order"
    )
    spec = BalancesSpec(1000, (1, 2), (1, 3), formula)
    body = spec.request(1, SINCE).json
    assert body["option"]["balances"][1]["branchCode"] == 2
    assert body["option"]["balances"][1]["stockCodeList"] == [1, 3]
    change = body["filter"]["change"]
    assert change["inStock"] is True
    assert (change["branchStockCodeList"], change["stockCodeList"]) == ([1, 2], [1, 3])
    assert change["inSalesOrder"] is True
    assert change["inTransaction"] is True
    assert spec.request(1, FULL).json["filter"] == {}

    row = {
        "productCode": 7,
        "maxChangeFilterDate": None,
        "balances": [
            {"branchCode": 1, "stockCode": 1, "stock": 10, "salesOrder": 2,
             "inputTransaction": 1.5, "outputTransaction": 0.5, "productionOrderProgress": 4,
             "productionOrderWaitLib": None},
            {"branchCode": 2, "stockCode": 3, "stock": 5},
            {"branchCode": 9, "stockCode": 1, "stock": 99},
            {"branchCode": 1, "stockCode": 4, "stock": 99},
        ],
    }  # fmt: skip
    assert records(spec, [row]) == [
        StockBalance(7, 1, 1, Decimal(10), Decimal(2), Decimal("1.5"), Decimal("0.5"),
                     Decimal(4), Decimal(0), Decimal(9), None),
        StockBalance(7, 2, 3, Decimal(5), Decimal(0), Decimal(0), Decimal(0),
                     Decimal(0), Decimal(0), Decimal(5), None),
    ]  # fmt: skip


def test_balances_use_the_configured_formula() -> None:
    spec = BalancesSpec(1000, (1,), (1,), AvailableStockFormula.parse("stock - sales_order"))
    change = spec.request(1, SINCE).json["filter"]["change"]
    assert "inTransaction" not in change
    row = {"productCode": 7, "balances": [
        {"branchCode": 1, "stockCode": 1, "stock": 10, "salesOrder": 3, "inputTransaction": 100}
    ]}  # fmt: skip
    assert records(spec, [row])[0].available == Decimal(7)


def test_prices_are_mapped_by_price_code_and_zero_promotion_is_none() -> None:
    spec = PricesSpec(1000, (1,), (2, 1))
    body = spec.request(1, SINCE).json
    assert body["option"] == {"prices": [{"branchCode": 1, "priceCodeList": [2, 1]}]}
    assert body["filter"]["change"]["inPrice"] is True
    assert body["filter"]["change"]["inPromotionalPrice"] is True
    assert body["filter"]["change"]["priceCodeList"] == [2, 1]
    assert spec.request(1, FULL).json["filter"] == {
        "hasPrice": True, "branchPriceCodeList": [1], "priceCodeList": [2, 1]
    }  # fmt: skip

    row = {"productCode": 5, "prices": [
        {"branchCode": 1, "priceCode": 1, "price": 99.9, "promotionalPrice": 0},
        {"branchCode": 1, "priceCode": 2, "price": 120, "promotionalPrice": 89.9},
        {"branchCode": 1, "priceCode": 7, "price": 1},
    ]}  # fmt: skip
    assert records(spec, [row]) == [
        Price(5, 1, 1, Decimal("99.9"), None, None),
        Price(5, 1, 2, Decimal(120), Decimal("89.9"), None),
    ]


def test_costs_full_read_sends_has_cost_and_code_lists() -> None:
    spec = CostsSpec(1000, (1,), (2,))
    full = spec.request(1, FULL).json
    assert full["filter"] == {"hasCost": True, "branchCostCodeList": [1], "costCodeList": [2]}
    assert full["option"] == {"costs": [{"branchCode": 1, "costCodeList": [2]}]}
    change = spec.request(1, SINCE).json["filter"]["change"]
    assert (change["inCost"], change["costCodeList"], change["branchCostCodeList"]) == (
        True, [2], [1]
    )  # fmt: skip

    row = {"productCode": 5, "costs": [
        {"branchCode": 1, "costCode": 1, "cost": 10}, {"branchCode": 1, "costCode": 2, "cost": 12.5}
    ]}  # fmt: skip
    assert records(spec, [row]) == [Cost(5, 1, 2, Decimal("12.5"), None)]


def test_production_orders_one_record_per_branch_order_and_product() -> None:
    spec = ProductionOrdersSpec(500, (1,))
    body = spec.request(1, SINCE).json
    assert body["filter"]["branchCodeList"] == [1]
    assert body["filter"]["change"] == {"startDate": SINCE.start, "endDate": SINCE.end}
    assert body["expand"] == "items"
    assert body["pageSize"] == 500

    order = {
        "branchCode": 1,
        "orderCode": 77,
        "status": 5,
        "estimatedDeliveryDate": "2026-05-10T00:00:00",
        "items": [
            {"productCode": 1, "quantity": 10, "pendingQuantity": 4},
            {"productCode": 2, "quantity": 5, "finishedQuantity": 1},
            {"productCode": 1, "quantity": 2, "pendingQuantity": 2},
        ],
    }
    other_branch = {"branchCode": 9, "orderCode": 1, "status": 5, "items": [{"productCode": 1}]}
    assert records(spec, [order, other_branch]) == [
        FutureStock(1, 77, 1, 5, Decimal(12), Decimal(6), date(2026, 5, 10), None),
        FutureStock(1, 77, 2, 5, Decimal(5), Decimal(4), date(2026, 5, 10), None),
    ]
