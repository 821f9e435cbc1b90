"""A database that drops Ponte's connections: the requests caught by it get a retryable 503
(never a 500), and the next requests work again on fresh connections."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import SyncEnv

pytestmark = pytest.mark.integration


async def _drop_ponte_connections(env: SyncEnv) -> int:
    """Terminate every other session on the test database, as a server restart would."""
    return int(
        await env.conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    )


async def _until_ok(api: Any, path: str, headers: dict[str, str]) -> list[int]:
    statuses = []
    for _ in range(5):
        response = await api.get(path, headers=headers)
        statuses.append(response.status_code)
        if response.status_code == 503:
            body = response.json()
            assert body["type"].endswith("/database-unavailable")
            assert response.headers["retry-after"] == "1"
        if response.status_code == 200:
            return statuses
    raise AssertionError(f"{path} never recovered: {statuses}")


@pytest.mark.parametrize("path", ["/clients", "/products"])
async def test_dropped_connections_cost_a_503_at_most_then_recover(
    api: Any, admin_headers: dict[str, str], sync_env: SyncEnv, path: str
) -> None:
    assert (await api.get(path, headers=admin_headers)).status_code == 200  # pools warmed
    assert await _drop_ponte_connections(sync_env) > 0

    statuses = await _until_ok(api, path, admin_headers)

    assert set(statuses) <= {200, 503}, statuses
    assert statuses[-1] == 200
