"""The append-only log of every write the sandbox accepted, for tests that count what a client did.

Entries keep the request body exactly as sent. ``seq`` numbers start at 1 and keep growing when the
log is cleared, so an ``after`` cursor held across a reset never skips new entries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from sandbox.totvs_moda.times import SAO_PAULO


class WriteEntry(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    seq: int
    #: ISO 8601 with the America/Sao_Paulo offset, millisecond precision.
    at: str
    #: ``b2c-orders``, ``individual-customers``, ``legal-customers``, ``orders/cancel`` or
    #: ``orders/change-status``.
    route: str
    orderId: str | None = None
    branchCode: int | None = None
    orderCode: int | None = None
    document: str | None = None
    customerCode: int | None = None
    body: Any = None


class WriteLog:
    def __init__(self) -> None:
        self._entries: list[WriteEntry] = []
        self._first = 1  # seq of _entries[0]
        self.last_seq = 0

    def append(
        self,
        route: str,
        body: Any,
        at: float,
        *,
        order_id: str | None = None,
        branch_code: int | None = None,
        order_code: int | None = None,
        document: str | None = None,
        customer_code: int | None = None,
    ) -> WriteEntry:
        self.last_seq += 1
        entry = WriteEntry(
            seq=self.last_seq,
            at=datetime.fromtimestamp(at, SAO_PAULO).isoformat(timespec="milliseconds"),
            route=route,
            orderId=order_id,
            branchCode=branch_code,
            orderCode=order_code,
            document=document,
            customerCode=customer_code,
            body=body,
        )
        self._entries.append(entry)
        return entry

    def after(self, seq: int, limit: int) -> list[WriteEntry]:
        """Up to ``limit`` entries with a ``seq`` above ``seq``, oldest first."""
        start = max(0, seq + 1 - self._first)
        return self._entries[start : start + limit]

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._first = self.last_seq + 1
