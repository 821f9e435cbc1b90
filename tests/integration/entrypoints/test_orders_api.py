"""Orders (``/orders``) through the real app on real PostgreSQL: pricing, reservations, edits,
status moves, roles and errors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import SyncEnv, bearer
from tests.integration.entrypoints import order_seeds as seed

pytestmark = pytest.mark.integration

Client = AsyncTestClient  # type: ignore[type-arg]
USER = {"email": "clerk@example.com", "password": "a long enough password"}
MISSING = "00000000-0000-4000-8000-000000000000"

# SKUs: REF-A (section S1): 1001 at 50.00/promo 39.90 with 3 + 2 units over two branches, 1002
# at 20.00 (promo 25.00 is above the price: ignored) with 10.5 units. REF-B (no section): 2001 at
# 10.00 (promo 0: ignored) with 1 unit. Unsellable: 3001 inactive, 3002 blocked, 3003 of a
# deleted product, 3004 without a price, 3005 priced in another table, 3006 priced 0.
UNSELLABLE = (3001, 3002, 3003, 3004, 3005, 3006)


@dataclass
class Shop:
    customer: str
    deleted_customer: str


@pytest.fixture
async def shop(sync_env: SyncEnv) -> Shop:
    conn = sync_env.conn
    await seed.product(conn, "REF-A", section="S1")
    await seed.product(conn, "REF-B")
    await seed.product(conn, "REF-C", section="S2")
    await seed.product(conn, "REF-DEL", deleted=True)
    await seed.sku(conn, 1001, "REF-A", price="50.00", promotional="39.90", stock=("3", "2"))
    await seed.sku(conn, 1002, "REF-A", price="20.00", promotional="25.00", stock=("10.5",))
    await seed.sku(conn, 2001, "REF-B", price="10.00", promotional="0", stock=("1",))
    await seed.sku(conn, 3001, "REF-C", active=False)
    await seed.sku(conn, 3002, "REF-C", blocked=True)
    await seed.sku(conn, 3003, "REF-DEL")
    await seed.sku(conn, 3004, "REF-C", price=None)
    await seed.sku(conn, 3005, "REF-C", price_code=2)
    await seed.sku(conn, 3006, "REF-C", price="0")
    customer = await seed.customer(conn)
    deleted = await seed.customer(conn, deleted=True)
    return Shop(str(customer), str(deleted))


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


def problem(response: Any, status: int, slug: str, *fields: str) -> dict[str, Any]:
    """``response`` is the problem ``slug`` naming exactly ``fields`` (when given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"].endswith("/" + slug), body
    if fields:
        assert [e["field"] for e in body.get("errors") or []] == list(fields), body
    return body


def order_body(shop: Shop, *items: tuple[int, int], **extra: Any) -> dict[str, Any]:
    listed = [{"product_code": code, "quantity": quantity} for code, quantity in items]
    return {"customer_id": shop.customer, "items": listed, **extra}


async def place(api: Client, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = await api.post("/orders", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


# --- placing ------------------------------------------------------------------------------------


async def test_an_order_is_priced_from_the_catalog_and_reserves_its_units(
    api: Client, user: dict[str, str], shop: Shop, sync_env: SyncEnv
) -> None:
    body = order_body(
        shop,
        (1002, 1),
        (1001, 2),
        (2001, 1),
        (1002, 2),
        freight="19.90",
        discount=10,
        notes=" ring twice ",
        shipping_address={
            "street": "Rua Augusta",
            "number": "1500",
            "district": "Consolação",
            "city": "São Paulo",
            "state": "sp",
            "zip_code": "01304-001",
        },
    )
    order = await place(api, user, body)

    assert order["status"] == "pending"
    assert order["reservation_open"] is True
    assert order["customer_id"] == shop.customer
    assert [
        (i["product_code"], i["reference_code"], i["section_code"], i["quantity"], i["unit_price"])
        for i in order["items"]
    ] == [
        (1001, "REF-A", "S1", 2, "39.90"),
        (1002, "REF-A", "S1", 3, "20.00"),
        (2001, "REF-B", None, 1, "10.00"),
    ]
    assert [i["total"] for i in order["items"]] == ["79.80", "60.00", "10.00"]
    assert (order["subtotal"], order["freight"], order["discount"], order["total"]) == (
        "149.80",
        "19.90",
        "10.00",
        "159.70",
    )
    assert order["notes"] == "ring twice"
    assert order["shipping_address"]["zip_code"] == "01304001"
    assert order["shipping_address"]["state"] == "SP"
    assert order["shipping_address"]["type"] == "shipping"

    assert await seed.reserved(sync_env.conn) == {1001: 2, 1002: 3, 2001: 1}
    assert await seed.dirty(sync_env.conn) == {"REF-A", "REF-B"}
    stored = await sync_env.conn.fetchrow(
        "SELECT status, total, reservation_open FROM orders WHERE id = $1", uuid.UUID(order["id"])
    )
    assert dict(stored) == {
        "status": "pending",
        "total": Decimal("159.70"),
        "reservation_open": True,
    }
    items = await sync_env.conn.fetch(
        "SELECT product_code, section_code, unit_price FROM order_items ORDER BY product_code"
    )
    assert [(r["product_code"], r["section_code"], str(r["unit_price"])) for r in items] == [
        (1001, "S1", "39.90"),
        (1002, "S1", "20.00"),
        (2001, None, "10.00"),
    ]

    fetched = await api.get(f"/orders/{order['id']}", headers=user)
    assert fetched.status_code == 200
    assert fetched.json() == order


async def test_stock_is_summed_over_branches_and_never_oversold(
    api: Client, user: dict[str, str], shop: Shop, sync_env: SyncEnv
) -> None:
    await place(api, user, order_body(shop, (1001, 4)))
    response = await api.post("/orders", json=order_body(shop, (2001, 1), (1001, 2)), headers=user)
    body = problem(response, 409, "insufficient-stock", "items")
    assert "1001" in body["detail"]
    assert "1 available" in body["detail"]
    # Nothing of the failed order is kept: not even 2001's new ledger row, nor an order row.
    assert await seed.reserved(sync_env.conn) == {1001: 4}
    assert await sync_env.conn.fetchval("SELECT count(*) FROM orders") == 1

    await place(api, user, order_body(shop, (1002, 10)))
    problem(
        await api.post("/orders", json=order_body(shop, (1002, 1)), headers=user),
        409,
        "insufficient-stock",
    )


async def test_api_keys_with_orders_write_and_users_may_place_orders(
    api: Client, admin_headers: dict[str, str], user: dict[str, str], shop: Shop
) -> None:
    writer = await api_key(api, admin_headers, "orders:write")
    reader = await api_key(api, admin_headers, "catalog:read")
    body = order_body(shop, (1002, 1))

    await place(api, writer, body)
    await place(api, user, body)
    await place(api, admin_headers, body)
    problem(await api.post("/orders", json=body, headers=reader), 403, "insufficient-scope")
    problem(await api.post("/orders", json=body), 401, "unauthenticated")
    problem(await api.get("/orders"), 401, "unauthenticated")
    problem(await api.get(f"/orders/{MISSING}"), 401, "unauthenticated")
    problem(
        await api.put(f"/orders/{MISSING}", json={"status": "confirmed"}), 401, "unauthenticated"
    )
    problem(await api.delete(f"/orders/{MISSING}"), 401, "unauthenticated")
    assert (await api.get("/orders", headers=writer)).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"surprise": 1}, "surprise"),
        ({"items": [{"product_code": 1002, "quantity": 1, "unit_price": "0.01"}]}, None),
        ({"items": [{"product_code": 1002, "quantity": 0}]}, None),
        ({"items": []}, None),
        ({"items": [{"product_code": 1002, "quantity": 1}] * 101}, None),
        ({"items": [{"product_code": 1.5, "quantity": 1}]}, None),
        ({"items": [{"product_code": 2**63, "quantity": 1}]}, None),
        ({"customer_id": "not-a-uuid"}, None),
        ({"freight": "ten"}, None),
        ({"shipping_address": {"street": "R"}}, None),
    ],
)
async def test_malformed_bodies_are_400(
    api: Client, user: dict[str, str], shop: Shop, body: dict[str, Any], field: str | None
) -> None:
    response = await api.post("/orders", json={**order_body(shop, (1002, 1)), **body}, headers=user)
    problem(response, 400, "validation")
    if field is not None:
        assert field in response.text


