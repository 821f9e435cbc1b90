"""ASGI entry for `ponte api` (uvicorn factory): settings from the environment."""

from __future__ import annotations

from litestar import Litestar

from entrypoints.http.app import create_app
from entrypoints.logs import configure_logging
from entrypoints.providers import make_container
from entrypoints.settings import load_settings


def app_from_environment() -> Litestar:
    settings = load_settings()
    settings.require_servers()
    settings.require_jwt_secret()
    configure_logging(settings.log_level)
    return create_app(make_container(settings))
