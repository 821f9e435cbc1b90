"""The outbox in PostgreSQL: messages written in the request's transaction, and the worker's
leases, settlements and pauses, each in a short transaction of its own.

Messages are announced to listening workers right after their transaction commits (see
:mod:`adapters.postgres.outbox_commits`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.postgres.customers import customer_from_row
from adapters.postgres.orders import PostgresOrderRepository
from adapters.postgres.outbox_commits import OutboxCommits
from adapters.postgres.raw import RawConnection, raw_in_transaction, raw_transaction
from adapters.postgres.tables import customers
from application.clock import Clock
from application.orders.model import Order
from application.outbox.erp import ErpOrderKey
from application.outbox.ports import OutboxMessage, Settlement
from domain.customers import Customer
from domain.outbox import AttemptOutcome, MessageKind, MessageStatus

_ADD = """
    INSERT INTO outbox (kind, aggregate_type, aggregate_id, parent_id, payload, next_attempt_at,
                        created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $6, $6)
"""

# Never attempted, so never possibly seen by the ERP; locked (waiting for a claim in progress).
_UNSENT = """
    SELECT id FROM outbox
     WHERE aggregate_id = $1 AND kind = $2 AND status = 'pending' AND attempts = 0
     ORDER BY id DESC LIMIT 1
       FOR UPDATE
"""

_WITHDRAW = """
    UPDATE outbox SET status = 'failed', last_error = $2, last_error_code = 'withdrawn',
                      updated_at = $3
     WHERE id = $1
"""

# In flight, ``next_attempt_at`` is the lease's end: one index finds both pending messages that
# are due and in-flight ones whose worker died. A message waits while an older one of its own
# aggregate or of its parent is open; all wait while the connection is paused. (Two equality
# anti-joins, not one ``IN``: that one was planned as a nested loop over every open message —
# 400 ms a claim with 2,000 queued — while these stay index lookups per candidate.)
_CLAIM = """
    WITH due AS (
        SELECT o.id
          FROM outbox o
         WHERE o.status IN ('pending', 'in_flight')
           AND o.next_attempt_at <= $1
           AND ($4::bigint[] IS NULL OR o.id = ANY($4::bigint[]))
           AND NOT EXISTS (
                SELECT FROM outbox p
                 WHERE p.aggregate_id = o.aggregate_id AND p.id < o.id
                   AND p.status IN ('pending', 'in_flight'))
           AND NOT EXISTS (
                SELECT FROM outbox p
                 WHERE p.aggregate_id = o.parent_id AND p.id < o.id
                   AND p.status IN ('pending', 'in_flight'))
           AND NOT EXISTS (
                SELECT FROM delivery_pauses d WHERE d.connection = $5 AND d.paused_until > $1)
         ORDER BY o.next_attempt_at, o.id
         LIMIT $3
           FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE outbox o
           SET status = 'in_flight', attempts = o.attempts + 1, lease_until = $2,
               next_attempt_at = $2, updated_at = $1
          FROM due
         WHERE o.id = due.id
     RETURNING o.*
    ), started AS (
        INSERT INTO outbox_attempts (message_id, attempt, started_at)
        SELECT id, attempts, $1 FROM claimed
        ON CONFLICT (message_id, attempt) DO UPDATE  -- the attempt a pause gave back
           SET started_at = excluded.started_at, finished_at = NULL, outcome = NULL,
               error = NULL, error_code = NULL
    )
    SELECT * FROM claimed ORDER BY id
"""

_RENEW = """
    UPDATE outbox o SET lease_until = $3, next_attempt_at = $3
      FROM unnest($1::bigint[], $2::integer[]) AS held (id, attempts)
     WHERE o.id = held.id AND o.attempts = held.attempts AND o.status = 'in_flight'
 RETURNING o.id
"""

_SETTLE = """
    UPDATE outbox
       SET status = $3::text, attempts = attempts - $4::integer,
           next_attempt_at = coalesce($5::timestamptz, next_attempt_at),
           lease_until = NULL, last_error = $6::text, last_error_code = $7::text,
           result = coalesce($8::text::jsonb, result), updated_at = $9::timestamptz,
           delivered_at = CASE WHEN $3::text = 'delivered' THEN $9::timestamptz END
     WHERE id = $1 AND attempts = $2 AND status = 'in_flight'
"""

_END_ATTEMPT = """
    UPDATE outbox_attempts SET finished_at = $3, outcome = $4, error = $5, error_code = $6
     WHERE message_id = $1 AND attempt = $2
