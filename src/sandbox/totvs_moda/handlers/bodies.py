"""Request bodies of write routes: kept as sent (for the write log) and with lower-case keys."""

from __future__ import annotations

from typing import Any

import msgspec

from sandbox.totvs_moda.binding import lower_keys
from sandbox.totvs_moda.errors import BadRequest


def write_body(raw: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the body as sent, the body with lower-case keys). :raises BadRequest: unless an object."""
    try:
        sent = msgspec.json.decode(raw) if raw.strip() else None
    except msgspec.DecodeError as e:
        raise BadRequest(f"invalid JSON body: {e}") from e
    if not isinstance(sent, dict):
        raise BadRequest("the request body must be a JSON object")
    lowered: dict[str, Any] = lower_keys(sent)
    return sent, lowered
