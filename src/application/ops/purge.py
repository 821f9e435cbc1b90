"""Forgetting records past their retention: outside calls and idempotency keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from application.clock import Clock


class Purgeable(Protocol):
    async def purge(self, older_than: datetime) -> int:
        """Delete the records created before ``older_than``; returns how many."""
        ...


@dataclass(frozen=True, slots=True)
class Retention:
    store: Purgeable
    keep: timedelta


class PurgeRecords:
    """Purges each named store of what is older than its retention."""

    def __init__(self, stores: Mapping[str, Retention], clock: Clock) -> None:
        self._stores, self._clock = stores, clock

    async def __call__(self) -> dict[str, int]:
        now = self._clock.now()
        return {
            name: await retention.store.purge(now - retention.keep)
            for name, retention in self._stores.items()
        }
