"""Idempotency keys: a client that retries a creation with the same key gets the first answer,
never a second resource.

A key belongs to a *scope* (who sent it, to which operation). The first request with a key
reserves it in the transaction that creates the resource, so the key and the resource commit
together or not at all: a request that fails (validation, stock…) leaves the key free for a
corrected retry. The answer is stored right after that commit; should the process die in
between, the next retry finds the resource id without an answer and renders the resource anew.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID, uuid4

from application.accounts.storage import UnitOfWork
from application.clock import Clock
from domain.errors import Conflict, PonteError

#: The longest key accepted (characters).
MAX_KEY_LENGTH = 255
#: Keys are kept at least this long: a purge with a shorter retention is refused.
MIN_RETENTION = timedelta(hours=24)


class RequestInFlight(Conflict):
    """Another request with the same key is being processed right now."""

    def __init__(self) -> None:
        super().__init__(
            "a request with this Idempotency-Key is still being processed; retry shortly",
            slug="idempotency-key-in-flight",
        )


class IdempotencyKeyReused(PonteError):
    """The key was first used with a different request body."""

    def __init__(self) -> None:
        super().__init__("this Idempotency-Key was already used with a different request body")


@dataclass(frozen=True, slots=True)
class Replay:
    """What a key already stands for. ``status_code`` and ``body`` are None while the answer was
    never stored (the process died between the commit and storing it)."""

    resource_id: UUID
    status_code: int | None
    body: bytes | None


@dataclass(frozen=True, slots=True)
class Answer:
    """A response as sent: its status and exact body (UTF-8 text, e.g. JSON)."""

    status_code: int
    body: bytes


class IdempotencyKeys(Protocol):
    """Keys on the request's connection. :meth:`begin` and :meth:`reserve` join the request's
    transaction; nothing is durable before the caller commits."""

    async def begin(self, scope: str, key: str, fingerprint: str) -> Replay | None:
        """Claim the key for this transaction and say what it already stands for.

        Returns None for an unused key (the caller goes on to :meth:`reserve`).

        :raises RequestInFlight: another transaction holds the key.
        :raises IdempotencyKeyReused: the key was used with another ``fingerprint``.
        """
        ...

    async def reserve(
        self, scope: str, key: str, fingerprint: str, resource_id: UUID, at: datetime
    ) -> None:
        """Record the key for ``resource_id``, without an answer yet, in the transaction that
        creates the resource. :raises RequestInFlight: the key was recorded meanwhile."""
        ...

    async def complete(self, scope: str, key: str, status_code: int, body: bytes) -> None:
        """Store the answer of a recorded key; the first answer stored is kept."""
        ...

    async def purge(self, older_than: datetime) -> int:
        """Delete the keys recorded before ``older_than``; returns how many."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class IdempotentRequest:
    #: Who sends it to which operation, e.g. ``user:<id> POST /orders``.
    scope: str
    key: str
    #: A digest of the request body: the same key with another body is refused.
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Outcome:
    answer: Answer
    resource_id: UUID
    #: True when the answer is the one a previous request with the key got (or its resource
    #: rendered anew).
    replayed: bool


#: Creates the resource with the given id (committing it) and returns the answer to send.
Create = Callable[[UUID], Awaitable[Answer]]
#: The answer of a creation whose answer was lost: the resource with the given id as it is now.
Render = Callable[[UUID], Awaitable[Answer]]


class CreateOnce:
    """Runs a creation at most once per key and scope; later requests with the key get the first
    answer."""

    def __init__(self, keys: IdempotencyKeys, uow: UnitOfWork, clock: Clock) -> None:
        self._keys, self._uow, self._clock = keys, uow, clock

    async def __call__(
        self, request: IdempotentRequest, *, create: Create, render: Render
    ) -> Outcome:
        """``create`` must commit the request's transaction (the key reserved here commits with
        the resource); an error from it leaves the key unused.

        :raises RequestInFlight: a request with the key is being processed.
        :raises IdempotencyKeyReused: the key was used with another body.
        """
        scope, key = request.scope, request.key
        replay = await self._keys.begin(scope, key, request.fingerprint)
        if replay is not None:
            if replay.status_code is not None and replay.body is not None:
                answer = Answer(replay.status_code, replay.body)
                return Outcome(answer, replay.resource_id, replayed=True)
            answer = await render(replay.resource_id)
            await self._keys.complete(scope, key, answer.status_code, answer.body)
            await self._uow.commit()
            return Outcome(answer, replay.resource_id, replayed=True)
        resource_id = uuid4()
        await self._keys.reserve(scope, key, request.fingerprint, resource_id, at=self._clock.now())
        answer = await create(resource_id)
        await self._keys.complete(scope, key, answer.status_code, answer.body)
        await self._uow.commit()
        return Outcome(answer, resource_id, replayed=False)


class PurgeIdempotencyKeys:
    """Forgets keys older than the retention (``IDEMPOTENCY_KEY_HOURS``)."""

    def __init__(self, keys: IdempotencyKeys, uow: UnitOfWork, clock: Clock) -> None:
        self._keys, self._uow, self._clock = keys, uow, clock

    async def __call__(self, retention: timedelta) -> int:
        """The number of keys deleted. :raises ValueError: ``retention`` below
        :data:`MIN_RETENTION`."""
        if retention < MIN_RETENTION:
            raise ValueError(f"idempotency keys are kept at least {MIN_RETENTION}")
        purged = await self._keys.purge(self._clock.now() - retention)
        await self._uow.commit()
        return purged
