"""Idempotency keys in the container: the PostgreSQL adapter on the request's connection (the one
:class:`entrypoints.providers.AccountsProvider` opens) and the use cases that use it."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from adapters.postgres.idempotency import PostgresIdempotencyKeys
from application.idempotency import CreateOnce, IdempotencyKeys, PurgeIdempotencyKeys


class IdempotencyProvider(Provider):
    scope = Scope.REQUEST

    keys = provide(PostgresIdempotencyKeys, provides=IdempotencyKeys)
    create_once = provide(CreateOnce)
    purge = provide(PurgeIdempotencyKeys)
