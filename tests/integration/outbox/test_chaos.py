"""1,000 orders through a flaky ERP and a worker killed again and again: the ERP ends up with
each order exactly once, and every Ponte order knows its ERP key.

The worker is a real ``ponte worker`` process (SIGKILL cannot be faked in-process); the sandbox
ERP fails 20 % of calls, including replies lost after it committed the order.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.conftest import SyncEnv, ponte_environment
from tests.integration.outbox.support import (
    place_orders,
    register_customers,
    sandbox_writes,
    set_faults,
    stock_the_mirror,
)

pytestmark = pytest.mark.integration

ORDERS = 1000
CUSTOMERS = 40
KILLS = 4
#: One call in five fails: before processing (5xx, 429, reset, hang), or after the ERP
#: committed (lost-reply, truncated).
FAULTS = (
    "seed=11,5xx=0.06,429=0.02:retry-after=0,reset=0.03,hang=0.02:1500ms,"
    "lost-reply=0.05,truncated=0.02"
)
SRC = Path(__file__).resolve().parents[3] / "src"


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "entrypoints", "worker"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )


async def open_messages(sync_env: SyncEnv) -> int:
    count: int = await sync_env.conn.fetchval(
        "SELECT count(*) FROM outbox WHERE status IN ('pending', 'in_flight')"
    )
    return count


async def drained(sync_env: SyncEnv, *, within: float) -> None:
    """Wait until no message is open (or ``within`` seconds passed)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not await open_messages(sync_env):
            return
        await asyncio.sleep(0.5)


async def test_a_thousand_orders_reach_the_erp_exactly_once_through_faults_and_kills(
    sync_env: SyncEnv, tmp_path: Path
) -> None:
    settings = sync_env.settings
    assert settings.database_url
    assert settings.redis_url
    env = {
        **os.environ,
        **ponte_environment(settings.database_url, settings.redis_url, sync_env.sandbox),
        "PYTHONPATH": str(SRC),
        "SYNC_CRON_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "TOTVS_MODA_TIMEOUT_SECONDS": "1",
        "OUTBOX_LEASE_SECONDS": "3",
        "OUTBOX_RETRY_BASE_SECONDS": "0.05",
        "OUTBOX_RETRY_MAX_SECONDS": "0.5",
        "OUTBOX_MAX_ATTEMPTS": "1000",
        "OUTBOX_SWEEP_SECONDS": "0.5",
        # Ambiguous creates are looked up after this (the sandbox commits or fails at once).
        "OUTBOX_LOOKUP_DELAY_SECONDS": "1",
    }
    await stock_the_mirror(sync_env.conn)
    await set_faults(sync_env.sandbox.url, FAULTS)
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        customers = await register_customers(sync_env, CUSTOMERS)
        placing = asyncio.create_task(place_orders(sync_env, customers, ORDERS))
        for _ in range(KILLS):
            await asyncio.sleep(2.5)
            worker.send_signal(signal.SIGKILL)
            await asyncio.to_thread(worker.wait)
            worker = start_worker(env, log)
        orders = await placing
        await drained(sync_env, within=240)
    finally:
        worker.terminate()
        await asyncio.to_thread(worker.wait)

    assert await open_messages(sync_env) == 0, log.read_text()[-3000:]
    statuses = await sync_env.conn.fetch("SELECT status, count(*) FROM outbox GROUP BY status")
    assert {r["status"]: r["count"] for r in statuses} == {"delivered": ORDERS + CUSTOMERS}
    created = [w for w in await sandbox_writes(sync_env.sandbox.url) if w["route"] == "b2c-orders"]
    per_order = Counter(w["orderId"] for w in created)
    assert len(created) == ORDERS, [k for k, n in per_order.items() if n > 1][:5]
    assert set(per_order) == {str(o) for o in orders}
    keys = {
        str(r["id"]): (r["erp_branch_code"], r["erp_order_code"])
        for r in await sync_env.conn.fetch("SELECT id, erp_branch_code, erp_order_code FROM orders")
    }
    assert keys == {w["orderId"]: (w["branchCode"], w["orderCode"]) for w in created}
    # The faults did happen, replies were lost after commits, and the ERP was asked first.
    stats = sync_env.sandbox.context.stats.to_json()
    faults: dict[str, int] = stats["faults"]  # type: ignore[assignment]
    calls: dict[str, int] = stats["calls"]  # type: ignore[assignment]
    assert faults.get("lost-reply", 0) > 10
    assert calls.get("orders_search", 0) > 10
    retried = await sync_env.conn.fetchval("SELECT count(*) FROM outbox WHERE attempts > 1")
    assert retried > ORDERS * 0.1
    # The kills cut attempts short: their end was never recorded, their lease expired.
    interrupted = await sync_env.conn.fetchval(
        "SELECT count(*) FROM outbox_attempts WHERE outcome IS NULL"
    )
    assert interrupted > 0
