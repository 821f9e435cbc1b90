"""Starting the sandbox: in-process for tests (:func:`run_sandbox`), or for the CLI (:func:`serve`).

Usage::

    async with run_sandbox(SandboxCatalog(skus=500), faults="5xx@every=3") as sandbox:
        token_url = f"{sandbox.url}/api/totvsmoda/authorization/v2/token"
        sandbox.catalog.change_prices(10)
        sandbox.set_faults(None)
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TextIO

from aiohttp import web

from sandbox.totvs_moda.app import API, build_app
from sandbox.totvs_moda.catalog import SandboxCatalog
from sandbox.totvs_moda.context import Context, Stats
from sandbox.totvs_moda.errors import ErrorBodies, ErrorShape
from sandbox.totvs_moda.faults import FaultInjector, FaultPlan
from sandbox.totvs_moda.paging import PAGE_LIMITS, CountMode, Overflow, PagePolicy
from sandbox.totvs_moda.tokens import Credentials, TokenStore

DEFAULT_PORT = 8790


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxSettings:
    """Server behaviour the contract leaves open; defaults follow the recorded samples.

    ``token_ttl`` is the access-token lifetime in seconds (``expires_in``).
    """

    token_ttl: float = 86_400
    page_limits: dict[str, int] = field(default_factory=lambda: dict(PAGE_LIMITS))
    overflow: Overflow = Overflow.CLAMP
    count: CountMode = CountMode.TOTAL
    error_shape: ErrorShape = ErrorShape.ROTATE


class RunningSandbox:
    """A live sandbox. ``url`` is ``http://host:port``; the API is under ``{url}/api/totvsmoda``."""

    def __init__(self, url: str, context: Context) -> None:
        self.url = url
        self.api_url = url + API
        self.context = context

    @property
    def catalog(self) -> SandboxCatalog:
        return self.context.catalog

    @property
    def credentials(self) -> Credentials:
        return self.context.tokens.credentials

    @property
    def stats(self) -> Stats:
        return self.context.stats

    def set_faults(self, plan: FaultPlan | str | None) -> None:
        """Replace the fault plan (a spec string is parsed); None clears it."""
        if isinstance(plan, str):
            plan = FaultPlan.parse(plan)
        self.context.faults = FaultInjector(plan or FaultPlan())

    def revoke_tokens(self) -> int:
        return self.context.tokens.revoke_all()

    def reset_stats(self) -> None:
        self.context.stats.reset()
        self.context.faults.reset()


@asynccontextmanager
async def run_sandbox(
    catalog: SandboxCatalog | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    faults: FaultPlan | str | None = None,
    credentials: Credentials | None = None,
    settings: SandboxSettings | None = None,
) -> AsyncIterator[RunningSandbox]:
    """Serve ``catalog`` (default: 200 seeded SKUs) until the block exits. Port 0 picks a free one.

    :raises FaultSpecError: when ``faults`` is a spec that does not parse.
    """
    catalog = catalog or SandboxCatalog()
    settings = settings or SandboxSettings()
    plan = FaultPlan.parse(faults) if isinstance(faults, str) else faults
    context = Context(
        catalog=catalog,
        tokens=TokenStore(
            credentials or Credentials(),
            catalog.clock,
            ttl=settings.token_ttl,
            branches=catalog.config.branches,
        ),
        policy=PagePolicy(settings.page_limits, settings.overflow, settings.count),
        errors=ErrorBodies(settings.error_shape),
        faults=FaultInjector(plan or FaultPlan()),
    )
    runner = web.AppRunner(
        build_app(context), access_log=None, handler_cancellation=True, shutdown_timeout=1.0
    )
    await runner.setup()
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        site = web.SockSite(runner, sock)
        await site.start()
        bound_host, bound_port = sock.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        yield RunningSandbox(f"http://{shown}:{bound_port}", context)
    finally:
        context.stopping.set()
        await runner.cleanup()
        sock.close()


async def serve(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    skus: int = 200,
    seed: int = 1,
    faults: str | None = None,
    *,
    branches: tuple[int, ...] = (1,),
    stock_codes: tuple[int, ...] = (1,),
    price_codes: tuple[int, ...] = (1, 2),
    cost_codes: tuple[int, ...] = (1,),
    settings: SandboxSettings | None = None,
    out: TextIO = sys.stdout,
) -> None:
    """Run until cancelled, after printing the URL and credentials to ``out``."""
    catalog = SandboxCatalog(skus, seed, branches, stock_codes, price_codes, cost_codes)
    async with run_sandbox(catalog, host, port, faults, settings=settings) as sandbox:
        c = sandbox.credentials
        print(f"TOTVS Moda sandbox: {sandbox.api_url}", file=out)
        print(f"  catalog: {catalog.max_code} SKUs, seed {seed}", file=out)
        print(
            f"  credentials: client_id={c.client_id} client_secret={c.client_secret} "
            f"username={c.username} password={c.password}",
            file=out,
        )
        print(f"  faults: {faults or 'none'}; admin: {sandbox.url}/_sandbox/health", file=out)
        out.flush()
        await asyncio.Event().wait()


def serve_forever(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    skus: int = 200,
    seed: int = 1,
    faults: str | None = None,
    *,
    branches: tuple[int, ...] = (1,),
    stock_codes: tuple[int, ...] = (1,),
    price_codes: tuple[int, ...] = (1, 2),
    cost_codes: tuple[int, ...] = (1,),
    settings: SandboxSettings | None = None,
) -> None:
    """:func:`serve` in a new event loop until Ctrl-C (for ``ponte sandbox totvs-moda``).

    The process is the sandbox's own, so it also relaxes the garbage collector: a page allocates
    thousands of short-lived, acyclic objects that frequent young collections would rescan.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                host,
                port,
                skus,
                seed,
                faults,
                branches=branches,
                stock_codes=stock_codes,
                price_codes=price_codes,
                cost_codes=cost_codes,
                settings=settings,
            )
        )
