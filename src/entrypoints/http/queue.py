"""Operators' view of the write-back: the outbox, its statistics, retries, delivery passes on
demand, and the log of calls to outside systems."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, get, post
from litestar.params import Body, FromPath, FromQuery, QueryParameter

from application.ops.calls import CallFilter, OutsideCallRecord
from application.ops.queue import (
    MAX_PAGE_SIZE,
    MAX_PROCESS_IDS,
    DeliveryAttempt,
    Entity,
    ListCalls,
    ListCallsQuery,
    ListQueue,
    ListQueueQuery,
    ProcessQueue,
    ProcessQueueCommand,
    QueueMessage,
    QueueMessageDetail,
    QueueStats,
    QueueStatsQuery,
    QueueUnavailable,
    RetryMessage,
    RetryMessageCommand,
    ShowCall,
    ShowCallQuery,
    ShowQueueMessage,
    ShowQueueMessageQuery,
)
from domain.errors import ValidationError
from domain.outbox import AttemptOutcome, MessageKind, MessageStatus
from entrypoints.http.auth import admin_only
from entrypoints.http.openapi_examples import (
    INVALID_REQUEST,
    admin_guard,
    bad_request,
    example,
    problem,
    success,
    unmatched_id,
)
from entrypoints.http.problems import FieldError, ProblemError
from entrypoints.http.sync import AWARE, filter_instant

#: A hundred years: far beyond any message's age, inside what datetimes can subtract.
MAX_AGE_SECONDS = 100 * 366 * 86_400


class AttemptOut(msgspec.Struct):
    attempt: int
    started_at: datetime
    finished_at: datetime | None
    outcome: AttemptOutcome | None
    error: str | None
    error_code: str | None


class MessageOut(msgspec.Struct):
    id: int
    kind: MessageKind
    entity: Entity
    aggregate_id: UUID
    parent_id: UUID | None
    status: MessageStatus
    attempts: int
    next_attempt_at: datetime | None
    lease_until: datetime | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    last_error_code: str | None
    payload: dict[str, Any]
    result: dict[str, Any] | None


class MessageDetailOut(MessageOut, kw_only=True):
    history: list[AttemptOut]


class MessagesOut(msgspec.Struct):
    items: list[MessageOut]
    next_cursor: str | None


class PauseOut(msgspec.Struct):
    connection: str
    until: datetime
    reason: str
    failures: int


class StatsOut(msgspec.Struct):
    as_of: datetime
    pending: int
    pending_due: int
    pending_scheduled: int
    in_flight: int
    delivered: int
    failed: int
    dead: int
    oldest_open_at: datetime | None
    oldest_open_age_seconds: float | None
    delivered_last_minute: int
    delivered_last_hour: int
    throughput_per_minute: float
    paused: list[PauseOut]


class ProcessIn(msgspec.Struct, forbid_unknown_fields=True):
    ids: (
        Annotated[
            list[Annotated[int, msgspec.Meta(ge=1)]],
            msgspec.Meta(min_length=1, max_length=MAX_PROCESS_IDS),
        ]
        | None
    ) = None


class JobOut(msgspec.Struct):
    job_id: str
    ids: list[int] | None


class CallOut(msgspec.Struct):
    id: int
    at: datetime
    connection: str
    method: str
    path: str
    status: int | None
    failed: bool
    duration_ms: float
    correlation_id: str | None
    request_body: str | None
    response_body: str | None
    error: str | None


class CallsOut(msgspec.Struct):
    items: list[CallOut]
    next_cursor: str | None


def _message_fields(m: QueueMessage) -> dict[str, Any]:
    return {
        "id": m.id,
        "kind": m.kind,
        "entity": m.entity,
        "aggregate_id": m.aggregate_id,
        "parent_id": m.parent_id,
        "status": m.status,
        "attempts": m.attempts,
        "next_attempt_at": m.next_attempt_at,
        "lease_until": m.lease_until,
        "created_at": m.created_at,
        "updated_at": m.updated_at,
        "delivered_at": m.delivered_at,
        "last_error": m.last_error,
        "last_error_code": m.last_error_code,
        "payload": dict(m.payload),
        "result": None if m.result is None else dict(m.result),
    }


def _attempt_out(a: DeliveryAttempt) -> AttemptOut:
    return AttemptOut(
        attempt=a.attempt,
        started_at=a.started_at,
        finished_at=a.finished_at,
        outcome=a.outcome,
        error=a.error,
        error_code=a.error_code,
    )


def _detail_out(m: QueueMessageDetail) -> MessageDetailOut:
    return MessageDetailOut(**_message_fields(m), history=[_attempt_out(a) for a in m.history])


def _stats_out(s: QueueStats) -> StatsOut:
    age = s.oldest_open_age
    return StatsOut(
        as_of=s.now,
        pending=s.pending,
        pending_due=s.pending_due,
        pending_scheduled=s.pending_scheduled,
        in_flight=s.in_flight,
        delivered=s.delivered,
        failed=s.failed,
        dead=s.dead,
        oldest_open_at=s.oldest_open_at,
        oldest_open_age_seconds=None if age is None else round(age.total_seconds(), 3),
        delivered_last_minute=s.delivered_last_minute,
        delivered_last_hour=s.delivered_last_hour,
        throughput_per_minute=round(s.throughput_per_minute, 3),
        paused=[
            PauseOut(connection=p.connection, until=p.until, reason=p.reason, failures=p.failures)
            for p in s.pauses
        ],
    )


def _call_out(c: OutsideCallRecord) -> CallOut:
    return CallOut(
        id=c.id,
        at=c.at,
        connection=c.connection,
        method=c.method,
        path=c.path,
        status=c.status,
        failed=c.failed,
        duration_ms=float(c.duration_ms),
        correlation_id=c.correlation_id,
        request_body=c.request_body,
        response_body=c.response_body,
        error=c.error,
    )


def _bad_filter(error: ValidationError, names: Mapping[str, str]) -> ProblemError:
    """A use case's refusal of a filter as a 400 naming the query parameter."""
    field = error.field or "query"
    return ProblemError(
        400,
        "validation",
        INVALID_REQUEST,
        errors=[FieldError(field=names.get(field, field), message=str(error))],
    )


