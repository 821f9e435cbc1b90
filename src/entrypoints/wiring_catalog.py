"""Wiring of the storefront catalog: read model, refresher and admin product management."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg  # type: ignore[import-untyped]
from dishka import Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.postgres.catalog_reader import SESSION_SETTINGS as READ_SETTINGS
from adapters.postgres.catalog_reader import PostgresCatalogReader
from adapters.postgres.catalog_refresh import CatalogView, PostgresCatalogRefresher
from adapters.postgres.catalog_store import PostgresProductStore
from adapters.postgres.engine import asyncpg_dsn
from adapters.postgres.read_pool import ReadPool
from application.catalog.ports import CatalogReader, CatalogRefresher, ProductStore
from application.catalog.use_cases import (
    BrowseProducts,
    CreateProduct,
    DeleteProduct,
    RefreshCatalog,
    ShowProduct,
    UpdateProduct,
)
from entrypoints.settings import Settings

#: Connections of the catalog's own read pool (the hot GETs; see catalog_reader).
READ_POOL_SIZE = 8


class CatalogReadPool:
    """The raw connections of the catalog's read queries."""

    def __init__(self, pool: ReadPool) -> None:
        self.pool = pool


class CatalogProvider(Provider):
    @provide(scope=Scope.APP)
    def view(self, settings: Settings) -> CatalogView:
        s = settings.storefront
        return CatalogView(
            price_code=s.price_code,
            price_branch=s.price_branch,
            category_type=s.category_type,
            brand_type=s.brand_type,
            collection_type=s.collection_type,
            stock_branch=s.stock_branch,
            stock_code=s.stock_code,
        )

    @provide(scope=Scope.APP)
    async def read_pool(self, settings: Settings) -> AsyncIterator[CatalogReadPool]:
        database_url, _ = settings.require_servers()
        dsn = asyncpg_dsn(database_url)
        pool = ReadPool(
            lambda: asyncpg.connect(dsn, server_settings=READ_SETTINGS),
            size=READ_POOL_SIZE,
        )
        yield CatalogReadPool(pool)
        await pool.close()

    @provide(scope=Scope.APP)
    def reader(self, pool: CatalogReadPool, view: CatalogView) -> CatalogReader:
        return PostgresCatalogReader(
            pool.pool,
            category_type=view.category_type,
            brand_type=view.brand_type,
            collection_type=view.collection_type,
        )

    @provide(scope=Scope.APP)
    def refresher(self, engine: AsyncEngine, view: CatalogView) -> CatalogRefresher:
        return PostgresCatalogRefresher(engine, view)

    @provide(scope=Scope.REQUEST)
    def store(self, connection: AsyncConnection, view: CatalogView) -> ProductStore:
        return PostgresProductStore(connection, view)

    browse = provide(BrowseProducts, scope=Scope.APP)
    show = provide(ShowProduct, scope=Scope.APP)
    refresh = provide(RefreshCatalog, scope=Scope.APP)
    create = provide(CreateProduct, scope=Scope.REQUEST)
    update = provide(UpdateProduct, scope=Scope.REQUEST)
    delete = provide(DeleteProduct, scope=Scope.REQUEST)
