"""Customers (``/clients``) through the real app on real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import SyncEnv, bearer

pytestmark = pytest.mark.integration

Client = AsyncTestClient[Any]
USER = {"email": "clerk@example.com", "password": "a long enough password"}
MISSING = "00000000-0000-4000-8000-000000000000"

MARIA: dict[str, Any] = {
    "kind": "individual",
    "name": "Maria José da Silva",
    "document": "123.456.789-09",
    "email": "Maria.Silva@Example.com",
    "phones": [{"type": "mobile", "number": "+55 (11) 98765-4321"}],
    "addresses": [
        {
            "type": "shipping",
            "street": "Avenida Paulista",
            "number": "1578",
            "complement": "apto 12",
            "district": "Bela Vista",
            "city": "São Paulo",
            "state": "sp",
            "zip_code": "01310-200",
        }
    ],
    "birth_date": "1990-05-17",
}
ACME: dict[str, Any] = {
    "kind": "company",
    "name": "Acme Comércio Ltda",
    "document": "11222333000181",
    "email": "compras@acme.com.br",
}


def person(i: int, name: str | None = None) -> dict[str, Any]:
    """A valid individual with a CPF and e-mail of its own."""
    body = "".join(str((i * 7 + k * 3) % 10) for k in range(9))
    if len(set(body)) == 1:
        body = "1" + body[1:]
    for weights in (range(10, 1, -1), range(11, 1, -1)):
        remainder = sum(int(d) * w for d, w in zip(body, weights, strict=False)) % 11
        body += "0" if remainder < 2 else str(11 - remainder)
    return {
        "kind": "individual",
        "name": name or f"Pessoa {i}",
        "document": body,
        "email": f"pessoa{i}@example.com",
    }


@pytest.fixture
async def user(api: Client) -> dict[str, str]:
    """Headers of a signed-in plain user."""
    assert (await api.post("/auth/register", json=USER)).status_code == 201
    return await bearer(api, USER["email"], USER["password"])


async def api_key(api: Client, admin: dict[str, str], *scopes: str) -> dict[str, str]:
    response = await api.post(
        "/api-keys", json={"name": "storefront", "scopes": list(scopes)}, headers=admin
    )
    assert response.status_code == 201, response.text
    return {"X-API-Key": response.json()["key"]}


async def create(api: Client, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = await api.post("/clients", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def problem(response: Any, status: int, slug: str, *fields: str) -> None:
    """``response`` is the problem ``slug`` naming exactly ``fields`` (when given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith("/" + slug), body
    if fields:
        assert [e["field"] for e in body["errors"]] == list(fields), body


# --- happy paths ----------------------------------------------------------------------------------


async def test_register_returns_the_normalised_customer_and_its_location(
    api: Client, user: dict[str, str], sync_env: SyncEnv
) -> None:
    response = await api.post("/clients", json=MARIA, headers=user)
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/clients/{body['id']}"
    assert body["kind"] == "individual"
    assert body["name"] == "Maria José da Silva"
    assert body["document"] == "123.456.789-09"
    assert body["email"] == "maria.silva@example.com"
    assert body["phones"] == [{"type": "mobile", "number": "11987654321"}]
    assert body["addresses"] == [
        {
            "type": "shipping",
            "street": "Avenida Paulista",
            "number": "1578",
            "complement": "apto 12",
            "district": "Bela Vista",
            "city": "São Paulo",
            "state": "SP",
            "zip_code": "01310200",
            "country": "BR",
        }
    ]
    assert body["birth_date"] == "1990-05-17"
    assert body["origin"] == "ponte"
    assert body["created_at"] == body["updated_at"]

    fetched = await api.get(response.headers["location"], headers=user)
    assert fetched.status_code == 200
    assert fetched.json() == body

    row = await sync_env.conn.fetchrow("SELECT * FROM customers")
    assert row["document"] == "12345678909"
    assert row["name_search"] == "maria jose da silva"
    assert row["deleted_at"] is None


async def test_a_company_gets_a_formatted_cnpj(api: Client, user: dict[str, str]) -> None:
    body = await create(api, user, ACME)
    assert body["document"] == "11.222.333/0001-81"
    assert (body["phones"], body["addresses"], body["birth_date"]) == ([], [], None)


async def test_put_replaces_every_editable_field(
    api: Client, user: dict[str, str], sync_env: SyncEnv
) -> None:
    created = await create(api, user, MARIA)
    replacement = {**ACME, "phones": [{"type": "work", "number": "(21) 3456-7890"}]}
    response = await api.put(f"/clients/{created['id']}", json=replacement, headers=user)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["created_at"], body["origin"]) == (
        created["id"],
        created["created_at"],
        "ponte",
    )
    assert body["updated_at"] > created["updated_at"]
    assert body["kind"] == "company"
    assert body["document"] == "11.222.333/0001-81"
    assert body["phones"] == [{"type": "work", "number": "2134567890"}]
    assert (body["addresses"], body["birth_date"]) == ([], None)
    assert (await api.get(f"/clients/{created['id']}", headers=user)).json() == body
    stored = await sync_env.conn.fetchrow("SELECT name_search, addresses FROM customers")
    assert stored["name_search"] == "acme comercio ltda"
    assert json.loads(stored["addresses"]) == []


