"""The Litestar application."""

from __future__ import annotations

from dishka import AsyncContainer
from dishka.integrations.litestar import setup_dishka
from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin

from entrypoints.http.accounts import AccountsController
from entrypoints.http.api_keys import ApiKeysController
from entrypoints.http.catalog import CatalogController
from entrypoints.http.customers import CustomersController
from entrypoints.http.health import HealthController
from entrypoints.http.middleware import EDGE_EXCEPTION_HANDLERS, cors_config, install_edge
from entrypoints.http.orders import OrdersController
from entrypoints.http.problems import EXCEPTION_HANDLERS
from entrypoints.http.queue import QueueController
from entrypoints.http.sync import SyncController
from entrypoints.refresh_loop import app_lifespan
from entrypoints.settings import Settings

DESCRIPTION = """\
Ponte mirrors a TOTVS ERP catalog into PostgreSQL every minute and serves it to storefronts.

Errors are RFC 9457 problem details (`application/problem+json`) with a stable `type`.

Every response carries `X-Request-ID`: the client's own (1-128 characters of `A-Za-z0-9._-`) or a
generated one; quote it when reporting a problem. Request bodies over the configured limit
(1 MiB by default) are answered 413 `payload-too-large`. Browsers may call the API only from the
origins in `CORS_ORIGINS`."""


def create_app(container: AsyncContainer, settings: Settings) -> Litestar:
    """Build the app around ``container`` (made from the same ``settings``); the container is
    closed when the app shuts down. Logging is configured by the entrypoint, not by Litestar."""
    app = Litestar(
        route_handlers=[
            HealthController,
            AccountsController,
            ApiKeysController,
            SyncController,
            QueueController,
            CatalogController,
            CustomersController,
            OrdersController,
        ],
        exception_handlers={**EXCEPTION_HANDLERS, **EDGE_EXCEPTION_HANDLERS},
        cors_config=cors_config(settings.http),
        request_max_body_size=settings.http.max_body_bytes,
        logging_config=None,
        openapi_config=OpenAPIConfig(
            title="Ponte",
            version="0.1.0",
            description=DESCRIPTION,
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        lifespan=[app_lifespan(container)],
        debug=False,
    )
    setup_dishka(container, app)
    install_edge(app)
    return app
