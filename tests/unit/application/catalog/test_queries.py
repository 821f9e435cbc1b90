"""``ProductQuery``: what a storefront may ask, refused before it reaches storage."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from application.catalog.queries import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MAX_SEARCH_LENGTH,
    MAX_SEARCH_WORDS,
    ProductQuery,
    ProductSort,
)
from domain.errors import ValidationError


def _refused(field: str, **values: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        ProductQuery(**values)
    assert raised.value.field == field


def test_defaults_are_the_first_page_by_name() -> None:
    query = ProductQuery()

    assert query.sort is ProductSort.NAME
    assert query.limit == DEFAULT_PAGE_SIZE == 24
    assert query.cursor is None
    assert query.with_total is False
    assert query.words == ()


def test_sorts_are_the_documented_ones() -> None:
    assert [s.value for s in ProductSort] == ["name", "price", "-price", "newest"]
    assert ProductSort("-price") is ProductSort.PRICE_DESC


@pytest.mark.parametrize("limit", [1, 2, MAX_PAGE_SIZE])
def test_page_sizes_from_1_to_100_are_accepted(limit: int) -> None:
    assert ProductQuery(limit=limit).limit == limit


@pytest.mark.parametrize("limit", [0, -1, MAX_PAGE_SIZE + 1, 10_000])
def test_page_sizes_outside_1_to_100_are_refused(limit: int) -> None:
    _refused("limit", limit=limit)


@pytest.mark.parametrize(
    ("low", "high"),
    [
        (Decimal(0), None),
        (None, Decimal(0)),
        (Decimal("10.50"), Decimal("10.50")),
        (Decimal("0.01"), Decimal("999999.99")),
    ],
)
def test_price_bounds_that_make_sense_are_accepted(
    low: Decimal | None, high: Decimal | None
) -> None:
    query = ProductQuery(price_min=low, price_max=high)

    assert (query.price_min, query.price_max) == (low, high)


@pytest.mark.parametrize("field", ["price_min", "price_max"])
@pytest.mark.parametrize(
    "value",
    [Decimal("-0.01"), Decimal(-1), Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")],
)
def test_negative_or_non_finite_price_bounds_are_refused(field: str, value: Decimal) -> None:
    _refused(field, **{field: value})


def test_a_minimum_above_the_maximum_is_refused() -> None:
    _refused("price_min", price_min=Decimal("10.01"), price_max=Decimal("10.00"))


@pytest.mark.parametrize("branch", [0, -3])
def test_branch_codes_are_positive(branch: int) -> None:
    _refused("branch", branch=branch)


def test_search_words_are_letters_and_digits_in_order() -> None:
    query = ProductQuery(search="  Macacão, listrada-azul (P)  000123!")

    assert query.words == ("Macacão", "listrada", "azul", "P", "000123")


def test_search_keeps_the_first_eight_words() -> None:
    words = [f"w{i}" for i in range(MAX_SEARCH_WORDS + 3)]

    assert ProductQuery(search=" ".join(words)).words == tuple(words[:MAX_SEARCH_WORDS])


def test_a_lone_underscore_is_not_a_word() -> None:
    assert ProductQuery(search="_ saia _").words == ("saia",)


@pytest.mark.parametrize("search", ["", " ", "?!...", "-- & | ! :*", "_", "_ _ _", "()"])
def test_a_search_without_a_letter_or_digit_is_refused(search: str) -> None:
    _refused("search", search=search)


def test_a_search_of_up_to_100_characters_is_accepted() -> None:
    assert ProductQuery(search="a" * MAX_SEARCH_LENGTH).words == ("a" * MAX_SEARCH_LENGTH,)


def test_a_longer_search_is_refused() -> None:
    _refused("search", search="a" * (MAX_SEARCH_LENGTH + 1))


def test_words_never_carry_tsquery_operators() -> None:
    query = ProductQuery(search="saia&calca|!vestido:* <-> 'x'")

    assert query.words == ("saia", "calca", "vestido", "x")
    assert all(ch.isalnum() for word in query.words for ch in word)
