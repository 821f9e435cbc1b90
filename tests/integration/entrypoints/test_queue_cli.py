"""`ponte queue` (stats, list, show, logs, process) on real PostgreSQL and Redis, through
typer's CliRunner.

The command runs its own event loop (``asyncio.run``), so it is invoked in a thread.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import Result
from typer.testing import CliRunner

from entrypoints.cli import app
from tests.integration.conftest import SyncEnv, ponte_environment

pytestmark = pytest.mark.integration


async def ponte(sync_env: SyncEnv, database_url: str, redis_url: str, *args: str) -> Result:
    env = {**ponte_environment(database_url, redis_url, sync_env.sandbox), "COLUMNS": "200"}
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)


async def add(sync_env: SyncEnv, status: str, age: timedelta, kind: str = "order.create") -> int:
    now = datetime.now(UTC)
    message_id: int = await sync_env.conn.fetchval(
        "INSERT INTO outbox (kind, aggregate_type, aggregate_id, status, attempts, "
        "next_attempt_at, created_at, updated_at, last_error) "
        "VALUES ($1, $2, $3, $4, 1, $5, $5, $5, $6) RETURNING id",
        kind,
        "customer" if kind == "customer.upsert" else "order",
        uuid.uuid4(),
        status,
        now - age,
        "ERP said no" if status in {"failed", "dead"} else None,
    )
    return message_id


def rows(output: str) -> list[list[str]]:
    """The cells of each row of the rich tables in ``output`` (header rows included)."""
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in output.splitlines()
        if line.lstrip().startswith("│")
    ]


def figures(output: str) -> dict[str, str]:
    """The rows of a two-column rich table, as label → value."""
    return {cells[0]: cells[1] for cells in rows(output) if len(cells) == 2}


def listed(output: str) -> list[tuple[int, str, str]]:
    """(id, kind, status) of each message a `queue list` table shows."""
    return [(int(c[0]), c[1], c[2]) for c in rows(output) if c[0].isdigit()]


async def test_queue_stats_prints_the_counts_and_the_oldest_open_message(
    sync_env: SyncEnv, database_url: str, redis_url: str
) -> None:
    await add(sync_env, "pending", timedelta(minutes=90))
    await add(sync_env, "pending", timedelta(minutes=1))
    await add(sync_env, "dead", timedelta(hours=3))
    await add(sync_env, "failed", timedelta(hours=4))
    await add(sync_env, "failed", timedelta(hours=5))

    result = await ponte(sync_env, database_url, redis_url, "queue", "stats")

    assert result.exit_code == 0, result.output
    rows = figures(result.output)
    assert rows["pending (due now)"] == "2"
    assert rows["pending (scheduled)"] == "0"
    assert rows["failed"] == "2"
    assert rows["dead"] == "1"
    assert rows["delivered"] == "0"
    assert rows["oldest open message"].startswith("1h 30m")


async def test_queue_list_prints_messages_newest_first_filtered_and_paged(
    sync_env: SyncEnv, database_url: str, redis_url: str
) -> None:
    old = await add(sync_env, "dead", timedelta(hours=2))
    new = await add(sync_env, "pending", timedelta(minutes=2), kind="customer.upsert")

    everything = await ponte(sync_env, database_url, redis_url, "queue", "list")
    dead = await ponte(sync_env, database_url, redis_url, "queue", "list", "--status", "dead")
    first = await ponte(sync_env, database_url, redis_url, "queue", "list", "--limit", "1")
    bad = await ponte(sync_env, database_url, redis_url, "queue", "list", "--entity", "product")

    assert everything.exit_code == 0, everything.output
    assert listed(everything.output) == [
        (new, "customer.upsert", "pending"),
        (old, "order.create", "dead"),
    ]
    assert "ERP said no" in everything.output
    assert listed(dead.output) == [(old, "order.create", "dead")]
    assert first.exit_code == 0, first.output
    assert listed(first.output) == [(new, "customer.upsert", "pending")]
    assert "more: --cursor " in first.output
    assert bad.exit_code == 2


async def test_queue_show_of_an_unknown_message_exits_1(
    sync_env: SyncEnv, database_url: str, redis_url: str
) -> None:
    result = await ponte(sync_env, database_url, redis_url, "queue", "show", "424242")

    assert result.exit_code == 1
    assert "outbox message 424242 not found" in result.output


async def test_queue_logs_and_process(sync_env: SyncEnv, database_url: str, redis_url: str) -> None:
    for path, status in (("persons/v2/customers", 200), ("sales-order/v2/b2c-orders", 503)):
        await sync_env.conn.execute(
            "INSERT INTO outside_calls (at, connection, method, path, status, duration_ms, "
            "correlation_id) VALUES (now(), 'totvs_moda', 'POST', $1, $2, 3.5, 'outbox:1')",
            path,
            status,
        )

    failed = await ponte(sync_env, database_url, redis_url, "queue", "logs", "--failed")
    queued = await ponte(sync_env, database_url, redis_url, "queue", "process", "--id", "7")

    assert failed.exit_code == 0, failed.output
    assert "sales-order/v2/b2c-orders" in failed.output
    assert "persons/v2/customers" not in failed.output
    assert queued.exit_code == 0, queued.output
    assert queued.output.startswith("queued job ")