async def test_put_keeping_its_own_email_and_document_is_no_conflict(
    api: Client, user: dict[str, str]
) -> None:
    created = await create(api, user, MARIA)
    again = {**MARIA, "name": "Maria J. da Silva", "document": "12345678909"}
    response = await api.put(f"/clients/{created['id']}", json=again, headers=user)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Maria J. da Silva"


# --- listing --------------------------------------------------------------------------------------


async def test_list_pages_oldest_first_with_an_opaque_cursor(
    api: Client, user: dict[str, str]
) -> None:
    ids = [(await create(api, user, person(i)))["id"] for i in range(5)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await api.get("/clients", params=params, headers=user)
        assert response.status_code == 200, response.text
        page = response.json()
        pages += 1
        assert len(page["items"]) <= 2
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    assert pages == 3
    default = (await api.get("/clients", headers=user)).json()
    assert [c["id"] for c in default["items"]] == ids
    assert default["next_cursor"] is None


async def test_list_filters_by_name_ignoring_case_and_accents(
    api: Client, user: dict[str, str]
) -> None:
    await create(api, user, person(1, "José Antônio"))
    await create(api, user, person(2, "JOSEFA Lima"))
    await create(api, user, person(3, "100% Algodão_Ltda"))
    await create(api, user, person(4, "Maria"))

    async def names(term: str) -> list[str]:
        response = await api.get("/clients", params={"name": term}, headers=user)
        assert response.status_code == 200, response.text
        return [c["name"] for c in response.json()["items"]]

    assert await names("jose") == ["José Antônio", "JOSEFA Lima"]
    assert await names("JOSÉ ANTÔ") == ["José Antônio"]
    assert await names("algodao") == ["100% Algodão_Ltda"]
    # LIKE metacharacters are literal.
    assert await names("%") == ["100% Algodão_Ltda"]
    assert await names("_") == ["100% Algodão_Ltda"]
    assert await names("o%a") == []
    assert await names("nobody") == []
    assert len(await names("  ")) == 4


async def test_list_filters_by_exact_email(api: Client, user: dict[str, str]) -> None:
    await create(api, user, person(1))
    wanted = await create(api, user, person(2))
    response = await api.get("/clients", params={"email": " PESSOA2@example.com "}, headers=user)
    assert [c["id"] for c in response.json()["items"]] == [wanted["id"]]
    partial = await api.get("/clients", params={"email": "pessoa@example.com"}, headers=user)
    assert partial.json()["items"] == []
    bad = await api.get("/clients", params={"email": "not-an-email"}, headers=user)
    problem(bad, 422, "domain-validation", "email")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "bm9wZQ=="}, "cursor"),
        ({"cursor": "not base64!"}, "cursor"),
        ({"limit": 0}, None),
        ({"limit": 101}, None),
        ({"limit": "many"}, None),
    ],
)
async def test_bad_paging_is_400(
    api: Client, user: dict[str, str], params: dict[str, Any], field: str | None
) -> None:
    response = await api.get("/clients", params=params, headers=user)
    problem(response, 400, "validation", *([field] if field else []))


