"""The arq worker on real Redis: the every-minute cron entry runs the sync end to end."""

from __future__ import annotations

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker

from domain.sync import Stream
from entrypoints.worker import QUEUE_NAME, create_worker

pytestmark = pytest.mark.integration


async def run_burst_worker(sync_env, *, sync_at_startup: bool = False) -> Worker:  # type: ignore[no-untyped-def]
    """A real worker on real Redis that runs what is due, then stops.

    Without ``sync_at_startup`` its cron is off: a test that starts on a minute boundary would
    otherwise also run the every-minute sync.
    """
    worker = create_worker(
        sync_env.settings,
        sync_env.container,
        sync_at_startup=sync_at_startup,
        burst=True,
        handle_signals=False,
        poll_delay=0.05,
        **({} if sync_at_startup else {"cron_jobs": []}),
    )
    try:
        await worker.main()
    finally:
        await worker.close()
    return worker


async def test_the_cron_sync_runs_through_a_real_worker(sync_env) -> None:  # type: ignore[no-untyped-def]
    worker = await run_burst_worker(sync_env, sync_at_startup=True)

    assert worker.jobs_complete == 1
    assert worker.jobs_failed == 0
    rows = await sync_env.conn.fetch(
        "SELECT DISTINCT stream FROM sync_runs WHERE status = 'succeeded'"
    )
    assert {r["stream"] for r in rows} == {s.value for s in Stream}
    assert (
        await sync_env.conn.fetchval("SELECT count(*) FROM skus")
        == sync_env.sandbox.catalog.max_code
    )


async def test_a_queued_sync_job_runs_the_requested_streams(sync_env) -> None:  # type: ignore[no-untyped-def]
    pool = await create_pool(
        RedisSettings.from_dsn(sync_env.settings.redis_url), default_queue_name=QUEUE_NAME
    )
    try:
        job = await pool.enqueue_job("sync_catalog", streams=["colors", "sizes"])
        assert job is not None
    finally:
        await pool.aclose()
    await run_burst_worker(sync_env)

    result = await job.result(timeout=5)
    assert result == {"runs": {"colors": "succeeded", "sizes": "succeeded"}, "held_back": []}
    streams = await sync_env.conn.fetch("SELECT DISTINCT stream FROM sync_runs")
    assert {r["stream"] for r in streams} == {"colors", "sizes"}


async def test_a_starting_worker_closes_runs_a_killed_worker_left_running(sync_env) -> None:  # type: ignore[no-untyped-def]
    await sync_env.conn.execute(
        "INSERT INTO sync_runs (stream, mode, status, started_at) "
        "VALUES ('prices', 'incremental', 'running', now() - interval '1 hour')"
    )
    await run_burst_worker(sync_env)

    status, error = await sync_env.conn.fetchrow(
        "SELECT status, error FROM sync_runs WHERE stream = 'prices'"
    )
    assert status == "failed"
    assert error.startswith("interrupted")
