"""The aiohttp app: TOTVS Moda routes under ``/api/totvsmoda``, admin routes under ``/_sandbox``."""

from __future__ import annotations

from aiohttp import web

from sandbox.totvs_moda.context import CONTEXT, Context
from sandbox.totvs_moda.handlers import admin, admin_commerce
from sandbox.totvs_moda.handlers.balances import search_balances
from sandbox.totvs_moda.handlers.costs import search_costs
from sandbox.totvs_moda.handlers.lookups import list_classifications, list_grids, search_colors
from sandbox.totvs_moda.handlers.persons import (
    search_individuals,
    search_legal_entities,
    upsert_individual,
    upsert_legal,
)
from sandbox.totvs_moda.handlers.prices import search_prices
from sandbox.totvs_moda.handlers.production_orders import search_production_orders
from sandbox.totvs_moda.handlers.products import search_products
from sandbox.totvs_moda.handlers.sales_orders import (
    cancel_order,
    change_order_status,
    create_b2c_order,
    search_orders,
)
from sandbox.totvs_moda.handlers.token import issue_token
from sandbox.totvs_moda.lost_reply import lost_reply
from sandbox.totvs_moda.middleware import pipeline

API = "/api/totvsmoda"


def build_app(ctx: Context) -> web.Application:
    """Route names double as fault-plan route names (:data:`faults.ROUTES`).

    ``lost_reply`` sits inside ``pipeline``: it sees only calls that reached their handler.
    """
    app = web.Application(middlewares=[pipeline, lost_reply], client_max_size=8 * 1024 * 1024)
    app[CONTEXT] = ctx
    r = app.router
    r.add_post(f"{API}/authorization/v2/token", issue_token, name="token")
    r.add_post(f"{API}/product/v2/colors/search", search_colors, name="colors")
    r.add_get(f"{API}/product/v2/grid", list_grids, name="grid")
    r.add_get(f"{API}/product/v2/classifications", list_classifications, name="classifications")
    r.add_post(f"{API}/product/v2/products/search", search_products, name="products")
    r.add_post(f"{API}/product/v2/balances/search", search_balances, name="balances")
    r.add_post(f"{API}/product/v2/prices/search", search_prices, name="prices")
    r.add_post(f"{API}/product/v2/costs/search", search_costs, name="costs")
    r.add_post(
        f"{API}/production-order/v2/orders/search",
        search_production_orders,
        name="production_orders",
    )
    person, sales = f"{API}/person/v2", f"{API}/sales-order/v2"
    r.add_post(f"{person}/individuals/search", search_individuals, name="individuals")
    r.add_post(f"{person}/legal-entities/search", search_legal_entities, name="legal_entities")
    r.add_post(f"{person}/individual-customers", upsert_individual, name="individual_customers")
    r.add_post(f"{person}/legal-customers", upsert_legal, name="legal_customers")
    r.add_post(f"{sales}/orders/search", search_orders, name="orders_search")
    r.add_post(f"{sales}/b2c-orders", create_b2c_order, name="b2c_orders")
    r.add_post(f"{sales}/orders/cancel", cancel_order, name="orders_cancel")
    r.add_post(f"{sales}/orders/change-status", change_order_status, name="orders_change_status")
    r.add_get("/_sandbox/health", admin.health, name="admin.health")
    r.add_get("/_sandbox/stats", admin.stats, name="admin.stats")
    r.add_post("/_sandbox/stats/reset", admin.reset_stats, name="admin.stats.reset")
    r.add_get("/_sandbox/faults", admin.get_faults, name="admin.faults")
    r.add_put("/_sandbox/faults", admin.set_faults, name="admin.faults.put")
    r.add_post("/_sandbox/faults", admin.set_faults, name="admin.faults.post")
    r.add_delete("/_sandbox/faults", admin.clear_faults, name="admin.faults.delete")
    r.add_post("/_sandbox/tokens/revoke", admin.revoke_tokens, name="admin.tokens.revoke")
    r.add_post("/_sandbox/mutations/{kind}", admin.mutate, name="admin.mutate")
    r.add_get("/_sandbox/expected/{entity}", admin.expected, name="admin.expected")
    r.add_get("/_sandbox/writes", admin_commerce.writes, name="admin.writes")
    r.add_post("/_sandbox/writes/reset", admin_commerce.reset_writes, name="admin.writes.reset")
    r.add_get("/_sandbox/orders", admin_commerce.list_orders, name="admin.orders")
    r.add_post(
        "/_sandbox/orders/{branchCode}/{orderCode}/advance",
        admin_commerce.advance_order,
        name="admin.orders.advance",
    )
    r.add_get("/_sandbox/persons", admin_commerce.list_persons, name="admin.persons")
    r.add_post("/_sandbox/persons", admin_commerce.add_person, name="admin.persons.add")
    r.add_post("/_sandbox/store-orders", admin_commerce.add_store_order, name="admin.store_orders")
    return app
