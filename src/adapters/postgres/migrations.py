"""Run the repository's alembic migrations from code (app start-up, CLI, tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.postgres.engine import asyncpg_url


def migrations_dir() -> Path:
    """The ``migrations/`` folder of the checkout this package runs from.

    Looked up from this file upwards (a source tree or an editable install), then from the
    working directory (a checkout with the package installed into its venv).

    :raises FileNotFoundError: when neither place has it.
    """
    here = Path(__file__).resolve()
    for base in (*here.parents, Path.cwd(), *Path.cwd().parents):
        candidate = base / "migrations"
        if (candidate / "env.py").is_file() and (candidate / "versions").is_dir():
            return candidate
    raise FileNotFoundError(
        "cannot find Ponte's migrations/ folder; run from the repository checkout"
    )


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def revision_ids() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


async def upgrade_to_head(url: str) -> None:
    await upgrade_to(url, "head")


async def upgrade_to(url: str, revision: str) -> None:
    await _with_connection(url, lambda c: command.upgrade(_handing_over(c), revision))


async def downgrade_to(url: str, revision: str) -> None:
    """Downgrade to ``revision`` (``base`` removes everything)."""
    await _with_connection(url, lambda c: command.downgrade(_handing_over(c), revision))


async def current_revision(url: str) -> str | None:
    """The revision the database is at; None when it was never migrated."""
    revision: str | None = None

    def read(connection: Connection) -> None:
        nonlocal revision
        revision = MigrationContext.configure(connection).get_current_revision()

    await _with_connection(url, read)
    return revision


def _handing_over(connection: Connection) -> Config:
    config = alembic_config()
    config.attributes["connection"] = connection
    return config


async def _with_connection(url: str, work: Callable[[Connection], None]) -> None:
    engine = create_async_engine(asyncpg_url(url), poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(work)
    finally:
        await engine.dispose()
