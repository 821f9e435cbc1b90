"""Queries operators use to watch the sync: streams with their cursor and last run, and runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.errors import PonteError
from domain.sync import RunMode, RunStatus, Stream, SyncRun


class InvalidPageCursor(PonteError):
    """A page cursor this API did not hand out (or one from another filter)."""


@dataclass(frozen=True, slots=True)
class StreamStatus:
    stream: Stream
    cursor: datetime | None
    last_run: SyncRun | None
    last_success_at: datetime | None
    #: ``ok`` (last run succeeded), ``failing`` (last run failed), ``running``, or ``never``.
    health: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFilter:
    stream: Stream | None = None
    status: RunStatus | None = None
    mode: RunMode | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class RunPage:
    items: list[SyncRun]
    #: Opaque position of the next page; None on the last page.
    next_cursor: str | None


class SyncStatusReader(Protocol):
    async def streams(self) -> list[StreamStatus]: ...

    async def runs(self, filter: RunFilter, *, limit: int, after: str | None) -> RunPage:
        """Runs newest first. :raises InvalidPageCursor: when ``after`` is not one it returned."""
        ...

    async def run(self, run_id: int) -> SyncRun | None:
        """One run with its recorded rejections."""
        ...
