"""Catalog sync benchmark: full backfill, incremental and no-change runs, and the COPY ceiling.

    python3 run.py bench sync [--skus 1000000] [--changed 0.01] [--lookback 30]

The TOTVS Moda sandbox runs in its own process on this machine with a seeded catalog; the sync
runs in a child process (the "Ponte process", whose peak RSS is reported) through the real
container, adapters and PostgreSQL (``DATABASE_URL``'s server, else an embedded one; a fresh
database each run). Figures are printed and written to ``bench/results/sync.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench.databases import fresh_database, postgres_server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
#: Tables the backfill writes, for the raw-COPY ceiling.
TABLES = ("skus", "products", "product_classifications", "stock_balances", "prices")
TARGETS = {"full_rows_per_s": 50_000, "peak_rss_mb": 400, "incremental_s": 2.0, "no_change_s": 0.3}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench sync", description=__doc__)
    parser.add_argument("--skus", type=int, default=1_000_000)
    parser.add_argument("--changed", type=float, default=0.01, help="fraction of SKUs changed")
    parser.add_argument("--lookback", type=float, default=30.0, help="SYNC_LOOKBACK_SECONDS")
    parser.add_argument("--port", type=int, default=8977)
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "sync.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print_summary(result)
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0


async def run(args: argparse.Namespace) -> dict[str, Any]:
    sandbox_url = f"http://127.0.0.1:{args.port}"
    sandbox = subprocess.Popen(  # noqa: ASYNC220 - a background server for the whole run
        [
            sys.executable,
            "-m",
            "entrypoints",
            "sandbox",
            "totvs-moda",
            "--skus",
            str(args.skus),
            "--port",
            str(args.port),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"{sandbox_url}/_sandbox/health")
        with postgres_server() as admin_url:
            async with fresh_database(admin_url) as database_url:
                env = {
                    **os.environ,
                    "DATABASE_URL": database_url,
                    "REDIS_URL": "redis://unused.invalid",  # the sync needs no Redis
                    "TOTVS_MODA_URL": sandbox_url,
                    "TOTVS_MODA_CLIENT_ID": "ponte",
                    "TOTVS_MODA_CLIENT_SECRET": "ponte-secret",
                    "TOTVS_MODA_USERNAME": "ponte",
                    "TOTVS_MODA_PASSWORD": "ponte",
                    "TOTVS_MODA_PRICE_CODES": "1,2",
                    "SYNC_LOOKBACK_SECONDS": str(args.lookback),
                    "LOG_LEVEL": "WARNING",
                }
                child = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bench.sync_child",
                    sandbox_url,
                    str(args.changed),
                    str(sandbox.pid),
                    env=env,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                )
                stdout, stderr = await child.communicate()
                if child.returncode != 0:
                    raise SystemExit(f"the sync process failed:\n{stderr.decode()[-4000:]}")
                phases = json.loads(stdout.decode().strip().splitlines()[-1])
                ceiling = await copy_ceiling(database_url)
    finally:
        sandbox.terminate()
        sandbox.wait(10)
    full = phases["full"]
    skus = full["runs"]["products"]["read"]
    return {
        "benchmark": "sync",
        "at": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "skus": skus,
        "changed_fraction": args.changed,
        "lookback_seconds": args.lookback,
        "full_seconds": full["seconds"],
        "full_sku_rows_per_s": skus / full["seconds"],
        "peak_rss_mb": phases["peak_rss_mb"],
        "incremental_seconds": phases["incremental_after_change"]["seconds"],
        "no_change_seconds": phases["no_change_after_backfill"]["seconds"],
        "no_change_after_change_seconds": phases["no_change_after_change"]["seconds"],
        "ceiling_copy_seconds": ceiling["seconds"],
        "ceiling_sku_rows_per_s": skus / ceiling["seconds"],
        "full_to_ceiling_ratio": full["seconds"] / ceiling["seconds"],
        "full_cpu_seconds": full["cpu"],
        "ceiling_tables": ceiling["tables"],
        "phases": phases,
        "targets": TARGETS,
    }


async def copy_ceiling(database_url: str) -> dict[str, Any]:
    """Raw COPY of the very rows the sync wrote, into the same (emptied) tables and indexes."""
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        dumps = {}
        for table in TABLES:
            buffer = io.BytesIO()
            await conn.copy_from_table(table, output=buffer, format="binary")
            dumps[table] = buffer
        await conn.execute(f"TRUNCATE {', '.join(TABLES)}")
        per_table = {}
        started = time.perf_counter()
        for table, buffer in dumps.items():
            buffer.seek(0)
            t0 = time.perf_counter()
            await conn.copy_to_table(table, source=buffer, format="binary")
            per_table[table] = time.perf_counter() - t0
        return {"seconds": time.perf_counter() - started, "tables": per_table}
    finally:
        await conn.close()


def print_summary(r: dict[str, Any]) -> None:
    t = r["targets"]

    def mark(ok: bool) -> str:
        return "ok " if ok else "MISS"

    print(f"\nsync benchmark — {r['skus']:,} SKUs, {r['machine']['cpus']} CPUs")
    rows = [
        (
            "full backfill",
            f"{r['full_seconds']:.1f} s",
            f"{r['full_sku_rows_per_s']:,.0f} SKU rows/s",
            f">= {t['full_rows_per_s']:,}",
            r["full_sku_rows_per_s"] >= t["full_rows_per_s"],
        ),
        (
            "peak RSS (Ponte process)",
            f"{r['peak_rss_mb']:.0f} MB",
            "",
            f"<= {t['peak_rss_mb']} MB",
            r["peak_rss_mb"] <= t["peak_rss_mb"],
        ),
        (
            f"incremental ({r['changed_fraction']:.0%} changed)",
            f"{r['incremental_seconds']:.2f} s",
            "",
            f"<= {t['incremental_s']} s",
            r["incremental_seconds"] <= t["incremental_s"],
        ),
        (
            "no change",
            f"{r['no_change_seconds']:.3f} s",
            "",
            f"<= {t['no_change_s']} s",
            r["no_change_seconds"] <= t["no_change_s"],
        ),
        (
            "no change, right after the change",
            f"{r['no_change_after_change_seconds']:.3f} s",
            "(re-reads the lookback window)",
            "",
            True,
        ),
        (
            "ceiling: raw COPY of the same rows",
            f"{r['ceiling_copy_seconds']:.1f} s",
            f"{r['ceiling_sku_rows_per_s']:,.0f} SKU rows/s",
            "",
            True,
        ),
        ("full sync / ceiling", f"{r['full_to_ceiling_ratio']:.2f}x", "", "", True),
    ]
    for name, value, extra, target, ok in rows:
        print(f"  {mark(ok) if target else '   '}  {name:<36} {value:>10}  {extra:<32} {target}")
    cpu = r["full_cpu_seconds"]
    print(
        f"\n  CPU seconds during the full backfill on {r['machine']['cpus']} CPUs: "
        f"Ponte {cpu['ponte']:.1f}, sandbox {cpu['sandbox']:.1f}, "
        f"PostgreSQL and the rest {cpu['postgres_and_other']:.1f} "
        f"(machine {cpu['machine']:.1f} of {r['machine']['cpus'] * r['full_seconds']:.1f})"
    )


def _wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")
