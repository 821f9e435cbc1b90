"""One module per stream: its wire row, its request and its mapping to domain records."""

from __future__ import annotations

from typing import Any

from adapters.totvs_moda.settings import TotvsModaSettings
from adapters.totvs_moda.stream_spec import StreamSpec
from adapters.totvs_moda.streams.balances import BalancesSpec
from adapters.totvs_moda.streams.classifications import ClassificationsSpec
from adapters.totvs_moda.streams.colors import ColorsSpec
from adapters.totvs_moda.streams.costs import CostsSpec
from adapters.totvs_moda.streams.persons import PERSONS_PAGE_SIZE, PersonsSpec
from adapters.totvs_moda.streams.prices import PricesSpec
from adapters.totvs_moda.streams.production_orders import ProductionOrdersSpec
from adapters.totvs_moda.streams.products import ProductsSpec
from adapters.totvs_moda.streams.sales_orders import SALES_ORDERS_PAGE_SIZE, SalesOrdersSpec
from adapters.totvs_moda.streams.sizes import SizesSpec
from domain.sync import Stream


def stream_specs(settings: TotvsModaSettings) -> dict[Stream, StreamSpec[Any]]:
    sizes, branches = settings.page_sizes, settings.branch_codes
    phones, addresses = settings.orders.phone_types, settings.orders.address_types
    return {
        Stream.COLORS: ColorsSpec(sizes.colors),
        Stream.SIZES: SizesSpec(sizes.grid),
        Stream.CLASSIFICATIONS: ClassificationsSpec(
            sizes.classifications, settings.classification_type_codes
        ),
        Stream.PRODUCTS: ProductsSpec(sizes.products, branches),
        Stream.BALANCES: BalancesSpec(
            sizes.balances, branches, settings.stock_codes, settings.formula
        ),
        Stream.PRICES: PricesSpec(sizes.prices, branches, settings.price_codes),
        Stream.COSTS: CostsSpec(sizes.costs, branches, settings.cost_codes),
        Stream.PRODUCTION_ORDERS: ProductionOrdersSpec(sizes.production_orders, branches),
        Stream.INDIVIDUALS: PersonsSpec(PERSONS_PAGE_SIZE, False, phones, addresses),
        Stream.LEGAL_ENTITIES: PersonsSpec(PERSONS_PAGE_SIZE, True, phones, addresses),
        Stream.ORDERS: SalesOrdersSpec(
            SALES_ORDERS_PAGE_SIZE, branches, settings.orders_history_days
        ),
    }
