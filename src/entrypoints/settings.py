"""Settings read from the environment and validated at start.

Every missing or invalid variable is reported at once, by name. Secrets are kept in
:class:`Secret`, whose ``repr``/``str`` never show the value.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

from adapters.postgres.engine import asyncpg_url
from adapters.totvs_moda.settings import TotvsModaOrderDefaults
from domain.errors import ValidationError
from domain.stock import DEFAULT_AVAILABLE_FORMULA, AvailableStockFormula

T = TypeVar("T")


class Secret:
    """A credential. Prints as ``'**********'``; read it with :meth:`reveal`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class SettingsError(Exception):
    """One or more variables are missing or invalid; ``problems`` maps each name to why."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {name}: {why}" for name, why in sorted(problems.items()))
        super().__init__(f"invalid configuration:\n{lines}")


@dataclass(frozen=True, slots=True)
class ErpSettings:
    url: str
    client_id: str
    client_secret: Secret
    username: str
    password: Secret
    branch: str | None
    branch_codes: tuple[int, ...]
    stock_codes: tuple[int, ...]
    price_codes: tuple[int, ...]
    cost_codes: tuple[int, ...]
    classification_types: tuple[int, ...]
    available_formula: AvailableStockFormula
    concurrency: int
    timeout: timedelta
    verify_tls: bool
    api_key: Secret | None
    #: Tenant codes that customers and orders are written to the ERP with.
    orders: TotvsModaOrderDefaults = field(default_factory=TotvsModaOrderDefaults)
    #: A full read of sales orders keeps to those ordered in the last so many days.
    orders_history_days: int = 90


@dataclass(frozen=True, slots=True)
class StorefrontSettings:
    """How the storefront reads the mirrored catalog."""

    #: The ERP price table and branch whose prices the storefront shows and orders charge.
    price_code: int = 1
    price_branch: int = 1
    #: ERP classification types that the ``category``, ``brand`` and ``collection`` filters name.
    category_type: int = 1
    brand_type: int = 2
    collection_type: int = 3
    #: Branch and stock code that Ponte-managed products keep their stock under.
    stock_branch: int = 1
    stock_code: int = 1
    #: How often the API rebuilds catalog entries marked stale (sync, orders, admin edits);
    #: 0 turns the API's refresh loop off.
    refresh_interval: timedelta = timedelta(milliseconds=500)


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Cross-cutting HTTP behaviour of the API."""

    #: Origins allowed by CORS; empty = CORS off.
    cors_origins: tuple[str, ...] = ()
    #: Largest request body accepted, in bytes (413 beyond).
    max_body_bytes: int = 1_048_576
    #: Error tracking; off unless set.
    sentry_dsn: Secret | None = None
    #: ``json`` (one object per line) or ``text``.
    log_format: str = "json"
    #: Proxies whose ``X-Forwarded-For``/``-Proto`` are believed (comma-separated addresses or
    #: networks, or ``*``): the client address of rate limits and access logs comes from them.
    forwarded_allow_ips: str = "127.0.0.1"
    #: API worker processes of ``ponte api``.
    api_workers: int = 1


