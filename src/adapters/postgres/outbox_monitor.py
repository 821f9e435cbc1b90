"""The operators' view of the outbox in PostgreSQL: filtered pages, one message with its attempts,
statistics, and the retry of a failed or dead message.

Pages are keyset-paged newest first on ``(created_at, id)`` (the ``ix_outbox_created_at_id`` and
``ix_outbox_status_created_at_id`` indexes); their cursor is the one of the sync runs' pages.
Only the conditions given are put in the WHERE clause, so each filter combination gets a plan
that uses its index.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.outbox_commits import CHANNEL
from adapters.postgres.raw import RawConnection, raw_in_transaction
from adapters.postgres.sync_status import decode_cursor, encode_cursor
from application.ops.queue import (
    DeliveryAttempt,
    DeliveryPause,
    Entity,
    QueueFilter,
    QueueMessage,
    QueueMessageDetail,
    QueuePage,
    QueueStats,
    check_retryable,
)
from domain.errors import NotFound
from domain.outbox import AttemptOutcome, MessageKind, MessageStatus

_COLUMNS = """
    id, kind, aggregate_type, aggregate_id, parent_id, payload, status, attempts,
    next_attempt_at, lease_until, last_error, last_error_code, result, created_at, updated_at,
    delivered_at
"""

_MESSAGE = f"SELECT {_COLUMNS} FROM outbox WHERE id = $1"  # noqa: S608

_ATTEMPTS = """
    SELECT attempt, started_at, finished_at, outcome, error, error_code
      FROM outbox_attempts WHERE message_id = $1 ORDER BY attempt
"""

# One index lookup per figure, never a pass over the table (delivered messages pile up): the
# open ones through the partial due index, counts per status through (status, created_at, id),
# throughput through delivered_at. Only the delivered total grows with the table (index-only).
_COUNTS = """
    SELECT (SELECT count(*) FROM outbox
             WHERE status = 'pending' AND next_attempt_at <= $1) AS pending_due,
           (SELECT count(*) FROM outbox
             WHERE status = 'pending' AND next_attempt_at > $1) AS pending_scheduled,
           (SELECT count(*) FROM outbox WHERE status = 'in_flight') AS in_flight,
           (SELECT count(*) FROM outbox WHERE status = 'delivered') AS delivered,
           (SELECT count(*) FROM outbox WHERE status = 'failed') AS failed,
           (SELECT count(*) FROM outbox WHERE status = 'dead') AS dead,
           (SELECT min(created_at) FROM outbox
             WHERE status IN ('pending', 'in_flight')) AS oldest_open_at,
           (SELECT count(*) FROM outbox
             WHERE delivered_at > $1 - interval '1 minute' AND delivered_at <= $1)
               AS delivered_last_minute,
           (SELECT count(*) FROM outbox
             WHERE delivered_at > $1 - interval '1 hour' AND delivered_at <= $1)
               AS delivered_last_hour
"""

_PAUSES = """
    SELECT connection, paused_until, reason, failures FROM delivery_pauses
     WHERE paused_until > $1 ORDER BY connection
"""

_LOCK = "SELECT status, last_error_code FROM outbox WHERE id = $1 FOR UPDATE"

# A fresh retry budget: attempts from now on count from ``attempt_base``.
_REQUEUE = """
    UPDATE outbox SET status = 'pending', next_attempt_at = $2, lease_until = NULL, updated_at = $2,
                      attempt_base = attempts
     WHERE id = $1
