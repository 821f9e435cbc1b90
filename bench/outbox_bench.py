"""Outbox delivery benchmark: orders committed in PostgreSQL → the TOTVS Moda sandbox ERP.

    python3 run.py bench outbox [--backlog 5000] [--rate 200] [--duration 20]

What runs (all on this machine):

- the TOTVS Moda sandbox as its own process, pinned to CPU 1;
- ONE ``ponte worker`` process (sync cron off), pinned to CPU 0: it delivers the outbox,
  woken by PostgreSQL's NOTIFY on each commit;
- this process, placing orders through the real ``PlaceOrder`` use case (price, reserve stock,
  order row and outbox message in one transaction) on a fresh database of ``DATABASE_URL``'s
  server (else an embedded one). PostgreSQL is not pinned.

Phases:

1. **backlog** — ``--backlog`` orders committed while the worker is stopped, then the worker
   starts: the sustained delivery rate is orders over the time from the first to the last ERP
   acceptance (worker start-up excluded), and over the whole drain.
2. **live** — the worker running, orders committed at ``--rate`` per second for ``--duration``
   seconds: commit-to-ERP latency = the sandbox's acceptance time (its write log) minus the
   moment the order's transaction committed; p50, p95 and p99.
3. **flood** — orders committed as fast as ``--placers`` concurrent clients can for
   ``--duration`` seconds while the worker delivers: delivered rate and latency.

Prints the figures and writes ``bench/results/outbox.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from bench.api_bench import _free_port, _wait_for, redis_server
from bench.databases import fresh_database, postgres_server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET_RATE = 200.0
TARGET_P95_MS = 1000.0
SANDBOX_SKUS = 2000
STOCKED_SKUS = 500
CUSTOMERS = 100
JWT_SECRET = "bench-secret-" + "x" * 32
#: The sandbox process (taskset execs it, so the pid is the sandbox's own).
SANDBOX_PID = [0]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench outbox", description=__doc__)
    parser.add_argument("--backlog", type=int, default=5000, help="orders queued before start")
    parser.add_argument("--rate", type=float, default=200.0, help="orders/s of the live phase")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per live phase")
    parser.add_argument("--placers", type=int, default=8, help="concurrent clients (flood)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment of the worker, e.g. --set OUTBOX_CONCURRENCY=32",
    )
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "outbox.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print_summary(result)
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0


def _pinned(cpu: int, command: list[str]) -> list[str]:
    return ["taskset", "-c", str(cpu), *command] if shutil.which("taskset") else command


@contextlib.contextmanager
def sandbox_process(port: int) -> Iterator[str]:
    command = [sys.executable, "-m", "sandbox.totvs_moda", "--port", str(port)]
    command += ["--skus", str(SANDBOX_SKUS)]
    process = subprocess.Popen(
        _pinned(1, command), env=_env_with_src(os.environ), stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    SANDBOX_PID[0] = process.pid
    try:
        _wait_for(f"{url}/_sandbox/health")
        yield url
    finally:
        process.terminate()
        process.wait()


def _env_with_src(env: Any) -> dict[str, str]:
    paths = [str(ROOT / "src"), str(ROOT)]
    return {**env, "PYTHONPATH": os.pathsep.join(paths)}


def _http_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def ponte_environment(database_url: str, redis_url: str, sandbox_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TOTVS_MODA_URL": sandbox_url,
        "TOTVS_MODA_CLIENT_ID": "ponte",
        "TOTVS_MODA_CLIENT_SECRET": "ponte-secret",
        "TOTVS_MODA_USERNAME": "ponte",
        "TOTVS_MODA_PASSWORD": "ponte",
        "JWT_SECRET": JWT_SECRET,
        "CATALOG_REFRESH_INTERVAL_MS": "0",
        "SYNC_CRON_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }


@contextlib.contextmanager
def worker_process(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "entrypoints", "worker"]
    process = subprocess.Popen(_pinned(0, command), env=_env_with_src({**os.environ, **env}))
    try:
        yield process
    finally:
        process.terminate()
        process.wait()


async def seed_shop(conn: asyncpg.Connection) -> None:
    """Sellable SKUs the sandbox ERP knows (its codes are 1…n), with plenty of stock."""
    await conn.execute(
        "INSERT INTO products (reference_code, name, is_active) "
        "SELECT 'B-' || g, 'Bench ' || g, true FROM generate_series(1, 50) g"
    )
    await conn.execute(
        "INSERT INTO skus (product_code, reference_code, name, is_active, is_blocked) "
        "SELECT g, 'B-' || (g % 50 + 1), 'SKU ' || g, true, false "
        "FROM generate_series(1, $1::int) g",
        STOCKED_SKUS,
    )
    await conn.execute(
        "INSERT INTO prices (product_code, branch_code, price_code, price, promotional_price) "
        "SELECT g, 1, 1, 49.90, 0 FROM generate_series(1, $1::int) g",
        STOCKED_SKUS,
    )
    await conn.execute(
        "INSERT INTO stock_balances (product_code, branch_code, stock_code, stock, sales_order,"
        " input_transaction, output_transaction, production_order_progress,"
        " production_order_wait_lib, available)"
        " SELECT g, 1, 1, 1000000, 0, 0, 0, 0, 0, 1000000 FROM generate_series(1, $1::int) g",
        STOCKED_SKUS,
    )
    await conn.execute("ANALYZE")


class Placer:
    """Places orders through the real use case, remembering when each one committed."""

    def __init__(self, container: Any, customers: list[UUID]) -> None:
        self._container = container
        self._customers = customers
        self.committed: dict[str, float] = {}
        self._n = 0

    async def place(self) -> None:
        from application.orders.items import ItemRequest
        from application.orders.place_order import PlaceOrder, PlaceOrderCommand

        n = self._n
        self._n += 1
        items = [ItemRequest(1 + n % STOCKED_SKUS, 1 + n % 2)]
        if n % 3 == 0:
            items.append(ItemRequest(1 + (n * 7 + 3) % STOCKED_SKUS, 1))
        async with self._container() as request:
            place = await request.get(PlaceOrder)
            order = await place(
                PlaceOrderCommand(
                    customer_id=self._customers[n % len(self._customers)],
                    items=tuple(items),
                    freight=Decimal("12.50") if n % 4 == 0 else None,
                )
            )
        self.committed[str(order.id)] = time.time()


async def register_customers(container: Any) -> list[UUID]:
    from application.customers.data import CustomerData
    from application.customers.register_customer import RegisterCustomer
    from domain.customers import CustomerKind
    from sandbox.totvs_moda.documents import make_cpf

    ids = []
    for n in range(CUSTOMERS):
        async with container() as request:
            register = await request.get(RegisterCustomer)
            customer = await register(
                CustomerData(
                    kind=CustomerKind.INDIVIDUAL,
                    name=f"Cliente {n}",
                    document=make_cpf(700_000 + n),
                    email=f"bench{n}@example.com",
                )
            )
        ids.append(customer.id)
    return ids


async def wait_delivered(conn: asyncpg.Connection, within: float = 600.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        left = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE status IN ('pending', 'in_flight')"
        )
        if not left:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the outbox did not drain")


async def warm_up(conn: asyncpg.Connection, placer: Placer) -> None:
    """Wait until a freshly started worker delivers (it imports and connects for about a
    second), so the measured phases do not count its start-up."""
    await placer.place()
    await wait_delivered(conn)
    for _ in range(50):
        await placer.place()
    await wait_delivered(conn)


def accepted_at(sandbox_url: str) -> dict[str, float]:
    """orderId → when the sandbox accepted it (epoch seconds), from its write log."""
    out: dict[str, float] = {}
    after = 0
    while True:
        page = _http_json(f"{sandbox_url}/_sandbox/writes?after={after}&limit=10000")
        for write in page["items"]:
            if write["route"] == "b2c-orders":
                out[write["orderId"]] = datetime.fromisoformat(write["at"]).timestamp()
        if not page["hasNext"] or not page["items"]:
            return out
        after = page["items"][-1]["seq"]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
    return pids


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {
        "p50_ms": round(at(0.50) * 1000, 1),
        "p95_ms": round(at(0.95) * 1000, 1),
        "p99_ms": round(at(0.99) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
    }


def latency(placer: Placer, accepted: dict[str, float], ids: list[str]) -> dict[str, float]:
    return percentiles([accepted[i] - placer.committed[i] for i in ids if i in accepted])


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from entrypoints.providers import make_container
    from entrypoints.settings import load_settings

    result: dict[str, Any] = {
        "benchmark": "outbox",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "targets": {"rate": TARGET_RATE, "p95_ms": TARGET_P95_MS},
    }
    with postgres_server() as admin_url, redis_server() as redis_url:
        async with fresh_database(admin_url) as database_url:
            with sandbox_process(_free_port()) as sandbox_url:
                env = ponte_environment(database_url, redis_url, sandbox_url)
                env.update(item.split("=", 1) for item in args.set)
                result["worker_settings"] = dict(item.split("=", 1) for item in args.set)
                settings = load_settings(env)
                container = make_container(settings)
                conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
                try:
                    await seed_shop(conn)
                    customers = await register_customers(container)
                    placer = Placer(container, customers)
                    result["backlog"] = await backlog_phase(args, conn, env, placer, sandbox_url)
                    with worker_process(env):
                        await warm_up(conn, placer)
                        result["live"] = await live_phase(args, conn, placer, sandbox_url)
                        result["flood"] = await flood_phase(args, conn, placer, sandbox_url)
                    result["duplicates"] = await duplicates(conn, sandbox_url)
                finally:
                    await conn.close()
                    await container.close()
    return result


async def backlog_phase(
    args: argparse.Namespace,
    conn: asyncpg.Connection,
    env: dict[str, str],
    placer: Placer,
    sandbox_url: str,
) -> dict[str, Any]:
    started = time.monotonic()
    for _ in range(args.backlog):
        await placer.place()
    placing = time.monotonic() - started
    print(f"backlog: {args.backlog} orders queued in {placing:.1f} s; starting the worker")
    with worker_process(env) as worker:
        launched = time.monotonic()
        watched = {"worker": [worker.pid], "sandbox": [SANDBOX_PID[0]], "postgres": postgres_pids()}
        cpu_before = {name: cpu_seconds(pids) for name, pids in watched.items()}
        await wait_delivered(conn)
        drain = time.monotonic() - launched
        # The worker's own PostgreSQL backends start after the first reading: all of theirs counts.
        watched["postgres"] = postgres_pids()
        cpu = {n: round(cpu_seconds(p) - cpu_before[n], 2) for n, p in watched.items()}
    accepted = accepted_at(sandbox_url)
    times = sorted(accepted[i] for i in placer.committed if i in accepted)
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    return {
        "orders": args.backlog,
        "delivered": len(times),
        "sustained_rate": round((len(times) - 1) / span, 1),
        "drain_seconds_with_startup": round(drain, 2),
        "rate_with_startup": round(len(times) / drain, 1),
        "cpu_seconds": cpu,
        "cpu_ms_per_order": {n: round(c * 1000 / max(1, len(times)), 2) for n, c in cpu.items()},
    }


async def live_phase(
    args: argparse.Namespace, conn: asyncpg.Connection, placer: Placer, sandbox_url: str
) -> dict[str, Any]:
    before = set(placer.committed)
    interval = 1 / args.rate
    started = time.monotonic()
    tasks = []
    n = 0
    while (elapsed := time.monotonic() - started) < args.duration:
        target = started + n * interval
        if target > time.monotonic():
            await asyncio.sleep(target - time.monotonic())
        tasks.append(asyncio.create_task(placer.place()))
        n += 1
    await asyncio.gather(*tasks)
    await wait_delivered(conn)
    ids = [i for i in placer.committed if i not in before]
    return {
        "rate_offered": args.rate,
        "orders": len(ids),
        "placed_rate": round(len(ids) / elapsed, 1),
        "commit_to_erp": latency(placer, accepted_at(sandbox_url), ids),
        **await stages(conn, ids),
    }


async def stages(conn: asyncpg.Connection, ids: list[str]) -> dict[str, Any]:
    """Where the time went, by Ponte's own records: queued (commit → claimed by the worker) and
    delivering (claimed → settled, the ERP call included)."""
    rows = await conn.fetch(
        "SELECT extract(epoch FROM a.started_at - o.created_at) AS queued,"
        "       extract(epoch FROM o.delivered_at - a.started_at) AS delivering"
        "  FROM outbox o JOIN outbox_attempts a ON a.message_id = o.id AND a.attempt = o.attempts"
        " WHERE o.kind = 'order.create' AND o.aggregate_id = ANY($1::uuid[])",
        ids,
    )
    return {
        "queued": percentiles([float(r["queued"]) for r in rows]),
        "delivering": percentiles([float(r["delivering"]) for r in rows]),
    }


async def flood_phase(
    args: argparse.Namespace, conn: asyncpg.Connection, placer: Placer, sandbox_url: str
) -> dict[str, Any]:
    before = set(placer.committed)
    started = time.monotonic()

    async def client() -> None:
        while time.monotonic() - started < args.duration:
            await placer.place()

    await asyncio.gather(*(client() for _ in range(args.placers)))
    placed = time.monotonic() - started
    await wait_delivered(conn)
    ids = [i for i in placer.committed if i not in before]
    accepted = accepted_at(sandbox_url)
    times = sorted(accepted[i] for i in ids if i in accepted)
    return {
        "placers": args.placers,
        "orders": len(ids),
        "placed_rate": round(len(ids) / placed, 1),
        "delivered_rate": round((len(times) - 1) / (times[-1] - times[0]), 1),
        "commit_to_erp": latency(placer, accepted, ids),
        **await stages(conn, ids),
    }


async def duplicates(conn: asyncpg.Connection, sandbox_url: str) -> dict[str, int]:
    writes = _http_json(f"{sandbox_url}/_sandbox/writes?after=0&limit=1")["lastSeq"]
    accepted = accepted_at(sandbox_url)
    orders = await conn.fetchval("SELECT count(*) FROM orders")
    linked = await conn.fetchval("SELECT count(*) FROM orders WHERE erp_order_code IS NOT NULL")
    created = sum(1 for _ in accepted)
    return {"writes": writes, "orders": orders, "linked": linked, "erp_orders": created}


def print_summary(result: dict[str, Any]) -> None:
    b, live, flood = result["backlog"], result["live"], result["flood"]
    print("\n== outbox delivery (sandbox ERP on this machine) ==")
    print(
        f"backlog {b['orders']:>6} orders: sustained {b['sustained_rate']:>7.1f} orders/s"
        f"  (with worker start-up: {b['rate_with_startup']:.1f}/s)  target ≥ {TARGET_RATE:.0f}/s"
    )
    print(f"        CPU ms per order during the drain: {b['cpu_ms_per_order']}")
    print(
        f"live    {live['orders']:>6} orders at {live['placed_rate']:.1f}/s: commit→ERP "
        f"p50 {live['commit_to_erp']['p50_ms']} ms, p95 {live['commit_to_erp']['p95_ms']} ms, "
        f"p99 {live['commit_to_erp']['p99_ms']} ms  target p95 ≤ {TARGET_P95_MS:.0f} ms"
    )
    print(f"        queued (commit → claimed) {live['queued']}")
    print(f"        delivering (claimed → settled) {live['delivering']}")
    print(
        f"flood   {flood['orders']:>6} orders placed at {flood['placed_rate']:.1f}/s, delivered "
        f"at {flood['delivered_rate']:.1f}/s: commit→ERP p50 {flood['commit_to_erp']['p50_ms']} "
        f"ms, p95 {flood['commit_to_erp']['p95_ms']} ms"
    )
    d = result["duplicates"]
    print(f"orders {d['orders']}, linked to the ERP {d['linked']}, ERP orders {d['erp_orders']}")
