from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.integration.conftest import with_database


@pytest.fixture
async def empty_database_url(postgres_server_url: str) -> AsyncIterator[str]:
    """A database of its own for one test, never migrated."""
    name = f"ponte_scratch_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(
        with_database(postgres_server_url, "postgres", driver="postgresql")
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield with_database(postgres_server_url, name)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
