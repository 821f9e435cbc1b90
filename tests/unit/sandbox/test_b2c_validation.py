"""``b2c-orders`` validation: branch, exclusive pairs, products, repeated lines, totals, status."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sandbox.totvs_moda.errors import ApiError
from sandbox.totvs_moda.order_input import parse_b2c, sku_code
from tests.unit.sandbox.commerce_fixtures import b2c_body, make_commerce

COMMERCE = make_commerce()


def parse(**overrides: Any) -> Any:
    return parse_b2c(b2c_body(**overrides), catalog=COMMERCE.catalog, persons=COMMERCE.persons)


def refused(**overrides: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        parse(**overrides)
    assert caught.value.status == 400
    return caught.value


def test_a_valid_order_parses_with_its_totals() -> None:
    order = parse()
    assert (order.branch_code, order.customer.code, order.status) == (1, 1, "InProgress")
    assert [(line.product_code, line.quantity) for line in order.lines] == [(5, 2), (6, 1)]
    assert order.lines[1].original_price == Decimal("7.0")
    assert order.lines[0].original_price == Decimal("10.5")
    assert (order.total, order.freight_value, order.discount_value) == (
        Decimal("28.00"),
        Decimal(3),
        Decimal("1.25"),
    )


def test_the_customer_is_one_of_code_or_document_and_must_exist() -> None:
    document = COMMERCE.persons.by_code[2].document
    assert parse(customercode=None, customercpfcnpj=document).customer.code == 2
    assert "exactly one" in refused(customercpfcnpj=document).message
    assert "exactly one" in refused(customercode=None).message
    assert refused(customercode=99_999).code == "NotFound"
    assert refused(customercode=None, customercpfcnpj="52998224725").code == "NotFound"


@pytest.mark.parametrize(
    ("code", "document"),
    [
        ("representativecode", "representativecpfcnpj"),
        ("shippingcompanycode", "shippingcompanycpfcnpj"),
    ],
)
def test_other_pairs_take_at_most_one_member(code: str, document: str) -> None:
    assert parse(**{code: 7}).terms is not None
    assert parse(**{document: "52998224725"}).terms is not None
    assert "not both" in refused(**{code: 7, document: "52998224725"}).message


def test_unknown_branch_is_not_found() -> None:
    assert refused(branchcode=9).code == "NotFound"
    assert "branchCode is required" in refused(branchcode=None).message


def test_items_must_name_existing_products_with_positive_quantities() -> None:
    assert "must not be empty" in refused(items=[]).message
    missing = refused(items=[{"productcode": 999_999, "quantity": 1, "price": 1}])
    assert missing.code == "NotFound"
    for quantity in (0, -1, 1.5, "2", True):
        error = refused(items=[{"productcode": 5, "quantity": quantity, "price": 1}])
        assert "quantity" in error.message
    assert "price is required" in refused(items=[{"productcode": 5, "quantity": 1}]).message
    assert "productCode or productSku" in refused(items=[{"quantity": 1, "price": 1}]).message


def test_the_same_product_on_two_lines_is_repeated_value() -> None:
    error = refused(
        items=[
            {"productcode": 5, "quantity": 1, "price": 10.5},
            {"productcode": 5, "quantity": 1, "price": 10.5},
        ],
        totalamountorder=22,
        payments=[{"paymentvalue": 22}],
    )
    assert error.code == "RepeatedValue"


def test_a_sku_names_its_product_and_counts_as_the_same_product() -> None:
    sku = COMMERCE.catalog.view(5).base.sku
    assert sku is not None
    assert sku_code(COMMERCE.catalog, sku) == 5
    assert sku_code(COMMERCE.catalog, "999999.001.P") is None
    order = parse(
        items=[
            {"productsku": sku, "quantity": 2, "price": 10.5},
            {"productcode": 6, "quantity": 1, "price": 5.25},
        ]
    )
    assert order.lines[0].product_code == 5
    twice = refused(
        items=[
            {"productsku": sku, "quantity": 1, "price": 10.5},
            {"productcode": 5, "quantity": 1, "price": 10.5},
        ]
    )
    assert twice.code == "RepeatedValue"
    assert (
        "different products"
        in refused(items=[{"productcode": 6, "productsku": sku, "quantity": 1, "price": 1}]).message
    )


def test_total_must_match_items_freight_and_discounts() -> None:
    error = refused(totalamountorder=28.01, payments=[{"paymentvalue": 28.01}])
    assert "28.01" in error.message
    assert "28.00" in error.message
    no_discount = parse(discounts=None, totalamountorder=29.25, payments=[{"paymentvalue": 29.25}])
    assert no_discount.discount_value == 0


def test_total_must_match_the_payments() -> None:
    assert "payments" in refused(payments=[{"paymentvalue": 27.99}]).message
    assert "payments" in refused(payments=None).message
    split = parse(payments=[{"paymentvalue": 20}, {"paymentvalue": "8.00"}])
    assert split.total == Decimal("28.00")


def test_totals_compare_at_two_decimals() -> None:
    order = parse(
        items=[{"productcode": 5, "quantity": 3, "price": 33.333}],
        freightvalue=0,
        discounts=None,
        totalamountorder=100.0,
        payments=[{"paymentvalue": 100}],
    )
    assert order.total == Decimal("100.00")


@pytest.mark.parametrize(
    ("sent", "status"),
    [
        (None, "InProgress"),
        ("InProgress", "InProgress"),
        ("blocked", "Blocked"),
        (1, "InProgress"),
        (5, "Blocked"),
        (8, "InAnalysis"),
        ("8", "InAnalysis"),
    ],
)
def test_status_comes_as_a_name_or_a_number(sent: object, status: str) -> None:
    assert parse(statusorder=sent).status == status


@pytest.mark.parametrize("sent", ["Attended", 4, "Canceled", "Shipped", 99])
def test_other_statuses_are_refused_on_create(sent: object) -> None:
    refused(statusorder=sent)


def test_enum_fields_and_negative_money_are_checked() -> None:
    assert "experienceType" in refused(experiencetype="Teleport").message
    assert parse(experiencetype="ClickAndCollect").terms.experience_type == "ClickAndCollect"
    assert (
        "documentType" in refused(payments=[{"documenttype": "Gold", "paymentvalue": 28}]).message
    )
    assert ">= 0" in refused(freightvalue=-1).message
    assert "freightType" in refused(freighttype=9).message


def test_shipping_address_keeps_number_and_digits_of_the_cep() -> None:
    order = parse(
        shippingaddress={"address": "Rua A", "addressnumber": "10", "cep": "01310-100"},
        orderdate="2026-04-02T09:00:00",
    )
    assert order.terms.shipping_address is not None
    assert order.terms.shipping_address["number"] == "10"
    assert order.terms.shipping_address["cep"] == "01310100"
    assert order.order_at is not None
