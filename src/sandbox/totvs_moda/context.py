"""Everything one running sandbox shares between its routes."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field, replace

from aiohttp import web

from sandbox.totvs_moda.catalog import SandboxCatalog
from sandbox.totvs_moda.commerce import COMMERCE_PAGE_LIMITS, Commerce
from sandbox.totvs_moda.errors import ErrorBodies
from sandbox.totvs_moda.faults import FaultInjector
from sandbox.totvs_moda.paging import PagePolicy
from sandbox.totvs_moda.tokens import TokenStore


@dataclass(slots=True)
class Stats:
    calls: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)

    def to_json(self) -> dict[str, object]:
        return {
            "calls": dict(self.calls),
            "totalCalls": sum(self.calls.values()),
            "faults": dict(self.faults),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }

    def reset(self) -> None:
        self.calls.clear()
        self.faults.clear()
        self.statuses.clear()


@dataclass(slots=True)
class Context:
    catalog: SandboxCatalog
    tokens: TokenStore
    policy: PagePolicy
    errors: ErrorBodies
    faults: FaultInjector
    #: Hanging calls cap their wait here too; set on shutdown so they end at once.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    stats: Stats = field(default_factory=Stats)
    #: Persons, sales orders and the write log, seeded from the catalog's config.
    commerce: Commerce = field(init=False)

    def __post_init__(self) -> None:
        """Build the commerce state; page limits the policy lacks come from
        :data:`COMMERCE_PAGE_LIMITS`."""
        self.commerce = Commerce(self.catalog)
        missing = {k: v for k, v in COMMERCE_PAGE_LIMITS.items() if k not in self.policy.limits}
        if missing:
            self.policy = replace(self.policy, limits={**self.policy.limits, **missing})


CONTEXT = web.AppKey("totvs_moda_sandbox", Context)


def context(request: web.Request) -> Context:
    return request.app[CONTEXT]
