"""Bearer and API-key authentication for handlers and guards.

The access token comes from ``Authorization: Bearer <token>`` and is verified by the
:class:`AccessTokens` port (pinned algorithm, issuer, audience, expiry). Any failure is 401.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from dishka import AsyncContainer
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from application.accounts.authenticate_api_key import AuthenticateApiKey, AuthenticateApiKeyQuery
from application.accounts.errors import InvalidApiKey
from application.accounts.ports import AccessTokens, Claims, InvalidToken
from application.clock import Clock
from domain.accounts import ApiScope, Role
from entrypoints.http.problems import ProblemError

MAX_TOKEN_LENGTH = 4096


async def bearer_claims(connection: ASGIConnection[Any, Any, Any, Any]) -> Claims:
    """The verified claims of the request's bearer token.

    :raises InvalidToken: no bearer token, or one that fails verification.
    """
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("missing bearer token")
    container: AsyncContainer = connection.state.dishka_container
    tokens: AccessTokens = await container.get(AccessTokens)
    clock: Clock = await container.get(Clock)
    return tokens.verify(token, now=clock.now())


async def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Litestar guard: 401 without a valid token, 403 for a valid token of a non-admin."""
    claims = await bearer_claims(connection)
    if claims.role != Role.ADMIN.value:
        raise ProblemError(403, "forbidden", "This resource is for admins only.")


API_KEY_HEADER = "x-api-key"
MAX_API_KEY_LENGTH = 256

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


def require_scope(scope: ApiScope) -> Guard:
    """A Litestar guard for service-client endpoints: an ``X-API-Key`` carrying ``scope``, or a
    signed-in user of any role (bearer token).

    A presented API key is judged alone (no fallback to the bearer token): unknown, revoked or
    malformed → 401; valid without ``scope`` → 403. Without a key, the bearer rules apply (401).
    """

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        secret = connection.headers.get(API_KEY_HEADER)
        if secret is None:
            await bearer_claims(connection)
            return
        secret = secret.strip()
        if not secret or len(secret) > MAX_API_KEY_LENGTH:
            raise InvalidApiKey("malformed API key")
        container: AsyncContainer = connection.state.dishka_container
        authenticate: AuthenticateApiKey = await container.get(AuthenticateApiKey)
        await authenticate(AuthenticateApiKeyQuery(secret=secret, scope=scope))

    return guard