async def test_a_cursor_of_another_listing_is_400(api: Client, user: dict[str, str]) -> None:
    """A sync-runs cursor (base64 of ``time|int``) is not a customer cursor."""
    foreign = "MjAyNi0xMS0yM1QxMjowMDowMCswMDowMHwx"
    response = await api.get("/clients", params={"cursor": foreign}, headers=user)
    problem(response, 400, "validation", "cursor")


# --- roles ----------------------------------------------------------------------------------------


async def test_anonymous_callers_are_401_everywhere(api: Client) -> None:
    for response in (
        await api.get("/clients"),
        await api.post("/clients", json=MARIA),
        await api.get(f"/clients/{MISSING}"),
        await api.put(f"/clients/{MISSING}", json=MARIA),
        await api.delete(f"/clients/{MISSING}"),
    ):
        problem(response, 401, "unauthenticated")


async def test_users_read_and_write_but_only_admins_delete(
    api: Client, user: dict[str, str], admin_headers: dict[str, str]
) -> None:
    created = await create(api, user, MARIA)
    url = f"/clients/{created['id']}"
    assert (await api.get("/clients", headers=user)).status_code == 200
    assert (await api.put(url, json=MARIA, headers=user)).status_code == 200
    problem(await api.delete(url, headers=user), 403, "forbidden")
    assert (await api.get(url, headers=user)).status_code == 200

    assert (await api.get(url, headers=admin_headers)).status_code == 200
    assert (await api.delete(url, headers=admin_headers)).status_code == 204


async def test_api_keys_need_the_customers_scope_and_cannot_delete(
    api: Client, admin_headers: dict[str, str]
) -> None:
    writer = await api_key(api, admin_headers, "customers:write")
    reader = await api_key(api, admin_headers, "catalog:read", "orders:write")

    created = await create(api, writer, MARIA)
    url = f"/clients/{created['id']}"
    assert (await api.get(url, headers=writer)).status_code == 200
    assert (await api.get("/clients", headers=writer)).status_code == 200
    assert (await api.put(url, json=MARIA, headers=writer)).status_code == 200
    problem(await api.delete(url, headers=writer), 401, "unauthenticated")

    for response in (
        await api.get("/clients", headers=reader),
        await api.get(url, headers=reader),
        await api.post("/clients", json=ACME, headers=reader),
        await api.put(url, json=MARIA, headers=reader),
    ):
        problem(response, 403, "insufficient-scope")
    problem(await api.get("/clients", headers={"X-API-Key": "pk_unknown"}), 401, "invalid-api-key")


# --- wire errors (400) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**MARIA, "nickname": "Mari"}, "nickname"),
        ({**MARIA, "phones": [{"type": "mobile", "number": "11987654321", "ext": "1"}]}, "ext"),
        ({**MARIA, "kind": "robot"}, "kind"),
        ({**MARIA, "phones": [{"type": "fax", "number": "1134567890"}]}, "type"),
        ({k: v for k, v in MARIA.items() if k != "email"}, "email"),
        ({**MARIA, "name": 42}, "name"),
        ({**MARIA, "birth_date": "17/05/1990"}, "birth_date"),
        ({**MARIA, "phones": [{"type": "mobile", "number": "11987654321"}] * 11}, "phones"),
    ],
)
async def test_malformed_bodies_are_400_naming_the_field(
    api: Client, user: dict[str, str], sync_env: SyncEnv, body: dict[str, Any], field: str
) -> None:
    response = await api.post("/clients", json=body, headers=user)
    problem(response, 400, "validation")
    errors = response.json()["errors"]
    assert any(field in e["field"] or field in e["message"] for e in errors), errors
    assert await sync_env.conn.fetchval("SELECT count(*) FROM customers") == 0


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[]", b'"text"'])
async def test_malformed_json_is_400_not_500(api: Client, user: dict[str, str], raw: bytes) -> None:
    headers = {**user, "Content-Type": "application/json"}
    created = await create(api, user, MARIA)
    for response in (
        await api.post("/clients", content=raw, headers=headers),
        await api.put(f"/clients/{created['id']}", content=raw, headers=headers),
    ):
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await api.get(f"/clients/{created['id']}", headers=user)).json() == created