def _seconds(value: int | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=value)


# --- OpenAPI examples -----------------------------------------------------------------------------

_ORDER_ID = "5f0c6c1e-2b1a-4c55-9a57-0d4f5a0f1d2e"
_CUSTOMER_ID = "0b6a1f4e-8d3c-4a8e-9e5b-1c2d3e4f5a6b"
_DEAD: dict[str, Any] = {
    "id": 4213,
    "kind": "order.create",
    "entity": "order",
    "aggregate_id": _ORDER_ID,
    "parent_id": _CUSTOMER_ID,
    "status": "dead",
    "attempts": 12,
    "next_attempt_at": None,
    "lease_until": None,
    "created_at": "2026-11-23T11:02:10.120000Z",
    "updated_at": "2026-11-23T11:58:41.900000Z",
    "delivered_at": None,
    "last_error": "TOTVS Moda answered 503 Service Unavailable",
    "last_error_code": "http-503",
    "payload": {},
    "result": None,
}
_PENDING: dict[str, Any] = {
    **_DEAD,
    "id": 4220,
    "kind": "customer.upsert",
    "entity": "customer",
    "aggregate_id": _CUSTOMER_ID,
    "parent_id": None,
    "status": "pending",
    "attempts": 2,
    "next_attempt_at": "2026-11-23T12:00:04Z",
    "created_at": "2026-11-23T11:59:58.300000Z",
    "updated_at": "2026-11-23T12:00:00.100000Z",
}
_DELIVERED: dict[str, Any] = {
    **_DEAD,
    "id": 4199,
    "kind": "order.status",
    "status": "delivered",
    "attempts": 1,
    "created_at": "2026-11-23T10:40:00Z",
    "updated_at": "2026-11-23T10:40:01.250000Z",
    "delivered_at": "2026-11-23T10:40:01.250000Z",
    "last_error": None,
    "last_error_code": None,
    "payload": {"status": "confirmed"},
    "result": {"branchCode": 1, "orderCode": 88123, "status": "confirmed"},
}
_HISTORY = [
    {
        "attempt": 1,
        "started_at": "2026-11-23T11:02:10.300000Z",
        "finished_at": "2026-11-23T11:02:40.310000Z",
        "outcome": "retry",
        "error": "TimeoutError",
        "error_code": None,
    },
    {
        "attempt": 12,
        "started_at": "2026-11-23T11:58:11.800000Z",
        "finished_at": "2026-11-23T11:58:41.900000Z",
        "outcome": "dead",
        "error": "TOTVS Moda answered 503 Service Unavailable",
        "error_code": "http-503",
    },
]
_RETRIED = {
    **_DEAD,
    "status": "pending",
    "next_attempt_at": "2026-11-23T12:05:00Z",
    "updated_at": "2026-11-23T12:05:00Z",
    "history": _HISTORY,
}
_STATS: dict[str, Any] = {
    "as_of": "2026-11-23T12:00:00Z",
    "pending": 14,
    "pending_due": 3,
    "pending_scheduled": 11,
    "in_flight": 2,
    "delivered": 15230,
    "failed": 4,
    "dead": 1,
    "oldest_open_at": "2026-11-23T11:59:15Z",
    "oldest_open_age_seconds": 45.0,
    "delivered_last_minute": 9,
    "delivered_last_hour": 412,
    "throughput_per_minute": 6.867,
    "paused": [],
}
_CALL: dict[str, Any] = {
    "id": 99120,
    "at": "2026-11-23T11:58:11.810000Z",
    "connection": "totvs_moda",
    "method": "POST",
    "path": "sales-order/v2/b2c-orders",
    "status": 503,
    "failed": True,
    "duration_ms": 30012.5,
    "correlation_id": "outbox:4213",
    "request_body": '{"orderId":"5f0c6c1e-2b1a-4c55-9a57-0d4f5a0f1d2e","customerCpfCnpj":"***"}',
    "response_body": '{"message":"Service Unavailable"}',
    "error": None,
}
_OK_CALL: dict[str, Any] = {
    **_CALL,
    "id": 99121,
    "at": "2026-11-23T11:59:02.004000Z",
    "method": "GET",
    "path": "sales-order/v2/orders?orderId=5f0c6c1e-2b1a-4c55-9a57-0d4f5a0f1d2e",
    "status": 200,
    "failed": False,
    "duration_ms": 182.25,
    "request_body": None,
    "response_body": '{"items":[]}',
}
_CURSOR = "MjAyNi0xMS0yM1QxMTowMjoxMC4xMjAwMDArMDA6MDB8NDIxMw=="
_QUEUE = "/sync/queue"
_MESSAGE = "/sync/queue/4213"
_RETRY = "/sync/queue/4213/retry"
_LOGS = "/sync/logs"
_CALL_PATH = "/sync/logs/99120"


