"""The composition root: the only module that knows every concrete class.

One container factory serves the Litestar app, the arq worker and the CLI. Tests swap outside
systems by passing override providers to :func:`make_container`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from dishka import AsyncContainer, Provider, Scope, from_context, make_async_container, provide
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.postgres.accounts import (
    PostgresRefreshTokenStore,
    PostgresUnitOfWork,
    PostgresUserRepository,
)
from adapters.postgres.api_keys import PostgresApiKeyRepository
from adapters.postgres.engine import create_engine
from adapters.postgres.outbox_commits import OutboxCommits
from adapters.postgres.sync_runs import PostgresSyncRunLog
from adapters.postgres.sync_session import PostgresSyncTransactions
from adapters.postgres.sync_status import PostgresSyncStatusReader
from adapters.redis import RedisAttemptLimiter
from adapters.security import Argon2PasswordHasher, JwtAccessTokens, Sha256SecretHasher
from adapters.totvs_moda import TotvsModaCatalogSource, TotvsModaErpWriter, TotvsModaSettings
from application.accounts.api_keys import CreateApiKey, ListApiKeys, RevokeApiKey
from application.accounts.attempts import (
    AttemptLimit,
    AttemptLimiter,
    SignInLimits,
    SignInThrottle,
)
from application.accounts.authenticate_api_key import AuthenticateApiKey
from application.accounts.create_admin import CreateAdmin
from application.accounts.current_user import CurrentUser
from application.accounts.login import Login
from application.accounts.logout import Logout
from application.accounts.ports import (
    AccessTokens,
    ApiKeySecrets,
    PasswordHasher,
    SecretHasher,
)
from application.accounts.refresh_session import RefreshSession
from application.accounts.register_user import RegisterUser
from application.accounts.sessions import SessionIssuer, SessionPolicy
from application.accounts.storage import (
    ApiKeyRepository,
    RefreshTokenStore,
    UnitOfWork,
    UserRepository,
)
from application.clock import Clock, SystemClock
from application.ops.calls import CallRecorder
from application.outbox.erp import ErpWriter
from application.sync.ports import (
    CatalogSource,
    NoProgress,
    SyncProgress,
    SyncRunLog,
    SyncTransactions,
)
from application.sync.reset_stream import ResetStream
from application.sync.status import SyncStatusReader
from application.sync.sync_catalog import SyncCatalog
from application.sync.sync_stream import SyncPolicy, SyncStream
from entrypoints.readiness import Readiness
from entrypoints.settings import ErpSettings, Settings, require_erp
from entrypoints.wiring_catalog import CatalogProvider
from entrypoints.wiring_customers import CustomersProvider
from entrypoints.wiring_idempotency import IdempotencyProvider
from entrypoints.wiring_ops import OpsProvider
from entrypoints.wiring_orders import OrdersProvider
from entrypoints.wiring_outbox import OutboxProvider

#: Marks a leaked string as a Ponte API key (for secret scanners and humans).
API_KEY_PREFIX = "pk_"
#: Redis keys of sign-in attempt counters (``ponte:*`` keys are Ponte's own).
ATTEMPTS_PREFIX = "ponte:auth-attempts:"


class InfrastructureProvider(Provider):
    settings = from_context(provides=Settings, scope=Scope.APP)

    @provide(scope=Scope.APP)
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        database_url, _ = settings.require_servers()
        engine = create_engine(database_url)
        yield engine
        await engine.dispose()

    @provide(scope=Scope.APP)
    async def redis(self, settings: Settings) -> AsyncIterator[Redis]:
        _, redis_url = settings.require_servers()
        client = Redis.from_url(redis_url)
        yield client
        await client.aclose()

    clock = provide(SystemClock, scope=Scope.APP, provides=Clock)
    readiness = provide(Readiness, scope=Scope.REQUEST)


def totvs_moda_settings(erp: ErpSettings, **overrides: Any) -> TotvsModaSettings:
    """The adapter's settings from the environment's (tests override timing knobs only)."""
    values: dict[str, Any] = {
        "base_url": erp.url,
        "client_id": erp.client_id,
        "client_secret": erp.client_secret.reveal(),
        "username": erp.username,
        "password": erp.password.reveal(),
        "branch": erp.branch,
        "branch_codes": erp.branch_codes,
        "stock_codes": erp.stock_codes,
        "price_codes": erp.price_codes,
        "cost_codes": erp.cost_codes,
        "classification_type_codes": erp.classification_types,
        "available_formula": str(erp.available_formula),
        "concurrency": erp.concurrency,
        "timeout": erp.timeout.total_seconds(),
        "verify_tls": erp.verify_tls,
        "api_key": erp.api_key.reveal() if erp.api_key else None,
        "orders": erp.orders,
        "orders_history_days": erp.orders_history_days,
    }
    return TotvsModaSettings(**{**values, **overrides})


class ErpProvider(Provider):
    """TOTVS Moda as the catalog source and as the outbox's destination."""

    @provide(scope=Scope.APP)
    async def erp_writer(
        self, settings: Settings, recorder: CallRecorder
    ) -> AsyncIterator[ErpWriter]:
        require_erp(settings)
        writer = TotvsModaErpWriter(totvs_moda_settings(settings.erp), recorder=recorder)
        yield writer
        await writer.aclose()

    @provide(scope=Scope.APP)
    async def catalog_source(
        self, settings: Settings, recorder: CallRecorder
    ) -> AsyncIterator[CatalogSource]:
        require_erp(settings)
        source = TotvsModaCatalogSource(totvs_moda_settings(settings.erp), recorder=recorder)
        yield source
        await source.aclose()