# --- rule errors (422) ----------------------------------------------------------------------------


def _address(**changes: str) -> dict[str, Any]:
    return {**MARIA, "addresses": [{**MARIA["addresses"][0], **changes}]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**MARIA, "document": "123.456.789-00"}, "document"),  # bad CPF check digits
        ({**MARIA, "document": "111.111.111-11"}, "document"),
        ({**ACME, "document": "11.222.333/0001-82"}, "document"),  # bad CNPJ check digits
        ({**MARIA, "document": "11.222.333/0001-81"}, "document"),  # a CNPJ for an individual
        ({**ACME, "document": "123.456.789-09"}, "document"),  # a CPF for a company
        ({**MARIA, "email": "maria@"}, "email"),
        (_address(state="XX"), "addresses[0].state"),
        (_address(zip_code="1310-200"), "addresses[0].zip_code"),
        (_address(country="PT"), "addresses[0].country"),
        ({**MARIA, "phones": [{"type": "mobile", "number": "98765-4321"}]}, "phones[0].number"),
        ({**ACME, "birth_date": "1990-05-17"}, "birth_date"),
        ({**MARIA, "birth_date": "2999-01-01"}, "birth_date"),
        ({**MARIA, "name": "   "}, "name"),
        ({**MARIA, "name": "Maria\u0000"}, "name"),
        (_address(street="Rua\u0000"), "addresses[0].street"),
    ],
)
async def test_broken_rules_are_422_naming_the_field(
    api: Client, user: dict[str, str], sync_env: SyncEnv, body: dict[str, Any], field: str
) -> None:
    response = await api.post("/clients", json=body, headers=user)
    problem(response, 422, "domain-validation", field)
    assert await sync_env.conn.fetchval("SELECT count(*) FROM customers") == 0


async def test_put_with_a_broken_rule_is_422_and_changes_nothing(
    api: Client, user: dict[str, str]
) -> None:
    created = await create(api, user, MARIA)
    url = f"/clients/{created['id']}"
    problem(await api.put(url, json=_address(zip_code="x"), headers=user), 422, "domain-validation")
    assert (await api.get(url, headers=user)).json() == created


# --- conflicts (409) ------------------------------------------------------------------------------


async def test_duplicate_email_or_document_is_409_naming_it(
    api: Client, user: dict[str, str], sync_env: SyncEnv
) -> None:
    await create(api, user, MARIA)
    same_email = {**person(1), "email": "MARIA.SILVA@example.com"}
    problem(
        await api.post("/clients", json=same_email, headers=user), 409, "customer-exists", "email"
    )
    same_document = {**person(2), "document": "12345678909"}
    problem(
        await api.post("/clients", json=same_document, headers=user),
        409,
        "customer-exists",
        "document",
    )
    assert await sync_env.conn.fetchval("SELECT count(*) FROM customers") == 1


async def test_put_taking_another_customers_email_is_409(api: Client, user: dict[str, str]) -> None:
    await create(api, user, MARIA)
    other = await create(api, user, ACME)
    url = f"/clients/{other['id']}"
    taken = {**ACME, "email": MARIA["email"]}
    problem(await api.put(url, json=taken, headers=user), 409, "customer-exists", "email")
    assert (await api.get(url, headers=user)).json() == other