"""

_NOTIFY = f"SELECT pg_notify('{CHANNEL}', '')"


class PostgresOutboxMonitor:
    """Implements :class:`application.ops.queue.OutboxMonitor`; each call is one short
    transaction on a pooled connection."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def page(self, filter: QueueFilter, *, limit: int, after: str | None) -> QueuePage:
        """:raises InvalidPageCursor: when ``after`` is not a cursor this returned.
        :raises ValueError: when ``limit`` < 1."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        conditions, args = _conditions(filter)
        if after is not None:
            created_at, message_id = decode_cursor(after)
            args += [created_at, message_id]
            conditions.append(f"(created_at, id) < (${len(args) - 1}, ${len(args)})")
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        args.append(limit + 1)
        # Only constant SQL is interpolated; every value is a bind parameter.
        query = (
            f"SELECT {_COLUMNS} FROM outbox {where} "  # noqa: S608
            f"ORDER BY created_at DESC, id DESC LIMIT ${len(args)}"
        )
        async with self._engine.connect() as connection:
            raw = await raw_in_transaction(connection)
            rows = await raw.fetch(query, *args)
        items = [_message(row) for row in rows[:limit]]
        if len(rows) <= limit:
            return QueuePage(items, None)
        last = items[-1]
        return QueuePage(items, encode_cursor(last.created_at, last.id))

    async def get(self, message_id: int) -> QueueMessageDetail | None:
        async with self._engine.connect() as connection:
            raw = await raw_in_transaction(connection)
            return await _detail(raw, message_id)

    async def stats(self, now: datetime) -> QueueStats:
        async with self._engine.connect() as connection:
            raw = await raw_in_transaction(connection)
            counts = await raw.fetchrow(_COUNTS, now)
            pauses = await raw.fetch(_PAUSES, now)
        assert counts is not None  # an aggregate always has a row
        return QueueStats(
            now=now,
            pending_due=counts["pending_due"],
            pending_scheduled=counts["pending_scheduled"],
            in_flight=counts["in_flight"],
            delivered=counts["delivered"],
            failed=counts["failed"],
            dead=counts["dead"],
            oldest_open_at=counts["oldest_open_at"],
            delivered_last_minute=counts["delivered_last_minute"],
            delivered_last_hour=counts["delivered_last_hour"],
            pauses=[
                DeliveryPause(
                    connection=p["connection"],
                    until=p["paused_until"],
                    reason=p["reason"],
                    failures=p["failures"],
                )
                for p in pauses
            ],
        )

    async def retry(self, message_id: int, now: datetime) -> QueueMessageDetail:
        """The status check and the update hold the message's row lock, so a worker cannot
        claim it in between; the notification reaches listening workers on commit."""
        async with self._engine.connect() as connection:
            raw = await raw_in_transaction(connection)
            row = await raw.fetchrow(_LOCK, message_id)
            if row is None:
                raise NotFound("outbox message", message_id)
            if check_retryable(MessageStatus(row["status"]), row["last_error_code"]):
                await raw.execute(_REQUEUE, message_id, now)
                await raw.fetchval(_NOTIFY)
            detail = await _detail(raw, message_id)
            await connection.commit()
        assert detail is not None  # locked above
        return detail


def _conditions(f: QueueFilter) -> tuple[list[str], list[Any]]:
    """The WHERE conditions of ``f``, numbered from $1, and their arguments."""
    wanted: list[tuple[str, Any]] = [
        ("status = ${}", f.status.value if f.status else None),
        ("aggregate_type = ${}", f.entity.value if f.entity else None),
        ("kind = ${}", f.kind.value if f.kind else None),
        ("created_at <= ${}", f.created_before),
        ("created_at > ${}", f.created_after),
        ("aggregate_id = ${}", f.aggregate_id),
    ]
    conditions: list[str] = []
    args: list[Any] = []
    for condition, value in wanted:
        if value is not None:
            args.append(value)
            conditions.append(condition.format(len(args)))
    return conditions, args


async def _detail(raw: RawConnection, message_id: int) -> QueueMessageDetail | None:
    row = await raw.fetchrow(_MESSAGE, message_id)
    if row is None:
        return None
    attempts = await raw.fetch(_ATTEMPTS, message_id)
    return QueueMessageDetail(**_fields(row), history=[_attempt(a) for a in attempts])


def _message(row: Mapping[str, Any]) -> QueueMessage:
    return QueueMessage(**_fields(row))


def _fields(row: Mapping[str, Any]) -> dict[str, Any]:
    status = MessageStatus(row["status"])
    result = _json(row["result"])
    return {
        "id": row["id"],
        "kind": MessageKind(row["kind"]),
        "entity": Entity(row["aggregate_type"]),
        "aggregate_id": row["aggregate_id"],
        "parent_id": row["parent_id"],
        "status": status,
        "attempts": row["attempts"],
        "next_attempt_at": row["next_attempt_at"] if status is MessageStatus.PENDING else None,
        "lease_until": row["lease_until"] if status is MessageStatus.IN_FLIGHT else None,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "delivered_at": row["delivered_at"],
        "last_error": row["last_error"],
        "last_error_code": row["last_error_code"],
        "payload": _json(row["payload"]) or {},
        "result": result,
    }


def _attempt(row: Mapping[str, Any]) -> DeliveryAttempt:
    outcome = row["outcome"]
    return DeliveryAttempt(
        attempt=row["attempt"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        outcome=AttemptOutcome(outcome) if outcome is not None else None,
        error=row["error"],
        error_code=row["error_code"],
    )


def _json(value: Any) -> Any:
    """asyncpg hands jsonb over as text unless a codec is set."""
    return json.loads(value) if isinstance(value, str) else value
