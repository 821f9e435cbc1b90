"""ASGI entry for `ponte api` (a factory the server calls in each worker): settings from the
environment. The app sits behind uvicorn's pure-ASGI proxy-headers middleware, so the client
address comes from ``X-Forwarded-For`` only when the peer is one of ``FORWARDED_ALLOW_IPS``."""

from __future__ import annotations

from litestar.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from entrypoints.http.app import create_app
from entrypoints.logs import configure_logging
from entrypoints.observability import init_sentry
from entrypoints.providers import make_container
from entrypoints.settings import load_settings


def app_from_environment() -> ASGIApp:
    settings = load_settings()
    settings.require_servers()
    settings.require_jwt_secret()
    configure_logging(settings.log_level, settings.http.log_format)
    # Before the app is built: Sentry's Litestar integration hooks into its construction.
    init_sentry(settings.http)
    app = create_app(make_container(settings), settings)
    trusted = [host.strip() for host in settings.http.forwarded_allow_ips.split(",")]
    return ProxyHeadersMiddleware(app, trusted_hosts=trusted)  # type: ignore[arg-type,return-value]
