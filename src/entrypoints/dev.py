"""`ponte dev`: run the whole of Ponte on one machine with nothing configured.

Embedded PostgreSQL and Redis stand in for unset ``DATABASE_URL`` / ``REDIS_URL``; the TOTVS Moda
sandbox stands in for an unset ``TOTVS_MODA_URL``. The API, the worker and the sandbox run as child
processes (as they would in production); Ctrl-C stops them all, then the embedded servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from adapters.postgres.migrations import upgrade_to_head
from entrypoints.accounts_command import first_dev_admin
from entrypoints.embedded import embedded_servers
from entrypoints.settings import Settings, load_settings

SANDBOX_CREDENTIALS = {
    "TOTVS_MODA_CLIENT_ID": "ponte",
    "TOTVS_MODA_CLIENT_SECRET": "ponte-secret",
    "TOTVS_MODA_USERNAME": "ponte",
    "TOTVS_MODA_PASSWORD": "ponte",
}
STARTUP_TIMEOUT_SECONDS = 60.0


def run_dev(settings: Settings, *, skus: int, port: int) -> int:
    data_dir = Path(settings.data_dir).resolve()
    env = dict(os.environ)
    # A person reads `ponte dev` in a terminal: text lines unless asked otherwise.
    env.setdefault("LOG_FORMAT", "text")
    children: list[subprocess.Popen[bytes]] = []
    with contextlib.ExitStack() as stack:
        stack.callback(_stop, children)  # should starting the embedded servers fail
        if not settings.erp.url:
            sandbox_port = _free_port()
            children.append(
                _spawn(
                    "sandbox",
                    "totvs-moda",
                    "--port",
                    str(sandbox_port),
                    "--skus",
                    str(skus),
                    env=env,
                )
            )
            env["TOTVS_MODA_URL"] = f"http://127.0.0.1:{sandbox_port}"
            env.update(SANDBOX_CREDENTIALS)
        _say(
            "starting embedded servers…"
            if not (settings.database_url and settings.redis_url)
            else "using the configured servers"
        )
        urls = stack.enter_context(
            embedded_servers(
                data_dir,
                postgres=not settings.database_url,
                redis=not settings.redis_url,
            )
        )
        # Registered after the embedded servers, so it runs before they stop (LIFO): the API,
        # the worker and the sandbox go first.
        stack.callback(_stop, children)
        env["DATABASE_URL"] = settings.database_url or urls.database_url or ""
        env["REDIS_URL"] = settings.redis_url or urls.redis_url or ""
        asyncio.run(upgrade_to_head(env["DATABASE_URL"]))
        _say("database migrated")
        if settings.jwt_secret is None:
            env["JWT_SECRET"] = _dev_jwt_secret(data_dir)
        admin = asyncio.run(first_dev_admin(load_settings(env)))
        children.append(_spawn("api", "--port", str(port), env=env))
        children.append(_spawn("worker", "--sync-now", env=env))
        api_url = f"http://127.0.0.1:{port}"
        _wait_http(f"{api_url}/health", children)
        _say(
            "\nPonte is running\n"
            f"  API            {api_url}\n"
            f"  API docs       {api_url}/schema/swagger  (and {api_url}/schema)\n"
            f"  sync status    {api_url}/sync/streams\n"
            f"  ERP            {env['TOTVS_MODA_URL']}"
            + ("  (sandbox)" if not settings.erp.url else "")
            + "\n"
            f"  data           {data_dir}\n"
            + (f"  admin          {admin[0]}  password {admin[1]}  (shown once)\n" if admin else "")
            + "The catalog sync runs now and then every minute. Ctrl-C stops everything.\n"
        )
        return _wait(children)


def _dev_jwt_secret(data_dir: Path) -> str:
    """The JWT key `ponte dev` generated on its first start, kept (owner-only) in the data dir so
    tokens survive restarts."""
    path = data_dir / "jwt-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _spawn(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A child in a session of its own: a terminal's Ctrl-C reaches only `ponte dev`, which then
    stops the children in order."""
    command = [sys.executable, "-m", "entrypoints", *args]
    return subprocess.Popen(command, env=env, start_new_session=True)  # noqa: S603


def _wait(children: list[subprocess.Popen[bytes]]) -> int:
    stop = {"now": False}

    def on_signal(signum: int, frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stop["now"]:
        for child in children:
            if child.poll() is not None:
                _say(f"a child process exited with {child.returncode}; stopping")
                return 1
        time.sleep(0.2)
    _say("\nstopping…")
    return 0


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(max(0.1, deadline - time.monotonic()))
        if child.poll() is None:
            child.kill()


def _wait_http(url: str, children: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            raise SystemExit("a child process failed to start")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2):  # noqa: S310
            return
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {STARTUP_TIMEOUT_SECONDS:.0f} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _say(text: str) -> None:
    print(text, flush=True)
