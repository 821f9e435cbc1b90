"""Throttling sign-in: a fixed window of attempts per client address and per account."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from application.accounts.errors import TooManyAttempts


@dataclass(frozen=True, slots=True)
class AttemptLimit:
    attempts: int
    window: timedelta


class AttemptLimiter(Protocol):
    async def hit(self, bucket: str, limit: AttemptLimit) -> timedelta | None:
        """Count one attempt in ``bucket``.

        :returns: None while the bucket is within ``limit`` (this attempt included), else the time
            until its window ends.
        """
        ...


@dataclass(frozen=True, slots=True)
class SignInLimits:
    per_account: AttemptLimit
    per_client: AttemptLimit


class SignInThrottle:
    """Every attempt counts, successful ones too: a success does not reset the windows, so
    knowing one password cannot be used to launder guesses. Buckets: the client address (login
    and refresh count apart) and the normalised e-mail (login)."""

    def __init__(self, limiter: AttemptLimiter, limits: SignInLimits) -> None:
        self._limiter, self._limits = limiter, limits

    async def login(self, *, email: str, client: str | None) -> None:
        """:raises TooManyAttempts: either bucket is over its limit."""
        waits = [
            await self._limiter.hit(
                f"login-account:{email.strip().lower()}", self._limits.per_account
            )
        ]
        if client:
            waits.append(await self._limiter.hit(f"login-client:{client}", self._limits.per_client))
        _raise_if_over(waits)

    async def refresh(self, *, client: str | None) -> None:
        """:raises TooManyAttempts: the client is over its limit."""
        if client:
            _raise_if_over(
                [await self._limiter.hit(f"refresh-client:{client}", self._limits.per_client)]
            )


def _raise_if_over(waits: list[timedelta | None]) -> None:
    over = [wait for wait in waits if wait is not None]
    if over:
        raise TooManyAttempts(max(1, math.ceil(max(over).total_seconds())))
