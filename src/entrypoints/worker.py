"""The arq worker: the catalog sync every minute, sync jobs on demand, and the outbox's delivery
loop (started with the worker, stopped before its container closes)."""

from __future__ import annotations

import gc
import logging
from datetime import timedelta
from typing import Any

from arq import cron
from arq.connections import RedisSettings
from arq.worker import Worker, func
from dishka import AsyncContainer, FromDishka
from dishka.integrations.arq import DISHKA_APP_CONTAINER_KEY, inject, setup_dishka

from adapters.postgres.outbox_listener import OutboxWakeups
from application.clock import SystemClock
from application.ops.purge import PurgeRecords
from application.outbox.deliver import DeliverOutbox
from application.sync.ports import SyncRunLog
from application.sync.sync_catalog import SyncCatalog, SyncCatalogCommand
from domain.sync import RunStatus, Stream
from entrypoints.outbox_loop import outbox_loop
from entrypoints.settings import Settings

log = logging.getLogger(__name__)

QUEUE_NAME = "ponte:queue"
#: How long a ``deliver_outbox`` job keeps claiming.
PROCESS_BUDGET = timedelta(seconds=60)
_OUTBOX_LOOP = "ponte_outbox_loop"
#: A full backfill of a large catalog can take many minutes; incremental runs take seconds.
SYNC_JOB_TIMEOUT_SECONDS = 3600


@inject
async def sync_catalog(
    ctx: dict[str, Any],
    sync: FromDishka[SyncCatalog],
    streams: list[str] | None = None,
    full: bool = False,
) -> dict[str, Any]:
    """Run the catalog sync once; returns a summary (kept as the job result)."""
    wanted = frozenset(Stream.parse(s) for s in streams) if streams else frozenset(Stream)
    report = await sync(SyncCatalogCommand(streams=wanted, full=full))
    failed = [r.stream.value for r in report.runs if r.status == RunStatus.FAILED]
    if failed or report.held_back:
        log.warning("sync pass: failed=%s held_back=%s", failed, report.held_back)
    return {
        "runs": {r.stream.value: r.status.value for r in report.runs},
        "held_back": [s.value for s in report.held_back],
    }


async def scheduled_sync(ctx: dict[str, Any]) -> dict[str, Any]:
    """The every-minute cron entry: an incremental pass over every stream."""
    result: dict[str, Any] = await sync_catalog(ctx)  # type: ignore[call-arg]
    return result


@inject
async def deliver_outbox(
    ctx: dict[str, Any], deliver: FromDishka[DeliverOutbox], ids: list[int] | None = None
) -> dict[str, int]:
    """Deliver the due outbox messages now (``POST /sync/process``, ``ponte queue process``)."""
    # A budget: under a steady inflow "until none is due" never ends, and the job would hold a
    # worker slot the catalog sync needs (the delivery loop carries on anyway).
    report = await deliver.drain(ids, budget=PROCESS_BUDGET)
    return {
        "delivered": report.delivered,
        "retried": report.retried,
        "failed": report.failed,
        "dead": report.dead,
        "paused": report.paused,
    }


@inject
async def purge_records(ctx: dict[str, Any], purge: FromDishka[PurgeRecords]) -> dict[str, int]:
    """The hourly cron: forget outside calls and idempotency keys past their retention."""
    return await purge()


async def _start(ctx: dict[str, Any]) -> None:
    """Close the sync runs a killed worker left ``running`` (unless running elsewhere), then
    start delivering the outbox."""
    container: AsyncContainer = ctx[DISHKA_APP_CONTAINER_KEY]
    closed = await (await container.get(SyncRunLog)).fail_interrupted(SystemClock().now())
    if closed:
        log.warning("closed %d sync runs interrupted by a previous worker", closed)
    settings = await container.get(Settings)
    if settings.outbox.enabled:
        loop = outbox_loop(
            await container.get(DeliverOutbox),
            await container.get(OutboxWakeups),
            settings.outbox.sweep.total_seconds(),
        )
        ctx[_OUTBOX_LOOP] = loop
        await loop.__aenter__()


async def _stop(ctx: dict[str, Any]) -> None:
    loop = ctx.pop(_OUTBOX_LOOP, None)
    if loop is not None:
        await loop.__aexit__(None, None, None)
    container: AsyncContainer = ctx[DISHKA_APP_CONTAINER_KEY]
    await container.close()


def worker_settings(
    settings: Settings, container: AsyncContainer, *, sync_at_startup: bool = False
) -> dict[str, Any]:
    """arq settings wired to ``container``; the container is closed when the worker stops.

    ``sync_at_startup`` also runs the scheduled sync as soon as the worker starts (`ponte dev`).
    """
    _, redis_url = settings.require_servers()
    cron_jobs = (
        [
            cron(
                scheduled_sync,
                name="sync-catalog-every-minute",
                second=0,
                unique=True,
                run_at_startup=sync_at_startup,
                timeout=SYNC_JOB_TIMEOUT_SECONDS,
                keep_result=3600,
            )
        ]
        if settings.sync_every_minute
        else []
    )
    cron_jobs.append(
        cron(purge_records, name="purge-records-hourly", minute=17, second=30, unique=True)
    )
    config: dict[str, Any] = {
        "functions": [
            func(sync_catalog, timeout=SYNC_JOB_TIMEOUT_SECONDS),
            func(deliver_outbox, timeout=SYNC_JOB_TIMEOUT_SECONDS),
            func(purge_records),
        ],
        "cron_jobs": cron_jobs,
        "redis_settings": RedisSettings.from_dsn(redis_url),
        "queue_name": QUEUE_NAME,
        "on_startup": _start,
        "on_shutdown": _stop,
        # A sync pass holds up to two connections per stream of a stage (4 streams): two passes
        # at once stay well inside the engine's pool of 20.
        "max_jobs": 2,
    }
    setup_dishka(container, config)
    return config


def create_worker(
    settings: Settings,
    container: AsyncContainer,
    *,
    sync_at_startup: bool = False,
    **overrides: Any,
) -> Worker:
    config = worker_settings(settings, container, sync_at_startup=sync_at_startup)
    return Worker(**{**config, **overrides})


def tune_gc_for_bulk_work() -> None:
    """Collect the young generation less often in the worker process.

    A sync page allocates thousands of short-lived, acyclic tuples; the default threshold (700)
    rescans them again and again for nothing. ``freeze`` moves start-up objects out of the way.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