class QueueController(Controller):
    path = "/sync"
    tags = ["queue"]
    guards = [admin_only]

    @get(
        "/queue",
        summary="Outbox messages",
        description=(
            "Admins only. Messages to the ERP newest first (creation time, then id), filtered "
            "by `status` (`pending`, `in_flight`, `delivered`, `failed`, `dead`), `entity` "
            "(`customer`, `order`), `kind` (`customer.upsert`, `order.create`, `order.cancel`, "
            "`order.status`; it must fit `entity` when both are given), `aggregate_id` (the "
            "customer's or order's id) and age: `min_age_seconds` keeps messages at least that "
            "old, `max_age_seconds` those younger than that (it must exceed the minimum). "
            "`next_attempt_at` is set on pending messages only (when they are tried next), "
            "`lease_until` on in-flight ones (when their worker's lease ends). Keyset "
            f"pagination: `limit` 1 to {MAX_PAGE_SIZE} (default 20); pass `next_cursor` back "
            "as `cursor` with the same filters. Bad filters are 400 naming the parameter."
        ),
        responses={
            200: success(
                MessagesOut,
                "A page of messages",
                example(
                    "A page with more to come",
                    {"items": [_PENDING, _DEAD], "next_cursor": _CURSOR},
                ),
                example("The last page", {"items": [_DELIVERED], "next_cursor": None}),
            ),
            400: bad_request(
                _QUEUE,
                ("Unknown status", [("status", "Invalid enum value 'lost'")]),
                (
                    "Kind of another entity",
                    [("kind", "order.create messages are about an order, not a customer")],
                ),
                ("Empty age range", [("max_age_seconds", "must be more than the minimum age")]),
                ("Foreign cursor", [("cursor", "not a cursor this API returned")]),
            ),
            **admin_guard(_QUEUE),
        },
    )
    @inject
    async def messages(
        self,
        list_queue: FromDishka[ListQueue],
        status: FromQuery[MessageStatus | None] = None,
        entity: FromQuery[Entity | None] = None,
        kind: FromQuery[MessageKind | None] = None,
        min_age_seconds: Annotated[int | None, QueryParameter(ge=0, le=MAX_AGE_SECONDS)] = None,
        max_age_seconds: Annotated[int | None, QueryParameter(ge=1, le=MAX_AGE_SECONDS)] = None,
        aggregate_id: FromQuery[UUID | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = 20,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> MessagesOut:
        query = ListQueueQuery(
            status=status,
            entity=entity,
            kind=kind,
            older_than=_seconds(min_age_seconds),
            newer_than=_seconds(max_age_seconds),
            aggregate_id=aggregate_id,
            limit=limit,
            cursor=cursor,
        )
        try:
            page = await list_queue(query)
        except ValidationError as error:
            names = {"older_than": "min_age_seconds", "newer_than": "max_age_seconds"}
            raise _bad_filter(error, names) from None
        return MessagesOut(
            items=[MessageOut(**_message_fields(m)) for m in page.items],
            next_cursor=page.next_cursor,
        )

    @get(
        "/queue/{message_id:int}",
        summary="One outbox message",
        description=(
            "Admins only. A message with every delivery attempt, first to last: when it "
            "started and finished, how it ended (`delivered`, `retry`, `failed`, `dead`, "
            "`paused` — the ERP refused Ponte's credentials; null while running or when its "
            "worker died) and the error it met. 404 for an unknown id."
        ),
        responses={
            200: success(
                MessageDetailOut,
                "The message",
                example("A dead message", {**_DEAD, "history": _HISTORY}),
            ),
            400: unmatched_id(_MESSAGE, "message_id", "Expected `int`"),
            **admin_guard(_MESSAGE),
            404: problem(404, "not-found", "outbox message 4213 not found", instance=_MESSAGE),
        },
    )
    @inject
    async def message(
        self, message_id: FromPath[int], show: FromDishka[ShowQueueMessage]
    ) -> MessageDetailOut:
        return _detail_out(await show(ShowQueueMessageQuery(message_id)))

    @get(
        "/stats",
        summary="Outbox statistics",
        description=(
            "Admins only. Messages per status (pending split into `pending_due`, due now or "
            "overdue, and `pending_scheduled`, waiting for a later retry), the oldest open "
            "(pending or in-flight) message's creation time and age (null when none is open), "
            "deliveries in the last minute and hour, throughput per minute (averaged over the "
            "hour), and the ERP connections whose deliveries are paused now (after the ERP "
            "refused Ponte's credentials), with until when and why."
        ),
        responses={
            200: success(
                StatsOut,
                "The figures",
                example("A busy queue", _STATS),
                example(
                    "Deliveries paused",
                    {
                        **_STATS,
                        "paused": [
                            {
                                "connection": "totvs_moda",
                                "until": "2026-11-23T12:01:00Z",
                                "reason": "TOTVS Moda refused Ponte's credentials",
                                "failures": 2,
                            }
                        ],
                    },
                ),
            ),
            **admin_guard("/sync/stats"),
        },
    )
    @inject
    async def stats(self, stats: FromDishka[QueueStatsQuery]) -> StatsOut:
        return _stats_out(await stats())

    @post(
        "/queue/{message_id:int}/retry",
        status_code=200,
        summary="Retry a message",
        description=(
            "Admins only. A `failed` or `dead` message goes back to `pending`, due now, and "
            "the workers are woken. Its attempts and errors stay in its history, and its "
            "attempt count is kept: a retried create still asks the ERP first whether an "
            "earlier attempt got through, and one more transient failure makes it `dead` "
            "again. A `pending` message is left as it is (answered as is). 409 "
            "`message-not-retryable` for a `delivered` or `in_flight` message, or one withdrawn "
            "before it was sent (`last_error_code` `withdrawn`); 404 for an unknown id."
        ),
        responses={
            200: success(
                MessageDetailOut, "The message, back in the queue", example("Retried", _RETRIED)
            ),
            400: unmatched_id(_RETRY, "message_id", "Expected `int`"),
            **admin_guard(_RETRY),
            404: problem(404, "not-found", "outbox message 4213 not found", instance=_RETRY),
            409: problem(
                409,
                "message-not-retryable",
                "a message delivered is not retried",
                instance=_RETRY,
                description="Delivered, in flight, or withdrawn",
            ),
        },
    )
    @inject
    async def retry(
        self, message_id: FromPath[int], retry: FromDishka[RetryMessage]
    ) -> MessageDetailOut:
        return _detail_out(await retry(RetryMessageCommand(message_id)))

    @post(
        "/process",
        status_code=202,
        summary="Deliver now",
        description=(
            "Admins only. Queue a delivery pass for a worker and answer at once with its job "
            "id. Without a body (or with `ids` null) the pass delivers every due message until "
            f"none is due; with `ids` (1 to {MAX_PROCESS_IDS} message ids) it tries those "
            "messages once each, if they are due. Workers also deliver on their own, right "
            "after each change commits. 503 `queue-unavailable` when the job queue (Redis) "
            "cannot be reached."
        ),
        responses={
            202: success(
                JobOut,
                "The pass is queued",
                example(
                    "Every due message", {"job_id": "8f14e45fceea167a5a36dedd4bea2543", "ids": None}
                ),
                example(
                    "Two messages",
                    {"job_id": "c9f0f895fb98ab9159f51fd0297e236d", "ids": [4213, 4220]},
                ),
            ),
            400: bad_request(
                "/sync/process",
                ("Empty list", [("ids", "Expected `array` of length >= 1")]),
                ("Not an id", [("ids[0]", "Expected `int` >= 1")]),
            ),
            **admin_guard("/sync/process"),
            503: problem(
                503,
                "queue-unavailable",
                "the job queue is unreachable",
                instance="/sync/process",
                description="Redis cannot be reached",
            ),
        },
    )
    @inject
    async def process(
        self,
        process: FromDishka[ProcessQueue],
        data: Annotated[
            ProcessIn | None,
            Body(
                description="Optional: the messages to try (every due message when left out)",
                examples=[
                    example("Every due message", {}),
                    example("Two messages", {"ids": [4213, 4220]}),
                ],
            ),
        ] = None,
    ) -> JobOut:
        ids = data.ids if data is not None else None
        try:
            job_id = await process(ProcessQueueCommand(ids=ids))
        except ValidationError as error:
            raise _bad_filter(error, {}) from None
        except QueueUnavailable as error:
            raise ProblemError(503, "queue-unavailable", str(error)) from None
        return JobOut(job_id=job_id, ids=None if ids is None else sorted(set(ids)))

    @get(
        "/logs",
        summary="Outside calls",
        description=(
            "Admins only. Every HTTP call Ponte made to an outside system (the ERP), newest "
            "first, with its status, duration and bodies as stored: redacted (no credentials, "
            "tokens or personal documents) and capped. Filters: `connection` (e.g. "
            "`totvs_moda`), `correlation_id` (what the call was for: `outbox:<message id>`, "
            "`sync:<run id>`), `status` (exact), `failed` (no answer, or 400 and above), "
            "`method` (any case), `path` (a prefix of the path, relative to the system's API "
            "root), `since` (inclusive) and `until` (exclusive), both with a UTC offset; text "
            "filters holding control characters are 400. Keyset "
            f"pagination: `limit` 1 to {MAX_PAGE_SIZE} (default 20) and `cursor`. Calls are kept "
            "for `CALL_LOG_RETENTION_DAYS` (14 by default)."
        ),
        responses={
            200: success(
                CallsOut,
                "A page of calls",
                example(
                    "A failed and a good call", {"items": [_OK_CALL, _CALL], "next_cursor": None}
                ),
            ),
            400: bad_request(
                _LOGS,
                ("Status out of range", [("status", "Expected `int` <= 599")]),
                (
                    "Instant without an offset",
                    [("since", "needs a UTC offset, e.g. 2026-11-23T12:00:00Z")],
                ),
                ("Empty range", [("until", "must be after since")]),
                ("Control character", [("path", "holds control characters")]),
                ("Foreign cursor", [("cursor", "not a cursor this API returned")]),
            ),
            **admin_guard(_LOGS),
        },
    )
    @inject
    async def calls(
        self,
        list_calls: FromDishka[ListCalls],
        connection: Annotated[str | None, QueryParameter(max_length=100)] = None,
        correlation_id: Annotated[str | None, QueryParameter(max_length=200)] = None,
        status: Annotated[int | None, QueryParameter(ge=100, le=599)] = None,
        failed: FromQuery[bool] = False,
        method: Annotated[str | None, QueryParameter(max_length=16)] = None,
        path: Annotated[str | None, QueryParameter(max_length=500)] = None,
        since: Annotated[datetime | None, QueryParameter(description=AWARE)] = None,
        until: Annotated[datetime | None, QueryParameter(description=AWARE)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = 20,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> CallsOut:
        call_filter = CallFilter(
            connection=connection or None,
            correlation_id=correlation_id or None,
            status=status,
            failed_only=failed,
            method=method or None,
            path_prefix=path or None,
            since=filter_instant("since", since),
            until=filter_instant("until", until),
        )
        try:
            page = await list_calls(ListCallsQuery(filter=call_filter, limit=limit, cursor=cursor))
        except ValidationError as error:
            raise _bad_filter(error, {"path_prefix": "path"}) from None
        return CallsOut(items=[_call_out(c) for c in page.items], next_cursor=page.next_cursor)

    @get(
        "/logs/{call_id:int}",
        summary="One outside call",
        description=(
            "Admins only. One logged call with its redacted bodies and, when no answer came, "
            "why (`error`, e.g. `TimeoutError`). 404 for an unknown id."
        ),
        responses={
            200: success(CallOut, "The call", example("A failed call", _CALL)),
            400: unmatched_id(_CALL_PATH, "call_id", "Expected `int`"),
            **admin_guard(_CALL_PATH),
            404: problem(404, "not-found", "outside call 99120 not found", instance=_CALL_PATH),
        },
    )
    @inject
    async def call(self, call_id: FromPath[int], show: FromDishka[ShowCall]) -> CallOut:
        return _call_out(await show(ShowCallQuery(call_id)))
