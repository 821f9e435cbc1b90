"""The Litestar application."""

from __future__ import annotations

from dishka import AsyncContainer
from dishka.integrations.litestar import setup_dishka
from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin

from entrypoints.http.accounts import AccountsController
from entrypoints.http.api_keys import ApiKeysController
from entrypoints.http.health import HealthController
from entrypoints.http.problems import EXCEPTION_HANDLERS
from entrypoints.http.sync import SyncController

DESCRIPTION = """\
Ponte mirrors a TOTVS ERP catalog into PostgreSQL every minute and serves it to storefronts.

Errors are RFC 9457 problem details (`application/problem+json`) with a stable `type`."""


def create_app(container: AsyncContainer) -> Litestar:
    """Build the app around ``container``; the container is closed when the app shuts down."""
    app = Litestar(
        route_handlers=[HealthController, AccountsController, ApiKeysController, SyncController],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="Ponte",
            version="0.1.0",
            description=DESCRIPTION,
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        on_shutdown=[container.close],
        debug=False,
    )
    setup_dishka(container, app)
    return app
