"""The outbox: messages that carry Ponte's changes to the ERP, and how their delivery is retried."""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from domain.errors import ValidationError


class MessageKind(enum.StrEnum):
    """What a message asks of the ERP."""

    #: Create or update the customer (ERPs key persons by their CPF/CNPJ).
    CUSTOMER_UPSERT = "customer.upsert"
    #: Create the order (once: its Ponte id is the ERP's idempotency key).
    ORDER_CREATE = "order.create"
    #: Cancel the order in the ERP.
    ORDER_CANCEL = "order.cancel"
    #: Move the order to the ERP status named in the payload.
    ORDER_STATUS = "order.status"

    @property
    def aggregate_type(self) -> str:
        return "customer" if self is MessageKind.CUSTOMER_UPSERT else "order"


class MessageStatus(enum.StrEnum):
    PENDING = "pending"
    #: Leased to one worker, which is delivering it now (or died doing so: the lease expires).
    IN_FLIGHT = "in_flight"
    DELIVERED = "delivered"
    #: The ERP refused it (a business rule): retrying cannot help.
    FAILED = "failed"
    #: Every retry was spent on transient failures.
    DEAD = "dead"

    @property
    def is_open(self) -> bool:
        return self in (MessageStatus.PENDING, MessageStatus.IN_FLIGHT)


class AttemptOutcome(enum.StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"
    DEAD = "dead"
    #: The ERP connection refused Ponte's credentials; deliveries are paused, the attempt is given
    #: back (it does not count against the message).
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter, capped, then dead letter.

    Attempt ``n`` (1-based) that failed transiently waits a uniformly random time in
    ``[delay/2, delay]`` where ``delay = min(max_delay, base * factor**(n-1))`` — half the delay
    is kept so a burst of failures still spreads out but never retries at once.

    :raises ValidationError: on a non-positive base, factor below 1, ``max_delay`` below
        ``base`` or fewer than 1 attempt.
    """

    base: timedelta = timedelta(seconds=1)
    factor: float = 2.0
    max_delay: timedelta = timedelta(minutes=10)
    max_attempts: int = 12

    def __post_init__(self) -> None:
        if self.base <= timedelta(0):
            raise ValidationError("retry base delay must be positive", field="base")
        if self.factor < 1:
            raise ValidationError("retry factor must be at least 1", field="factor")
        if self.max_delay < self.base:
            raise ValidationError("retry max delay must be at least the base", field="max_delay")
        if self.max_attempts < 1:
            raise ValidationError("at least one attempt is needed", field="max_attempts")

    def delay(
        self, attempt: int, *, uniform: Callable[[float, float], float] = random.uniform
    ) -> timedelta | None:
        """How long to wait after failed attempt ``attempt``; None when it was the last one."""
        if attempt >= self.max_attempts:
            return None
        cap = self.max_delay.total_seconds()
        exponent = min(attempt - 1, 64)
        delay = min(cap, self.base.total_seconds() * self.factor**exponent)
        return timedelta(seconds=uniform(delay / 2, delay))


@dataclass(frozen=True, slots=True)
class CircuitPolicy:
    """How long deliveries to an ERP connection pause after it refused Ponte's credentials:
    ``first_pause``, doubling per consecutive refusal up to ``max_pause``."""

    first_pause: timedelta = timedelta(seconds=30)
    max_pause: timedelta = timedelta(minutes=15)

    def pause(self, failures: int) -> timedelta:
        seconds = self.first_pause.total_seconds() * 2 ** min(max(failures - 1, 0), 32)
        return min(self.max_pause, timedelta(seconds=seconds))
