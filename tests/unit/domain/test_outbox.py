"""The outbox's retry and circuit policies, and its message vocabulary."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from domain.errors import ValidationError
from domain.outbox import CircuitPolicy, MessageKind, MessageStatus, RetryPolicy


def lowest(low: float, high: float) -> float:
    return low


def highest(low: float, high: float) -> float:
    return high


def seconds(value: timedelta | None) -> float:
    assert value is not None
    return value.total_seconds()


def test_delays_double_per_attempt_between_half_and_the_whole_delay() -> None:
    policy = RetryPolicy(base=timedelta(seconds=1), factor=2, max_delay=timedelta(hours=1))

    assert [seconds(policy.delay(n, uniform=highest)) for n in range(1, 6)] == [1, 2, 4, 8, 16]
    assert [seconds(policy.delay(n, uniform=lowest)) for n in range(1, 6)] == [
        0.5,
        1,
        2,
        4,
        8,
    ]


def test_the_jitter_is_drawn_from_the_range_it_names() -> None:
    asked: list[tuple[float, float]] = []

    def middle(low: float, high: float) -> float:
        asked.append((low, high))
        return (low + high) / 2

    policy = RetryPolicy(base=timedelta(seconds=3), factor=3, max_delay=timedelta(minutes=5))
    assert seconds(policy.delay(3, uniform=middle)) == 20.25
    assert asked == [(13.5, 27.0)]


def test_real_jitter_stays_within_bounds_and_varies() -> None:
    policy = RetryPolicy(base=timedelta(seconds=2), factor=2, max_delay=timedelta(minutes=10))
    random.seed(20261206)
    drawn = [seconds(policy.delay(4)) for _ in range(300)]
    assert all(8 <= d <= 16 for d in drawn)
    assert len(set(drawn)) > 250  # spread out, not one fixed delay
    assert min(drawn) < 9
    assert max(drawn) > 15


def test_delays_are_capped_at_max_delay() -> None:
    policy = RetryPolicy(
        base=timedelta(seconds=1),
        factor=2,
        max_delay=timedelta(seconds=30),
        max_attempts=1000,
    )
    assert seconds(policy.delay(5, uniform=highest)) == 16
    assert seconds(policy.delay(6, uniform=highest)) == 30
    assert seconds(policy.delay(6, uniform=lowest)) == 15
    # Far past the cap (the exponent is bounded internally) the delay stays capped.
    assert seconds(policy.delay(999, uniform=highest)) == 30


def test_no_delay_once_the_last_attempt_failed() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert policy.delay(1) is not None
    assert policy.delay(2) is not None
    assert policy.delay(3) is None
    assert policy.delay(4) is None
    assert RetryPolicy(max_attempts=1).delay(1) is None


def test_a_factor_of_one_keeps_the_delay_constant() -> None:
    policy = RetryPolicy(base=timedelta(seconds=5), factor=1, max_delay=timedelta(seconds=5))
    assert {seconds(policy.delay(n, uniform=highest)) for n in range(1, 10)} == {5}


def test_the_defaults_are_valid() -> None:
    policy = RetryPolicy()
    assert seconds(policy.delay(1, uniform=highest)) == 1
    assert policy.delay(policy.max_attempts) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"base": timedelta(0)}, "base"),
        ({"base": timedelta(seconds=-1)}, "base"),
        ({"factor": 0.99}, "factor"),
        ({"factor": 0}, "factor"),
        ({"base": timedelta(seconds=10), "max_delay": timedelta(seconds=9)}, "max_delay"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": -3}, "max_attempts"),
    ],
)
def test_invalid_retry_policies_name_their_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RetryPolicy(**changes)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_a_max_delay_equal_to_the_base_is_allowed() -> None:
    policy = RetryPolicy(base=timedelta(seconds=7), max_delay=timedelta(seconds=7))
    assert seconds(policy.delay(4, uniform=highest)) == 7


def test_pauses_double_per_consecutive_refusal_up_to_the_cap() -> None:
    circuit = CircuitPolicy(first_pause=timedelta(seconds=30), max_pause=timedelta(minutes=15))
    assert [circuit.pause(n).total_seconds() for n in range(1, 7)] == [
        30,
        60,
        120,
        240,
        480,
        900,
    ]
    assert circuit.pause(7) == timedelta(minutes=15)
    assert circuit.pause(10_000) == timedelta(minutes=15)


def test_a_pause_is_never_shorter_than_the_first() -> None:
    circuit = CircuitPolicy(first_pause=timedelta(seconds=10), max_pause=timedelta(minutes=1))
    assert circuit.pause(0) == timedelta(seconds=10)
    assert circuit.pause(-2) == timedelta(seconds=10)


def test_kinds_name_their_aggregate_and_open_statuses_are_pending_and_in_flight() -> None:
    assert MessageKind.CUSTOMER_UPSERT.aggregate_type == "customer"
    assert {k.aggregate_type for k in (MessageKind.ORDER_CREATE, MessageKind.ORDER_CANCEL)} == {
        "order"
    }
    assert MessageKind.ORDER_STATUS.aggregate_type == "order"
    assert {s for s in MessageStatus if s.is_open} == {
        MessageStatus.PENDING,
        MessageStatus.IN_FLIGHT,
    }
    assert MessageKind("order.create") is MessageKind.ORDER_CREATE
