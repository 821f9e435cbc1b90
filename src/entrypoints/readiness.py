"""Readiness checks: PostgreSQL, Redis, and the schema at the latest migration."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.migrations import head_revision

CHECK_TIMEOUT_SECONDS = 2.0
#: The migrations this code ships; read from disk once, not on every probe.
HEAD_REVISION = head_revision()


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    ok: bool
    detail: str | None = None


class Readiness:
    def __init__(self, engine: AsyncEngine, redis: Redis) -> None:
        self._engine = engine
        self._redis = redis
        self._head = HEAD_REVISION

    async def check(self) -> list[CheckResult]:
        return list(await asyncio.gather(self._postgres(), self._redis_ping()))

    async def _postgres(self) -> CheckResult:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS), self._engine.connect() as conn:
                current = (
                    await conn.execute(text("SELECT version_num FROM alembic_version"))
                ).scalar_one_or_none()
        except Exception as error:
            return CheckResult(
                "postgres", False, f"unreachable or not migrated: {type(error).__name__}"
            )
        if current != self._head:
            return CheckResult("postgres", False, f"schema at {current}, latest is {self._head}")
        return CheckResult("postgres", True, f"schema at {self._head}")

    async def _redis_ping(self) -> CheckResult:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                await self._redis.ping()
        except Exception as error:
            return CheckResult("redis", False, f"unreachable: {type(error).__name__}")
        return CheckResult("redis", True)
