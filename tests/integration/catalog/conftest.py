"""A synced sandbox catalog with its read model built, and helpers for the catalog API."""

from __future__ import annotations

from typing import Any

import pytest

from application.catalog.use_cases import RefreshCatalog
from application.sync.sync_catalog import SyncCatalog, SyncCatalogCommand


async def sync_and_refresh(env: Any) -> None:
    async with env.container() as request:
        sync = await request.get(SyncCatalog)
        report = await sync(SyncCatalogCommand(full=False))
        assert report.ok, report
    await refresh(env)


async def refresh(env: Any) -> None:
    refresh_catalog = await env.container.get(RefreshCatalog)
    await refresh_catalog()


@pytest.fixture
async def catalog(sync_env: Any) -> Any:
    await sync_and_refresh(sync_env)
    return sync_env