"""

# A deleted customer keeps its ERP code but frees it for a new customer with the same document
# (its own statement: a data-modifying CTE would run after the main UPDATE's unique check).
_FREE_CUSTOMER_CODE = """
    UPDATE customers SET erp_code = NULL
     WHERE erp_code = $2 AND id <> $1 AND deleted_at IS NOT NULL
"""

_LINK_CUSTOMER = "UPDATE customers SET erp_code = $2 WHERE id = $1 AND erp_code IS DISTINCT FROM $2"

_LINK_ORDER = """
    UPDATE orders SET erp_branch_code = $2, erp_order_code = $3
     WHERE id = $1 AND erp_order_code IS DISTINCT FROM $3
"""

# The ERP did it, but its answer names a key another record holds: nothing is linked, and an
# operator has to look (the message fails, it is not retried).
_LINK_FAILED = """
    UPDATE outbox SET status = 'failed', delivered_at = NULL, last_error = $2,
                      last_error_code = $3
     WHERE id = $1
"""

_PAUSED_UNTIL = (
    "SELECT paused_until FROM delivery_pauses WHERE connection = $1 AND paused_until > $2"
)

# Refusals met while a pause is already in force (the rest of a batch) do not lengthen it.
_PAUSE_FAILURES = """
    INSERT INTO delivery_pauses (connection, paused_until, reason, failures, updated_at)
    VALUES ($1, $2, $3, 1, $2)
    ON CONFLICT (connection) DO UPDATE
       SET failures = delivery_pauses.failures + 1, reason = excluded.reason
     WHERE delivery_pauses.paused_until <= excluded.updated_at
    RETURNING failures
