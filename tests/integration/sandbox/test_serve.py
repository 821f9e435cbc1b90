"""``serve`` (behind the CLI) prints where it listens and with which credentials."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re

import aiohttp

from sandbox.totvs_moda import serve


async def test_serve_prints_the_url_and_credentials_then_serves() -> None:
    out = io.StringIO()
    task = asyncio.create_task(serve(port=0, skus=25, seed=9, faults="5xx@every=2", out=out))
    try:
        while "credentials" not in out.getvalue():  # noqa: ASYNC110 - serve offers no event
            await asyncio.sleep(0.01)
        text = out.getvalue()
        match = re.search(r"(http://127\.0\.0\.1:\d+)/api/totvsmoda", text)
        assert match is not None, text
        assert "client_id=ponte client_secret=ponte-secret username=ponte password=ponte" in text
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{match.group(1)}/_sandbox/health") as response,
        ):
            body = await response.json()
        assert (body["skus"], body["seed"]) == (25, 9)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
