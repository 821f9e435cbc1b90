"""Argon2id password hashing, run in a worker thread so it never blocks the event loop."""

from __future__ import annotations

import asyncio

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

#: OWASP Password Storage Cheat Sheet's minimum for Argon2id: 19 MiB, 2 iterations, 1 lane.
OWASP_MEMORY_COST_KIB = 19_456
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1


class Argon2PasswordHasher:
    """Implements :class:`application.accounts.ports.PasswordHasher` with Argon2id.

    The defaults are OWASP's minimum; lower them only in tests.
    """

    def __init__(
        self,
        *,
        time_cost: int = OWASP_TIME_COST,
        memory_cost: int = OWASP_MEMORY_COST_KIB,
        parallelism: int = OWASP_PARALLELISM,
    ) -> None:
        self._argon2 = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, hash: str, password: str) -> bool:
        return await asyncio.to_thread(self._verify, hash, password)

    def needs_rehash(self, hash: str) -> bool:
        """True also for a hash argon2 cannot parse: it is not one we would make today."""
        try:
            return self._argon2.check_needs_rehash(hash)
        except InvalidHashError:
            return True

    def _verify(self, hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(hash, password)
        except (VerificationError, InvalidHashError):
            return False
