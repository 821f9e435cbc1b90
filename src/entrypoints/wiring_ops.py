"""Dishka wiring of the operators' surface: the outbox monitor, the job queue of the worker,
and their use cases. The outside-call log's :class:`CallLogReader` comes from the call log's own
wiring."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.outbox_monitor import PostgresOutboxMonitor
from adapters.redis.jobs import ArqJobQueue
from application.ops.queue import (
    JobQueue,
    ListCalls,
    ListQueue,
    OutboxMonitor,
    ProcessQueue,
    QueueStatsQuery,
    RetryMessage,
    ShowCall,
    ShowQueueMessage,
)
from entrypoints.settings import Settings
from entrypoints.worker import QUEUE_NAME


class OpsProvider(Provider):
    @provide(scope=Scope.APP)
    def monitor(self, engine: AsyncEngine) -> OutboxMonitor:
        return PostgresOutboxMonitor(engine)

    @provide(scope=Scope.APP)
    async def jobs(self, settings: Settings) -> AsyncIterator[JobQueue]:
        """Connects on first use (``POST /sync/process``, ``ponte queue process``)."""
        _, redis_url = settings.require_servers()
        queue = await ArqJobQueue.connect(redis_url, queue_name=QUEUE_NAME)
        yield queue
        await queue.aclose()

    list_queue = provide(ListQueue, scope=Scope.REQUEST)
    show_message = provide(ShowQueueMessage, scope=Scope.REQUEST)
    stats = provide(QueueStatsQuery, scope=Scope.REQUEST)
    retry = provide(RetryMessage, scope=Scope.REQUEST)
    process = provide(ProcessQueue, scope=Scope.REQUEST)
    list_calls = provide(ListCalls, scope=Scope.REQUEST)
    show_call = provide(ShowCall, scope=Scope.REQUEST)
