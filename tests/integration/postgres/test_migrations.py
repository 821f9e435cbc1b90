"""Migrations: every revision goes up and down cleanly, and head matches ``tables.metadata``."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.postgres.migrations import (
    current_revision,
    downgrade_to,
    head_revision,
    revision_ids,
    upgrade_to,
    upgrade_to_head,
)
from adapters.postgres.tables import metadata

pytestmark = pytest.mark.integration


async def _run(url: str, work):  # type: ignore[no-untyped-def]
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(work)
    finally:
        await engine.dispose()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def test_every_revision_upgrades_downgrades_and_upgrades_again(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    previous = "base"
    for revision in revision_ids():
        await upgrade_to(url, revision)
        assert await current_revision(url) == revision
        await downgrade_to(url, previous)
        assert await current_revision(url) == (None if previous == "base" else previous)
        await upgrade_to(url, revision)
        previous = revision

    assert await current_revision(url) == head_revision()
    await downgrade_to(url, "base")
    assert await _run(url, _tables) == set()


async def test_the_migrated_schema_matches_the_models(empty_database_url: str) -> None:
    await upgrade_to_head(empty_database_url)

    def modelled(obj: object, name: str | None, kind: str, reflected: bool, other: object) -> bool:
        # The trigram index exists only where the server has pg_trgm (migration 0006).
        return name != "ix_customers_name_search_trgm"

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": modelled}
        )
        return list(compare_metadata(context, metadata))

    assert await _run(empty_database_url, differences) == []
    assert await _run(empty_database_url, _tables) == set(metadata.tables)


async def test_a_database_never_migrated_has_no_revision(empty_database_url: str) -> None:
    assert await current_revision(empty_database_url) is None
    assert head_revision() == revision_ids()[-1]


async def test_upgrading_twice_is_harmless(empty_database_url: str) -> None:
    await upgrade_to_head(empty_database_url)
    await upgrade_to_head(empty_database_url)

    assert await current_revision(empty_database_url) == head_revision()


async def test_the_customer_name_filter_gets_a_trigram_index_where_pg_trgm_exists(
    empty_database_url: str,
) -> None:
    await upgrade_to_head(empty_database_url)

    def found(connection: Connection) -> tuple[bool, bool]:
        available = connection.exec_driver_sql(
            "SELECT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'pg_trgm')"
        ).scalar()
        indexed = connection.exec_driver_sql(
            "SELECT EXISTS (SELECT FROM pg_indexes "
            "WHERE indexname = 'ix_customers_name_search_trgm')"
        ).scalar()
        return bool(available), bool(indexed)

    available, indexed = await _run(empty_database_url, found)
    assert indexed == available
