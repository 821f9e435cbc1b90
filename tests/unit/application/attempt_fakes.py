"""A dict-backed :class:`AttemptLimiter`: counts per bucket, windows that never end."""

from __future__ import annotations

from datetime import timedelta

from application.accounts.attempts import AttemptLimit, AttemptLimiter, SignInLimits, SignInThrottle


class FakeAttemptLimiter:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    async def hit(self, bucket: str, limit: AttemptLimit) -> timedelta | None:
        self.counts[bucket] = self.counts.get(bucket, 0) + 1
        return limit.window if self.counts[bucket] > limit.attempts else None


def throttle(
    limiter: AttemptLimiter | None = None, *, account: int = 100, client: int = 100
) -> SignInThrottle:
    window = timedelta(seconds=60)
    limits = SignInLimits(AttemptLimit(account, window), AttemptLimit(client, window))
    return SignInThrottle(limiter or FakeAttemptLimiter(), limits)
