"""The operators' outbox and call-log endpoints (``/sync/queue``, ``/sync/stats``,
``/sync/process``, ``/sync/logs``) through the real app on real PostgreSQL and Redis, with the
clock fixed so ages and "due now" are exact."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.jobs import Job
from dishka import Provider, Scope, provide
from litestar.testing import AsyncTestClient

from adapters.redis.jobs import ArqJobQueue
from application.clock import Clock
from entrypoints.http.app import create_app
from entrypoints.providers import make_container
from entrypoints.worker import QUEUE_NAME
from tests.integration.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    FastPasswords,
    QuickRetries,
    SyncEnv,
    bearer,
)
from tests.integration.entrypoints.test_worker import run_burst_worker

pytestmark = pytest.mark.integration

Client = AsyncTestClient[Any]
NOW = datetime.now(UTC).replace(microsecond=0)
PROBLEMS = "https://ponte.dev/problems/"


class FixedClock:
    def now(self) -> datetime:
        return NOW


class FixedClockProvider(Provider):
    @provide(scope=Scope.APP)
    def clock(self) -> Clock:
        return FixedClock()


@pytest.fixture
async def api(sync_env: SyncEnv) -> AsyncIterator[Client]:
    """The real app whose clock stands still at ``NOW``."""
    container = make_container(
        sync_env.settings, QuickRetries(), FastPasswords(), FixedClockProvider()
    )
    async with AsyncTestClient(app=create_app(container, sync_env.settings)) as client:
        yield client


@pytest.fixture
async def admin(api: Client, sync_env: SyncEnv) -> dict[str, str]:
    from application.accounts.create_admin import CreateAdmin, CreateAdminCommand

    async with sync_env.container() as request:
        create = await request.get(CreateAdmin)
        await create(CreateAdminCommand(email=ADMIN_EMAIL, password=ADMIN_PASSWORD))
    return await bearer(api, ADMIN_EMAIL, ADMIN_PASSWORD)


@pytest.fixture
def conn(sync_env: SyncEnv) -> asyncpg.Connection:
    return sync_env.conn


async def message(
    conn: asyncpg.Connection,
    *,
    age: timedelta,
    kind: str = "order.create",
    status: str = "pending",
    attempts: int = 0,
    due_in: timedelta = timedelta(0),
    aggregate_id: uuid.UUID | None = None,
    last_error: str | None = None,
    last_error_code: str | None = None,
    delivered_ago: timedelta | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """A message created ``age`` before ``NOW``; pending ones are due ``due_in`` after ``NOW``
    (in flight: their lease ends then)."""
    created = NOW - age
    next_at = NOW + due_in
    message_id: int = await conn.fetchval(
        """
        INSERT INTO outbox (kind, aggregate_type, aggregate_id, payload, status, attempts,
                            next_attempt_at, lease_until, last_error, last_error_code,
                            created_at, updated_at, delivered_at, result)
        VALUES ($1, $2, $3, $4::text::jsonb, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13::jsonb)
        RETURNING id
        """,
        kind,
        "customer" if kind == "customer.upsert" else "order",
        aggregate_id or uuid.uuid4(),
        json.dumps(payload or {}),
        status,
        attempts,
        next_at,
        next_at if status == "in_flight" else None,
        last_error,
        last_error_code,
        created,
        None if delivered_ago is None else NOW - delivered_ago,
        '{"orderCode": 7}' if status == "delivered" else None,
    )
    return message_id


async def attempt(
    conn: asyncpg.Connection,
    message_id: int,
    number: int,
    outcome: str | None,
    error: str | None = None,
    code: str | None = None,
) -> None:
    started = NOW - timedelta(minutes=10 - number)
    await conn.execute(
        "INSERT INTO outbox_attempts (message_id, attempt, started_at, finished_at, outcome, "
        "error, error_code) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        message_id,
        number,
        started,
        None if outcome is None else started + timedelta(seconds=2),
        outcome,
        error,
        code,
    )


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def field_errors(response: Any) -> list[str]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["type"] == PROBLEMS + "validation"
    return [error["field"] for error in body["errors"]]


# --- listing -------------------------------------------------------------------------------------


async def test_messages_are_listed_newest_first_and_filtered(
    api: Client, admin: dict[str, str], conn: asyncpg.Connection
) -> None:
    customer = uuid.uuid4()
    old_dead = await message(conn, age=timedelta(hours=3), status="dead", attempts=12)
    upsert = await message(
        conn, age=timedelta(hours=2), kind="customer.upsert", aggregate_id=customer
    )
    status_change = await message(
        conn, age=timedelta(minutes=30), kind="order.status", payload={"status": "confirmed"}
    )
    fresh = await message(conn, age=timedelta(minutes=5), status="in_flight", attempts=1)

    async def listed(**params: Any) -> list[int]:
        return ids(await api.get("/sync/queue", params=params, headers=admin))

    assert await listed() == [fresh, status_change, upsert, old_dead]
    assert await listed(status="dead") == [old_dead]
    assert await listed(entity="customer") == [upsert]
    assert await listed(entity="order") == [fresh, status_change, old_dead]
    assert await listed(kind="order.status") == [status_change]
    assert await listed(aggregate_id=str(customer)) == [upsert]
    assert await listed(min_age_seconds=3600) == [upsert, old_dead]
    assert await listed(max_age_seconds=3600) == [fresh, status_change]
    assert await listed(min_age_seconds=600, max_age_seconds=7200) == [status_change]
    # created exactly at the bound: at least that old, and not younger than it
    assert await listed(min_age_seconds=1800, max_age_seconds=1801) == [status_change]
    assert await listed(min_age_seconds=1799, max_age_seconds=1800) == []

    body = (await api.get("/sync/queue", params={"kind": "order.status"}, headers=admin)).json()
    (item,) = body["items"]
    assert item["payload"] == {"status": "confirmed"}
    assert item["status"] == "pending"
    assert item["next_attempt_at"] == NOW.isoformat().replace("+00:00", "Z")
    assert item["lease_until"] is None
    in_flight = (await api.get("/sync/queue", params={"status": "in_flight"}, headers=admin)).json()
    assert in_flight["items"][0]["next_attempt_at"] is None
    assert in_flight["items"][0]["lease_until"] is not None


async def test_pages_follow_one_another_without_gaps_or_repeats(
    api: Client, admin: dict[str, str], conn: asyncpg.Connection
) -> None:
    # two messages share a creation time: the id breaks the tie
    created = [await message(conn, age=timedelta(minutes=m)) for m in (9, 8, 8, 7, 6)]
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await api.get("/sync/queue", params=params, headers=admin)
        seen += ids(response)
        pages += 1
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [created[4], created[3], created[2], created[1], created[0]]


async def test_bad_filters_are_400_naming_the_parameter(api: Client, admin: dict[str, str]) -> None:
    async def fields(**params: Any) -> list[str]:
        return field_errors(await api.get("/sync/queue", params=params, headers=admin))

    assert await fields(status="lost") == ["status"]
    assert await fields(entity="product") == ["entity"]
    assert await fields(entity="customer", kind="order.create") == ["kind"]
    assert await fields(min_age_seconds=60, max_age_seconds=60) == ["max_age_seconds"]
    assert await fields(min_age_seconds=-1) == ["min_age_seconds"]
    assert await fields(limit=0) == ["limit"]
    assert await fields(aggregate_id="not-a-uuid") == ["aggregate_id"]
    assert await fields(cursor="bm90IGEgY3Vyc29y") == ["cursor"]


# --- one message -------------------------------------------------------------------------------


async def test_a_message_shows_its_attempts_with_their_errors(
    api: Client, admin: dict[str, str], conn: asyncpg.Connection
) -> None:
    dead = await message(
        conn,
        age=timedelta(hours=1),
        status="dead",
        attempts=3,
        last_error="TOTVS Moda answered 503",
        last_error_code="http-503",
    )
    await attempt(conn, dead, 2, "retry", "TimeoutError")
    await attempt(conn, dead, 1, "paused", "credentials refused", "unauthorized")
    await attempt(conn, dead, 3, "dead", "TOTVS Moda answered 503", "http-503")

    response = await api.get(f"/sync/queue/{dead}", headers=admin)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["status"], body["attempts"]) == (dead, "dead", 3)
    assert body["last_error_code"] == "http-503"
    assert [(a["attempt"], a["outcome"], a["error"], a["error_code"]) for a in body["history"]] == [
        (1, "paused", "credentials refused", "unauthorized"),
        (2, "retry", "TimeoutError", None),
        (3, "dead", "TOTVS Moda answered 503", "http-503"),
    ]
    assert body["history"][0]["finished_at"] is not None


async def test_an_unknown_message_is_a_404_problem(api: Client, admin: dict[str, str]) -> None:
    for path in ("/sync/queue/424242", f"/sync/queue/{2**63}"):
        response = await api.get(path, headers=admin)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["type"] == PROBLEMS + "not-found"


# --- statistics ----------------------------------------------------------------------------------


async def test_stats_count_statuses_the_oldest_open_message_throughput_and_pauses(
    api: Client, admin: dict[str, str], conn: asyncpg.Connection
) -> None:
    await message(conn, age=timedelta(minutes=3))  # due now
    await message(conn, age=timedelta(minutes=50), due_in=-timedelta(seconds=1))  # overdue
    await message(conn, age=timedelta(minutes=2), due_in=timedelta(minutes=5))  # scheduled
    await message(conn, age=timedelta(minutes=1), status="in_flight", attempts=1)
    for ago in (timedelta(seconds=30), timedelta(minutes=30), timedelta(hours=2)):
        await message(conn, age=timedelta(hours=5), status="delivered", delivered_ago=ago)
    await message(conn, age=timedelta(hours=6), status="failed", last_error="refused")
    await message(conn, age=timedelta(hours=7), status="dead", attempts=12)
    await conn.execute(
        "INSERT INTO delivery_pauses (connection, paused_until, reason, failures, updated_at) "
        "VALUES ('totvs_moda', $1, 'credentials refused', 2, $2), "
        "('old_erp', $2, 'over', 1, $2)",
        NOW + timedelta(seconds=90),
        NOW - timedelta(minutes=1),
    )

    response = await api.get("/sync/stats", headers=admin)

    assert response.status_code == 200, response.text
    stats = response.json()
    counts = {k: stats[k] for k in ("pending", "pending_due", "pending_scheduled", "in_flight")}
    assert counts == {"pending": 3, "pending_due": 2, "pending_scheduled": 1, "in_flight": 1}
    assert (stats["delivered"], stats["failed"], stats["dead"]) == (3, 1, 1)
    assert stats["oldest_open_age_seconds"] == 3000.0
    assert stats["delivered_last_minute"] == 1
    assert stats["delivered_last_hour"] == 2
    assert stats["throughput_per_minute"] == round(2 / 60, 3)
    assert [(p["connection"], p["reason"], p["failures"]) for p in stats["paused"]] == [
        ("totvs_moda", "credentials refused", 2)
    ]


async def test_stats_of_an_empty_queue(api: Client, admin: dict[str, str]) -> None:
    stats = (await api.get("/sync/stats", headers=admin)).json()
    assert stats["pending"] == stats["delivered"] == stats["dead"] == 0
    assert stats["oldest_open_at"] is None
    assert stats["oldest_open_age_seconds"] is None
    assert stats["paused"] == []


# --- retry ---------------------------------------------------------------------------------------


async def test_a_dead_message_goes_back_to_pending_and_wakes_the_workers(
    api: Client, admin: dict[str, str], conn: asyncpg.Connection, sync_env: SyncEnv
) -> None:
    dead = await message(
        conn,
        age=timedelta(hours=1),
        status="dead",
        attempts=2,
        due_in=-timedelta(minutes=30),
        last_error="TimeoutError",
        last_error_code="unexpected",
    )
    await attempt(conn, dead, 1, "retry", "TimeoutError")
    await attempt(conn, dead, 2, "dead", "TimeoutError")
    woken = asyncio.Event()
    listener = await asyncpg.connect(dsn=_dsn(sync_env))
    try:
        await listener.add_listener("ponte_outbox", lambda *_: woken.set())

        response = await api.post(f"/sync/queue/{dead}/retry", headers=admin)

        assert response.status_code == 200, response.text
        await asyncio.wait_for(woken.wait(), timeout=5)
    finally:
        await listener.close()
    body = response.json()
    assert body["status"] == "pending"
    assert body["next_attempt_at"] == NOW.isoformat().replace("+00:00", "Z")
    assert body["attempts"] == 2
    assert body["last_error"] == "TimeoutError"
    assert [a["outcome"] for a in body["history"]] == ["retry", "dead"]
    row = await conn.fetchrow("SELECT status, next_attempt_at FROM outbox WHERE id = $1", dead)
    assert (row["status"], row["next_attempt_at"]) == ("pending", NOW)

    again = await api.post(f"/sync/queue/{dead}/retry", headers=admin)
    assert again.status_code == 200, again.text
    assert again.json() == body


async def test_a_failed_message_is_retried_too(
    api: Client, admin: dict[str, str], conn: asyncpg.Connection
) -> None:
    failed = await message(
        conn, age=timedelta(hours=1), status="failed", attempts=1, last_error="refused"
    )
    response = await api.post(f"/sync/queue/{failed}/retry", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "pending"


async def test_delivered_in_flight_and_withdrawn_messages_are_not_retried(
    api: Client, admin: dict[str, str], conn: asyncpg.Connection
) -> None:
    delivered = await message(
        conn, age=timedelta(hours=1), status="delivered", attempts=1, delivered_ago=timedelta(0)
    )
    in_flight = await message(conn, age=timedelta(hours=1), status="in_flight", attempts=1)
    withdrawn = await message(
        conn,
        age=timedelta(hours=1),
        status="failed",
        last_error="order cancelled",
        last_error_code="withdrawn",
    )
    for message_id, status in (
        (delivered, "delivered"),
        (in_flight, "in_flight"),
        (withdrawn, "failed"),
    ):
        response = await api.post(f"/sync/queue/{message_id}/retry", headers=admin)
        assert response.status_code == 409, response.text
        assert response.json()["type"] == PROBLEMS + "message-not-retryable"
        now = await conn.fetchval("SELECT status FROM outbox WHERE id = $1", message_id)
        assert now == status

    unknown = await api.post("/sync/queue/999999/retry", headers=admin)
    assert unknown.status_code == 404
    assert unknown.json()["type"] == PROBLEMS + "not-found"


# --- delivery passes on demand ------------------------------------------------------------------


async def test_process_queues_a_delivery_job_for_the_worker(
    api: Client, admin: dict[str, str], sync_env: SyncEnv
) -> None:
    every = await api.post("/sync/process", headers=admin)
    some = await api.post("/sync/process", json={"ids": [9, 3, 9]}, headers=admin)
    everything_again = await api.post("/sync/process", json={}, headers=admin)

    assert every.status_code == some.status_code == everything_again.status_code == 202
    assert some.json()["ids"] == [3, 9]
    pool = await create_pool(RedisSettings.from_dsn(sync_env.settings.redis_url))
    try:
        queued = {}
        for response in (every, some, everything_again):
            job = Job(response.json()["job_id"], pool, _queue_name=QUEUE_NAME)
            info = await job.info()
            assert info is not None, response.json()
            queued[response.json()["job_id"]] = (info.function, info.kwargs)
    finally:
        await pool.aclose()
    assert queued == {
        every.json()["job_id"]: ("deliver_outbox", {"ids": None}),
        some.json()["job_id"]: ("deliver_outbox", {"ids": [3, 9]}),
        everything_again.json()["job_id"]: ("deliver_outbox", {"ids": None}),
    }


async def test_a_queued_pass_runs_on_the_worker_and_reports(
    api: Client, admin: dict[str, str], sync_env: SyncEnv
) -> None:
    response = await api.post("/sync/process", headers=admin)
    assert response.status_code == 202, response.text

    await run_burst_worker(sync_env)

    redis_url = sync_env.settings.redis_url
    assert redis_url is not None
    jobs = await ArqJobQueue.connect(redis_url, queue_name=QUEUE_NAME)
    try:
        report = await jobs.outcome(response.json()["job_id"], within=timedelta(seconds=5))
    finally:
        await jobs.aclose()
    assert report == {"delivered": 0, "retried": 0, "failed": 0, "dead": 0, "paused": 0}


async def test_process_refuses_bad_ids(api: Client, admin: dict[str, str]) -> None:
    for body in ({"ids": []}, {"ids": [0]}, {"ids": ["x"]}, {"ids": [1], "all": True}):
        response = await api.post("/sync/process", json=body, headers=admin)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["type"] == PROBLEMS + "validation"


# --- the outside-call log ----------------------------------------------------------------------


async def call(
    conn: asyncpg.Connection,
    minutes_ago: int,
    *,
    method: str = "POST",
    path: str = "sales-order/v2/b2c-orders",
    status: int | None = 200,
    correlation_id: str | None = None,
    connection: str = "totvs_moda",
    error: str | None = None,
) -> int:
    call_id: int = await conn.fetchval(
        "INSERT INTO outside_calls (at, connection, method, path, status, duration_ms, "
        "correlation_id, request_body, response_body, error) "
        "VALUES ($1, $2, $3, $4, $5, 12.5, $6, $7, $8, $9) RETURNING id",
        NOW - timedelta(minutes=minutes_ago),
        connection,
        method,
        path,
        status,
        correlation_id,
        '{"customerCpfCnpj":"***"}',
        None if status is None else '{"ok":true}',
        error,
    )
    return call_id


async def test_outside_calls_are_listed_filtered_and_paged(
    api: Client, admin: dict[str, str], conn: asyncpg.Connection
) -> None:
    created = await call(conn, 50, correlation_id="outbox:7")
    lookup = await call(conn, 40, method="GET", path="sales-order/v2/orders?x=1", status=404)
    timeout = await call(conn, 30, status=None, error="TimeoutError", correlation_id="outbox:8")
    refused = await call(conn, 20, status=503, correlation_id="outbox:8")
    token = await call(conn, 10, path="authorization/v2/token", connection="other_erp")

    async def listed(**params: Any) -> list[int]:
        return ids(await api.get("/sync/logs", params=params, headers=admin))

    assert await listed() == [token, refused, timeout, lookup, created]
    assert await listed(failed="true") == [refused, timeout, lookup]
    assert await listed(correlation_id="outbox:8") == [refused, timeout]
    assert await listed(status=503) == [refused]
    assert await listed(method="get") == [lookup]
    assert await listed(path="sales-order/v2/orders") == [lookup]
    assert await listed(connection="other_erp") == [token]
    since = (NOW - timedelta(minutes=40)).isoformat()
    until = (NOW - timedelta(minutes=20)).isoformat()
    assert await listed(since=since, until=until) == [timeout, lookup]

    first = await api.get("/sync/logs", params={"limit": 3}, headers=admin)
    assert ids(first) == [token, refused, timeout]
    cursor = first.json()["next_cursor"]
    rest = await api.get("/sync/logs", params={"limit": 3, "cursor": cursor}, headers=admin)
    assert ids(rest) == [lookup, created]
    assert rest.json()["next_cursor"] is None

    items = {item["id"]: item for item in first.json()["items"]}
    assert items[timeout]["status"] is None
    assert items[timeout]["failed"] is True
    assert items[timeout]["error"] == "TimeoutError"
    assert items[refused]["request_body"] == '{"customerCpfCnpj":"***"}'
    assert items[refused]["response_body"] == '{"ok":true}'


async def test_one_outside_call_and_bad_log_filters(
    api: Client, admin: dict[str, str], conn: asyncpg.Connection
) -> None:
    refused = await call(conn, 5, status=503, correlation_id="outbox:8")

    response = await api.get(f"/sync/logs/{refused}", headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["status"], body["correlation_id"]) == (refused, 503, "outbox:8")
    assert body["duration_ms"] == 12.5
    missing = await api.get("/sync/logs/424242", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["type"] == PROBLEMS + "not-found"

    async def fields(**params: Any) -> list[str]:
        return field_errors(await api.get("/sync/logs", params=params, headers=admin))

    assert await fields(status=700) == ["status"]
    assert await fields(since="2026-11-23T12:00:00") == ["since"]
    assert await fields(since=NOW.isoformat(), until=NOW.isoformat()) == ["until"]
    assert await fields(limit=101) == ["limit"]
    assert await fields(cursor="bm90IGEgY3Vyc29y") == ["cursor"]


@pytest.mark.parametrize("character", ["\x00", "\n", "\x1b", "\x7f", "\x85"])
async def test_control_characters_in_text_filters_are_400_naming_the_parameter(
    api: Client, admin: dict[str, str], conn: asyncpg.Connection, character: str
) -> None:
    await call(conn, 5)
    await message(conn, age=timedelta(minutes=1))
    text = f"sales{character}order"
    for parameter in ("connection", "correlation_id", "method", "path", "cursor"):
        response = await api.get("/sync/logs", params={parameter: text}, headers=admin)
        assert field_errors(response) == [parameter], parameter
    response = await api.get("/sync/queue", params={"cursor": text}, headers=admin)
    assert field_errors(response) == ["cursor"]


# --- who may ------------------------------------------------------------------------------------

ENDPOINTS = [
    ("GET", "/sync/queue"),
    ("GET", "/sync/queue/1"),
    ("GET", "/sync/stats"),
    ("POST", "/sync/queue/1/retry"),
    ("POST", "/sync/process"),
    ("GET", "/sync/logs"),
    ("GET", "/sync/logs/1"),
]


async def test_only_admins_may_watch_or_steer_the_queue(api: Client) -> None:
    user = {"email": "clerk@example.com", "password": "a long enough password"}
    assert (await api.post("/auth/register", json=user)).status_code == 201
    clerk = await bearer(api, user["email"], user["password"])
    for method, path in ENDPOINTS:
        anonymous = await api.request(method, path)
        assert anonymous.status_code == 401, (method, path, anonymous.text)
        forbidden = await api.request(method, path, headers=clerk)
        assert forbidden.status_code == 403, (method, path, forbidden.text)
        assert forbidden.json()["type"] == PROBLEMS + "forbidden"


def _dsn(sync_env: SyncEnv) -> str:
    url = sync_env.settings.database_url
    assert url is not None
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)
