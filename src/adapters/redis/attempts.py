"""Fixed-window attempt counters in Redis."""

from __future__ import annotations

from datetime import timedelta

from redis.asyncio import Redis

from application.accounts.attempts import AttemptLimit


class RedisAttemptLimiter:
    """Implements :class:`application.accounts.attempts.AttemptLimiter`.

    One key per bucket, ``prefix + bucket``: created at 0 with the window as its expiry by the
    first attempt, then incremented, in one transaction, so concurrent attempts never lose a count
    and the window never restarts before it ends.
    """

    def __init__(self, redis: Redis, *, prefix: str = "ponte:attempts:") -> None:
        self._redis, self._prefix = redis, prefix

    async def hit(self, bucket: str, limit: AttemptLimit) -> timedelta | None:
        key = self._prefix + bucket
        window_ms = max(1, int(limit.window.total_seconds() * 1000))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(key, 0, px=window_ms, nx=True)
            pipe.incr(key)
            pipe.pttl(key)
            _, count, ttl_ms = await pipe.execute()
        if int(count) <= limit.attempts:
            return None
        return timedelta(milliseconds=max(int(ttl_ms), 1))