@dataclass(frozen=True, slots=True)
class OutboxSettings:
    """Delivery of customers and orders to the ERP, and the records kept of it."""

    #: The worker delivers the outbox (off: messages wait, e.g. while the ERP is migrated).
    enabled: bool = True
    #: Backoff of transient failures: base, cap, and attempts before the dead letter.
    retry_base: timedelta = timedelta(seconds=1)
    retry_max: timedelta = timedelta(minutes=10)
    max_attempts: int = 24
    #: A claimed message is the worker's for this long, renewed while the ERP answers.
    lease: timedelta = timedelta(seconds=60)
    #: Messages claimed at once, and ERP calls in flight per worker.
    batch: int = 64
    concurrency: int = 16
    #: The safety-net sweep (deliveries normally start on the commit's notification).
    sweep: timedelta = timedelta(seconds=5)
    #: After a create whose outcome is unknown, how long before the order is looked up.
    lookup_delay: timedelta = timedelta(seconds=60)
    #: First pause of deliveries after the ERP refused Ponte's credentials (doubles, ≤ 15 min).
    auth_pause: timedelta = timedelta(seconds=30)
    #: How long the outside-call log is kept.
    call_log_retention: timedelta = timedelta(days=14)
    #: How long ``Idempotency-Key``s are remembered (at least 24 h).
    idempotency_retention: timedelta = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class Settings:
    #: URLs may embed passwords: kept out of ``repr``.
    database_url: str | None = field(repr=False)
    redis_url: str | None = field(repr=False)
    erp: ErpSettings
    sync_lookback: timedelta
    sync_every_minute: bool
    api_host: str
    api_port: int
    log_level: str
    data_dir: str
    #: Signs access tokens; required by the API (``ponte dev`` generates and keeps one).
    jwt_secret: Secret | None = None
    jwt_issuer: str = "ponte"
    jwt_audience: str = "ponte-api"
    access_token_lifetime: timedelta = timedelta(minutes=15)
    refresh_token_lifetime: timedelta = timedelta(days=30)
    #: Sign-in attempts allowed per window: per e-mail (login) and per client address.
    auth_rate_limit_account: int = 10
    auth_rate_limit_client: int = 30
    auth_rate_limit_window: timedelta = timedelta(seconds=60)
    storefront: StorefrontSettings = field(default_factory=StorefrontSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)

    def require_jwt_secret(self) -> Secret:
        """:raises SettingsError: when ``JWT_SECRET`` is unset."""
        if self.jwt_secret is None:
            raise SettingsError(
                {"JWT_SECRET": "required (at least 32 bytes; `ponte dev` generates one)"}
            )
        return self.jwt_secret

    def require_servers(self) -> tuple[str, str]:
        """The database and Redis URLs. :raises SettingsError: naming whichever is unset."""
        why = "required (or use `ponte dev`, which starts embedded servers)"
        if not self.database_url or not self.redis_url:
            names = [
                n
                for n, v in (("DATABASE_URL", self.database_url), ("REDIS_URL", self.redis_url))
                if not v
            ]
            raise SettingsError(dict.fromkeys(names, why))
        return self.database_url, self.redis_url


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from ``env`` (default: ``os.environ``).

    :raises SettingsError: listing every missing or invalid variable.
    """
    source = os.environ if env is None else env
    problems: dict[str, str] = {}

    def get(name: str, parse: Callable[[str], T], default: T | None = None) -> T:
        raw = source.get(name)
        if raw is None or raw.strip() == "":
            if default is None:
                problems[name] = "required"
            return default  # type: ignore[return-value]
        try:
            return parse(raw.strip())
        except (ValueError, OverflowError, ValidationError) as error:
            problems[name] = str(error)
            return default  # type: ignore[return-value]

    def optional(name: str) -> str | None:
        raw = source.get(name, "").strip()
        return raw or None

    erp = ErpSettings(
        url=get("TOTVS_MODA_URL", _url, ""),
        client_id=get("TOTVS_MODA_CLIENT_ID", str, ""),
        client_secret=Secret(get("TOTVS_MODA_CLIENT_SECRET", str, "")),
        username=get("TOTVS_MODA_USERNAME", str, ""),
        password=Secret(get("TOTVS_MODA_PASSWORD", str, "")),
        branch=optional("TOTVS_MODA_BRANCH"),
        branch_codes=get("TOTVS_MODA_BRANCH_CODES", _codes, (1,)),
        stock_codes=get("TOTVS_MODA_STOCK_CODES", _codes, (1,)),
        price_codes=get("TOTVS_MODA_PRICE_CODES", _codes, (1,)),
        cost_codes=get("TOTVS_MODA_COST_CODES", _codes, (1,)),
        classification_types=get("TOTVS_MODA_CLASSIFICATION_TYPES", _codes, (1, 2, 3)),
        available_formula=get(
            "TOTVS_MODA_AVAILABLE_FORMULA",
            AvailableStockFormula.parse,
            AvailableStockFormula.parse(DEFAULT_AVAILABLE_FORMULA),
        ),
        concurrency=get("TOTVS_MODA_CONCURRENCY", _positive_int, 4),
        timeout=get("TOTVS_MODA_TIMEOUT_SECONDS", _seconds, timedelta(seconds=30)),
        verify_tls=get("TOTVS_MODA_VERIFY_TLS", _bool, True),
        api_key=Secret(key) if (key := optional("TOTVS_MODA_API_KEY")) else None,
        orders=_order_defaults(get, problems),
        orders_history_days=get("TOTVS_MODA_ORDERS_HISTORY_DAYS", _positive_int, 90),
    )
    price_codes = erp.price_codes or (1,)
    branch_codes = erp.branch_codes or (1,)
    stock_codes = erp.stock_codes or (1,)
    storefront = StorefrontSettings(
        price_code=get("STOREFRONT_PRICE_CODE", _positive_int, price_codes[0]),
        price_branch=get("STOREFRONT_PRICE_BRANCH", _positive_int, branch_codes[0]),
        category_type=get("STOREFRONT_CATEGORY_TYPE", _positive_int, 1),
        brand_type=get("STOREFRONT_BRAND_TYPE", _positive_int, 2),
        collection_type=get("STOREFRONT_COLLECTION_TYPE", _positive_int, 3),
        stock_branch=get("STOREFRONT_STOCK_BRANCH", _positive_int, branch_codes[0]),
        stock_code=get("STOREFRONT_STOCK_CODE", _positive_int, stock_codes[0]),
        refresh_interval=get(
            "CATALOG_REFRESH_INTERVAL_MS", _milliseconds, timedelta(milliseconds=500)
        ),
    )
    http = HttpSettings(
        cors_origins=get("CORS_ORIGINS", _origins, ()) or (),
        max_body_bytes=get("MAX_BODY_BYTES", _positive_int, 1_048_576),
        sentry_dsn=Secret(dsn) if (dsn := get("SENTRY_DSN", _url, "")) else None,
        log_format=get("LOG_FORMAT", _log_format, "json"),
        forwarded_allow_ips=get("FORWARDED_ALLOW_IPS", str, "127.0.0.1"),
        api_workers=get("API_WORKERS", _positive_int, 1),
    )
    outbox = OutboxSettings(
        enabled=get("OUTBOX_ENABLED", _bool, True),
        retry_base=get("OUTBOX_RETRY_BASE_SECONDS", _positive_seconds, timedelta(seconds=1)),
        retry_max=get("OUTBOX_RETRY_MAX_SECONDS", _positive_seconds, timedelta(minutes=10)),
        max_attempts=get("OUTBOX_MAX_ATTEMPTS", _positive_int, 24),
        lease=get("OUTBOX_LEASE_SECONDS", _lease_seconds, timedelta(seconds=60)),
        batch=get("OUTBOX_BATCH", _positive_int, 64),
        concurrency=get("OUTBOX_CONCURRENCY", _positive_int, 16),
        sweep=get("OUTBOX_SWEEP_SECONDS", _positive_seconds, timedelta(seconds=5)),
        lookup_delay=get("OUTBOX_LOOKUP_DELAY_SECONDS", _seconds, timedelta(seconds=60)),
        auth_pause=get("OUTBOX_AUTH_PAUSE_SECONDS", _positive_seconds, timedelta(seconds=30)),
        call_log_retention=get("CALL_LOG_RETENTION_DAYS", _days, timedelta(days=14)),
        idempotency_retention=get("IDEMPOTENCY_KEY_HOURS", _idempotency_hours, timedelta(hours=48)),
    )
    if outbox.retry_max < outbox.retry_base:
        problems["OUTBOX_RETRY_MAX_SECONDS"] = "must be at least OUTBOX_RETRY_BASE_SECONDS"
    if outbox.enabled and not erp.available_formula.nets_out_sales_orders:
        # Reservations are released once the ERP's balances count the order (its sales_order);
        # a formula that ignores sales_order would then sell those units twice.
        problems["TOTVS_MODA_AVAILABLE_FORMULA"] = (
            "must subtract sales_order while OUTBOX_ENABLED (orders written to the ERP are "
            "counted there through it)"
        )
    if outbox.lease < 2 * erp.timeout:
        # A create is sent only with a call's time left on the lease, renewed every third.
        problems["OUTBOX_LEASE_SECONDS"] = "must be at least twice TOTVS_MODA_TIMEOUT_SECONDS"
    settings = Settings(
        storefront=storefront,
        http=http,
        outbox=outbox,
        database_url=get("DATABASE_URL", _database_url, "") or None,
        redis_url=get("REDIS_URL", _redis_url, "") or None,
        erp=erp,
        sync_lookback=get("SYNC_LOOKBACK_SECONDS", _seconds, timedelta(seconds=30)),
        sync_every_minute=get("SYNC_CRON_ENABLED", _bool, True),
        api_host=get("API_HOST", str, "127.0.0.1"),
        api_port=get("API_PORT", _port, 8000),
        log_level=get("LOG_LEVEL", _log_level, "INFO"),
        data_dir=get("PONTE_DATA_DIR", str, ".ponte"),
        jwt_secret=Secret(key) if (key := get("JWT_SECRET", _jwt_secret, "")) else None,
        jwt_issuer=get("JWT_ISSUER", str, "ponte"),
        jwt_audience=get("JWT_AUDIENCE", str, "ponte-api"),
        access_token_lifetime=get("ACCESS_TOKEN_MINUTES", _access_minutes, timedelta(minutes=15)),
        refresh_token_lifetime=get("REFRESH_TOKEN_DAYS", _refresh_days, timedelta(days=30)),
        auth_rate_limit_account=get("AUTH_RATE_LIMIT_ACCOUNT", _positive_int, 10),
        auth_rate_limit_client=get("AUTH_RATE_LIMIT_CLIENT", _positive_int, 30),
        auth_rate_limit_window=get(
            "AUTH_RATE_LIMIT_WINDOW_SECONDS", _window_seconds, timedelta(seconds=60)
        ),
    )
    if problems:
        raise SettingsError(problems)
    return settings


def _order_defaults(get: Callable[..., object], problems: dict[str, str]) -> TotvsModaOrderDefaults:
    """``TOTVS_MODA_ORDER_*`` and friends; a combination the ERP cannot take is reported under
    ``TOTVS_MODA_ORDER_DEFAULTS``."""
    optional_code = _optional_positive_int
    values: dict[str, object] = {
        "branch_code": get("TOTVS_MODA_ORDER_BRANCH", optional_code, 0) or None,
        "operation_code": get("TOTVS_MODA_OPERATION_CODE", _positive_int, 510),
        "payment_condition_code": get("TOTVS_MODA_PAYMENT_CONDITION_CODE", _positive_int, 1),
        "seller_code": get("TOTVS_MODA_SELLER_CODE", optional_code, 0) or None,
        "representative_code": get("TOTVS_MODA_REPRESENTATIVE_CODE", optional_code, 0) or None,
        "status_order": get("TOTVS_MODA_ORDER_STATUS", str, "InProgress"),
        "experience_type": get("TOTVS_MODA_EXPERIENCE_TYPE", str, "Ecommerce"),
        "freight_type": get("TOTVS_MODA_FREIGHT_TYPE", _positive_int, 1),
        "shipping_company_code": get("TOTVS_MODA_SHIPPING_COMPANY_CODE", optional_code, 0) or None,
        "classification": get("TOTVS_MODA_ORDER_CLASSIFICATION", _classification, ()) or None,
        "discount_type_code": get("TOTVS_MODA_DISCOUNT_TYPE_CODE", _positive_int, 1),
        "payment_document_type": get("TOTVS_MODA_PAYMENT_DOCUMENT_TYPE", str, "CreditCard"),
        "cancel_reason_code": get("TOTVS_MODA_CANCEL_REASON_CODE", _positive_int, 1),
    }
    try:
        return TotvsModaOrderDefaults(**values)  # type: ignore[arg-type]
    except (ValueError, TypeError) as error:
        problems["TOTVS_MODA_ORDER_DEFAULTS"] = str(error)
        return TotvsModaOrderDefaults()


def _optional_positive_int(raw: str) -> int:
    return _positive_int(raw)


def _classification(raw: str) -> tuple[int, str]:
    type_code, sep, code = raw.partition(":")
    if not sep or not code.strip():
        raise ValueError("must be TYPE:CODE, e.g. 5:ECOM")
    return _positive_int(type_code.strip()), code.strip()


def require_erp(settings: Settings) -> None:
    """:raises SettingsError: naming each ERP variable that a real connection needs and lacks."""
    erp = settings.erp
    missing = {
        "TOTVS_MODA_URL": erp.url,
        "TOTVS_MODA_CLIENT_ID": erp.client_id,
        "TOTVS_MODA_CLIENT_SECRET": erp.client_secret.reveal(),
        "TOTVS_MODA_USERNAME": erp.username,
        "TOTVS_MODA_PASSWORD": erp.password.reveal(),
    }
    problems = {name: "required" for name, value in missing.items() if not value}
    if problems:
        raise SettingsError(problems)


def _url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return raw.rstrip("/")


def _database_url(raw: str) -> str:
    try:
        return asyncpg_url(raw)
    except Exception:
        raise ValueError("must be a postgresql:// URL") from None


def _redis_url(raw: str) -> str:
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("must be a redis://, rediss:// or unix:// URL")
    return raw


def _codes(raw: str) -> tuple[int, ...]:
    try:
        codes = tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise ValueError("must be comma-separated integers, e.g. 1,2") from None
    if not codes:
        raise ValueError("must list at least one code")
    return codes


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("must be a positive integer")
    return value


def _port(raw: str) -> int:
    value = int(raw)
    if not 0 < value < 65536:
        raise ValueError("must be a TCP port (1-65535)")
    return value


def _seconds(raw: str) -> timedelta:
    value = float(raw)
    if value < 0:
        raise ValueError("must be a non-negative number of seconds")
    return timedelta(seconds=value)


def _bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
    return level


#: HS256 needs a key at least as long as its hash output (RFC 7518 §3.2).
MIN_JWT_SECRET_BYTES = 32
MAX_ACCESS_TOKEN_MINUTES = 15


def _jwt_secret(raw: str) -> str:
    if len(raw.encode()) < MIN_JWT_SECRET_BYTES:
        raise ValueError(f"must be at least {MIN_JWT_SECRET_BYTES} bytes")
    return raw


def _access_minutes(raw: str) -> timedelta:
    value = int(raw)
    if not 1 <= value <= MAX_ACCESS_TOKEN_MINUTES:
        raise ValueError(f"must be 1 to {MAX_ACCESS_TOKEN_MINUTES} minutes")
    return timedelta(minutes=value)


def _window_seconds(raw: str) -> timedelta:
    return timedelta(seconds=_positive_int(raw))


def _refresh_days(raw: str) -> timedelta:
    return timedelta(days=_positive_int(raw))


def _milliseconds(raw: str) -> timedelta:
    value = int(raw)
    if value < 0:
        raise ValueError("must be 0 (off) or a positive number of milliseconds")
    return timedelta(milliseconds=value)


def _origins(raw: str) -> tuple[str, ...]:
    origins = tuple(part.strip().rstrip("/") for part in raw.split(",") if part.strip())
    for origin in origins:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise ValueError(f"{origin!r} is not an origin (https://host[:port]) or *")
    return origins


def _log_format(raw: str) -> str:
    value = raw.lower()
    if value not in {"json", "text"}:
        raise ValueError("must be json or text")
    return value


def _positive_seconds(raw: str) -> timedelta:
    value = float(raw)
    if not value > 0:
        raise ValueError("must be a positive number of seconds")
    return timedelta(seconds=value)


#: A lease renewed at a third of its length needs room for a slow renewal.
MIN_LEASE_SECONDS = 3


def _lease_seconds(raw: str) -> timedelta:
    value = _positive_seconds(raw)
    if value < timedelta(seconds=MIN_LEASE_SECONDS):
        raise ValueError(f"must be at least {MIN_LEASE_SECONDS} seconds")
    return value


def _days(raw: str) -> timedelta:
    return timedelta(days=_positive_int(raw))


MIN_IDEMPOTENCY_HOURS = 24


def _idempotency_hours(raw: str) -> timedelta:
    value = int(raw)
    if value < MIN_IDEMPOTENCY_HOURS:
        raise ValueError(f"must be at least {MIN_IDEMPOTENCY_HOURS} hours")
    return timedelta(hours=value)
