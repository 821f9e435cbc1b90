"""A TOTVS Moda REST v2 server for tests, benchmarks and demos (catalog endpoints).

It speaks the wire contract in ``/work/shared/contracts/totvs-moda.md`` (token, colors, grid,
classifications, products, balances, prices, costs, production orders) over real HTTP, serves a
deterministic seeded catalog of any size (:class:`SandboxCatalog`), changes it like an ERP does,
injects faults (:class:`FaultPlan`), and exposes the expected state for reconciliation.

Persons and sales orders are not served yet: they would add their own state module next to
:mod:`catalog`, handlers under :mod:`handlers`, and routes in :mod:`app`.
"""

from sandbox.totvs_moda.catalog import SandboxCatalog
from sandbox.totvs_moda.changes import Changes
from sandbox.totvs_moda.errors import ErrorShape
from sandbox.totvs_moda.faults import FaultKind, FaultPlan, FaultSpecError
from sandbox.totvs_moda.paging import PAGE_LIMITS, CountMode, Overflow
from sandbox.totvs_moda.server import (
    DEFAULT_PORT,
    RunningSandbox,
    SandboxSettings,
    run_sandbox,
    serve,
    serve_forever,
)
from sandbox.totvs_moda.tokens import Credentials

__all__ = [
    "DEFAULT_PORT",
    "PAGE_LIMITS",
    "Changes",
    "CountMode",
    "Credentials",
    "ErrorShape",
    "FaultKind",
    "FaultPlan",
    "FaultSpecError",
    "Overflow",
    "RunningSandbox",
    "SandboxCatalog",
    "SandboxSettings",
    "run_sandbox",
    "serve",
    "serve_forever",
]
