"""Dishka wiring of the orders slice: PostgreSQL adapters on the request's connection (the one
:class:`entrypoints.providers.AccountsProvider` opens), and the order use cases."""

from __future__ import annotations

from dishka import Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.accounts import PostgresUnitOfWork
from adapters.postgres.orders import (
    PostgresCustomerDirectory,
    PostgresOrderRepository,
    PostgresSkuPricing,
)
from adapters.postgres.outbox_commits import OutboxCommits
from adapters.postgres.reservations import PostgresStockLedger
from application.orders.cancel_order import CancelOrder
from application.orders.get_order import GetOrder
from application.orders.list_orders import ListOrders
from application.orders.place_order import PlaceOrder
from application.orders.ports import (
    CustomerDirectory,
    OrderRepository,
    SkuPricing,
    StockLedger,
    UnitOfWork,
)
from application.orders.update_order import OrderChanges, UpdateOrder
from entrypoints.settings import Settings


class OrdersProvider(Provider):
    scope = Scope.REQUEST

    @provide
    def pricing(self, connection: AsyncConnection, settings: Settings) -> SkuPricing:
        """Storefront prices of ``STOREFRONT_PRICE_CODE`` at ``STOREFRONT_PRICE_BRANCH``;
        sections from classification type ``STOREFRONT_CATEGORY_TYPE``."""
        storefront = settings.storefront
        return PostgresSkuPricing(
            connection,
            price_code=storefront.price_code,
            branch_code=storefront.price_branch,
            section_type=storefront.category_type,
        )

    customers = provide(PostgresCustomerDirectory, provides=CustomerDirectory)
    ledger = provide(PostgresStockLedger, provides=StockLedger)

    @provide
    def orders(self, connection: AsyncConnection) -> OrderRepository:
        return PostgresOrderRepository(connection)

    @provide
    def uow(self, connection: AsyncConnection, outbox_commits: OutboxCommits) -> UnitOfWork:
        return PostgresUnitOfWork(connection, outbox_commits)

    changes = provide(OrderChanges)
    place_order = provide(PlaceOrder)
    get_order = provide(GetOrder)
    list_orders = provide(ListOrders)
    update_order = provide(UpdateOrder)
    cancel_order = provide(CancelOrder)
