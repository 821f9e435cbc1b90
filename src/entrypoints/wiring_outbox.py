"""Dishka wiring of the write-back: the outbox on the request's connection (the one
:class:`entrypoints.providers.AccountsProvider` opens), and the worker's delivery side."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from dishka import Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.postgres.call_log import PostgresCallLog
from adapters.postgres.engine import asyncpg_dsn
from adapters.postgres.idempotency import PostgresIdempotencyKeys
from adapters.postgres.outbox import PostgresOutbox, PostgresOutboxDelivery
from adapters.postgres.outbox_commits import OutboxCommits
from adapters.postgres.outbox_listener import OutboxWakeups
from application.clock import Clock
from application.ops.calls import CallLogReader, CallRecorder
from application.ops.purge import PurgeRecords, Retention
from application.outbox.deliver import DeliverOutbox, DeliveryPolicy
from application.outbox.erp import ErpWriter
from application.outbox.ports import Outbox, OutboxDelivery
from domain.outbox import CircuitPolicy, RetryPolicy
from entrypoints.settings import Settings

#: The name deliveries to TOTVS Moda are paused under (the circuit breaker's key).
ERP_CONNECTION = "totvs_moda"
#: The longest pause of the circuit breaker.
MAX_PAUSE = timedelta(minutes=15)


class _IdempotencyPurge:
    """Forgets old ``Idempotency-Key``s in a transaction of its own."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def purge(self, older_than: datetime) -> int:
        async with self._engine.begin() as connection:
            return await PostgresIdempotencyKeys(connection).purge(older_than)


class OutboxProvider(Provider):
    #: Shared by the request's outbox and unit of work (which wakes the workers after commit).
    commits = provide(OutboxCommits, scope=Scope.REQUEST)

    @provide(scope=Scope.REQUEST)
    def outbox(self, connection: AsyncConnection, clock: Clock, commits: OutboxCommits) -> Outbox:
        return PostgresOutbox(connection, clock, commits)

    @provide(scope=Scope.APP)
    def delivery_store(self, engine: AsyncEngine) -> OutboxDelivery:
        return PostgresOutboxDelivery(engine, connection_name=ERP_CONNECTION)

    @provide(scope=Scope.APP)
    def policy(self, settings: Settings) -> DeliveryPolicy:
        o = settings.outbox
        return DeliveryPolicy(
            retry=RetryPolicy(
                base=o.retry_base, max_delay=o.retry_max, max_attempts=o.max_attempts
            ),
            circuit=CircuitPolicy(first_pause=o.auth_pause, max_pause=max(MAX_PAUSE, o.auth_pause)),
            lease=o.lease,
            call_timeout=settings.erp.timeout,
            lookup_delay=o.lookup_delay,
            batch=o.batch,
            concurrency=o.concurrency,
            connection=ERP_CONNECTION,
        )

    @provide(scope=Scope.APP)
    def deliver(
        self, store: OutboxDelivery, erp: ErpWriter, clock: Clock, policy: DeliveryPolicy
    ) -> DeliverOutbox:
        return DeliverOutbox(store, erp, clock, policy)

    @provide(scope=Scope.APP)
    async def call_log(self, engine: AsyncEngine) -> AsyncIterator[PostgresCallLog]:
        """The outside-call log, written in the background; what is buffered is flushed when
        the container closes (after the ERP adapters that record into it)."""
        log = PostgresCallLog(engine)
        log.start()
        yield log
        await log.aclose()

    @provide(scope=Scope.APP)
    def call_recorder(self, log: PostgresCallLog) -> CallRecorder:
        return log

    @provide(scope=Scope.APP)
    def call_reader(self, log: PostgresCallLog) -> CallLogReader:
        return log

    @provide(scope=Scope.APP)
    def purge_records(
        self, settings: Settings, log: PostgresCallLog, engine: AsyncEngine, clock: Clock
    ) -> PurgeRecords:
        keep = settings.outbox
        return PurgeRecords(
            {
                "outside_calls": Retention(log, keep.call_log_retention),
                "idempotency_keys": Retention(
                    _IdempotencyPurge(engine), keep.idempotency_retention
                ),
            },
            clock,
        )

    @provide(scope=Scope.APP)
    async def wakeups(self, settings: Settings) -> AsyncIterator[OutboxWakeups]:
        database_url, _ = settings.require_servers()
        wakeups = OutboxWakeups.for_dsn(asyncpg_dsn(database_url))
        yield wakeups
        await wakeups.aclose()
