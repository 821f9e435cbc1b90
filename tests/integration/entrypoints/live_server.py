"""The real app under uvicorn on a free port, for tests that need true concurrency (the test
client runs requests one after the other), and a database connection of its own to hold rows."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg
import uvicorn

from adapters.postgres.engine import asyncpg_url
from entrypoints.settings import Settings


@dataclass
class Server:
    """A running server, a client session to it and a signed-in user's headers."""

    url: str
    http: aiohttp.ClientSession
    headers: dict[str, str]


@contextlib.asynccontextmanager
async def serving(app: Any, user: dict[str, str]) -> AsyncIterator[Server]:
    """Serve ``app`` on 127.0.0.1 until the block ends, with ``user`` registered and signed in."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    running = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not running.done(), "uvicorn stopped while starting"
            await asyncio.sleep(0.01)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            url = f"http://{host}:{port}"
            async with http.post(f"{url}/auth/register", json=user) as registered:
                assert registered.status == 201, await registered.text()
            async with http.post(f"{url}/auth/login", json=user) as login:
                token = (await login.json())["access_token"]
            yield Server(url, http, {"Authorization": f"Bearer {token}"})
    finally:
        server.should_exit = True
        await running
        sock.close()


@contextlib.asynccontextmanager
async def own_connection(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """A connection of its own, to hold rows while the app's requests pile up behind them."""
    conn = await asyncpg.connect(asyncpg_url(settings.database_url or "").replace("+asyncpg", ""))
    try:
        yield conn
    finally:
        await conn.close()
