"""Ports of the catalog sync. They name no ERP: TOTVS Moda and Protheus both implement them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from domain.errors import PonteError
from domain.sync import Cursor, Rejection, Stream, SyncRun


class SourceError(PonteError):
    """The ERP failed or refused a call.

    Carries the upstream status and code/message; never credentials or tokens.
    """

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class SourceUnavailable(SourceError):
    """Transient: the ERP could not be reached or kept failing after retries."""


class SourceRejected(SourceError):
    """Permanent: the ERP answered with a business or authentication error (4xx)."""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a stream: the records that decoded and validated, and the rows that did not.

    ``max_changed_at`` is the highest change timestamp among every row of the page, rejected rows
    included, so a bad row cannot hold the cursor back forever.
    """

    number: int
    records: Sequence[Any]
    rejections: Sequence[Rejection]
    max_changed_at: datetime | None
    #: Rows the whole read will return, when the ERP says (progress display only).
    total_items: int | None = None


class CatalogSource(Protocol):
    """Reads a stream from the ERP."""

    def read(self, stream: Stream, since: datetime | None) -> AsyncIterator[Page]:
        """Yield every page of ``stream`` changed at or after ``since`` (everything when None).

        Pages may arrive in any order. :raises SourceError: when the ERP fails past retries.
        """
        ...


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What a merge did. ``rejected``: staged records it refused (counted apart from the others);
    ``notices``: records applied with a part left out, and why (listed on the run, not counted)."""

    inserted: int
    updated: int
    unchanged: int
    rejected: Sequence[Rejection] = ()
    notices: Sequence[Rejection] = ()


class SyncSession(Protocol):
    """One stream's run inside one database transaction."""

    async def try_lock(self, stream: Stream) -> bool:
        """Take the stream's run lock until the transaction ends; False if another holds it."""
        ...

    async def cursor(self, stream: Stream) -> Cursor: ...

    async def stage(self, stream: Stream, records: Sequence[Any]) -> None:
        """Buffer records for :meth:`merge`; duplicates of one key keep the latest change."""
        ...

    async def merge(self, stream: Stream) -> MergeResult:
        """Apply staged records: insert new, update changed, leave unchanged rows untouched."""
        ...

    async def save_cursor(self, cursor: Cursor) -> None: ...

    async def commit(self) -> None: ...


class SyncTransactions(Protocol):
    def begin(self) -> AbstractAsyncContextManager[SyncSession]:
        """A new session; leaving it without :meth:`SyncSession.commit` rolls everything back."""
        ...


class SyncRunLog(Protocol):
    """Run records, written in their own transactions so failures are recorded too."""

    async def start(self, run: SyncRun) -> SyncRun:
        """Persist a new run and return it with its id."""
        ...

    async def finish(self, run: SyncRun) -> None: ...

    async def fail_interrupted(self, at: datetime) -> int:
        """Mark as failed the runs still ``running`` whose stream nobody is running now.

        A worker killed mid-run leaves its run record ``running``; call this at worker start.
        Returns how many runs it closed.
        """
        ...


class SyncProgress(Protocol):
    """Observes a run as pages arrive (the CLI draws a progress bar with it)."""

    def on_page(self, run: SyncRun, total_items: int | None) -> None: ...


class NoProgress:
    def on_page(self, run: SyncRun, total_items: int | None) -> None:
        return None
