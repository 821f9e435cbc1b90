"""The arq worker: the catalog sync every minute, and sync jobs on demand."""

from __future__ import annotations

import gc
import logging
from typing import Any

from arq import cron
from arq.connections import RedisSettings
from arq.worker import Worker, func
from dishka import AsyncContainer, FromDishka
from dishka.integrations.arq import DISHKA_APP_CONTAINER_KEY, inject, setup_dishka

from application.clock import SystemClock
from application.sync.ports import SyncRunLog
from application.sync.sync_catalog import SyncCatalog, SyncCatalogCommand
from domain.sync import RunStatus, Stream
from entrypoints.settings import Settings

log = logging.getLogger(__name__)

QUEUE_NAME = "ponte:queue"
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


async def _close_interrupted_runs(ctx: dict[str, Any]) -> None:
    """Runs a killed worker left ``running`` are closed as failed (unless running elsewhere)."""
    container: AsyncContainer = ctx[DISHKA_APP_CONTAINER_KEY]
    closed = await (await container.get(SyncRunLog)).fail_interrupted(SystemClock().now())
    if closed:
        log.warning("closed %d sync runs interrupted by a previous worker", closed)


async def _close_container(ctx: dict[str, Any]) -> None:
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
    config: dict[str, Any] = {
        "functions": [func(sync_catalog, timeout=SYNC_JOB_TIMEOUT_SECONDS)],
        "cron_jobs": cron_jobs,
        "redis_settings": RedisSettings.from_dsn(redis_url),
        "queue_name": QUEUE_NAME,
        "on_startup": _close_interrupted_runs,
        "on_shutdown": _close_container,
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
