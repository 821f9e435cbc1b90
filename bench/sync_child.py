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


async def main(sandbox_url: str, changed_fraction: float) -> dict[str, Any]:
    tune_gc_for_bulk_work()
    settings = load_settings()
    container = make_container(settings)
    result: dict[str, Any] = {}
    try:
        result["full"] = await _timed(container, full=True)
        result["no_change_after_backfill"] = await _timed(container)
        half = changed_fraction / 2
        async with aiohttp.ClientSession(sandbox_url) as admin:
            for kind in ("prices", "stock"):
                async with admin.post(f"/_sandbox/mutations/{kind}", json={"fraction": half}) as r:
                    r.raise_for_status()
        result["incremental_after_change"] = await _timed(container)
        result["no_change_after_change"] = await _timed(container)
    finally:
        await container.close()
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


async def _timed(container: Any, *, full: bool = False) -> dict[str, Any]:
    async with container() as request:
        sync = await request.get(SyncCatalog)
        started = time.perf_counter()
        report: SyncReport = await sync(SyncCatalogCommand(streams=STREAMS, full=full))
        seconds = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"sync failed: {[(r.stream, r.error) for r in report.runs if r.error]}")
    return {
        "seconds": seconds,
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
    print(json.dumps(asyncio.run(main(sys.argv[1], float(sys.argv[2])))))
