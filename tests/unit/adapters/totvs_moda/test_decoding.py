"""Tolerant page decoding: quirks of the wire, and one bad row never sinks the page."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from adapters.totvs_moda.dates import SAO_PAULO
from adapters.totvs_moda.decoding import PageDecoder
from adapters.totvs_moda.http import MalformedBody
from adapters.totvs_moda.streams.production_orders import ProductionOrdersSpec
from adapters.totvs_moda.streams.products import ProductsSpec
from adapters.totvs_moda.streams.sizes import SizesSpec
from domain.catalog import Sku
from tests.unit.adapters.totvs_moda.conftest import envelope


def product(code: int, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "productCode": code,
        "productName": f"P{code}",
        "ReferenceCode": "REF1",
        "maxChangeFilterDate": "2025-04-01T09:24:03",
    }
    row.update(fields)
    return row


def decode_products(items: list[Any], **page: Any) -> Any:
    body = msgspec.json.encode(envelope(items, **page))
    return PageDecoder(ProductsSpec(1000, (1,))).decode(7, body)


def test_a_clean_page_decodes_with_its_paging_fields() -> None:
    decoded = decode_products([product(1), product(2)], page_total=5, has_next=True, total_items=9)

    assert decoded.page.number == 7
    assert [sku.product_code for sku in decoded.page.records] == [1, 2]
    assert (decoded.has_next, decoded.total_pages, decoded.rows) == (True, 5, 2)
    assert decoded.page.total_items == 9
    assert decoded.page.rejections == []


@pytest.mark.parametrize("tolerant", [False, True])
def test_paging_fields_the_erp_leaves_out_are_unknown(tolerant: bool) -> None:
    row = product(1, productCode="x") if tolerant else product(1)  # a bad row forces the slow path
    body = msgspec.json.encode({"items": [row]})

    decoded = PageDecoder(ProductsSpec(1000, (1,))).decode(1, body)

    assert (decoded.has_next, decoded.total_pages, decoded.page.total_items) == (None, None, None)
    assert len(decoded.page.rejections) == int(tolerant)


def test_the_slow_path_keeps_total_items_and_drops_an_unreadable_one() -> None:
    decoder = PageDecoder(ProductsSpec(1000, (1,)))
    bad_row = product(2, productCode="x")

    kept = decoder.decode(1, msgspec.json.encode(envelope([product(1), bad_row], total_items=40)))
    dropped = decoder.decode(1, msgspec.json.encode({"items": [product(1)], "totalItems": "lots"}))

    assert (kept.page.total_items, len(kept.page.rejections)) == (40, 1)
    assert (dropped.page.total_items, len(dropped.page.records)) == (None, 1)


def test_naive_erp_times_become_sao_paulo_aware() -> None:
    decoded = decode_products([product(1)])
    sku: Sku = decoded.page.records[0]

    assert sku.changed_at == datetime(2025, 4, 1, 12, 24, 3, tzinfo=UTC)
    assert sku.changed_at is not None
    assert sku.changed_at.tzinfo is SAO_PAULO
    assert decoded.page.max_changed_at == sku.changed_at


@pytest.mark.parametrize(
    "reference", [{"ReferenceCode": "R9"}, {"referenceCode": "R9"}, {"REFERENCECODE": "R9"}]
)
def test_reference_code_in_any_casing(reference: dict[str, str]) -> None:
    row = {"productCode": 1, "productName": "P", **reference}

    decoded = decode_products([row])

    assert decoded.page.records[0].reference_code == "R9"


def test_keys_in_any_casing_are_read_on_the_tolerant_path() -> None:
    row = {
        "ProductCode": "12",
        "PRODUCTNAME": "Shirt",
        "ReferenceCode": 55,
        "Classifications": [{"TypeCode": "2", "Code": 7}],
        "MaxChangeFilterDate": "01/04/2025 09:24:03",
    }

    decoded = decode_products([row])

    sku = decoded.page.records[0]
    assert (sku.product_code, sku.name, sku.reference_code) == (12, "Shirt", "55")
    assert [tuple(ref) for ref in sku.classifications] == [(2, "7")]
    assert sku.changed_at == datetime(2025, 4, 1, 9, 24, 3, tzinfo=SAO_PAULO)


def test_dd_mm_yyyy_dates_are_read() -> None:
    decoded = decode_products([product(1, maxChangeFilterDate="02/05/2025")])
    assert decoded.page.records[0].changed_at == datetime(2025, 5, 2, tzinfo=SAO_PAULO)


def test_a_bad_row_is_rejected_and_the_rest_of_the_page_arrives() -> None:
    rows = [
        product(1),
        product(2, productCode="not a number", maxChangeFilterDate="2025-06-01T08:00:00"),
        "not an object",
        product(3, ReferenceCode=None),
        product(4, maxChangeFilterDate="sometime"),
        product(5),
    ]

    decoded = decode_products(rows)

    assert [sku.product_code for sku in decoded.page.records] == [1, 5]
    reasons = {r.key: r.reason for r in decoded.page.rejections}
    assert set(reasons) == {"not a number", None, "3", "4"}
    assert "productCode" in reasons["not a number"]
    assert "ReferenceCode" in reasons["3"]
    assert "sometime" in reasons["4"]
    assert decoded.rows == 6
    # the rejected row's readable timestamp still counts for the cursor
    assert decoded.page.max_changed_at == datetime(2025, 6, 1, 8, tzinfo=SAO_PAULO)


def test_a_row_failing_only_the_mapping_is_rejected_on_the_fast_path() -> None:
    decoded = decode_products([product(1), product(2, ReferenceCode="", referenceCode=None)])

    assert [sku.product_code for sku in decoded.page.records] == [1]
    assert [(r.key, r.reason) for r in decoded.page.rejections] == [("2", "missing ReferenceCode")]


def test_enum_names_or_integers() -> None:
    body = msgspec.json.encode(
        envelope(
            [
                {"code": 1, "name": "Letras", "type": "Letter", "grid": ["P", "M"]},
                {"code": "2", "name": "Numeros", "type": 2, "grid": [36, 38]},
            ]
        )
    )
    grids = PageDecoder(SizesSpec(1000)).decode(1, body).page.records
    assert [(g.code, g.grid_type, g.sizes) for g in grids] == [
        ("1", "Letter", ("P", "M")),
        ("2", "2", ("36", "38")),
    ]

    orders = [
        {"branchCode": 1, "orderCode": 1, "status": 5, "items": [{"productCode": 9}]},
        {"branchCode": 1, "orderCode": 2, "status": "10", "items": [{"productCode": 9}]},
        {"branchCode": 1, "orderCode": 3, "status": "InProduction", "items": []},
    ]
    decoded = PageDecoder(ProductionOrdersSpec(500, (1,))).decode(
        1, msgspec.json.encode(envelope(orders))
    )
    assert [f.status for f in decoded.page.records] == [5, 10]
    assert [r.key for r in decoded.page.rejections] == ["1/3"]


def test_a_bare_array_or_odd_paging_fields_are_tolerated() -> None:
    decoder = PageDecoder(ProductsSpec(1000, (1,)))

    bare = decoder.decode(1, msgspec.json.encode([product(1), product(2)]))
    assert (len(bare.page.records), bare.has_next, bare.total_pages) == (2, False, None)

    odd_body = {"Items": [product(1)], "HasNext": "true", "TotalPages": "3", "TotalItems": "21"}
    odd = decoder.decode(1, msgspec.json.encode(odd_body))
    assert (len(odd.page.records), odd.has_next, odd.total_pages) == (1, True, 3)
    assert odd.page.total_items == 21


@pytest.mark.parametrize(
    "body", [b"<html>gateway</html>", b'{"items": [{"productCode": 1}', b"", b'"oops"']
)
def test_a_body_that_is_not_a_page_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedBody):
        PageDecoder(ProductsSpec(1000, (1,))).decode(1, body)


def test_the_garbage_collector_is_left_as_it_was_found() -> None:
    decoder = PageDecoder(ProductsSpec(1000, (1,)))
    body = msgspec.json.encode(envelope([product(1)]))
    assert gc.isenabled()
    decoder.decode(1, body)
    assert gc.isenabled()
    with pytest.raises(MalformedBody):
        decoder.decode(1, b"<html>")
    assert gc.isenabled()
    gc.disable()
    try:
        decoder.decode(1, body)
        assert not gc.isenabled()
    finally:
        gc.enable()
