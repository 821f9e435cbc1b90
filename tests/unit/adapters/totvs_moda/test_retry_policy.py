from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from adapters.totvs_moda import RetryPolicy
from adapters.totvs_moda.retry import parse_retry_after


def test_waits_grow_exponentially_up_to_the_cap_without_jitter() -> None:
    policy = RetryPolicy(max_attempts=10, base=0.5, cap=3.0, jitter=0.0)
    assert [policy.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_gives_up_after_max_attempts() -> None:
    policy = RetryPolicy(max_attempts=3, base=0.1, jitter=0.0)
    assert policy.delay(2) is not None
    assert policy.delay(3) is None


def test_jitter_is_drawn_from_the_injected_rng() -> None:
    first = RetryPolicy(base=1.0, jitter=1.0, rng=random.Random(7))
    again = RetryPolicy(base=1.0, jitter=1.0, rng=random.Random(7))
    waits = [first.delay(1), first.delay(2), first.delay(3)]
    assert waits == [again.delay(1), again.delay(2), again.delay(3)]
    assert all(w is not None and 0 <= w <= 1.0 * 2**i for i, w in enumerate(waits))
    assert len(set(waits)) == 3


def test_retry_after_replaces_the_backoff_unless_too_long() -> None:
    policy = RetryPolicy(base=0.5, jitter=0.0, max_retry_after=60)
    assert policy.delay(1, retry_after=7.0) == 7.0
    assert policy.delay(1, retry_after=61.0) is None


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("12", 12.0),
        ("Wed, 01 Apr 2026 12:00:30 GMT", 30.0),
        ("Wed, 01 Apr 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_header_as_seconds_or_http_date(
    header: str | None, seconds: float | None
) -> None:
    now = datetime(2026, 4, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after(header, now) == seconds


def test_an_invalid_policy_is_refused() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=1.5)
