"""The catalog sync end to end: sandbox ERP over HTTP → use cases → real PostgreSQL."""

from __future__ import annotations

import asyncpg
import pytest

from application.sync.sync_catalog import SyncCatalog, SyncCatalogCommand, SyncReport
from domain.sync import RunMode, RunStatus, Stream
from tests.support.reconcile import reconcile

pytestmark = pytest.mark.integration


async def sync_all(env, *, full: bool = False) -> SyncReport:  # type: ignore[no-untyped-def]
    async with env.container() as request:
        sync = await request.get(SyncCatalog)
        return await sync(SyncCatalogCommand(full=full))


async def test_full_backfill_then_incremental_runs_mirror_the_erp_exactly(sync_env) -> None:  # type: ignore[no-untyped-def]
    catalog = sync_env.sandbox.catalog

    first = await sync_all(sync_env)

    assert first.ok, first
    assert {r.stream for r in first.runs} == set(Stream)
    assert all(r.mode == RunMode.FULL for r in first.runs)
    products = next(r for r in first.runs if r.stream == Stream.PRODUCTS)
    assert products.counts.inserted == catalog.max_code
    diff = await reconcile(sync_env.conn, catalog)
    assert diff.count == 0, str(diff)

    catalog.change_prices(fraction=0.1)
    catalog.change_stock(count=25)
    catalog.change_costs(count=10)
    catalog.add_products(references=2)
    catalog.add_colors(2)
    catalog.deactivate(count=5)
    catalog.block(count=3)
    assert (await reconcile(sync_env.conn, catalog)).count > 0

    second = await sync_all(sync_env)

    assert second.ok, second
    # Classifications have no change filter upstream: they are read whole every time.
    modes = {r.stream: r.mode for r in second.runs}
    assert modes.pop(Stream.CLASSIFICATIONS) == RunMode.FULL
    assert set(modes.values()) == {RunMode.INCREMENTAL}
    by_stream = {r.stream: r for r in second.runs}
    # An incremental read only fetches what changed, not the whole catalog.
    assert by_stream[Stream.PRODUCTS].counts.read < catalog.max_code
    assert by_stream[Stream.PRICES].counts.updated > 0
    assert by_stream[Stream.PRODUCTS].counts.inserted > 0
    diff = await reconcile(sync_env.conn, catalog)
    assert diff.count == 0, str(diff)


async def test_a_run_with_no_change_rewrites_nothing(sync_env) -> None:  # type: ignore[no-untyped-def]
    await sync_all(sync_env)
    before = await sync_env.conn.fetchval("SELECT sum(xmin::text::bigint) FROM skus")

    again = await sync_all(sync_env, full=True)

    assert again.ok
    for run in again.runs:
        assert run.counts.inserted == 0, run
        assert run.counts.updated == 0, run
    assert await sync_env.conn.fetchval("SELECT sum(xmin::text::bigint) FROM skus") == before


async def test_with_a_fifth_of_erp_calls_failing_repeated_runs_converge(sync_env) -> None:  # type: ignore[no-untyped-def]
    # About one call in five fails, in every way the ERP has been seen to fail.
    sync_env.sandbox.set_faults(
        "5xx=0.08,429=0.04:retry-after=0,truncated=0.03,nonjson=0.02,reset=0.02,"
        "expire-token=0.01,seed=11"
    )
    catalog = sync_env.sandbox.catalog
    await _converge(sync_env)
    catalog.change_prices(fraction=0.2)
    catalog.change_stock(fraction=0.2)
    catalog.add_products(references=3)
    await _converge(sync_env)

    assert sum(sync_env.sandbox.stats.faults.values()) >= 10
    diff = await reconcile(sync_env.conn, catalog)
    assert diff.count == 0, str(diff)


async def _converge(sync_env, attempts: int = 15) -> None:  # type: ignore[no-untyped-def]
    for _ in range(attempts):
        report = await sync_all(sync_env)
        if report.ok:
            return
    pytest.fail(f"sync did not succeed within {attempts} passes")


async def test_runs_and_cursors_are_recorded(sync_env) -> None:  # type: ignore[no-untyped-def]
    await sync_all(sync_env)
    conn: asyncpg.Connection = sync_env.conn

    runs = await conn.fetch("SELECT stream, status, mode, rows_read FROM sync_runs")
    cursors = dict(await conn.fetch("SELECT stream, position FROM sync_cursors"))

    assert {r["stream"] for r in runs} == {s.value for s in Stream}
    assert all(r["status"] == RunStatus.SUCCEEDED.value for r in runs)
    assert cursors[Stream.PRODUCTS.value] is not None
