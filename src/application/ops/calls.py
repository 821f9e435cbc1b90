"""The log of outside calls: every HTTP exchange with an outside system, bodies redacted.

Adapters hand each exchange to a :class:`CallRecorder`; operators read the log through a
:class:`CallLogReader`; a retention job removes old entries through a :class:`CallLogPurger`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from application.sync.status import InvalidPageCursor

__all__ = [
    "CallFilter",
    "CallLogPurger",
    "CallLogReader",
    "CallPage",
    "CallRecorder",
    "InvalidPageCursor",
    "NoCallRecorder",
    "OutsideCall",
    "OutsideCallRecord",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class OutsideCall:
    """One HTTP exchange with an outside system, as it is logged.

    ``at`` is when the request was sent; ``path`` is relative to the system's API root and carries
    the (redacted) query string. ``status`` is None when no answer came, and ``error`` then says
    why (``TimeoutError``…). Bodies are already redacted and capped; never credentials or tokens.
    """

    at: datetime
    connection: str
    method: str
    path: str
    status: int | None
    duration_ms: float
    correlation_id: str | None
    request_body: str | None
    response_body: str | None
    error: str | None

    @property
    def failed(self) -> bool:
        """No answer, or an answer of 400 or more."""
        return self.status is None or self.status >= 400


@dataclass(frozen=True, slots=True, kw_only=True)
class OutsideCallRecord(OutsideCall):
    """A logged call with its id in the log."""

    id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CallFilter:
    """Which calls to list; every field given must match (None = any).

    ``status`` is exact; ``failed_only`` keeps calls without an answer or with a status of 400 or
    more (both may be given: they combine). ``method`` ignores case. ``since`` is inclusive,
    ``until`` exclusive.
    """

    connection: str | None = None
    correlation_id: str | None = None
    status: int | None = None
    failed_only: bool = False
    method: str | None = None
    path_prefix: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class CallPage:
    items: list[OutsideCallRecord]
    #: Opaque position of the next page; None on the last page.
    next_cursor: str | None


class CallRecorder(Protocol):
    def record(self, call: OutsideCall) -> None:
        """Keep ``call`` for the log. Synchronous and cheap: it buffers, never waits on I/O and
        never raises."""
        ...


class CallLogReader(Protocol):
    async def page(self, filter: CallFilter, *, limit: int, after: str | None) -> CallPage:
        """Calls newest first (by ``at``, then id), at most ``limit`` of them, after the position
        ``after`` of a previous page.

        :raises InvalidPageCursor: when ``after`` is not a cursor this returned.
        :raises ValueError: when ``limit`` < 1.
        """
        ...

    async def get(self, call_id: int) -> OutsideCallRecord | None:
        """One call; None for an unknown id."""
        ...


class CallLogPurger(Protocol):
    async def purge(self, older_than: datetime) -> int:
        """Delete the calls made before ``older_than``; returns how many."""
        ...


class NoCallRecorder:
    """Records nothing: for code that runs without a database."""

    def record(self, call: OutsideCall) -> None:
        pass
