"""``Idempotency-Key`` on ``POST /clients`` and ``POST /orders`` through the real app on real
PostgreSQL: replays, a reused key, bad keys, a lost answer, concurrent retries, and the purge.

The concurrent test runs the app under uvicorn (the Litestar test client serializes requests)
and makes the overlap certain: another connection locks the resource's table against writes, so
the request that claimed the key waits inside its transaction while the others arrive.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import asyncpg
import pytest
from dishka import AsyncContainer, Provider, Scope, provide
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.idempotency import PostgresIdempotencyKeys
from application.idempotency import IdempotencyKeys, PurgeIdempotencyKeys
from entrypoints.http.app import create_app
from entrypoints.providers import make_container
from entrypoints.settings import Settings
from tests.integration.conftest import FastPasswords, QuickRetries, SyncEnv, bearer
from tests.integration.entrypoints import order_seeds as seed
from tests.integration.entrypoints.live_server import own_connection, serving

pytestmark = pytest.mark.integration

Client = AsyncTestClient[Any]
USER = {"email": "clerk@example.com", "password": "a long enough password"}
OTHER_USER = {"email": "other@example.com", "password": "another long password"}
KEY = "5f0c6a2e-1d3b-4c8e-9a7f-2b4d6e8f0a1c"

MARIA: dict[str, Any] = {
    "kind": "individual",
    "name": "Maria José da Silva",
    "document": "123.456.789-09",
    "email": "maria.silva@example.com",
    "phones": [{"type": "mobile", "number": "+55 (11) 98765-4321"}],
}


def container(settings: Settings, *overrides: Provider) -> AsyncContainer:
    """The app's container, with quick retries and cheap password hashing."""
    return make_container(settings, QuickRetries(), FastPasswords(), *overrides)


@pytest.fixture
async def api(sync_env: SyncEnv) -> AsyncIterator[Client]:
    """The real app over the test database (overrides the shared fixture of the same name)."""
    app = create_app(container(sync_env.settings), sync_env.settings)
    async with AsyncTestClient(app=app) as client:
        yield client


@pytest.fixture
async def user(api: Client) -> dict[str, str]:
    assert (await api.post("/auth/register", json=USER)).status_code == 201
    return await bearer(api, USER["email"], USER["password"])


@dataclass
class Shop:
    customer: str

    def order(self, quantity: int = 1, code: int = 1001) -> dict[str, Any]:
        return {
            "customer_id": self.customer,
            "items": [{"product_code": code, "quantity": quantity}],
        }


@pytest.fixture
async def shop(sync_env: SyncEnv) -> Shop:
    """SKU 1001 at 10.00 with 5 units to sell, and a customer."""
    await seed.product(sync_env.conn, "REF-A", section="S1")
    await seed.sku(sync_env.conn, 1001, "REF-A", stock=("5",))
    return Shop(str(await seed.customer(sync_env.conn)))


def with_key(headers: dict[str, str], key: str = KEY) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


