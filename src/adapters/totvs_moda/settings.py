"""Configuration of the TOTVS Moda adapter (built from the environment by the entrypoints)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from adapters.totvs_moda.retry import RetryPolicy
from domain.stock import DEFAULT_AVAILABLE_FORMULA, AvailableStockFormula

_SECRET = ("client_id", "client_secret", "password", "api_key")


@dataclass(frozen=True, slots=True, kw_only=True)
class PageSizes:
    """Rows requested per page; each must stay within the endpoint's maximum."""

    colors: int = 1000
    grid: int = 1000
    classifications: int = 1000
    products: int = 1000
    balances: int = 1000
    prices: int = 1000
    costs: int = 1000
    production_orders: int = 500

    def __post_init__(self) -> None:
        if any(getattr(self, f.name) < 1 for f in fields(self)):
            raise ValueError("page sizes must be positive")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class TotvsModaSettings:
    """Where and how to reach TOTVS Moda, and which branches/codes to mirror.

    ``branch_codes[0]`` is the branch whose product data (``option.branchInfoCode``) is read.
    ``concurrency`` bounds the requests in flight per stream read. ``max_pages`` stops a runaway
    read with an error instead of truncating it. ``timeout`` is the total seconds per call.
    """

    base_url: str
    client_id: str
    client_secret: str
    username: str
    password: str
    branch: int | str | None = None
    branch_codes: tuple[int, ...] = (1,)
    stock_codes: tuple[int, ...] = (1,)
    price_codes: tuple[int, ...] = (1,)
    cost_codes: tuple[int, ...] = (1,)
    classification_type_codes: tuple[int, ...] = (1, 2, 3)
    available_formula: str = DEFAULT_AVAILABLE_FORMULA
    page_sizes: PageSizes = field(default_factory=PageSizes)
    concurrency: int = 4
    max_pages: int = 100_000
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    verify_tls: bool = True
    api_key: str | None = None
    path_prefix: str = "/api/totvsmoda"

    def __post_init__(self) -> None:
        """:raises ValueError: on an unusable value (``ValidationError`` for the stock formula)."""
        if not self.branch_codes:
            raise ValueError("branch_codes must name at least one branch")
        if self.concurrency < 1 or self.max_pages < 1 or self.timeout <= 0:
            raise ValueError("concurrency, max_pages and timeout must be positive")
        AvailableStockFormula.parse(self.available_formula)

    @property
    def formula(self) -> AvailableStockFormula:
        return AvailableStockFormula.parse(self.available_formula)

    def url(self, path: str) -> str:
        """``path`` is ``{module}/v2/{resource}``."""
        prefix = "/" + self.path_prefix.strip("/") if self.path_prefix.strip("/") else ""
        return f"{self.base_url.rstrip('/')}{prefix}/{path.lstrip('/')}"

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in an error message or log line."""
        values = (getattr(self, name) for name in _SECRET)
        return tuple(v for v in values if v)

    def __repr__(self) -> str:
        def show(name: str) -> str:
            value = getattr(self, name)
            return "'***'" if name in _SECRET and value else repr(value)

        return f"TotvsModaSettings({', '.join(f'{f.name}={show(f.name)}' for f in fields(self))})"

    __str__ = __repr__