async def test_unsellable_skus_are_422_naming_the_item(
    api: Client, user: dict[str, str], shop: Shop, sync_env: SyncEnv
) -> None:
    for code in (*UNSELLABLE, 999_999):
        response = await api.post(
            "/orders", json=order_body(shop, (1002, 1), (code, 1)), headers=user
        )
        body = problem(response, 422, "domain-validation", "items[1].product_code")
        assert str(code) in body["detail"], code
    # Ponte-managed SKUs have negative codes; an unknown one is unsellable like any other.
    response = await api.post("/orders", json=order_body(shop, (1002, 1), (-1, 1)), headers=user)
    problem(response, 422, "domain-validation", "items[1].product_code")
    assert await seed.reserved(sync_env.conn) == {}
    assert await seed.dirty(sync_env.conn) == set()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"discount": "60.01"}, "discount"),
        ({"freight": "1.999"}, "freight"),
        ({"freight": -1}, "freight"),
        ({"discount": "NaN"}, "discount"),
        ({"freight": "1e400"}, "freight"),
        ({"freight": "1000000000000"}, "freight"),
        (
            {
                "shipping_address": {
                    "street": "R",
                    "number": "1",
                    "district": "D",
                    "city": "C",
                    "state": "SP",
                    "zip_code": "123",
                }
            },
            "shipping_address.zip_code",
        ),
    ],
)
async def test_amounts_and_addresses_breaking_rules_are_422(
    api: Client, user: dict[str, str], shop: Shop, extra: dict[str, Any], field: str
) -> None:
    response = await api.post("/orders", json=order_body(shop, (1002, 3), **extra), headers=user)
    problem(response, 422, "domain-validation", field)


