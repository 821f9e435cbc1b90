"""Products Ponte manages itself, web fields, and the GS1 check digit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.errors import ValidationError
from domain.money import Money
from domain.products import (
    MAX_DESCRIPTION_LENGTH,
    MAX_IMAGES,
    MAX_URL_LENGTH,
    ManagedProduct,
    WebFields,
    gtin_is_valid,
)

# --- gtin_is_valid -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "digits",
    [
        "7891234567895",  # EAN-13 (Brazil)
        "4006381333931",  # EAN-13 (the classic Wikipedia example)
        "73513537",  # EAN-8
        "96385074",  # EAN-8
        "036000291452",  # UPC-A
        "0036000291452",  # the same UPC-A as an EAN-13
        "10012345678902",  # GTIN-14
        "00000000",  # all zeros: check digit 0
    ],
)
def test_valid_gtins_pass(digits: str) -> None:
    assert gtin_is_valid(digits)


@pytest.mark.parametrize(
    "digits",
    [
        "7891234567890",  # wrong check digit
        "7891234567896",
        "4006381333932",
        "73513536",
        "036000291453",
        "10012345678903",
        "7891234567859",  # two digits swapped
    ],
)
def test_a_wrong_check_digit_fails(digits: str) -> None:
    assert not gtin_is_valid(digits)


@pytest.mark.parametrize(
    "digits",
    [
        "",
        "0",
        "1234567",  # 7
        "123456789",  # 9 (valid-looking check digits of no GS1 length)
        "1234567895",  # 10
        "12345678903",  # 11
        "100123456789023",  # 15
        "0" * 18,
    ],
)
def test_lengths_other_than_8_12_13_14_fail(digits: str) -> None:
    assert not gtin_is_valid(digits)


@pytest.mark.parametrize(
    "digits",
    [
        "789123456789X",
        " 7891234567895",
        "7891234567895 ",
        "789-1234567895",
        "+789123456789",
        "٧٨٩١٢٣٤٥٦٧٨٩٥",  # Arabic-Indic digits of a valid EAN-13
        "７８９１２３４５６７８９５",  # full-width digits
        "78912345678²5",
    ],
)
def test_anything_but_ascii_digits_fails(digits: str) -> None:
    assert not gtin_is_valid(digits)


def test_every_wrong_check_digit_of_a_valid_code_fails() -> None:
    body = "789123456789"
    assert [d for d in "0123456789" if gtin_is_valid(body + d)] == ["5"]


# --- ManagedProduct ------------------------------------------------------------------------------


def _product(**changes: Any) -> ManagedProduct:
    fields: dict[str, Any] = {
        "reference": "VALE-100",
        "name": "Vale-presente R$ 100",
        "description": "Vale-presente digital.",
        "price": Money(Decimal("100.00")),
        "barcode": "7891234567895",
        "section": "PRESENTES",
        "stock": 500,
        "expires_on": date(2027, 12, 31),
        "images": ("https://cdn.example.com/vale-100.png",),
    }
    return ManagedProduct(**{**fields, **changes})


def _field_error(field: str, **changes: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        _product(**changes)
    assert raised.value.field == field


def test_a_well_formed_product_builds_and_keeps_its_values() -> None:
    product = _product()

    assert product.reference == "VALE-100"
    assert product.price == Money(Decimal("100.00"))
    assert product.web_fields == WebFields(
        "Vale-presente digital.", ("https://cdn.example.com/vale-100.png",)
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"reference": "A"},
        {"reference": "a" * 30},
        {"reference": "1.b_c-D"},
        {"name": "x"},
        {"name": "n" * 200},
        {"description": None},
        {"description": "d" * MAX_DESCRIPTION_LENGTH},
        {"price": Money(Decimal("0.01"))},
        {"barcode": None},
        {"barcode": "73513537"},
        {"section": None},
        {"section": "a.b_c-9"},
        {"section": "s" * 30},
        {"stock": 0},
        {"expires_on": None},
        {"images": ()},
        {"images": tuple(f"https://cdn.example.com/{i}.png" for i in range(MAX_IMAGES))},
        {"images": ("https://cdn.example.com/" + "a" * (MAX_URL_LENGTH - 24),)},
    ],
)
def test_edges_inside_the_rules_are_accepted(changes: dict[str, Any]) -> None:
    product = _product(**changes)
    for name, value in changes.items():
        assert getattr(product, name) == value


@pytest.mark.parametrize(
    "reference",
    ["", "-VALE", ".VALE", "_VALE", "a" * 31, "VALE 100", "VALÉ", "VALE/100", "VALE\n", "VALE\x00"],
)
def test_a_malformed_reference_is_refused(reference: str) -> None:
    _field_error("reference", reference=reference)


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "n" * 201])
def test_an_empty_or_overlong_name_is_refused(name: str) -> None:
    _field_error("name", name=name)


def test_an_overlong_description_is_refused() -> None:
    _field_error("description", description="d" * (MAX_DESCRIPTION_LENGTH + 1))


@pytest.mark.parametrize(
    "price",
    [Money(Decimal(0)), Money(Decimal("-0.01"), allow_negative=True)],
)
def test_a_price_must_be_above_zero(price: Money) -> None:
    _field_error("price", price=price)


@pytest.mark.parametrize("barcode", ["7891234567890", "", "789123456789", "ABCDEFGHIJKLM"])
def test_a_barcode_must_be_a_valid_gtin(barcode: str) -> None:
    _field_error("barcode", barcode=barcode)


@pytest.mark.parametrize("section", ["", "s" * 31, "NÃO", "A B", "a/b"])
def test_a_malformed_section_is_refused(section: str) -> None:
    _field_error("section", section=section)


@pytest.mark.parametrize("stock", [-1, True, False, 1.0, Decimal(1), "5"])
def test_stock_is_a_whole_number_of_units_not_below_zero(stock: object) -> None:
    _field_error("stock", stock=stock)


@pytest.mark.parametrize(
    "images",
    [
        ("http://cdn.example.com/a.png",),
        ("https://",),
        ("cdn.example.com/a.png",),
        ("ftp://cdn.example.com/a.png",),
        ("//cdn.example.com/a.png",),
        ("",),
        ("https://cdn.example.com/ok.png", "javascript:alert(1)"),
        ("https://cdn.example.com/" + "a" * (MAX_URL_LENGTH - 23),),
        tuple(f"https://cdn.example.com/{i}.png" for i in range(MAX_IMAGES + 1)),
    ],
)
def test_images_are_at_most_twenty_https_urls(images: tuple[str, ...]) -> None:
    _field_error("images", images=images)


def test_products_are_values() -> None:
    product = _product()

    assert product == _product()
    assert replace(product, stock=1) != product
    with pytest.raises(AttributeError):
        product.stock = 1  # type: ignore[misc]


# --- WebFields -----------------------------------------------------------------------------------


def test_web_fields_take_no_description_and_no_images() -> None:
    assert WebFields(None, ()).images == ()


def test_web_fields_check_description_and_images() -> None:
    with pytest.raises(ValidationError) as raised:
        WebFields("d" * (MAX_DESCRIPTION_LENGTH + 1), ())
    assert raised.value.field == "description"
    with pytest.raises(ValidationError) as raised:
        WebFields(None, ("http://cdn.example.com/a.png",))
    assert raised.value.field == "images"
