"""Redis adapters: counters that must be shared by every API process."""

from adapters.redis.attempts import RedisAttemptLimiter

__all__ = ["RedisAttemptLimiter"]
