"""The worker's delivery loop: drain the outbox whenever a commit queued messages, and sweep
every ``OUTBOX_SWEEP_SECONDS`` in case a wake-up was missed (listener down, retries coming due).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.postgres.outbox_listener import OutboxWakeups
from application.outbox.deliver import DeliverOutbox

log = logging.getLogger(__name__)


async def run_outbox_loop(deliver: DeliverOutbox, wakeups: OutboxWakeups, sweep: float) -> None:
    while True:
        try:
            await wakeups.ensure_listening()
        except Exception:
            log.exception("cannot listen for outbox messages; sweeping only")
        wakeups.event.clear()
        try:
            report = await deliver.drain(wake=wakeups.event)
            if report.attempts:
                log.info(
                    "outbox: %d delivered, %d to retry, %d failed, %d dead, %d paused",
                    report.delivered,
                    report.retried,
                    report.failed,
                    report.dead,
                    report.paused,
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("outbox delivery pass failed; sweeping again")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wakeups.event.wait(), timeout=sweep)


@asynccontextmanager
async def outbox_loop(
    deliver: DeliverOutbox, wakeups: OutboxWakeups, sweep: float
) -> AsyncIterator[asyncio.Task[None]]:
    """Run the loop until the block ends; the listening connection is closed after it."""
    task = asyncio.create_task(run_outbox_loop(deliver, wakeups, sweep), name="outbox-delivery")
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await wakeups.aclose()
