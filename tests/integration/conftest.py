"""Real PostgreSQL for integration tests.

The server is ``DATABASE_URL`` when set (``postgresql://`` or ``postgresql+asyncpg://``), else an
embedded one started with ``pgserver``. Each test session works in a fresh database of its own,
migrated to head and dropped at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.engine import asyncpg_url, create_engine
from adapters.postgres.migrations import upgrade_to_head
from adapters.postgres.tables import metadata


def with_database(url: str, name: str, *, driver: str = "postgresql+asyncpg") -> str:
    """``url`` pointing at database ``name`` (``driver="postgresql"`` for asyncpg.connect)."""
    return make_url(url).set(drivername=driver, database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An asyncpg URL of the server's maintenance database."""
    if url := os.environ.get("DATABASE_URL"):
        yield asyncpg_url(url)
        return
    from pgserver.postgres_server import get_server

    server = get_server(Path(tmp_path_factory.mktemp("pgdata")), cleanup_mode="stop")
    try:
        yield asyncpg_url(server.get_uri())
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
async def database_url(postgres_server_url: str) -> AsyncIterator[str]:
    """A fresh database for this test session, at the latest migration."""
    name = f"ponte_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(
        with_database(postgres_server_url, "postgres", driver="postgresql")
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = with_database(postgres_server_url, name)
            await upgrade_to_head(url)
            yield url
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the session's database, every table emptied before the test."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            names = ", ".join(table.name for table in metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
        yield engine
    finally:
        await engine.dispose()


# --- the whole service: sandbox ERP + container + real PostgreSQL and Redis ---------------------

import contextlib  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from dishka import AsyncContainer, Provider, Scope, provide  # noqa: E402
from litestar.testing import AsyncTestClient  # noqa: E402
from redis.asyncio import Redis  # noqa: E402

from adapters.postgres.migrations import head_revision  # noqa: E402
from adapters.security import Argon2PasswordHasher  # noqa: E402
from adapters.totvs_moda import (  # noqa: E402
    PageSizes,
    RetryPolicy,
    TotvsModaCatalogSource,
)
from application.accounts.ports import PasswordHasher  # noqa: E402
from application.sync.ports import CatalogSource  # noqa: E402
from entrypoints.http.app import create_app  # noqa: E402
from entrypoints.providers import make_container, totvs_moda_settings  # noqa: E402
from entrypoints.settings import Settings, load_settings  # noqa: E402
from sandbox.totvs_moda.catalog import SandboxCatalog  # noqa: E402
from sandbox.totvs_moda.server import RunningSandbox, run_sandbox  # noqa: E402
from tests.support.servers import redis_server  # noqa: E402

SANDBOX_SKUS = 300


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


class QuickRetries(Provider):
    """The real TOTVS Moda adapter with millisecond back-off, so fault tests stay fast, and small
    pages, so a small catalog still pages (and meets faults) many times."""

    @provide(scope=Scope.APP)
    async def catalog_source(self, settings: Settings) -> AsyncIterator[CatalogSource]:
        source = TotvsModaCatalogSource(
            totvs_moda_settings(
                settings.erp,
                page_sizes=PageSizes(
                    colors=20,
                    grid=5,
                    products=40,
                    balances=40,
                    prices=40,
                    costs=40,
                    production_orders=5,
                ),
                timeout=5.0,
                retry=RetryPolicy(max_attempts=4, base=0.01, cap=0.05, max_retry_after=1.0),
            )
        )
        yield source
        await source.aclose()


class FastPasswords(Provider):
    """Argon2id with the smallest parameters, so tests hash in microseconds."""

    @provide(scope=Scope.APP)
    def password_hasher(self) -> PasswordHasher:
        return Argon2PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


JWT_SECRET = "integration-tests-jwt-secret-0123456789abcdef"


@dataclass
class SyncEnv:
    settings: Settings
    container: AsyncContainer
    sandbox: RunningSandbox
    conn: asyncpg.Connection
    head_revision: str | None


def ponte_environment(database_url: str, redis_url: str, sandbox: RunningSandbox) -> dict[str, str]:
    c = sandbox.credentials
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TOTVS_MODA_URL": sandbox.url,
        "TOTVS_MODA_CLIENT_ID": c.client_id,
        "TOTVS_MODA_CLIENT_SECRET": c.client_secret,
        "TOTVS_MODA_USERNAME": c.username,
        "TOTVS_MODA_PASSWORD": c.password,
        "TOTVS_MODA_PRICE_CODES": "1,2",
        "JWT_SECRET": JWT_SECRET,
        # Tests rebuild the catalog read model themselves (RefreshCatalog), deterministically.
        "CATALOG_REFRESH_INTERVAL_MS": "0",
    }


@pytest.fixture
async def sync_env(
    engine: AsyncEngine, database_url: str, redis_url: str
) -> AsyncIterator[SyncEnv]:
    """A fresh sandbox ERP, an emptied database, cleared queues and a container wired to them."""
    redis = Redis.from_url(redis_url)
    try:
        stale = [key async for key in redis.scan_iter("arq:*")]
        stale += [key async for key in redis.scan_iter("ponte:*")]
        if stale:
            await redis.delete(*stale)
    finally:
        await redis.aclose()
    async with contextlib.AsyncExitStack() as stack:
        sandbox = await stack.enter_async_context(
            run_sandbox(SandboxCatalog(skus=SANDBOX_SKUS, seed=7, price_codes=(1, 2)))
        )
        settings = load_settings(ponte_environment(database_url, redis_url, sandbox))
        container = make_container(settings, QuickRetries(), FastPasswords())
        stack.push_async_callback(container.close)
        conn = await asyncpg.connect(asyncpg_url(database_url).replace("+asyncpg", ""))
        stack.push_async_callback(conn.close)
        yield SyncEnv(settings, container, sandbox, conn, head_revision())


@pytest.fixture
async def api(sync_env: SyncEnv) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """The real app (its own container, closed at shutdown) over the same database and Redis."""
    app = create_app(
        make_container(sync_env.settings, QuickRetries(), FastPasswords()), sync_env.settings
    )
    async with AsyncTestClient(app=app) as client:
        yield client


ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct horse battery"


async def bearer(api: AsyncTestClient, email: str, password: str) -> dict[str, str]:  # type: ignore[type-arg]
    """Authorization headers of a fresh login."""
    response = await api.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
async def admin_headers(api: AsyncTestClient, sync_env: SyncEnv) -> dict[str, str]:  # type: ignore[type-arg]
    """Headers of a signed-in admin created the operators' way (CreateAdmin)."""
    from application.accounts.create_admin import CreateAdmin, CreateAdminCommand

    async with sync_env.container() as request:
        create = await request.get(CreateAdmin)
        await create(CreateAdminCommand(email=ADMIN_EMAIL, password=ADMIN_PASSWORD))
    return await bearer(api, ADMIN_EMAIL, ADMIN_PASSWORD)