async def test_unknown_and_deleted_customers_are_422(
    api: Client, user: dict[str, str], shop: Shop, sync_env: SyncEnv
) -> None:
    for customer in (shop.deleted_customer, MISSING):
        body = {**order_body(shop, (1002, 1)), "customer_id": customer}
        problem(
            await api.post("/orders", json=body, headers=user),
            422,
            "domain-validation",
            "customer_id",
        )
    assert await seed.reserved(sync_env.conn) == {}


async def test_hostile_input_is_a_4xx_never_a_500(
    api: Client, user: dict[str, str], shop: Shop
) -> None:
    headers = {**user, "Content-Type": "application/json"}
    notes = await api.post(
        "/orders", json=order_body(shop, (1002, 1), notes="a\x00b"), headers=user
    )
    problem(notes, 422, "domain-validation", "notes")
    surrogate = (
        b'{"customer_id": "%s", "items": [{"product_code": 1002, "quantity": 1}], '
        b'"notes": "\\ud800"}'
    )
    lone = await api.post("/orders", content=surrogate % shop.customer.encode(), headers=headers)
    assert 400 <= lone.status_code < 500, lone.text
    broken = await api.post("/orders", content=b'{"customer_id": ', headers=headers)
    assert broken.status_code == 400, broken.text
    section = await api.get("/orders", params={"section": "S\x00"}, headers=user)
    problem(section, 400, "validation", "section")
    not_uuid = await api.get("/orders/not-a-uuid", headers=user)
    assert not_uuid.status_code in (400, 404), not_uuid.text
    huge = await api.get(
        "/orders", params={"created_from": "9999-12-31T23:59:59-05:00"}, headers=user
    )
    assert 400 <= huge.status_code < 500, huge.text


# --- reading ------------------------------------------------------------------------------------


async def test_unknown_orders_are_404(api: Client, user: dict[str, str]) -> None:
    problem(await api.get(f"/orders/{MISSING}", headers=user), 404, "not-found")
    problem(
        await api.put(
            f"/orders/{MISSING}", json={"items": [{"product_code": 1, "quantity": 1}]}, headers=user
        ),
        404,
        "not-found",
    )


