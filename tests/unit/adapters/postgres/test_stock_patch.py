"""Patching availability into a catalog entry's JSON text (``catalog_refresh.patch_stock``)."""

from __future__ import annotations

import json

from adapters.postgres.catalog_refresh import patch_stock

# Shaped as PostgreSQL's json_build_object writes entries (" : " between key and value); the
# description holds the keys' text, escaped as JSON strings are.
BODY = (
    '{"reference" : "R1", "description" : "not \\"available\\" : 9, \\"in_stock\\" : true", '
    '"in_stock" : true, "skus" : ['
    '{"product_code" : 11, "sku" : "R1.1", "available" : 4, '
    '"stock" : [{"branch" : 1, "available" : 4}], "future_stock" : []}, '
    '{"product_code" : -7, "sku" : "R1.2", "available" : 0, '
    '"stock" : [{"branch" : 1, "available" : 0}], "future_stock" : []}]}'
)
CARD = '{"reference" : "R1", "on_sale" : false, "in_stock" : true, "image" : null}'


def test_each_sku_gets_its_units_and_the_page_and_card_their_flag() -> None:
    patched = patch_stock(BODY, CARD, {11: 3, -7: 2})

    assert patched is not None
    body, card, in_stock = patched
    page = json.loads(body)
    assert [s["available"] for s in page["skus"]] == [3, 2]
    stock = [s["stock"] for s in page["skus"]]
    assert stock == [[{"branch": 1, "available": 4}], [{"branch": 1, "available": 0}]]
    assert page["description"] == json.loads(BODY)["description"]
    assert in_stock
    assert page["in_stock"] is True
    assert json.loads(card)["in_stock"] is True
    assert body.replace("3", "4", 1).replace('"available" : 2', '"available" : 0') == BODY


def test_no_unit_left_makes_page_and_card_out_of_stock() -> None:
    patched = patch_stock(BODY, CARD, {11: 0, -7: 0})

    assert patched is not None
    body, card, in_stock = patched
    assert not in_stock
    assert json.loads(body)["in_stock"] is False
    assert json.loads(card)["in_stock"] is False


def test_text_not_shaped_as_expected_is_left_to_a_full_rebuild() -> None:
    assert patch_stock(BODY, CARD, {11: 3}) is None  # a SKU of the page without figures
    assert patch_stock(BODY, "{}", {11: 3, -7: 2}) is None  # no in_stock in the card
    assert patch_stock("{}", CARD, {}) is None
