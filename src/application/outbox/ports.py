"""Ports of the outbox: writing messages inside a change's transaction, and delivering them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from application.orders.model import Order
from application.outbox.erp import ErpOrderKey
from domain.customers import Customer
from domain.outbox import AttemptOutcome, MessageKind, MessageStatus


class Outbox(Protocol):
    """Messages written in the transaction of the change they carry (the use case's unit of
    work commits both or neither)."""

    async def add(
        self,
        kind: MessageKind,
        aggregate_id: UUID,
        *,
        parent_id: UUID | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        """Queue a message. ``parent_id``: an aggregate whose older open messages go first."""
        ...

    async def hold_unsent(self, kind: MessageKind, aggregate_id: UUID) -> bool:
        """Whether the aggregate's message of ``kind`` is still pending and not being delivered.

        When True, the message stays locked until the transaction ends, so no worker starts it
        meanwhile: a change committed now is what it will carry.
        """
        ...

    async def withdraw(self, kind: MessageKind, aggregate_id: UUID, reason: str) -> bool:
        """Take back the aggregate's message of ``kind`` while it has not left (see
        :meth:`hold_unsent`); it ends ``failed`` with ``reason``. True when it was taken back."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxMessage:
    id: int
    kind: MessageKind
    aggregate_id: UUID
    parent_id: UUID | None
    payload: Mapping[str, Any]
    status: MessageStatus
    #: Attempts started so far, the current one included while in flight.
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    #: Attempts made before an operator last requeued the message (each requeue grants a fresh
    #: retry budget; the attempt numbers go on).
    attempt_base: int = 0
    last_error: str | None = None
    last_error_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Settlement:
    """How an attempt ended, and what the ERP's answer changes in Ponte (same transaction)."""

    outcome: AttemptOutcome
    error: str | None = None
    error_code: str | None = None
    #: When the message is tried again (outcome ``retry``).
    next_attempt_at: datetime | None = None
    #: The ERP's answer, kept on the message (e.g. its order key).
    result: Mapping[str, Any] = field(default_factory=dict)
    #: (customer id, ERP customer code) to store.
    customer_code: tuple[UUID, int] | None = None
    #: (order id, ERP key) to store.
    order_key: tuple[UUID, ErpOrderKey] | None = None


class OutboxDelivery(Protocol):
    """The worker's side. Each method is its own transaction."""

    async def claim(
        self,
        *,
        now: datetime,
        lease: timedelta,
        limit: int,
        ids: Sequence[int] | None = None,
    ) -> list[OutboxMessage]:
        """Lease up to ``limit`` due messages, oldest first, to this caller.

        Due: pending with ``next_attempt_at <= now``, or in flight with an expired lease (its
        worker died). A message waits while an older message of its aggregate or of its parent
        is open, and every message waits while deliveries are paused. Claiming counts an attempt
        and records its start. ``ids`` narrows the claim to those messages.
        """
        ...

    async def renew(
        self, messages: Sequence[OutboxMessage], *, now: datetime, lease: timedelta
    ) -> set[int]:
        """Extend the leases still held; returns the ids whose lease was renewed."""
        ...

    async def settle(
        self, message: OutboxMessage, settlement: Settlement, *, now: datetime
    ) -> AttemptOutcome | None:
        """Record the attempt's end and apply its effects, if the lease is still this attempt's
        (None: another worker took the message over; nothing was written). Returns the outcome
        recorded: ``failed`` (code ``LinkConflict``) instead of ``delivered`` when the ERP's key
        is already another customer's or order's in Ponte."""
        ...

    async def customer(self, customer_id: UUID) -> tuple[Customer, int | None] | None:
        """The customer (deleted ones too) and its ERP code; None when unknown."""
        ...

    async def order(self, order_id: UUID) -> tuple[Order, ErpOrderKey | None] | None:
        """The order and its ERP key; None when unknown."""
        ...

    async def paused_until(self, connection: str, *, now: datetime) -> datetime | None:
        """When deliveries to ``connection`` resume, if they are paused now."""
        ...

    async def pause(
        self, connection: str, *, now: datetime, pause_for: Callable[[int], timedelta], reason: str
    ) -> datetime:
        """Pause deliveries: ``pause_for(consecutive failures)`` from now; returns the end."""
        ...

    async def resume(self, connection: str) -> None:
        """Clear the pause and its failure count (a delivery succeeded)."""
        ...