async def test_listing_filters_and_pages_newest_first(
    api: Client, admin_headers: dict[str, str], user: dict[str, str], shop: Shop, sync_env: SyncEnv
) -> None:
    other = str(await seed.customer(sync_env.conn))
    placed = [
        await place(api, user, order_body(shop, (1002, 1))),
        await place(api, user, {**order_body(shop, (2001, 1)), "customer_id": other}),
        await place(api, user, order_body(shop, (1002, 1))),
        await place(api, user, order_body(shop, (1001, 1))),
    ]
    ids = [o["id"] for o in reversed(placed)]
    confirmed = await api.put(
        f"/orders/{placed[0]['id']}", json={"status": "confirmed"}, headers=admin_headers
    )
    assert confirmed.status_code == 200, confirmed.text

    async def listed(**params: Any) -> list[str]:
        response = await api.get("/orders", params=params, headers=user)
        assert response.status_code == 200, response.text
        return [o["id"] for o in response.json()["items"]]

    assert await listed() == ids
    assert await listed(section="S1") == [ids[0], ids[1], ids[3]]
    assert await listed(customer_id=other) == [placed[1]["id"]]
    assert await listed(status="confirmed") == [placed[0]["id"]]
    assert await listed(id=placed[2]["id"]) == [placed[2]["id"]]
    assert await listed(section="S1", status="pending") == [ids[0], ids[1]]
    created = [o["created_at"] for o in placed]
    assert await listed(created_from=created[1], created_to=created[3]) == [
        placed[2]["id"],
        placed[1]["id"],
    ]

    pages: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        response = await api.get("/orders", params=params, headers=user)
        body = response.json()
        pages += [o["id"] for o in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == ids
    assert response.json()["items"][0]["items"][0]["product_code"] == 1002

    problem(
        await api.get("/orders", params={"cursor": "bm9wZQ=="}, headers=user),
        400,
        "validation",
        "cursor",
    )
    problem(await api.get("/orders", params={"limit": 101}, headers=user), 400, "validation")
    problem(await api.get("/orders", params={"status": "lost"}, headers=user), 400, "validation")
    problem(
        await api.get("/orders", params={"created_from": "2026-01-01T00:00:00"}, headers=user),
        400,
        "validation",
        "created_from",
    )
    problem(
        await api.get(
            "/orders", params={"created_from": created[3], "created_to": created[0]}, headers=user
        ),
        422,
        "domain-validation",
        "created_to",
    )


# --- editing items ------------------------------------------------------------------------------


async def test_replacing_items_moves_the_reservation(
    api: Client, user: dict[str, str], shop: Shop, sync_env: SyncEnv
) -> None:
    order = await place(api, user, order_body(shop, (1001, 2), (1002, 3)))
    await sync_env.conn.execute("DELETE FROM catalog_dirty")

    response = await api.put(
        f"/orders/{order['id']}",
        json={
            "items": [{"product_code": 1001, "quantity": 5}, {"product_code": 2001, "quantity": 1}]
        },
        headers=user,
    )

    assert response.status_code == 200, response.text
    changed = response.json()
    assert [(i["product_code"], i["quantity"]) for i in changed["items"]] == [(1001, 5), (2001, 1)]
    assert changed["total"] == "209.50"
    assert changed["updated_at"] > order["updated_at"]
    assert changed["created_at"] == order["created_at"]
    assert await seed.reserved(sync_env.conn) == {1001: 5, 1002: 0, 2001: 1}
    assert await seed.dirty(sync_env.conn) == {"REF-A", "REF-B"}
    assert (await api.get(f"/orders/{order['id']}", headers=user)).json() == changed

    # One more unit of 1001 than exists: refused, and nothing moves.
    too_many = await api.put(
        f"/orders/{order['id']}",
        json={"items": [{"product_code": 1001, "quantity": 6}]},
        headers=user,
    )
    problem(too_many, 409, "insufficient-stock", "items")
    assert await seed.reserved(sync_env.conn) == {1001: 5, 1002: 0, 2001: 1}
    assert (await api.get(f"/orders/{order['id']}", headers=user)).json() == changed

    unsellable = await api.put(
        f"/orders/{order['id']}",
        json={"items": [{"product_code": 3001, "quantity": 1}]},
        headers=user,
    )
    problem(unsellable, 422, "domain-validation", "items[0].product_code")
    problem(
        await api.put(f"/orders/{order['id']}", json={}, headers=user), 400, "validation", "body"
    )
    problem(
        await api.put(f"/orders/{order['id']}", json={"items": [], "notes": "x"}, headers=user),
        400,
        "validation",
    )


async def test_items_change_only_while_pending(
    api: Client, admin_headers: dict[str, str], user: dict[str, str], shop: Shop
) -> None:
    order = await place(api, user, order_body(shop, (1002, 1)))
    moved = await api.put(
        f"/orders/{order['id']}", json={"status": "confirmed"}, headers=admin_headers
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "confirmed"
    assert moved.json()["reservation_open"] is True

    response = await api.put(
        f"/orders/{order['id']}",
        json={"items": [{"product_code": 1002, "quantity": 2}]},
        headers=user,
    )
    problem(response, 409, "order-not-editable", "items")


# --- status and cancelling ----------------------------------------------------------------------


async def test_only_admins_change_a_status(
    api: Client, admin_headers: dict[str, str], user: dict[str, str], shop: Shop, sync_env: SyncEnv
) -> None:
    writer = await api_key(api, admin_headers, "orders:write")
    order = await place(api, user, order_body(shop, (1002, 2)))
    url = f"/orders/{order['id']}"

    problem(await api.put(url, json={"status": "confirmed"}, headers=user), 403, "forbidden")
    problem(await api.put(url, json={"status": "cancelled"}, headers=writer), 403, "forbidden")
    # An API key is judged alone, even beside an admin's token.
    problem(
        await api.put(url, json={"status": "cancelled"}, headers={**writer, **admin_headers}),
        403,
        "forbidden",
    )
    problem(await api.delete(url, headers=user), 403, "forbidden")
    problem(await api.delete(url, headers=writer), 401, "unauthenticated")
    assert (await api.get(url, headers=user)).json()["status"] == "pending"
    assert await seed.reserved(sync_env.conn) == {1002: 2}


async def test_cancelling_releases_the_reservation(
    api: Client, admin_headers: dict[str, str], user: dict[str, str], shop: Shop, sync_env: SyncEnv
) -> None:
    first = await place(api, user, order_body(shop, (1001, 2), (2001, 1)))
    second = await place(api, user, order_body(shop, (1001, 3)))
    await sync_env.conn.execute("DELETE FROM catalog_dirty")

    cancelled = await api.put(
        f"/orders/{first['id']}", json={"status": "cancelled"}, headers=admin_headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["reservation_open"]) == (
        "cancelled",
        False,
    )
    assert await seed.reserved(sync_env.conn) == {1001: 3, 2001: 0}
    assert await seed.dirty(sync_env.conn) == {"REF-A", "REF-B"}

    deleted = await api.delete(f"/orders/{second['id']}", headers=admin_headers)
    assert deleted.status_code == 200, deleted.text
    assert (deleted.json()["status"], deleted.json()["reservation_open"]) == ("cancelled", False)
    assert await seed.reserved(sync_env.conn) == {1001: 0, 2001: 0}
    stored = await sync_env.conn.fetch("SELECT status, reservation_open FROM orders")
    assert {(r["status"], r["reservation_open"]) for r in stored} == {("cancelled", False)}

    # Released units sell again.
    await place(api, user, order_body(shop, (1001, 5), (2001, 1)))
    problem(
        await api.delete(f"/orders/{second['id']}", headers=admin_headers),
        409,
        "invalid-transition",
        "status",
    )
    problem(await api.delete(f"/orders/{MISSING}", headers=admin_headers), 404, "not-found")


async def test_the_status_follows_the_state_machine(
    api: Client, admin_headers: dict[str, str], user: dict[str, str], shop: Shop, sync_env: SyncEnv
) -> None:
    order = await place(api, user, order_body(shop, (1002, 4)))
    url = f"/orders/{order['id']}"

    async def move(status: str) -> Any:
        return await api.put(url, json={"status": status}, headers=admin_headers)

    problem(await move("shipped"), 409, "invalid-transition", "status")
    problem(await move("pending"), 409, "invalid-transition", "status")
    for status in ("confirmed", "invoiced"):
        response = await move(status)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
    problem(await move("cancelled"), 409, "invalid-transition", "status")
    problem(await api.delete(url, headers=admin_headers), 409, "invalid-transition", "status")
    for status in ("shipped", "delivered"):
        assert (await move(status)).json()["reservation_open"] is True
    # Invoiced and later keep the units held: the ERP write-back releases them.
    assert await seed.reserved(sync_env.conn) == {1002: 4}
    problem(await move("lost"), 400, "validation")


async def test_every_orders_endpoint_documents_rules_and_examples(api: Client) -> None:
    response = await api.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    operations = [
        ("/orders", "post", "201"),
        ("/orders", "get", "200"),
        ("/orders/{order_id}", "get", "200"),
        ("/orders/{order_id}", "put", "200"),
        ("/orders/{order_id}", "delete", "200"),
    ]
    for path, method, success in operations:
        operation = paths[path][method]
        assert len(operation["description"]) > 100, (path, method)
        [content] = operation["responses"][success]["content"].values()
        assert content["examples"], (path, method)
        if method in ("post", "put"):
            body = operation["requestBody"]["content"]["application/json"]
            assert body["schema"]["examples"], (path, method)
