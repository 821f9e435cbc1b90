"""Bulk writes refresh the planner's statistics (autovacuum may be off or late)."""

from __future__ import annotations

import asyncpg
import pytest

from adapters.postgres.statistics import refresh_statistics

pytestmark = pytest.mark.integration


async def _analyzed(conn: asyncpg.Connection, table: str) -> bool:
    return bool(
        await conn.fetchval("SELECT reltuples >= 0 FROM pg_class WHERE oid = $1::regclass", table)
    )


async def test_a_bulk_load_into_a_never_analysed_table_is_analysed(sync_env) -> None:  # type: ignore[no-untyped-def]
    conn = sync_env.conn
    await conn.execute("CREATE TEMP TABLE bulk (n int)")
    await conn.execute("INSERT INTO bulk SELECT generate_series(1, 5000)")
    assert not await _analyzed(conn, "bulk")

    assert not await refresh_statistics(conn, ("bulk",), changed=999)  # too few rows
    assert await refresh_statistics(conn, ("bulk",), changed=5000)
    assert await _analyzed(conn, "bulk")


async def test_a_small_change_to_a_big_table_keeps_its_statistics(sync_env) -> None:  # type: ignore[no-untyped-def]
    conn = sync_env.conn
    await conn.execute("CREATE TEMP TABLE big (n int)")
    await conn.execute("INSERT INTO big SELECT generate_series(1, 50000)")
    await conn.execute("ANALYZE big")

    assert not await refresh_statistics(conn, ("big",), changed=4000)  # under a tenth
    assert await refresh_statistics(conn, ("big",), changed=6000)


async def test_a_table_rewritten_in_place_can_be_vacuumed_as_well(sync_env) -> None:  # type: ignore[no-untyped-def]
    """The catalog refresher asks for VACUUM (ANALYZE): dead versions and GIN pending lists go
    too. It runs outside any transaction."""
    conn = sync_env.conn
    await conn.execute("CREATE TABLE rewritten (n int)")
    await conn.execute("INSERT INTO rewritten SELECT generate_series(1, 5000)")
    await conn.execute("UPDATE rewritten SET n = n + 1")

    assert await refresh_statistics(
        conn, ("rewritten",), changed=5000, command="VACUUM (ANALYZE, SKIP_LOCKED)"
    )

    await conn.execute("SELECT pg_stat_clear_snapshot()")
    row = await conn.fetchrow(
        "SELECT vacuum_count, analyze_count, n_dead_tup FROM pg_stat_user_tables "
        "WHERE relname = 'rewritten'"
    )
    assert (row["vacuum_count"], row["analyze_count"], row["n_dead_tup"]) == (1, 1, 0)
    assert await _analyzed(conn, "rewritten")
