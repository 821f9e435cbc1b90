"""A fresh, migrated PostgreSQL database for a benchmark run."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from adapters.postgres.migrations import upgrade_to_head


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """An admin URL (``postgresql://``): DATABASE_URL's server when set, else an embedded one."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        yield configured.replace("postgresql+asyncpg://", "postgresql://")
        return
    import pgserver

    with tempfile.TemporaryDirectory(prefix="ponte-bench-pg-") as folder:
        server = pgserver.get_server(folder, cleanup_mode="stop")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


@contextlib.asynccontextmanager
async def fresh_database(admin_url: str) -> AsyncIterator[str]:
    """Create ``ponte_bench_<random>``, migrate it, yield its asyncpg URL, drop it afterwards."""
    name = f"ponte_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(admin_url)
        url = urlunsplit(parts._replace(path=f"/{name}", scheme="postgresql+asyncpg"))
        await upgrade_to_head(url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
