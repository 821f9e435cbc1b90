"""The async engine every PostgreSQL adapter shares."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

_DRIVERS = {"postgres", "postgresql", "postgresql+asyncpg", "postgresql+psycopg"}


def asyncpg_url(url: str) -> str:
    """``url`` with the asyncpg driver: accepts ``postgres://``, ``postgresql://`` and
    ``postgresql+asyncpg://`` (a unix socket goes in ``?host=/socket/dir``).

    :raises ValueError: for a URL that is not PostgreSQL.
    """
    parsed = make_url(url)
    if parsed.drivername not in _DRIVERS:
        raise ValueError(f"not a PostgreSQL URL: {parsed.drivername}://…")
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def asyncpg_dsn(url: str) -> str:
    """``url`` as ``asyncpg.connect`` takes it (``postgresql://``), for connections opened
    outside SQLAlchemy. :raises ValueError: for a URL that is not PostgreSQL."""
    return asyncpg_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


def create_engine(
    url: str, *, pool_size: int = 20, max_overflow: int = 10, temp_buffers: str = "256MB"
) -> AsyncEngine:
    """An asyncpg engine. A sync run holds two connections (its transaction and the run log);
    the API holds one per request in flight (20, then 10 more on demand).

    ``temp_buffers`` is the per-connection memory for temporary tables, where the sync stages a
    whole run (about 250 bytes per SKU); PostgreSQL fixes it before a session's first temporary
    table, hence at connect time. Connections that never stage pay nothing for it.

    No ``pool_pre_ping``: it costs a round trip on every checkout (a third of a simple request's).
    A connection the server dropped fails its first statement instead; SQLAlchemy then discards
    every pooled connection older than the failure, the API answers that request 503 (see
    ``entrypoints.http.problems``) and the next one gets a fresh connection. ``pool_recycle``
    renews connections hourly so none outlives a server's idle timeouts.
    """
    settings = {"application_name": "ponte", "temp_buffers": temp_buffers}
    return create_async_engine(
        asyncpg_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=3600,
        # Statement parameters (documents, e-mails, addresses) never go into error messages,
        # hence never into logs or error reports.
        hide_parameters=True,
        connect_args={"server_settings": settings},
    )
