"""Advisory lock keys."""

from __future__ import annotations

import hashlib

from domain.sync import Stream


def stream_lock_key(stream: Stream) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_xact_lock``, the same in every process."""
    digest = hashlib.blake2b(f"ponte:sync:{stream.value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
