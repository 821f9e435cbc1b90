"""OAuth-style tokens (contract §3): the ``password`` and ``refresh_token`` grants.

Access and refresh tokens are opaque random strings. An access token lives ``ttl`` seconds; a
refresh token is good for one use (it is rotated) and dies with :meth:`TokenStore.revoke_all`.
Form field names match case-insensitively; ``grant_type`` values do too.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from sandbox.totvs_moda.times import Clock
from sandbox.totvs_moda.wire import TokenResponse


@dataclass(frozen=True, slots=True)
class Credentials:
    client_id: str = "ponte"
    client_secret: str = "ponte-secret"  # noqa: S105 - well-known sandbox default
    username: str = "ponte"
    password: str = "ponte"  # noqa: S105 - well-known sandbox default


class AuthError(Exception):
    """A refused token request: OAuth ``error`` code, description, HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class TokenStore:
    def __init__(
        self,
        credentials: Credentials,
        clock: Clock,
        *,
        ttl: float = 86_400,
        branches: tuple[int, ...] = (),
    ) -> None:
        self.credentials = credentials
        self.ttl = ttl
        self._clock = clock
        self._branches = branches
        self._access: dict[str, float] = {}
        self._refresh: set[str] = set()

    def grant(self, form: Mapping[str, str]) -> TokenResponse:
        """Answer a token request; ``form`` keys must already be lower case.

        :raises AuthError: on an unknown grant, missing fields or bad credentials.
        """
        grant = form.get("grant_type", "").lower()
        if grant == "password":
            return self._password(form)
        if grant == "refresh_token":
            return self._refresh_grant(form)
        if not grant:
            raise AuthError("invalid_request", "grant_type is required")
        raise AuthError("unsupported_grant_type", f"grant_type {grant!r} is not supported")

    def _password(self, form: Mapping[str, str]) -> TokenResponse:
        c = self.credentials
        if (form.get("client_id"), form.get("client_secret")) != (c.client_id, c.client_secret):
            raise AuthError("invalid_client", "unknown client_id or wrong client_secret", 401)
        if (form.get("username"), form.get("password")) != (c.username, c.password):
            raise AuthError("invalid_grant", "invalid username or password")
        branch = form.get("branch", "").strip()
        if (
            branch
            and self._branches
            and (not branch.isdigit() or int(branch) not in self._branches)
        ):
            raise AuthError("invalid_grant", f"user is not released for branch {branch}")
        return self._issue()

    def _refresh_grant(self, form: Mapping[str, str]) -> TokenResponse:
        token = form.get("refresh_token", "")
        if token not in self._refresh:
            raise AuthError("invalid_grant", "invalid or expired refresh_token")
        self._refresh.discard(token)
        return self._issue()

    def _issue(self) -> TokenResponse:
        self._prune()
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self._access[access] = self._clock.now() + self.ttl
        self._refresh.add(refresh)
        return TokenResponse(access, "Bearer", math.ceil(self.ttl), refresh)

    def valid(self, token: str) -> bool:
        expires = self._access.get(token)
        return expires is not None and self._clock.now() < expires

    def revoke(self, token: str) -> None:
        self._access.pop(token, None)

    def revoke_all(self) -> int:
        """Revoke every access and refresh token; returns how many access tokens were live."""
        live = sum(1 for t in self._access if self.valid(t))
        self._access.clear()
        self._refresh.clear()
        return live

    def _prune(self) -> None:
        now = self._clock.now()
        for token in [t for t, expires in self._access.items() if expires <= now]:
            del self._access[token]