class SyncProvider(Provider):
    transactions = provide(PostgresSyncTransactions, scope=Scope.APP, provides=SyncTransactions)
    run_log = provide(PostgresSyncRunLog, scope=Scope.APP, provides=SyncRunLog)
    status_reader = provide(PostgresSyncStatusReader, scope=Scope.APP, provides=SyncStatusReader)

    @provide(scope=Scope.APP)
    def policy(self, settings: Settings) -> SyncPolicy:
        return SyncPolicy(lookback=settings.sync_lookback)

    progress = provide(NoProgress, scope=Scope.APP, provides=SyncProgress)
    sync_stream = provide(SyncStream, scope=Scope.REQUEST)
    sync_catalog = provide(SyncCatalog, scope=Scope.REQUEST)
    reset_stream = provide(ResetStream, scope=Scope.REQUEST)


class AccountsProvider(Provider):
    """Users and sessions. One request = one connection, shared by the repositories and the unit
    of work; closing it rolls back whatever was not committed."""

    @provide(scope=Scope.REQUEST)
    async def connection(self, engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
        async with engine.connect() as connection:
            yield connection

    users = provide(PostgresUserRepository, scope=Scope.REQUEST, provides=UserRepository)
    refresh_tokens = provide(
        PostgresRefreshTokenStore, scope=Scope.REQUEST, provides=RefreshTokenStore
    )

    @provide(scope=Scope.REQUEST)
    def uow(self, connection: AsyncConnection, outbox_commits: OutboxCommits) -> UnitOfWork:
        return PostgresUnitOfWork(connection, outbox_commits)

    @provide(scope=Scope.APP)
    def password_hasher(self) -> PasswordHasher:
        return Argon2PasswordHasher()

    @provide(scope=Scope.APP)
    def secret_hasher(self) -> SecretHasher:
        return Sha256SecretHasher()

    @provide(scope=Scope.APP)
    def access_tokens(self, settings: Settings) -> AccessTokens:
        return JwtAccessTokens(
            key=settings.require_jwt_secret().reveal(),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            lifetime=settings.access_token_lifetime,
        )

    @provide(scope=Scope.APP)
    def session_policy(self, settings: Settings) -> SessionPolicy:
        return SessionPolicy(refresh_lifetime=settings.refresh_token_lifetime)

    session_issuer = provide(SessionIssuer, scope=Scope.REQUEST)
    register_user = provide(RegisterUser, scope=Scope.REQUEST)
    login = provide(Login, scope=Scope.REQUEST)
    refresh_session = provide(RefreshSession, scope=Scope.REQUEST)
    logout = provide(Logout, scope=Scope.REQUEST)
    current_user = provide(CurrentUser, scope=Scope.REQUEST)
    create_admin = provide(CreateAdmin, scope=Scope.REQUEST)


class ApiKeysProvider(Provider):
    """API keys for service clients; they share the request connection of
    :class:`AccountsProvider`."""

    api_keys = provide(PostgresApiKeyRepository, scope=Scope.REQUEST, provides=ApiKeyRepository)

    @provide(scope=Scope.APP)
    def api_key_secrets(self) -> ApiKeySecrets:
        return Sha256SecretHasher(prefix=API_KEY_PREFIX)

    create_api_key = provide(CreateApiKey, scope=Scope.REQUEST)
    list_api_keys = provide(ListApiKeys, scope=Scope.REQUEST)
    revoke_api_key = provide(RevokeApiKey, scope=Scope.REQUEST)
    authenticate_api_key = provide(AuthenticateApiKey, scope=Scope.REQUEST)


class SignInThrottleProvider(Provider):
    """Sign-in attempt windows in Redis, shared by every API process."""

    @provide(scope=Scope.APP)
    def attempt_limiter(self, redis: Redis) -> AttemptLimiter:
        return RedisAttemptLimiter(redis, prefix=ATTEMPTS_PREFIX)

    @provide(scope=Scope.APP)
    def sign_in_limits(self, settings: Settings) -> SignInLimits:
        window = settings.auth_rate_limit_window
        return SignInLimits(
            per_account=AttemptLimit(settings.auth_rate_limit_account, window),
            per_client=AttemptLimit(settings.auth_rate_limit_client, window),
        )

    throttle = provide(SignInThrottle, scope=Scope.APP)


def make_container(settings: Settings, *overrides: Provider) -> AsyncContainer:
    """The container for every entrypoint. Later providers in ``overrides`` win."""
    return make_async_container(
        InfrastructureProvider(),
        ErpProvider(),
        SyncProvider(),
        AccountsProvider(),
        ApiKeysProvider(),
        SignInThrottleProvider(),
        CustomersProvider(),
        CatalogProvider(),
        OrdersProvider(),
        OutboxProvider(),
        OpsProvider(),
        IdempotencyProvider(),
        *overrides,
        context={Settings: settings},
    )