def problem(response: Any, status: int, slug: str, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith("/" + slug), body
    if field is not None:
        assert [e["field"] for e in body["errors"]] == [field], body


async def count(conn: asyncpg.Connection, table: str) -> int:
    found: int = await conn.fetchval(f"SELECT count(*) FROM {table}")
    return found


def reordered(body: dict[str, Any]) -> bytes:
    """The same JSON, keys reversed and spaced out."""
    return json.dumps(dict(reversed(list(body.items()))), indent=3).encode()


# --- replays --------------------------------------------------------------------------------------


async def test_a_customer_replay_answers_the_first_201_byte_for_byte_and_registers_once(
    api: Client, user: dict[str, str], sync_env: SyncEnv
) -> None:
    first = await api.post("/clients", json=MARIA, headers=with_key(user))
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    customer_id = first.json()["id"]
    assert first.headers["location"] == f"/clients/{customer_id}"

    # Same JSON, other key order and spacing: the same request.
    headers = {**with_key(user), "Content-Type": "application/json"}
    again = await api.post("/clients", content=reordered(MARIA), headers=headers)

    assert again.status_code == 201, again.text
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert await count(sync_env.conn, "customers") == 1
    row = await sync_env.conn.fetchrow("SELECT * FROM idempotency_keys")
    assert row["key"] == KEY
    assert row["scope"].endswith(" POST /clients")
    assert (str(row["resource_id"]), row["status_code"]) == (customer_id, 201)
    assert row["response_body"].encode() == first.content


async def test_an_order_replay_answers_the_first_201_and_reserves_once(
    api: Client, user: dict[str, str], shop: Shop, sync_env: SyncEnv
) -> None:
    first = await api.post("/orders", json=shop.order(2), headers=with_key(user))
    assert first.status_code == 201, first.text

    again = await api.post("/orders", json=shop.order(2), headers=with_key(user))

    assert (again.status_code, again.content) == (201, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    assert await count(sync_env.conn, "orders") == 1
    assert await seed.reserved(sync_env.conn) == {1001: 2}


async def test_the_same_key_with_another_body_is_422_and_creates_nothing(
    api: Client, user: dict[str, str], shop: Shop, sync_env: SyncEnv
) -> None:
    assert (
        await api.post("/orders", json=shop.order(1), headers=with_key(user))
    ).status_code == 201

    response = await api.post("/orders", json=shop.order(2), headers=with_key(user))

    problem(response, 422, "idempotency-key-reused", "Idempotency-Key")
    assert await count(sync_env.conn, "orders") == 1
    assert await seed.reserved(sync_env.conn) == {1001: 1}


async def test_keys_belong_to_the_caller_and_the_operation(
    api: Client, user: dict[str, str], admin_headers: dict[str, str], sync_env: SyncEnv
) -> None:
    mine = await api.post("/clients", json=MARIA, headers=with_key(user))
    assert mine.status_code == 201, mine.text
    assert (
        await api.delete(f"/clients/{mine.json()['id']}", headers=admin_headers)
    ).status_code == 204

    # Another user, and an API key, each with the same key and body: their own customers.
    assert (await api.post("/auth/register", json=OTHER_USER)).status_code == 201
    other = await bearer(api, OTHER_USER["email"], OTHER_USER["password"])
    theirs = await api.post("/clients", json=MARIA, headers=with_key(other))
    assert theirs.status_code == 201, theirs.text
    assert "idempotent-replayed" not in theirs.headers
    await api.delete(f"/clients/{theirs.json()['id']}", headers=admin_headers)
    created = await api.post(
        "/api-keys", json={"name": "shop", "scopes": ["customers:write"]}, headers=admin_headers
    )
    service = {"X-API-Key": created.json()["key"]}
    by_key = await api.post("/clients", json=MARIA, headers=with_key(service))
    assert by_key.status_code == 201, by_key.text
    assert "idempotent-replayed" not in by_key.headers
    replayed = await api.post("/clients", json=MARIA, headers=with_key(service))
    assert (replayed.content, replayed.headers["idempotent-replayed"]) == (by_key.content, "true")

    ids = {r.json()["id"] for r in (mine, theirs, by_key)}
    assert len(ids) == 3
    scopes = await sync_env.conn.fetch("SELECT scope FROM idempotency_keys ORDER BY scope")
    assert [s["scope"].split(" ", 1)[0].split(":")[0] for s in scopes] == [
        "api-key",
        "user",
        "user",
    ]


async def test_a_failed_request_leaves_the_key_free(
    api: Client, user: dict[str, str], shop: Shop, sync_env: SyncEnv
) -> None:
    short = await api.post("/orders", json=shop.order(6), headers=with_key(user))
    problem(short, 409, "insufficient-stock")
    unknown = await api.post("/orders", json=shop.order(1, code=9999), headers=with_key(user))
    problem(unknown, 422, "domain-validation")
    assert await count(sync_env.conn, "idempotency_keys") == 0

    fixed = await api.post("/orders", json=shop.order(5), headers=with_key(user))

    assert fixed.status_code == 201, fixed.text
    assert "idempotent-replayed" not in fixed.headers
    assert await count(sync_env.conn, "orders") == 1


async def test_without_the_header_every_post_creates(
    api: Client, user: dict[str, str], shop: Shop, sync_env: SyncEnv
) -> None:
    for _ in range(2):
        response = await api.post("/orders", json=shop.order(1), headers=user)
        assert response.status_code == 201, response.text
        assert "idempotent-replayed" not in response.headers
    assert await count(sync_env.conn, "orders") == 2
    assert await count(sync_env.conn, "idempotency_keys") == 0


async def test_a_deleted_customer_is_never_replayed(
    api: Client, user: dict[str, str], admin_headers: dict[str, str], sync_env: SyncEnv
) -> None:
    first = await api.post("/clients", json=MARIA, headers=with_key(user))
    assert first.status_code == 201, first.text
    customer_id = first.json()["id"]

    deleted = await api.delete(f"/clients/{customer_id}", headers=admin_headers)
    assert deleted.status_code == 204, deleted.text

    # The stored answer went with the personal data; the key still names the customer.
    row = await sync_env.conn.fetchrow("SELECT * FROM idempotency_keys")
    assert (str(row["resource_id"]), row["status_code"], row["response_body"]) == (
        customer_id,
        None,
        None,
    )
    for _ in range(2):
        again = await api.post("/clients", json=MARIA, headers=with_key(user))
        problem(again, 404, "not-found")
        for personal in ("Maria", "12345678909", "123.456.789-09", "maria.silva", "98765"):
            assert personal not in again.text
        assert "location" not in again.headers
    assert await count(sync_env.conn, "customers") == 1
    assert await count(sync_env.conn, "idempotency_keys") == 1


# --- bad keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/clients", "/orders"])
@pytest.mark.parametrize("key", ["x" * 256, "", "chave-ç"])
async def test_a_bad_key_is_400_naming_the_header(
    api: Client, user: dict[str, str], shop: Shop, sync_env: SyncEnv, path: str, key: str
) -> None:
    body = MARIA if path == "/clients" else shop.order(1)
    # Header values travel as latin-1 bytes.
    headers = [(name.encode(), value.encode()) for name, value in user.items()]
    headers.append((b"Idempotency-Key", key.encode("latin-1")))
    response = await api.post(path, json=body, headers=headers)
    problem(response, 400, "validation", "Idempotency-Key")
    assert await count(sync_env.conn, "idempotency_keys") == 0
    assert await count(sync_env.conn, "orders") == 0


async def test_a_key_of_255_characters_is_taken(
    api: Client, user: dict[str, str], sync_env: SyncEnv
) -> None:
    longest = "k" * 255
    response = await api.post("/clients", json=MARIA, headers=with_key(user, longest))
    assert response.status_code == 201, response.text
    assert await sync_env.conn.fetchval("SELECT key FROM idempotency_keys") == longest


# --- the process dies between the commit and storing the answer -----------------------------------


class _DiesBeforeAnswering(PostgresIdempotencyKeys):
    async def complete(self, scope: str, key: str, status_code: int, body: bytes) -> None:
        raise RuntimeError("the process died before storing the answer")


class DiesBeforeAnswering(Provider):
    @provide(scope=Scope.REQUEST)
    def keys(self, connection: AsyncConnection) -> IdempotencyKeys:
        return _DiesBeforeAnswering(connection)


@pytest.mark.parametrize("path", ["/clients", "/orders"])
async def test_a_lost_answer_is_rendered_anew_and_stored(
    api: Client, user: dict[str, str], shop: Shop, sync_env: SyncEnv, path: str
) -> None:
    body = MARIA if path == "/clients" else shop.order(2)
    table = "customers" if path == "/clients" else "orders"
    before = await count(sync_env.conn, table)
    dying = create_app(container(sync_env.settings, DiesBeforeAnswering()), sync_env.settings)
    async with AsyncTestClient(app=dying) as crashing:
        lost = await crashing.post(path, json=body, headers=with_key(user))
    assert lost.status_code == 500, lost.text
    row = await sync_env.conn.fetchrow("SELECT * FROM idempotency_keys")
    assert row["resource_id"] is not None
    assert (row["status_code"], row["response_body"]) == (None, None)
    assert await count(sync_env.conn, table) == before + 1

    retry = await api.post(path, json=body, headers=with_key(user))

    assert retry.status_code == 201, retry.text
    assert retry.headers["idempotent-replayed"] == "true"
    resource = await api.get(f"{path}/{row['resource_id']}", headers=user)
    assert retry.json() == resource.json()
    assert retry.json()["id"] == str(row["resource_id"])
    if path == "/clients":
        assert retry.headers["location"] == f"/clients/{row['resource_id']}"
    stored = await sync_env.conn.fetchrow("SELECT * FROM idempotency_keys")
    assert (stored["status_code"], stored["response_body"].encode()) == (201, retry.content)
    again = await api.post(path, json=body, headers=with_key(user))
    assert again.content == retry.content
    assert await count(sync_env.conn, table) == before + 1


# --- concurrent retries ---------------------------------------------------------------------------


@dataclass
class Live:
    url: str
    http: aiohttp.ClientSession
    headers: dict[str, str]

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        headers = with_key(self.headers)
        async with self.http.post(f"{self.url}{path}", json=body, headers=headers) as r:
            headers = {name.lower(): value for name, value in r.headers.items()}
            return r.status, headers, await r.read()


@pytest.fixture
async def live(sync_env: SyncEnv) -> AsyncIterator[Live]:
    """The real app under uvicorn on 127.0.0.1 (a free port), with a signed-in user."""
    app = create_app(container(sync_env.settings), sync_env.settings)
    async with serving(app, USER) as server:
        yield Live(server.url, server.http, server.headers)


@pytest.fixture
async def blocker(sync_env: SyncEnv) -> AsyncIterator[asyncpg.Connection]:
    async with own_connection(sync_env.settings) as conn:
        yield conn


async def settled(tasks: list[asyncio.Task[Any]], at_least: int) -> int:
    """Wait (30 s at most) until ``at_least`` of ``tasks`` are done; how many are."""
    pending: set[asyncio.Task[Any]] = set(tasks)
    deadline = time.monotonic() + 30
    while len(tasks) - len(pending) < at_least and (left := deadline - time.monotonic()) > 0:
        _, pending = await asyncio.wait(pending, timeout=left, return_when=asyncio.FIRST_COMPLETED)
    return len(tasks) - len(pending)


@pytest.mark.parametrize(("path", "table"), [("/clients", "customers"), ("/orders", "orders")])
async def test_twenty_concurrent_posts_with_one_key_create_one_resource(
    live: Live, shop: Shop, sync_env: SyncEnv, blocker: asyncpg.Connection, path: str, table: str
) -> None:
    body = MARIA if path == "/clients" else shop.order(1)
    before = await count(sync_env.conn, table)
    hold = blocker.transaction()
    await hold.start()
    await blocker.execute(f"LOCK TABLE {table} IN SHARE MODE")
    requests = [asyncio.create_task(live.post(path, body)) for _ in range(20)]
    try:
        # The request holding the key waits on the table lock; every other one is turned away.
        assert await settled(requests, 19) == 19
    finally:
        await hold.rollback()
    responses = await asyncio.gather(*requests)

    created = [r for r in responses if r[0] == 201]
    assert len(created) == 1
    for status, _, content in responses:
        if status != 201:
            assert status == 409, content
            assert json.loads(content)["type"].endswith("/idempotency-key-in-flight")
    assert sum(1 for _, headers, _ in responses if headers.get("retry-after") == "1") == 19
    assert await count(sync_env.conn, table) == before + 1
    assert await count(sync_env.conn, "idempotency_keys") == 1

    status, headers, content = await live.post(path, body)
    assert (status, content) == (201, created[0][2])
    assert headers["idempotent-replayed"] == "true"


async def test_concurrent_retries_without_a_held_lock_still_create_once(
    live: Live, shop: Shop, sync_env: SyncEnv
) -> None:
    responses = await asyncio.gather(*(live.post("/orders", shop.order(1)) for _ in range(20)))

    first = [content for status, headers, content in responses if status == 201]
    assert first, responses
    for status, _, content in responses:
        assert status in (201, 409), content
        if status == 201:
            assert content == first[0]
    assert sum(1 for s, h, _ in responses if s == 201 and "idempotent-replayed" not in h) == 1
    assert await count(sync_env.conn, "orders") == 1
    assert await seed.reserved(sync_env.conn) == {1001: 1}


# --- retention ------------------------------------------------------------------------------------


async def test_purge_removes_keys_older_than_the_retention_only(sync_env: SyncEnv) -> None:
    now = datetime.now(UTC)
    for key, hours in (("old", 49), ("older", 24 * 30), ("young", 47), ("fresh", 0)):
        await sync_env.conn.execute(
            "INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) "
            "VALUES ('user:1 POST /orders', $1, 'f', $2)",
            key,
            now - timedelta(hours=hours),
        )
    app = container(sync_env.settings)
    try:
        async with app() as request:
            purge = await request.get(PurgeIdempotencyKeys)
            with pytest.raises(ValueError, match="at least"):
                await purge(timedelta(hours=23))
            assert await purge(timedelta(hours=48)) == 2
    finally:
        await app.close()

    kept = await sync_env.conn.fetch("SELECT key FROM idempotency_keys ORDER BY key")
    assert [r["key"] for r in kept] == ["fresh", "young"]


# --- documentation --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/clients", "/orders"])
async def test_the_openapi_document_describes_the_header_and_its_problems(
    api: Client, path: str
) -> None:
    operation = (await api.get("/schema/openapi.json")).json()["paths"][path]["post"]
    [header] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert header["in"] == "header"
    assert header["required"] is False
    assert header["schema"]["type"] == "string"
    assert header["schema"]["maxLength"] == 255
    assert "Idempotent-Replayed" in header["description"]
    assert "Idempotency-Key" in operation["description"]

    def slugs(status: str) -> set[str]:
        examples = operation["responses"][status]["content"]["application/problem+json"]
        return {e["value"]["type"].rsplit("/", 1)[1] for e in examples["examples"].values()}

    assert "idempotency-key-in-flight" in slugs("409")
    assert "idempotency-key-reused" in slugs("422")
    assert "validation" in slugs("400")
