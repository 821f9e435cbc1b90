"""The API's background rebuild of stale catalog entries.

Every ``refresh_interval`` the loop claims marked references (``FOR UPDATE SKIP LOCKED``, so
several API processes share the work) and rebuilds them. Errors are logged and retried on the next
tick: a stale listing is better than a dead API. An interval of 0 turns the loop off (tests drive
:class:`RefreshCatalog` themselves).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from dishka import AsyncContainer

from application.catalog.use_cases import RefreshCatalog
from entrypoints.settings import Settings

log = logging.getLogger(__name__)


async def run_refresh_loop(refresh: RefreshCatalog, interval: float) -> None:
    while True:
        try:
            result = await refresh()
            if result.claimed:
                log.info(
                    "catalog refreshed: %d marked, %d written, %d removed",
                    result.claimed,
                    result.written,
                    result.removed,
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("catalog refresh failed; retrying")
        await asyncio.sleep(interval)


@asynccontextmanager
async def refresh_loop(container: AsyncContainer) -> AsyncIterator[None]:
    """Run the loop for the life of the app (when the interval is not 0)."""
    settings = await container.get(Settings)
    interval = settings.storefront.refresh_interval.total_seconds()
    if interval <= 0:
        yield
        return
    refresh = await container.get(RefreshCatalog)
    task = asyncio.create_task(run_refresh_loop(refresh, interval), name="catalog-refresh")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def settle_heap() -> None:
    """Move everything built at start-up out of the garbage collector's way.

    The container, the app, SQLAlchemy's metadata and the imported modules are long-lived; left
    in the collected generations, every full collection walks them again — a pause of tens of
    milliseconds in the middle of requests. Frozen, they are never scanned.
    """
    gc.collect()
    gc.freeze()


def app_lifespan(
    container: AsyncContainer,
) -> Callable[[object], AbstractAsyncContextManager[None]]:
    """The app's lifespan: the refresh loop while serving; the container closed last."""

    @asynccontextmanager
    async def lifespan(_: object) -> AsyncIterator[None]:
        try:
            async with refresh_loop(container):
                settle_heap()
                yield
        finally:
            await container.close()

    return lifespan
