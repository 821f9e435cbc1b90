"""The operators' use cases over the outbox and the call log: what they refuse before reaching
a port, and what they pass on."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from application.ops.calls import CallFilter, CallPage, OutsideCallRecord
from application.ops.queue import (
    MAX_ID,
    MAX_PROCESS_IDS,
    Entity,
    ListCalls,
    ListCallsQuery,
    ListQueue,
    ListQueueQuery,
    MessageNotRetryable,
    ProcessQueue,
    ProcessQueueCommand,
    QueueFilter,
    QueueMessageDetail,
    QueuePage,
    QueueStats,
    RetryMessage,
    RetryMessageCommand,
    ShowCall,
    ShowCallQuery,
    ShowQueueMessage,
    ShowQueueMessageQuery,
    check_retryable,
)
from domain.errors import NotFound, ValidationError
from domain.outbox import MessageKind, MessageStatus

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


class FakeMonitor:
    """Records what reaches the port."""

    def __init__(self) -> None:
        self.pages: list[tuple[QueueFilter, int, str | None]] = []
        self.asked: list[int] = []

    async def page(self, filter: QueueFilter, *, limit: int, after: str | None) -> QueuePage:
        self.pages.append((filter, limit, after))
        return QueuePage([], None)

    async def get(self, message_id: int) -> QueueMessageDetail | None:
        self.asked.append(message_id)
        return None

    async def stats(self, now: datetime) -> QueueStats:
        raise NotImplementedError

    async def retry(self, message_id: int, now: datetime) -> QueueMessageDetail:
        self.asked.append(message_id)
        raise NotFound("outbox message", message_id)


class FakeJobs:
    def __init__(self) -> None:
        self.queued: list[list[int] | None] = []

    async def process_outbox(self, ids: list[int] | None) -> str:
        self.queued.append(ids)
        return f"job-{len(self.queued)}"

    async def outcome(self, job_id: str, *, within: timedelta) -> dict[str, int]:
        raise NotImplementedError


class FakeCalls:
    def __init__(self) -> None:
        self.pages: list[tuple[CallFilter, int, str | None]] = []
        self.asked: list[int] = []

    async def page(self, filter: CallFilter, *, limit: int, after: str | None) -> CallPage:
        self.pages.append((filter, limit, after))
        return CallPage([], None)

    async def get(self, call_id: int) -> OutsideCallRecord | None:
        self.asked.append(call_id)
        return None


# --- ListQueue -----------------------------------------------------------------------------------


async def test_a_listing_measures_ages_from_the_clock() -> None:
    monitor = FakeMonitor()
    aggregate = uuid.uuid4()
    query = ListQueueQuery(
        status=MessageStatus.DEAD,
        entity=Entity.ORDER,
        kind=MessageKind.ORDER_CREATE,
        older_than=timedelta(minutes=5),
        newer_than=timedelta(hours=1),
        aggregate_id=aggregate,
        limit=7,
        cursor="abc",
    )

    await ListQueue(monitor, FixedClock())(query)

    ((sent, limit, after),) = monitor.pages
    assert (limit, after) == (7, "abc")
    assert (sent.status, sent.entity, sent.kind, sent.aggregate_id) == (
        MessageStatus.DEAD,
        Entity.ORDER,
        MessageKind.ORDER_CREATE,
        aggregate,
    )
    assert sent.created_before == NOW - timedelta(minutes=5)
    assert sent.created_after == NOW - timedelta(hours=1)


async def test_a_listing_without_age_filters_has_no_time_bounds() -> None:
    monitor = FakeMonitor()
    await ListQueue(monitor, FixedClock())(ListQueueQuery())
    ((sent, limit, after),) = monitor.pages
    assert (sent.created_before, sent.created_after, limit, after) == (None, None, 20, None)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (ListQueueQuery(limit=0), "limit"),
        (ListQueueQuery(limit=101), "limit"),
        (ListQueueQuery(older_than=timedelta(seconds=-1)), "older_than"),
        (ListQueueQuery(newer_than=timedelta(0)), "newer_than"),
        (
            ListQueueQuery(older_than=timedelta(minutes=5), newer_than=timedelta(minutes=5)),
            "newer_than",
        ),
        (ListQueueQuery(entity=Entity.CUSTOMER, kind=MessageKind.ORDER_CANCEL), "kind"),
        (ListQueueQuery(entity=Entity.ORDER, kind=MessageKind.CUSTOMER_UPSERT), "kind"),
        (ListQueueQuery(cursor="abc\x00"), "cursor"),
    ],
)
async def test_a_bad_listing_filter_is_refused_naming_it(query: ListQueueQuery, field: str) -> None:
    monitor = FakeMonitor()
    with pytest.raises(ValidationError) as refused:
        await ListQueue(monitor, FixedClock())(query)
    assert refused.value.field == field
    assert monitor.pages == []


async def test_a_kind_that_fits_the_entity_is_accepted() -> None:
    monitor = FakeMonitor()
    query = ListQueueQuery(entity=Entity.CUSTOMER, kind=MessageKind.CUSTOMER_UPSERT)
    await ListQueue(monitor, FixedClock())(query)
    assert len(monitor.pages) == 1


# --- one message, retry, delivery passes ---------------------------------------------------------


@pytest.mark.parametrize("message_id", [0, -1, MAX_ID + 1])
async def test_ids_outside_bigints_are_unknown_without_asking(message_id: int) -> None:
    monitor = FakeMonitor()
    with pytest.raises(NotFound):
        await ShowQueueMessage(monitor)(ShowQueueMessageQuery(message_id))
    with pytest.raises(NotFound):
        await RetryMessage(monitor, FixedClock())(RetryMessageCommand(message_id))
    assert monitor.asked == []


async def test_an_unknown_message_is_not_found() -> None:
    monitor = FakeMonitor()
    with pytest.raises(NotFound):
        await ShowQueueMessage(monitor)(ShowQueueMessageQuery(5))
    assert monitor.asked == [5]


@pytest.mark.parametrize(
    ("status", "code", "requeue"),
    [
        (MessageStatus.FAILED, "CustomerMissing", True),
        (MessageStatus.DEAD, None, True),
        (MessageStatus.PENDING, None, False),
    ],
)
def test_failed_and_dead_messages_are_requeued_pending_ones_left(
    status: MessageStatus, code: str | None, requeue: bool
) -> None:
    assert check_retryable(status, code) is requeue


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (MessageStatus.DELIVERED, None),
        (MessageStatus.IN_FLIGHT, None),
        (MessageStatus.FAILED, "withdrawn"),
    ],
)
def test_delivered_in_flight_and_withdrawn_messages_are_not_retryable(
    status: MessageStatus, code: str | None
) -> None:
    with pytest.raises(MessageNotRetryable) as refused:
        check_retryable(status, code)
    assert refused.value.slug == "message-not-retryable"


async def test_a_delivery_pass_names_each_message_once_in_order() -> None:
    jobs = FakeJobs()
    process = ProcessQueue(jobs)
    assert await process(ProcessQueueCommand()) == "job-1"
    assert await process(ProcessQueueCommand(ids=[9, 3, 9])) == "job-2"
    assert jobs.queued == [None, [3, 9]]


@pytest.mark.parametrize("ids", [[], [0], [-4], [MAX_ID + 1], list(range(1, MAX_PROCESS_IDS + 2))])
async def test_bad_message_ids_queue_nothing(ids: list[int]) -> None:
    jobs = FakeJobs()
    with pytest.raises(ValidationError) as refused:
        await ProcessQueue(jobs)(ProcessQueueCommand(ids=ids))
    assert refused.value.field == "ids"
    assert jobs.queued == []


# --- the call log --------------------------------------------------------------------------------


async def test_call_filters_reach_the_log_as_given() -> None:
    calls = FakeCalls()
    wanted = CallFilter(
        connection="totvs_moda",
        correlation_id="outbox:7",
        status=503,
        failed_only=True,
        method="post",
        path_prefix="sales-order/",
        since=NOW - timedelta(hours=1),
        until=NOW,
    )
    await ListCalls(calls)(ListCallsQuery(filter=wanted, limit=50, cursor="c"))
    assert calls.pages == [(wanted, 50, "c")]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (ListCallsQuery(limit=0), "limit"),
        (ListCallsQuery(filter=CallFilter(status=99)), "status"),
        (ListCallsQuery(filter=CallFilter(status=600)), "status"),
        (ListCallsQuery(filter=CallFilter(since=NOW, until=NOW)), "until"),
        (ListCallsQuery(filter=CallFilter(since=NOW, until=NOW - timedelta(1))), "until"),
        (ListCallsQuery(filter=CallFilter(connection="totvs\x00")), "connection"),
        (ListCallsQuery(filter=CallFilter(correlation_id="outbox:\n7")), "correlation_id"),
        (ListCallsQuery(filter=CallFilter(method="GE\x7fT")), "method"),
        (ListCallsQuery(filter=CallFilter(path_prefix="sales\x85order")), "path_prefix"),
        (ListCallsQuery(cursor="\x1b"), "cursor"),
    ],
)
async def test_a_bad_call_filter_is_refused_naming_it(query: ListCallsQuery, field: str) -> None:
    calls = FakeCalls()
    with pytest.raises(ValidationError) as refused:
        await ListCalls(calls)(query)
    assert refused.value.field == field
    assert calls.pages == []


async def test_an_unknown_call_is_not_found() -> None:
    calls = FakeCalls()
    with pytest.raises(NotFound):
        await ShowCall(calls)(ShowCallQuery(8))
    with pytest.raises(NotFound):
        await ShowCall(calls)(ShowCallQuery(0))
    assert calls.asked == [8]
