"""The measured Ponte process of the sync benchmark (started by ``bench.sync_bench``).

Runs the real use cases through the real container, exactly as the worker does, and prints one
JSON object with the timings of each phase and its own peak memory.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from typing import Any

import aiohttp
import psutil

from application.sync.sync_catalog import SyncCatalog, SyncCatalogCommand, SyncReport
from domain.sync import Stream
from entrypoints.providers import make_container
from entrypoints.settings import load_settings
from entrypoints.worker import tune_gc_for_bulk_work

#: The streams a storefront catalog needs: SKUs with their balances and prices, and what they
#: depend on.
STREAMS = frozenset(
    {
        Stream.COLORS,
        Stream.SIZES,
        Stream.CLASSIFICATIONS,
        Stream.PRODUCTS,
        Stream.BALANCES,
        Stream.PRICES,
    }
)


def _cpu(sandbox: psutil.Process) -> tuple[float, float, float]:
    """CPU seconds so far: this process, the sandbox, the whole machine."""
    mine = resource.getrusage(resource.RUSAGE_SELF)
    theirs = sandbox.cpu_times()
    machine = psutil.cpu_times()
    busy = machine.user + machine.nice + machine.system + machine.irq + machine.softirq
    return mine.ru_utime + mine.ru_stime, theirs.user + theirs.system, busy


async def main(sandbox_url: str, changed_fraction: float, sandbox_pid: int) -> dict[str, Any]:
    sandbox = psutil.Process(sandbox_pid)
    tune_gc_for_bulk_work()
    settings = load_settings()
    container = make_container(settings)
    result: dict[str, Any] = {}
    try:
        result["full"] = await _timed(container, sandbox, full=True)
        result["no_change_after_backfill"] = await _timed(container, sandbox)
        half = changed_fraction / 2
        async with aiohttp.ClientSession(sandbox_url) as admin:
            for kind in ("prices", "stock"):
                async with admin.post(f"/_sandbox/mutations/{kind}", json={"fraction": half}) as r:
                    r.raise_for_status()
        result["incremental_after_change"] = await _timed(container, sandbox)
        result["no_change_after_change"] = await _timed(container, sandbox)
    finally:
        await container.close()
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


async def _timed(container: Any, sandbox: psutil.Process, *, full: bool = False) -> dict[str, Any]:
    async with container() as request:
        sync = await request.get(SyncCatalog)
        cpu_before = _cpu(sandbox)
        started = time.perf_counter()
        report: SyncReport = await sync(SyncCatalogCommand(streams=STREAMS, full=full))
        seconds = time.perf_counter() - started
        ponte, served, machine = (b - a for a, b in zip(cpu_before, _cpu(sandbox), strict=True))
    if not report.ok:
        raise SystemExit(f"sync failed: {[(r.stream, r.error) for r in report.runs if r.error]}")
    return {
        "seconds": seconds,
        # CPU seconds spent during the phase; PostgreSQL is (nearly all of) the rest.
        "cpu": {
            "ponte": ponte,
            "sandbox": served,
            "postgres_and_other": max(0.0, machine - ponte - served),
            "machine": machine,
        },
        "runs": {
            r.stream.value: {
                "seconds": (r.finished_at - r.started_at).total_seconds()
                if r.finished_at
                else None,
                "read": r.counts.read,
                "inserted": r.counts.inserted,
                "updated": r.counts.updated,
                "unchanged": r.counts.unchanged,
                "rejected": r.counts.rejected,
                "pages": r.counts.pages,
            }
            for r in report.runs
        },
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3])))))
