"""The HTTP API through the real app (lifespan, dishka, PostgreSQL, Redis)."""

from __future__ import annotations

import pytest

from adapters.postgres.locks import stream_lock_key
from application.sync.sync_catalog import SyncCatalog, SyncCatalogCommand
from domain.sync import Stream

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _as_admin(api, admin_headers) -> None:  # type: ignore[no-untyped-def]
    """/sync is admin-only: every request here carries an admin's token."""
    api.headers.update(admin_headers)


async def test_health_is_always_ok(api) -> None:  # type: ignore[no-untyped-def]
    response = await api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_checks_postgres_redis_and_migrations(api) -> None:  # type: ignore[no-untyped-def]
    response = await api.get("/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert {c["name"]: c["ok"] for c in body["checks"]} == {"postgres": True, "redis": True}


async def test_ready_is_503_when_the_schema_is_behind(api, sync_env) -> None:  # type: ignore[no-untyped-def]
    await sync_env.conn.execute("UPDATE alembic_version SET version_num = 'stale'")
    try:
        response = await api.get("/ready")
    finally:
        await sync_env.conn.execute(
            "UPDATE alembic_version SET version_num = $1", sync_env.head_revision
        )
    assert response.status_code == 503
    checks = {c["name"]: c for c in response.json()["checks"]}
    assert checks["postgres"]["ok"] is False
    assert "stale" in checks["postgres"]["detail"]


async def test_openapi_schema_and_docs_ui_are_served(api) -> None:  # type: ignore[no-untyped-def]
    schema = await api.get("/schema/openapi.json")
    assert schema.status_code == 200
    assert "/sync/runs" in schema.json()["paths"]
    ui = await api.get("/schema/swagger")
    assert ui.status_code == 200
    assert "swagger" in ui.text.lower()


async def test_streams_show_cursor_last_run_and_health(api, sync_env) -> None:  # type: ignore[no-untyped-def]
    before = (await api.get("/sync/streams")).json()["items"]
    assert [s["stream"] for s in before] == [s.value for s in Stream]
    assert {s["health"] for s in before} == {"never"}

    async with sync_env.container() as request:
        await (await request.get(SyncCatalog))(SyncCatalogCommand())
    after = {s["stream"]: s for s in (await api.get("/sync/streams")).json()["items"]}

    assert after["products"]["health"] == "ok"
    assert after["products"]["cursor"] is not None
    assert after["products"]["last_run"]["rows_inserted"] == sync_env.sandbox.catalog.max_code


async def test_runs_are_filtered_and_paginated_by_cursor(api, sync_env) -> None:  # type: ignore[no-untyped-def]
    async with sync_env.container() as request:
        sync = await request.get(SyncCatalog)
        await sync(SyncCatalogCommand(streams=frozenset({Stream.COLORS, Stream.SIZES})))
        await sync(SyncCatalogCommand(streams=frozenset({Stream.COLORS})))

    colors = (await api.get("/sync/runs", params={"stream": "colors"})).json()
    assert [r["stream"] for r in colors["items"]] == ["colors", "colors"]

    first = (await api.get("/sync/runs", params={"limit": 2})).json()
    second = (
        await api.get("/sync/runs", params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    runs = first["items"] + second["items"]
    ids = [r["id"] for r in runs]
    assert sorted(ids) == [1, 2, 3]
    assert [r["started_at"] for r in runs] == sorted((r["started_at"] for r in runs), reverse=True)
    assert second["next_cursor"] is None

    one = await api.get(f"/sync/runs/{ids[0]}")
    assert one.status_code == 200
    assert one.json()["rejections"] == []


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/sync/runs?limit=0", "limit"),
        ("/sync/runs?limit=abc", "limit"),
        ("/sync/runs?stream=nope", "stream"),
        ("/sync/runs?status=exploded", "status"),
        ("/sync/runs?started_after=yesterday", "started_after"),
        ("/sync/runs?cursor=not-a-cursor", "cursor"),
        ("/sync/runs?started_after=2026-01-01T00:00:00", "started_after"),
        ("/sync/runs?started_after=9999-12-31T23:59:59-14:00", "started_after"),
        ("/sync/runs?started_before=0001-01-01T00:00:00%2B14:00", "started_before"),
    ],
)
async def test_bad_query_parameters_are_problem_details_with_the_field(api, path, field) -> None:  # type: ignore[no-untyped-def]
    response = await api.get(path)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith("/validation")
    assert any(field in e["field"] for e in body["errors"]), body


async def test_unknown_run_and_route_are_404_problems(api) -> None:  # type: ignore[no-untyped-def]
    # Ids no bigint can hold cannot exist either: 404, never a database error.
    for path in (
        "/sync/runs/999999",
        "/sync/runs/0",
        "/sync/runs/99999999999999999999",
        "/nothing-here",
    ):
        response = await api.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 404


async def test_reset_makes_the_next_run_full_and_is_409_while_running(api, sync_env) -> None:  # type: ignore[no-untyped-def]
    async with sync_env.container() as request:
        sync = await request.get(SyncCatalog)
        await sync(SyncCatalogCommand(streams=frozenset({Stream.COLORS})))

        response = await api.post("/sync/streams/colors/reset")
        assert response.status_code == 204
        cursor = await sync_env.conn.fetchval(
            "SELECT position FROM sync_cursors WHERE stream = 'colors'"
        )
        assert cursor is None
        report = await sync(SyncCatalogCommand(streams=frozenset({Stream.COLORS})))
        assert report.runs[0].mode.value == "full"

    async with sync_env.conn.transaction():
        await sync_env.conn.execute(
            "SELECT pg_advisory_xact_lock($1)", stream_lock_key(Stream.PRICES)
        )
        busy = await api.post("/sync/streams/prices/reset")
    assert busy.status_code == 409
    assert busy.json()["type"].endswith("/stream-busy")
    unknown = await api.post("/sync/streams/nope/reset")
    assert unknown.status_code == 400
