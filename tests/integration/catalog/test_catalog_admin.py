"""Admins' own products (``POST/PUT/DELETE /products``) and the web fields of ERP products,
through the real app; the pages are checked against the oracle of the mirror tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.integration.catalog.helpers import (
    Client,
    exact,
    references,
    user_headers,
    walk,
)
from tests.integration.catalog.oracle import load_oracle, normalise
from tests.integration.conftest import SyncEnv

pytestmark = pytest.mark.integration

GIFT = {
    "reference": "VALE-100",
    "name": "Vale-presente Cem Reais",
    "price": "100.00",
    "stock": 7,
    "description": "Vale-presente digital, válido por um ano.",
    "barcode": "7891234567895",
    "section": "PRESENTES",
    "expires_on": "2027-12-31",
    "images": ["https://cdn.example.com/vale-100.png", "https://cdn.example.com/vale-100-b.png"],
}


def _problem(response: Any, status: int, slug: str, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"].endswith("/" + slug), body
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body


async def _create(api: Client, admin: dict[str, str], **changes: Any) -> Any:
    response = await api.post("/products", json={**GIFT, **changes}, headers=admin)
    assert response.status_code == 201, response.text
    return response


async def _page(api: Client, headers: dict[str, str], reference: str) -> Any:
    response = await api.get(f"/products/{reference}", headers=headers)
    assert response.status_code == 200, response.text
    return exact(response.text)


async def test_an_admin_creates_a_product_that_is_listed_at_once(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    response = await _create(api, admin_headers)

    assert response.headers["location"] == "/products/VALE-100"
    created = exact(response.text)
    assert created["origin"] == "ponte"
    assert created["description"] == GIFT["description"]
    assert created["images"] == GIFT["images"]
    assert created["expires_on"] == "2027-12-31"
    assert created["price"] == {"min": Decimal("100.00"), "max": Decimal("100.00")}
    assert created["category"] == {"code": "PRESENTES", "name": None}
    assert created["in_stock"] is True
    assert created["on_sale"] is False
    [sku] = created["skus"]
    assert sku["product_code"] < 0
    assert sku["barcodes"] == [GIFT["barcode"]]
    assert sku["available"] == 7
    assert sku["stock"] == [{"branch": 1, "available": 7}]
    assert sku["effective_price"] == Decimal("100.00")
    # The answer is the product page, already in the catalog, with the same entity tag.
    page = await api.get("/products/VALE-100", headers=admin_headers)
    assert page.text == response.text
    assert page.headers["etag"] == response.headers["etag"]
    oracle = await load_oracle(catalog.conn)
    assert normalise(created) == oracle["VALE-100"].document()

    newest = await api.get("/products", params={"sort": "newest"}, headers=admin_headers)
    assert newest.json()["items"][0]["reference"] == "VALE-100"
    for params in (
        {"q": "vale presente"},
        {"q": "VALIDO"},
        {"category": "PRESENTES"},
        {"barcode": GIFT["barcode"]},
        {"price_min": "100", "price_max": "100", "available": True},
    ):
        listed = set(references(await walk(api, admin_headers, params, limit=10)))
        assert "VALE-100" in listed, params
        assert listed == oracle.shown(**_rule(params)), params


def _rule(params: dict[str, Any]) -> dict[str, Any]:
    rule = dict(params)
    if "price_min" in rule and "price_max" in rule:
        rule["price_range"] = (rule.pop("price_min"), rule.pop("price_max"))
    return rule


async def test_a_section_that_is_an_erp_category_files_the_product_there(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    code, name = await catalog.conn.fetchrow(
        "SELECT code, name FROM classifications WHERE type_code = 1 ORDER BY code LIMIT 1"
    )
    created = (await _create(api, admin_headers, section=code)).json()

    assert created["category"] == {"code": code, "name": name}
    listed = references(await walk(api, admin_headers, {"category": code}, limit=50))
    assert "VALE-100" in listed


async def test_references_and_barcodes_are_unique(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    erp_barcode = await catalog.conn.fetchval("SELECT barcodes[1] FROM skus LIMIT 1")
    await _create(api, admin_headers)

    _problem(
        await api.post("/products", json=GIFT, headers=admin_headers),
        409,
        "product-exists",
        "reference",
    )
    erp = {**GIFT, "reference": "000001", "barcode": None}
    _problem(await api.post("/products", json=erp, headers=admin_headers), 409, "product-exists")
    mine = {**GIFT, "reference": "VALE-200"}
    _problem(
        await api.post("/products", json=mine, headers=admin_headers),
        409,
        "barcode-taken",
        "barcode",
    )
    theirs = {**GIFT, "reference": "VALE-200", "barcode": erp_barcode}
    _problem(
        await api.post("/products", json=theirs, headers=admin_headers),
        409,
        "barcode-taken",
        "barcode",
    )
    # Nothing of the refused ones was written.
    count = await catalog.conn.fetchval(
        "SELECT count(*) FROM products WHERE reference_code = 'VALE-200'"
    )
    assert count == 0


async def test_invalid_products_are_refused_with_the_field_named(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    async def post(**changes: Any) -> Any:
        return await api.post("/products", json={**GIFT, **changes}, headers=admin_headers)

    _problem(await post(barcode="7891234567890"), 422, "domain-validation", "barcode")
    _problem(await post(barcode="789123456789"), 422, "domain-validation", "barcode")
    _problem(
        await post(images=["http://cdn.example.com/a.png"]), 422, "domain-validation", "images"
    )
    _problem(await post(images=["https://"]), 422, "domain-validation", "images")
    _problem(await post(price="0"), 422, "domain-validation", "price")
    _problem(await post(price="-5.00"), 422, "domain-validation", "price")
    _problem(await post(price="9.999"), 422, "domain-validation", "price")
    _problem(await post(price="NaN"), 422, "domain-validation", "price")
    _problem(await post(reference="com espaço"), 422, "domain-validation", "reference")
    _problem(await post(name="   "), 422, "domain-validation", "name")
    _problem(await post(section="não vale"), 422, "domain-validation", "section")
    _problem(await post(stock=-1), 400, "validation", "stock")
    _problem(await post(stock=True), 400, "validation", "stock")
    _problem(await post(colour="red"), 400, "validation")
    _problem(await post(expires_on="2027-02-30"), 400, "validation", "expires_on")
    response = await api.post("/products", content=b"{not json", headers=admin_headers)
    assert response.status_code == 400
    assert await catalog.conn.fetchval("SELECT count(*) FROM products WHERE origin = 'ponte'") == 0


async def test_only_admins_manage_products(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    await _create(api, admin_headers)
    user = await user_headers(api)
    for headers, status in ((user, 403), ({}, 401)):
        assert (await api.post("/products", json=GIFT, headers=headers)).status_code == status
        response = await api.put("/products/VALE-100", json={"description": "x"}, headers=headers)
        assert response.status_code == status
        assert (await api.delete("/products/VALE-100", headers=headers)).status_code == status
        response = await api.put("/products/000001", json={"description": "x"}, headers=headers)
        assert response.status_code == status
    # Nothing changed.
    assert (
        exact((await api.get("/products/VALE-100", headers=user)).text)["description"]
        == (GIFT["description"])
    )


async def test_put_replaces_a_ponte_product_whole(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    created = await _create(api, admin_headers)
    replacement = {
        "name": "Vale-presente Duzentos",
        "price": "200.00",
        "stock": 3,
        "barcode": "4006381333931",
        "images": ["https://cdn.example.com/vale-200.png"],
    }

    response = await api.put("/products/VALE-100", json=replacement, headers=admin_headers)

    assert response.status_code == 200, response.text
    assert response.headers["etag"] != created.headers["etag"]
    page = exact(response.text)
    assert page["name"] == "Vale-presente Duzentos"
    assert page["description"] is None  # left out: cleared
    assert page["expires_on"] is None
    assert page["category"] is None
    assert page["images"] == replacement["images"]
    assert page["price"] == {"min": Decimal("200.00"), "max": Decimal("200.00")}
    [sku] = page["skus"]
    assert sku["barcodes"] == ["4006381333931"]
    assert sku["available"] == 3
    assert sku["product_code"] == exact(created.text)["skus"][0]["product_code"]
    assert normalise(page) == (await load_oracle(catalog.conn))["VALE-100"].document()
    assert page == await _page(api, admin_headers, "VALE-100")
    listed = references(await walk(api, admin_headers, {"q": "duzentos"}, limit=10))
    assert listed == ["VALE-100"]
    assert references(await walk(api, admin_headers, {"category": "PRESENTES"}, limit=10)) == []
    # The old barcode is free again; the new one is taken.
    await _create(api, admin_headers, reference="VALE-50", price="50.00")
    taken = {**GIFT, "reference": "VALE-300", "barcode": "4006381333931"}
    _problem(await api.post("/products", json=taken, headers=admin_headers), 409, "barcode-taken")


async def test_put_of_a_ponte_product_needs_name_price_and_stock(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    await _create(api, admin_headers)

    no_price = {"name": "Vale", "stock": 1}
    response = await api.put("/products/VALE-100", json=no_price, headers=admin_headers)
    _problem(response, 422, "domain-validation", "price")
    response = await api.put(
        "/products/VALE-100", json={"description": "só"}, headers=admin_headers
    )
    assert response.status_code == 422
    response = await api.put(
        "/products/VALE-100", json={**no_price, "price": "1.00", "size": "G"}, headers=admin_headers
    )
    _problem(response, 400, "validation")
    assert (
        exact((await api.get("/products/VALE-100", headers=admin_headers)).text)["name"]
        == (GIFT["name"])
    )


async def test_put_on_an_erp_product_changes_only_its_web_fields(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    before = await _page(api, admin_headers, "000001")
    web = {
        "description": "Macacão leve e fresquinho para o verão.",
        "images": ["https://cdn.example.com/000001/1.jpg"],
    }

    response = await api.put("/products/000001", json=web, headers=admin_headers)

    assert response.status_code == 200, response.text
    page = exact(response.text)
    assert page["description"] == web["description"]
    assert page["images"] == web["images"]
    assert page["origin"] == "erp"
    assert page["skus"] == before["skus"]
    assert page["name"] == before["name"]
    assert normalise(page) == (await load_oracle(catalog.conn))["000001"].document()
    card = next(
        item
        for item in await walk(api, admin_headers, {"q": "fresquinho"}, limit=10)
        if item["reference"] == "000001"
    )
    assert card["image"] == web["images"][0]
    # The ERP's own description still finds it too.
    assert "000001" in references(await walk(api, admin_headers, {"q": "confeccionada"}, limit=50))

    # A null description shows the ERP's again.
    response = await api.put("/products/000001", json={"description": None}, headers=admin_headers)
    assert exact(response.text)["description"] == before["description"]
    assert exact(response.text)["images"] == []


async def test_put_of_erp_owned_fields_is_a_conflict(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    before = await api.get("/products/000001", headers=admin_headers)
    for body, field in (
        ({"price": "10.00"}, "price"),
        ({"description": "x", "stock": 5}, "stock"),
        ({"name": "Outro", "price": "10.00", "stock": 1}, "name"),
        ({"section": "010"}, "section"),
        ({"expires_on": None}, "expires_on"),
    ):
        response = await api.put("/products/000001", json=body, headers=admin_headers)
        _problem(response, 409, "erp-owned", field)
    after = await api.get("/products/000001", headers=admin_headers)
    assert after.text == before.text
    response = await api.put("/products/999999", json={"description": "x"}, headers=admin_headers)
    _problem(response, 404, "not-found")


async def test_delete_hides_a_ponte_product_for_good(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    await _create(api, admin_headers)

    response = await api.delete("/products/VALE-100", headers=admin_headers)

    assert response.status_code == 204
    assert response.content == b""
    _problem(await api.get("/products/VALE-100", headers=admin_headers), 404, "not-found")
    listed = references(await walk(api, admin_headers, {}, limit=100))
    assert "VALE-100" not in listed
    assert set(listed) == set((await load_oracle(catalog.conn)).products)
    _problem(await api.delete("/products/VALE-100", headers=admin_headers), 404, "not-found")
    response = await api.put("/products/VALE-100", json={"description": "x"}, headers=admin_headers)
    _problem(response, 404, "not-found")
    # The row stays for the orders that name its SKU; the reference is never reused, the barcode
    # is free for a live product.
    row = await catalog.conn.fetchrow("SELECT * FROM products WHERE reference_code = 'VALE-100'")
    assert row["deleted_at"] is not None
    _problem(await api.post("/products", json=GIFT, headers=admin_headers), 409, "product-exists")
    await _create(api, admin_headers, reference="VALE-101")


async def test_erp_products_and_unknown_ones_cannot_be_deleted(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    _problem(await api.delete("/products/000001", headers=admin_headers), 409, "erp-owned")
    assert (await api.get("/products/000001", headers=admin_headers)).status_code == 200
    _problem(await api.delete("/products/NADA", headers=admin_headers), 404, "not-found")


async def test_a_hyphenated_reference_is_found_by_its_words(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    await _create(api, admin_headers)
    oracle = await load_oracle(catalog.conn)
    for q in ("VALE-100", "100", "vale 100"):
        assert oracle.shown(q=q) == {"VALE-100"}, q
        listed = set(references(await walk(api, admin_headers, {"q": q}, limit=10)))
        assert listed == {"VALE-100"}, q


async def test_nul_characters_in_admin_input_are_client_errors(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    for changes in (
        {"name": "Vale\u0000"},
        {"description": "a\u0000b"},
        {"images": ["https://cdn.example.com/\u0000.png"]},
    ):
        response = await api.post("/products", json={**GIFT, **changes}, headers=admin_headers)
        assert response.status_code in (400, 422), (changes, response.text)
    response = await api.put(
        "/products/000001", json={"description": "\u0000"}, headers=admin_headers
    )
    assert response.status_code in (400, 422), response.text
    response = await api.delete("/products/VALE%00", headers=admin_headers)
    assert response.status_code == 404, response.text


async def test_a_ponte_product_can_be_ordered_and_its_stock_is_held(
    api: Client, admin_headers: dict[str, str], catalog: SyncEnv
) -> None:
    """The negative product code of a Ponte SKU is a valid order line; its own stock limits it."""
    await _create(api, admin_headers)
    code = (await _page(api, admin_headers, "VALE-100"))["skus"][0]["product_code"]
    assert code < 0
    customer = await api.post(
        "/clients",
        json={
            "kind": "individual",
            "name": "Ana Souza",
            "document": "529.982.247-25",
            "email": "ana@example.com",
        },
        headers=admin_headers,
    )
    assert customer.status_code == 201, customer.text
    order = {"customer_id": customer.json()["id"], "items": [{"product_code": code, "quantity": 5}]}

    placed = await api.post("/orders", json=order, headers=admin_headers)
    assert placed.status_code == 201, placed.text
    assert Decimal(str(placed.json()["total"])) == Decimal("500.00")
    too_many = await api.post(
        "/orders",
        json={**order, "items": [{"product_code": code, "quantity": 3}]},
        headers=admin_headers,
    )
    assert too_many.status_code == 409, too_many.text  # 7 in stock, 5 held
    reserved = await catalog.conn.fetchval(
        "SELECT reserved FROM stock_reservations WHERE product_code = $1", code
    )
    assert reserved == 5
