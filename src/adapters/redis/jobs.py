"""Jobs queued for the arq worker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.jobs import Job, ResultNotFound
from redis.exceptions import RedisError

from application.ops.queue import QueueUnavailable

#: The worker's function that drains the outbox (``entrypoints.worker.deliver_outbox``).
DELIVER_OUTBOX = "deliver_outbox"


class ArqJobQueue:
    """Implements :class:`application.ops.queue.JobQueue` on an arq pool, queueing on
    ``queue_name`` (the worker's queue)."""

    def __init__(self, pool: ArqRedis, *, queue_name: str) -> None:
        self._pool, self._queue_name = pool, queue_name

    @classmethod
    async def connect(cls, redis_url: str, *, queue_name: str) -> ArqJobQueue:
        """A queue on a new pool (arq retries the first connection a few times)."""
        try:
            pool = await create_pool(
                RedisSettings.from_dsn(redis_url), default_queue_name=queue_name
            )
        except (RedisError, OSError) as error:
            raise QueueUnavailable("the job queue is unreachable") from error
        return cls(pool, queue_name=queue_name)

    async def process_outbox(self, ids: list[int] | None) -> str:
        try:
            job = await self._pool.enqueue_job(
                DELIVER_OUTBOX, ids=ids, _queue_name=self._queue_name
            )
        except (RedisError, OSError) as error:
            raise QueueUnavailable("the job queue is unreachable") from error
        # None only when the job id is taken; arq draws a fresh random one for each job.
        if job is None:
            raise QueueUnavailable("the job queue refused the job")
        return job.job_id

    async def outcome(self, job_id: str, *, within: timedelta) -> dict[str, int]:
        job = Job(job_id, self._pool, _queue_name=self._queue_name)
        try:
            result: Any = await job.result(
                timeout=within.total_seconds(), poll_delay=min(0.5, within.total_seconds())
            )
        except ResultNotFound as error:
            raise LookupError(f"no job {job_id} is queued or finished") from error
        except (RedisError, OSError) as error:
            raise QueueUnavailable("the job queue is unreachable") from error
        return {str(k): int(v) for k, v in dict(result).items()}

    async def aclose(self) -> None:
        await self._pool.aclose()