"""

_PAUSE_UNTIL = (
    "UPDATE delivery_pauses SET paused_until = $2, updated_at = $3 WHERE connection = $1"
    " RETURNING paused_until"
)

_STATUS_OF = {
    AttemptOutcome.DELIVERED: MessageStatus.DELIVERED,
    AttemptOutcome.RETRY: MessageStatus.PENDING,
    AttemptOutcome.PAUSED: MessageStatus.PENDING,
    AttemptOutcome.FAILED: MessageStatus.FAILED,
    AttemptOutcome.DEAD: MessageStatus.DEAD,
}


class PostgresOutbox:
    """Implements :class:`application.outbox.ports.Outbox` on the request's connection; notes
    in ``commits`` that the transaction queued messages."""

    def __init__(
        self, connection: AsyncConnection, clock: Clock, commits: OutboxCommits | None = None
    ) -> None:
        self._connection, self._clock = connection, clock
        self._commits = commits

    async def add(
        self,
        kind: MessageKind,
        aggregate_id: UUID,
        *,
        parent_id: UUID | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        raw = await raw_transaction(self._connection)
        body = json.dumps(dict(payload or {}))
        await raw.execute(
            _ADD, kind.value, kind.aggregate_type, aggregate_id, parent_id, body, self._clock.now()
        )
        if self._commits is not None:
            self._commits.queued = True

    async def hold_unsent(self, kind: MessageKind, aggregate_id: UUID) -> bool:
        raw = await raw_transaction(self._connection)
        return await raw.fetchval(_UNSENT, aggregate_id, kind.value) is not None

    async def withdraw(self, kind: MessageKind, aggregate_id: UUID, reason: str) -> bool:
        raw = await raw_transaction(self._connection)
        message_id = await raw.fetchval(_UNSENT, aggregate_id, kind.value)
        if message_id is None:
            return False
        await raw.execute(_WITHDRAW, message_id, reason, self._clock.now())
        return True


class PostgresOutboxDelivery:
    """Implements :class:`application.outbox.ports.OutboxDelivery`: each call is one short
    transaction on a pooled connection; no connection is held while the ERP answers."""

    def __init__(self, engine: AsyncEngine, *, connection_name: str) -> None:
        self._engine = engine
        self._connection_name = connection_name

    async def claim(
        self,
        *,
        now: datetime,
        lease: timedelta,
        limit: int,
        ids: Sequence[int] | None = None,
    ) -> list[OutboxMessage]:
        async with self._engine.connect() as connection:
            raw = await raw_in_transaction(connection)
            rows = await raw.fetch(
                _CLAIM,
                now,
                now + lease,
                limit,
                None if ids is None else list(ids),
                self._connection_name,
            )
            await connection.commit()
        return [_message(row) for row in rows]

    async def renew(
        self, messages: Sequence[OutboxMessage], *, now: datetime, lease: timedelta
    ) -> set[int]:
        if not messages:
            return set()
        async with self._engine.connect() as connection:
            raw = await raw_in_transaction(connection)
            rows = await raw.fetch(
                _RENEW, [m.id for m in messages], [m.attempts for m in messages], now + lease
            )
            await connection.commit()
        return {row["id"] for row in rows}

    async def settle(
        self, message: OutboxMessage, settlement: Settlement, *, now: datetime
    ) -> AttemptOutcome | None:
        outcome = settlement.outcome
        result = json.dumps(dict(settlement.result)) if settlement.result else None
        async with self._engine.connect() as connection:
            raw = await raw_in_transaction(connection)
            settled = await raw.execute(
                _SETTLE,
                message.id,
                message.attempts,
                _STATUS_OF[outcome].value,
                1 if outcome is AttemptOutcome.PAUSED else 0,
                settlement.next_attempt_at,
                settlement.error,
                settlement.error_code,
                result,
                now,
            )
            if settled != "UPDATE 1":
                await connection.rollback()
                return None
            error, code = settlement.error, settlement.error_code
            conflict = await _link(raw, settlement)
            if conflict is not None:
                outcome, error, code = AttemptOutcome.FAILED, conflict, "LinkConflict"
                await raw.execute(_LINK_FAILED, message.id, error, code)
            await raw.execute(
                _END_ATTEMPT, message.id, message.attempts, now, outcome.value, error, code
            )
            await connection.commit()
        return outcome

    async def customer(self, customer_id: UUID) -> tuple[Customer, int | None] | None:
        async with self._engine.connect() as connection:
            query = select(customers).where(customers.c.id == customer_id)
            row = (await connection.execute(query)).mappings().first()
        if row is None:
            return None
        return customer_from_row(row), row["erp_code"]

    async def order(self, order_id: UUID) -> tuple[Order, ErpOrderKey | None] | None:
        async with self._engine.connect() as connection:
            order = await PostgresOrderRepository(connection, delivery=False).get(order_id)
        if order is None:
            return None
        erp = order.erp
        return order, None if erp is None else ErpOrderKey(erp.branch_code, erp.order_code)

    async def paused_until(self, connection: str, *, now: datetime) -> datetime | None:
        async with self._engine.connect() as conn:
            raw = await raw_in_transaction(conn)
            until: datetime | None = await raw.fetchval(_PAUSED_UNTIL, connection, now)
        return until

    async def pause(
        self,
        connection: str,
        *,
        now: datetime,
        pause_for: Callable[[int], timedelta],
        reason: str,
    ) -> datetime:
        async with self._engine.connect() as conn:
            raw = await raw_in_transaction(conn)
            failures = await raw.fetchval(_PAUSE_FAILURES, connection, now, reason)
            if failures is None:  # already paused
                until: datetime = await raw.fetchval(_PAUSED_UNTIL, connection, now) or now
            else:
                until = now + pause_for(failures)
                await raw.execute(_PAUSE_UNTIL, connection, until, now)
            await conn.commit()
        return until

    async def resume(self, connection: str) -> None:
        async with self._engine.begin() as conn:
            raw = await raw_in_transaction(conn)
            await raw.execute("DELETE FROM delivery_pauses WHERE connection = $1", connection)


async def _link(raw: RawConnection, settlement: Settlement) -> str | None:
    """Store the ERP's keys (in a savepoint); the reason when one is already another's."""
    if settlement.customer_code is None and settlement.order_key is None:
        return None
    try:
        async with raw.transaction():  # a savepoint inside the settlement
            if settlement.customer_code is not None:
                await raw.execute(_FREE_CUSTOMER_CODE, *settlement.customer_code)
                await raw.execute(_LINK_CUSTOMER, *settlement.customer_code)
            if settlement.order_key is not None:
                order_id, key = settlement.order_key
                await raw.execute(_LINK_ORDER, order_id, key.branch_code, key.order_code)
    except asyncpg.UniqueViolationError:
        return f"the ERP answered with a key another record holds in Ponte: {settlement.result}"
    return None


def _message(row: Mapping[str, Any]) -> OutboxMessage:
    payload = row["payload"]
    return OutboxMessage(
        id=row["id"],
        kind=MessageKind(row["kind"]),
        aggregate_id=row["aggregate_id"],
        parent_id=row["parent_id"],
        payload=json.loads(payload) if isinstance(payload, str) else payload,
        status=MessageStatus(row["status"]),
        attempts=row["attempts"],
        attempt_base=row["attempt_base"],
        next_attempt_at=row["next_attempt_at"],
        created_at=row["created_at"],
        last_error=row["last_error"],
        last_error_code=row["last_error_code"],
    )
