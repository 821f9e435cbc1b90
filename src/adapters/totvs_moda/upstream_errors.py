"""Reading TOTVS Moda error bodies: an object, an array of objects, or ``{messages: [...]}``."""

from __future__ import annotations

from typing import Any, NamedTuple

import msgspec

_MAX_MESSAGE = 500


class UpstreamError(NamedTuple):
    code: str | None
    message: str | None


def read_error_body(body: bytes) -> UpstreamError:
    """The code of the first notification and the messages of all of them.

    Accepts ``DomainNotificationMessage`` objects (``code``, ``message``, ``detailedMessage``) and
    OAuth bodies (``error``, ``error_description``), keys in any casing. A body that is not JSON
    yields its first characters as the message.
    """
    try:
        data = msgspec.json.decode(body)
    except msgspec.DecodeError:
        text = body[:_MAX_MESSAGE].decode("utf-8", "replace").strip()
        return UpstreamError(None, text or None)
    notes = _notifications(data)
    code = next((c for c, _ in notes if c), None)
    message = "; ".join(m for _, m in notes if m)[:_MAX_MESSAGE] or None
    return UpstreamError(code, message)


def _notifications(data: Any) -> list[tuple[str | None, str | None]]:
    if isinstance(data, list):
        return [n for item in data for n in _notifications(item)]
    if isinstance(data, str):
        return [(None, data)]
    if not isinstance(data, dict):
        return []
    keys = {str(k).lower(): v for k, v in data.items()}
    if isinstance(keys.get("messages"), list) or isinstance(keys.get("errors"), list):
        return _notifications(keys.get("messages") or keys.get("errors"))
    code = keys.get("code", keys.get("error"))
    message = keys.get("message", keys.get("error_description"))
    detail = keys.get("detailedmessage")
    if detail and detail != message:
        message = f"{message} ({detail})" if message else detail
    return [
        (
            str(code) if code not in (None, "") else None,
            str(message) if message not in (None, "") else None,
        )
    ]
