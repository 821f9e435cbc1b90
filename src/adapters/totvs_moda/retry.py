"""Retry policy for transient TOTVS Moda failures: exponential backoff with jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait before retrying a transient failure.

    ``max_attempts`` counts the first try. The n-th wait is ``base * 2**(n-1)`` capped at
    ``cap``, reduced by up to ``jitter`` (0 = none, 1 = full jitter) using ``rng``. A server's
    ``Retry-After`` replaces the computed wait; one above ``max_retry_after`` ends the retries.
    """

    max_attempts: int = 4
    base: float = 0.5
    cap: float = 30.0
    jitter: float = 1.0
    max_retry_after: float = 120.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base < 0 or self.cap < 0 or not 0 <= self.jitter <= 1:
            raise ValueError("invalid retry policy")

    def delay(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait after failed try number ``attempt`` (1-based); None = give up."""
        if attempt >= self.max_attempts:
            return None
        if retry_after is not None:
            return max(retry_after, 0.0) if retry_after <= self.max_retry_after else None
        backoff = min(self.cap, self.base * 2.0 ** (attempt - 1))
        return backoff * (1 - self.jitter * self.rng.random())


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when: datetime = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
