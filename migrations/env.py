"""Alembic environment for Ponte (async, asyncpg).

Where the database is, in order: a connection handed over by ``adapters.postgres.migrations``
(``config.attributes["connection"]``), ``-x url=...``, the ``DATABASE_URL`` environment variable.
Migrations run in one transaction under an advisory lock, so two instances starting together
migrate once.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.postgres.engine import asyncpg_url
from adapters.postgres.tables import metadata

#: pg_advisory_xact_lock key serialising concurrent migrations ("ponte-mg" in ASCII).
MIGRATION_LOCK = 0x706F6E74652D6D67

config = context.config


def _url() -> str:
    url = (
        context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("DATABASE_URL")
        or config.get_main_option("sqlalchemy.url")
    )
    if not url:
        raise RuntimeError("no database: pass -x url=postgresql://... or set DATABASE_URL")
    return asyncpg_url(url)


def _configure(**kwargs: object) -> None:
    context.configure(target_metadata=metadata, compare_type=True, **kwargs)  # type: ignore[arg-type]
    with context.begin_transaction():
        context.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        context.run_migrations()


def _run_with(connection: Connection) -> None:
    _configure(connection=connection)


async def _run_online() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_with)
            await connection.commit()
    finally:
        await engine.dispose()


def main() -> None:
    handed_over = config.attributes.get("connection")
    if handed_over is not None:
        _run_with(handed_over)
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    if context.is_offline_mode():
        _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    else:
        asyncio.run(_run_online())


main()