async def test_concurrent_twins_get_one_201_and_one_409(
    api: Client, user: dict[str, str], sync_env: SyncEnv
) -> None:
    responses = await asyncio.gather(
        api.post("/clients", json=MARIA, headers=user),
        api.post("/clients", json={**MARIA, "email": "twin@example.com"}, headers=user),
    )
    assert sorted(r.status_code for r in responses) == [201, 409]
    assert await sync_env.conn.fetchval("SELECT count(*) FROM customers") == 1


# --- not found and delete -------------------------------------------------------------------------


async def test_unknown_customers_are_404(
    api: Client, user: dict[str, str], admin_headers: dict[str, str]
) -> None:
    problem(await api.get(f"/clients/{MISSING}", headers=user), 404, "not-found")
    problem(await api.put(f"/clients/{MISSING}", json=MARIA, headers=user), 404, "not-found")
    problem(await api.delete(f"/clients/{MISSING}", headers=admin_headers), 404, "not-found")
    problem(await api.get("/clients/not-a-uuid", headers=user), 404, "not-found")


async def test_delete_erases_personal_data_keeps_orders_and_frees_email_and_document(
    api: Client, user: dict[str, str], admin_headers: dict[str, str], sync_env: SyncEnv
) -> None:
    created = await create(api, user, MARIA)
    kept = await create(api, user, ACME)
    customer_id = uuid.UUID(created["id"])
    order_id = uuid.uuid4()
    await sync_env.conn.execute(
        "INSERT INTO orders (id, customer_id, status, total, reservation_open, created_at,"
        " updated_at) VALUES ($1, $2, 'pending', 10, false, now(), now())",
        order_id,
        customer_id,
    )
    url = f"/clients/{created['id']}"

    deleted = await api.delete(url, headers=admin_headers)
    assert deleted.status_code == 204, deleted.text
    assert deleted.content == b""

    row = await sync_env.conn.fetchrow("SELECT * FROM customers WHERE id = $1", customer_id)
    assert row["deleted_at"] is not None
    assert row["name"] == "deleted customer"
    assert row["name_search"] == "deleted customer"
    assert (row["document"], row["email"], row["birth_date"]) == (None, None, None)
    assert (json.loads(row["phones"]), json.loads(row["addresses"])) == ([], [])
    assert row["created_at"] is not None
    order = await sync_env.conn.fetchrow("SELECT customer_id FROM orders WHERE id = $1", order_id)
    assert order["customer_id"] == customer_id

    problem(await api.get(url, headers=user), 404, "not-found")
    problem(await api.put(url, json=MARIA, headers=user), 404, "not-found")
    problem(await api.delete(url, headers=admin_headers), 404, "not-found")
    listed = (await api.get("/clients", headers=user)).json()["items"]
    assert [c["id"] for c in listed] == [kept["id"]]
    assert (await api.get("/clients", params={"name": "deleted"}, headers=user)).json()[
        "items"
    ] == []

    again = await create(api, user, MARIA)
    assert again["id"] != created["id"]
    assert again["document"] == "123.456.789-09"


# --- documentation --------------------------------------------------------------------------------


async def test_the_openapi_schema_documents_every_endpoint_with_examples(api: Client) -> None:
    schema = (await api.get("/schema/openapi.json")).json()
    collection, item = schema["paths"]["/clients"], schema["paths"]["/clients/{customer_id}"]
    operations = [collection["get"], collection["post"], item["get"], item["put"], item["delete"]]
    assert all(op.get("description") for op in operations)
    for op in (collection["post"], item["put"]):
        assert op["requestBody"]["content"]["application/json"]["schema"]["examples"]
    for op, status in (
        (collection["get"], "200"),
        (collection["post"], "201"),
        (item["get"], "200"),
    ):
        assert op["responses"][status]["content"]["application/json"]["examples"]
    assert "409" in collection["post"]["responses"]
    assert "403" in item["delete"]["responses"]
