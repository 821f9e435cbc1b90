"""What operators see and do of the outbox: its messages, their attempts and statistics, a
retry of a failed or dead message, a delivery pass on demand; and the outside-call log.

Reads go through :class:`OutboxMonitor` (and :class:`CallLogReader`); a delivery pass is queued
for a worker through :class:`JobQueue`.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from application.clock import Clock
from application.ops.calls import CallFilter, CallLogReader, CallPage, OutsideCallRecord
from domain.errors import Conflict, NotFound, PonteError, ValidationError
from domain.outbox import AttemptOutcome, MessageKind, MessageStatus

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
#: Most messages one delivery pass may name.
MAX_PROCESS_IDS = 1000
#: Ids are PostgreSQL bigints.
MAX_ID = 2**63 - 1
#: ``last_error_code`` of a message taken back before it was sent (see ``Outbox.withdraw``).
WITHDRAWN = "withdrawn"


class Entity(enum.StrEnum):
    """The aggregate a message is about."""

    CUSTOMER = "customer"
    ORDER = "order"


class MessageNotRetryable(Conflict):
    """Only failed and dead messages are retried (a pending one needs nothing)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, slug="message-not-retryable")


class QueueUnavailable(PonteError):
    """The job queue could not take or report the job (its server is unreachable)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueFilter:
    """Which messages to list; every field given must match (None = any).

    Ages are measured from ``now``: ``older_than`` keeps messages created at or before
    ``now - older_than``, ``newer_than`` those created after ``now - newer_than``.
    """

    status: MessageStatus | None = None
    entity: Entity | None = None
    kind: MessageKind | None = None
    older_than: timedelta | None = None
    newer_than: timedelta | None = None
    aggregate_id: UUID | None = None
    now: datetime | None = None

    @property
    def created_before(self) -> datetime | None:
        """Inclusive upper bound of ``created_at``."""
        if self.older_than is None or self.now is None:
            return None
        return self.now - self.older_than

    @property
    def created_after(self) -> datetime | None:
        """Exclusive lower bound of ``created_at``."""
        if self.newer_than is None or self.now is None:
            return None
        return self.now - self.newer_than


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueMessage:
    id: int
    kind: MessageKind
    entity: Entity
    aggregate_id: UUID
    parent_id: UUID | None
    status: MessageStatus
    #: Attempts started so far (the current one included while in flight).
    attempts: int
    #: When a pending message is tried next; None in any other status.
    next_attempt_at: datetime | None
    #: When an in-flight message's lease ends; None in any other status.
    lease_until: datetime | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    last_error_code: str | None
    payload: dict[str, Any] = field(default_factory=dict)
    #: The ERP's answer that completed the message.
    result: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryAttempt:
    attempt: int
    started_at: datetime
    #: None while running, or when its worker died during it.
    finished_at: datetime | None
    outcome: AttemptOutcome | None
    error: str | None
    error_code: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueMessageDetail(QueueMessage):
    #: Every attempt, first to last.
    history: list[DeliveryAttempt] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: list[QueueMessage]
    #: Opaque position of the next page; None on the last page.
    next_cursor: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryPause:
    connection: str
    until: datetime
    reason: str
    #: Consecutive refusals of Ponte's credentials.
    failures: int


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueStats:
    #: When the figures were taken.
    now: datetime
    #: Pending and due now (or overdue), and pending with a later retry time.
    pending_due: int
    pending_scheduled: int
    in_flight: int
    delivered: int
    failed: int
    dead: int
    #: Creation time of the oldest pending or in-flight message; None when none is open.
    oldest_open_at: datetime | None
    delivered_last_minute: int
    delivered_last_hour: int
    #: Connections whose deliveries are paused now.
    pauses: list[DeliveryPause] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return self.pending_due + self.pending_scheduled

    @property
    def oldest_open_age(self) -> timedelta | None:
        return None if self.oldest_open_at is None else self.now - self.oldest_open_at

    @property
    def throughput_per_minute(self) -> float:
        """Deliveries per minute, averaged over the last hour."""
        return self.delivered_last_hour / 60


class OutboxMonitor(Protocol):
    async def page(self, filter: QueueFilter, *, limit: int, after: str | None) -> QueuePage:
        """Messages newest first (by ``created_at``, then id), at most ``limit`` of them, after
        the position ``after`` of a previous page.

        :raises InvalidPageCursor: when ``after`` is not a cursor this returned.
        """
        ...

    async def get(self, message_id: int) -> QueueMessageDetail | None:
        """One message with its attempts; None for an unknown id."""
        ...

    async def stats(self, now: datetime) -> QueueStats: ...

    async def retry(self, message_id: int, now: datetime) -> QueueMessageDetail:
        """Put a failed or dead message back in the queue, due at ``now``, and wake the
        workers. Its attempts and last error stay on record; a pending one is left as it is.

        :raises NotFound: unknown id.
        :raises MessageNotRetryable: delivered, in flight, or withdrawn before it was sent.
        """
        ...


class JobQueue(Protocol):
    async def process_outbox(self, ids: list[int] | None) -> str:
        """Queue a delivery pass for a worker (only ``ids`` when given); returns the job id.

        :raises QueueUnavailable:
        """
        ...

    async def outcome(self, job_id: str, *, within: timedelta) -> dict[str, int]:
        """The finished job's report, waiting up to ``within`` for it.

        :raises TimeoutError: the job did not finish in time.
        :raises LookupError: no such job (or its result has expired).
        :raises QueueUnavailable:
        """
        ...


def check_retryable(status: MessageStatus, last_error_code: str | None) -> bool:
    """Whether a retry must requeue the message (False: it is pending, nothing to do).

    :raises MessageNotRetryable: delivered or in flight; or withdrawn (its change was taken
        back before it left, e.g. an order cancelled before reaching the ERP).
    """
    if status is MessageStatus.PENDING:
        return False
    if status in (MessageStatus.DELIVERED, MessageStatus.IN_FLIGHT):
        raise MessageNotRetryable(f"a message {status.value.replace('_', ' ')} is not retried")
    if last_error_code == WITHDRAWN:
        raise MessageNotRetryable("a withdrawn message is not retried")
    return True


def _limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(f"a page has 1 to {MAX_PAGE_SIZE} items", field="limit")


def _plain_text(**texts: str | None) -> None:
    """:raises ValidationError: (the text's name) a text holds a control character (C0, DEL or
    C1; PostgreSQL cannot even take NUL)."""
    for name, text in texts.items():
        if text is not None and any(unicodedata.category(c) == "Cc" for c in text):
            raise ValidationError("holds control characters", field=name)


# --- the outbox ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ListQueueQuery:
    status: MessageStatus | None = None
    entity: Entity | None = None
    kind: MessageKind | None = None
    older_than: timedelta | None = None
    newer_than: timedelta | None = None
    aggregate_id: UUID | None = None
    limit: int = DEFAULT_PAGE_SIZE
    #: ``next_cursor`` of the previous page.
    cursor: str | None = None


class ListQueue:
    """Outbox messages newest first, filtered."""

    def __init__(self, monitor: OutboxMonitor, clock: Clock) -> None:
        self._monitor, self._clock = monitor, clock

    async def __call__(self, query: ListQueueQuery) -> QueuePage:
        """:raises ValidationError: (``limit``, ``older_than``, ``newer_than``, ``kind``,
        ``cursor``) a bad filter. :raises InvalidPageCursor: a cursor this API did not hand out."""
        _limit(query.limit)
        _plain_text(cursor=query.cursor)
        older, newer = query.older_than, query.newer_than
        if older is not None and older < timedelta(0):
            raise ValidationError("an age cannot be negative", field="older_than")
        if newer is not None and newer <= timedelta(0):
            raise ValidationError("must be positive", field="newer_than")
        if older is not None and newer is not None and older >= newer:
            raise ValidationError("must be more than the minimum age", field="newer_than")
        if query.entity and query.kind and query.kind.aggregate_type != query.entity.value:
            raise ValidationError(
                f"{query.kind.value} messages are about an {query.kind.aggregate_type}, "
                f"not a {query.entity.value}",
                field="kind",
            )
        queue_filter = QueueFilter(
            status=query.status,
            entity=query.entity,
            kind=query.kind,
            older_than=older,
            newer_than=newer,
            aggregate_id=query.aggregate_id,
            now=self._clock.now(),
        )
        return await self._monitor.page(queue_filter, limit=query.limit, after=query.cursor)


@dataclass(frozen=True, slots=True)
class ShowQueueMessageQuery:
    message_id: int


class ShowQueueMessage:
    def __init__(self, monitor: OutboxMonitor) -> None:
        self._monitor = monitor

    async def __call__(self, query: ShowQueueMessageQuery) -> QueueMessageDetail:
        """:raises NotFound: unknown id."""
        found = None
        if 1 <= query.message_id <= MAX_ID:
            found = await self._monitor.get(query.message_id)
        if found is None:
            raise NotFound("outbox message", query.message_id)
        return found


class QueueStatsQuery:
    """Counts per status, the oldest open message, recent throughput and paused connections."""

    def __init__(self, monitor: OutboxMonitor, clock: Clock) -> None:
        self._monitor, self._clock = monitor, clock

    async def __call__(self) -> QueueStats:
        return await self._monitor.stats(self._clock.now())


@dataclass(frozen=True, slots=True)
class RetryMessageCommand:
    message_id: int


class RetryMessage:
    """A failed or dead message goes back to pending, due now; its attempt count and history
    stay (so a retried create still looks the order up in the ERP first, and one more transient
    failure makes it dead again)."""

    def __init__(self, monitor: OutboxMonitor, clock: Clock) -> None:
        self._monitor, self._clock = monitor, clock

    async def __call__(self, command: RetryMessageCommand) -> QueueMessageDetail:
        """:raises NotFound: unknown id. :raises MessageNotRetryable:"""
        if not 1 <= command.message_id <= MAX_ID:
            raise NotFound("outbox message", command.message_id)
        return await self._monitor.retry(command.message_id, self._clock.now())


@dataclass(frozen=True, slots=True)
class ProcessQueueCommand:
    #: Only these messages (each once); None: every due message until none is due.
    ids: list[int] | None = None


class ProcessQueue:
    """Queue a delivery pass for a worker."""

    def __init__(self, jobs: JobQueue) -> None:
        self._jobs = jobs

    async def __call__(self, command: ProcessQueueCommand) -> str:
        """The job's id. :raises ValidationError: (``ids``) empty, too many or out of range.
        :raises QueueUnavailable:"""
        ids = command.ids
        if ids is not None:
            if not 1 <= len(ids) <= MAX_PROCESS_IDS:
                raise ValidationError(f"name 1 to {MAX_PROCESS_IDS} messages", field="ids")
            if not all(1 <= i <= MAX_ID for i in ids):
                raise ValidationError("message ids are positive bigints", field="ids")
            ids = sorted(set(ids))
        return await self._jobs.process_outbox(ids)


# --- the outside-call log ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ListCallsQuery:
    filter: CallFilter = field(default_factory=CallFilter)
    limit: int = DEFAULT_PAGE_SIZE
    cursor: str | None = None


class ListCalls:
    """Outside calls newest first, filtered; bodies as stored (redacted)."""

    def __init__(self, calls: CallLogReader) -> None:
        self._calls = calls

    async def __call__(self, query: ListCallsQuery) -> CallPage:
        """:raises ValidationError: (``limit``, ``status``, ``until``, or a text filter holding
        control characters) a bad filter. :raises InvalidPageCursor: a cursor this API did not
        hand out."""
        _limit(query.limit)
        f = query.filter
        _plain_text(
            connection=f.connection,
            correlation_id=f.correlation_id,
            method=f.method,
            path_prefix=f.path_prefix,
            cursor=query.cursor,
        )
        if f.status is not None and not 100 <= f.status <= 599:
            raise ValidationError("an HTTP status is 100 to 599", field="status")
        if f.since is not None and f.until is not None and f.until <= f.since:
            raise ValidationError("must be after since", field="until")
        return await self._calls.page(f, limit=query.limit, after=query.cursor)


@dataclass(frozen=True, slots=True)
class ShowCallQuery:
    call_id: int


class ShowCall:
    def __init__(self, calls: CallLogReader) -> None:
        self._calls = calls

    async def __call__(self, query: ShowCallQuery) -> OutsideCallRecord:
        """:raises NotFound: unknown id."""
        found = None
        if 1 <= query.call_id <= MAX_ID:
            found = await self._calls.get(query.call_id)
        if found is None:
            raise NotFound("outside call", query.call_id)
        return found
