"""Keyset cursors over (created_at, id): what customers and orders pages hand out and take back."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from uuid import UUID

from application.sync.status import InvalidPageCursor

_YEARS = range(1, 9999)


def encode_cursor(created_at: datetime, row_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{row_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    """The position in ``cursor``, checked so that nothing a client makes up reaches the database.

    :raises InvalidPageCursor: unless ``cursor`` is exactly what :func:`encode_cursor` makes of
        an aware time (years 1..9998 in UTC) and a UUID.
    """
    invalid = InvalidPageCursor(f"invalid page cursor {cursor!r}")
    try:
        decoded = base64.b64decode(cursor.encode("ascii"), altchars=b"-_", validate=True)
        created, row_id = decoded.decode().split("|")
        position = datetime.fromisoformat(created), UUID(row_id)
        utc = position[0].astimezone(UTC) if position[0].tzinfo is not None else None
    except (binascii.Error, UnicodeError, ValueError, OverflowError):
        raise invalid from None
    if utc is None or utc.year not in _YEARS or encode_cursor(*position) != cursor:
        raise invalid
    return position
