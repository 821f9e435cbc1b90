"""Sync streams, their dependency order, cursors and run records."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta


class Stream(enum.StrEnum):
    """A kind of record pulled from the ERP. Declaration order is dependency order."""

    COLORS = "colors"
    SIZES = "sizes"
    CLASSIFICATIONS = "classifications"
    PRODUCTS = "products"
    BALANCES = "balances"
    PRICES = "prices"
    COSTS = "costs"
    PRODUCTION_ORDERS = "production_orders"
    #: Follow-up from the ERP: customers (persons) and sales orders.
    INDIVIDUALS = "individuals"
    LEGAL_ENTITIES = "legal_entities"
    ORDERS = "orders"

    @classmethod
    def parse(cls, name: str) -> Stream:
        try:
            return cls(name.replace("-", "_"))
        except ValueError:
            raise ValueError(
                f"unknown stream {name!r}; choose from {', '.join(s.value for s in cls)}"
            ) from None


#: Streams run in this order: each stage depends only on the stages before it.
STAGES: tuple[tuple[Stream, ...], ...] = (
    (Stream.COLORS, Stream.SIZES, Stream.CLASSIFICATIONS),
    (Stream.PRODUCTS,),
    (Stream.BALANCES, Stream.PRICES, Stream.COSTS, Stream.PRODUCTION_ORDERS),
    # Orders name their customers: persons first.
    (Stream.INDIVIDUALS, Stream.LEGAL_ENTITIES),
    (Stream.ORDERS,),
)


class RunMode(enum.StrEnum):
    FULL = "full"
    INCREMENTAL = "incremental"


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"  # another worker held the stream


@dataclass(frozen=True, slots=True)
class Cursor:
    """The last ``changed_at`` fully applied for a stream; None = never synced (full backfill)."""

    stream: Stream
    position: datetime | None

    def window_start(self, lookback: timedelta) -> datetime | None:
        """Where the next incremental read starts: inclusive, ``lookback`` before the position."""
        return None if self.position is None else self.position - lookback

    def advanced_to(self, seen: datetime | None) -> Cursor:
        """The cursor after a run that saw ``seen`` as its highest change; it never moves back."""
        if seen is None or (self.position is not None and seen <= self.position):
            return self
        return Cursor(self.stream, seen)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row the sync skipped, with why. ``key`` identifies it upstream when it could be read."""

    key: str | None
    reason: str


@dataclass(slots=True)
class RunCounts:
    pages: int = 0
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass(slots=True)
class SyncRun:
    """One run of one stream, as recorded for operators."""

    id: int | None
    stream: Stream
    mode: RunMode
    started_at: datetime
    finished_at: datetime | None = None
    status: RunStatus = RunStatus.RUNNING
    counts: RunCounts = field(default_factory=RunCounts)
    error: str | None = None
    rejections: list[Rejection] = field(default_factory=list)
    cursor_before: datetime | None = None
    cursor_after: datetime | None = None

    def succeed(self, at: datetime, cursor_after: datetime | None) -> None:
        self.status, self.finished_at, self.cursor_after = RunStatus.SUCCEEDED, at, cursor_after

    def fail(self, at: datetime, error: str) -> None:
        self.status, self.finished_at, self.error = RunStatus.FAILED, at, error

    def skip(self, at: datetime) -> None:
        self.status, self.finished_at = RunStatus.SKIPPED, at
