"""Bearer tokens for TOTVS Moda: password grant, refresh grant, cache, single flight."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import NamedTuple

import msgspec

from adapters.totvs_moda.settings import TotvsModaSettings
from application.sync.ports import SourceRejected

#: Renew this many seconds before the ERP says the token expires.
EXPIRY_MARGIN = 60.0
#: Lifetime assumed when the token response carries no ``expires_in``.
DEFAULT_LIFETIME = 3600.0


class TokenResponse(msgspec.Struct, gc=False):
    access_token: str
    token_type: str | None = None
    expires_in: float | None = None
    refresh_token: str | None = None


class _Token(NamedTuple):
    access: str
    refresh: str | None
    expires_at: float


#: Posts a token form and returns the decoded answer. :raises SourceError:
TokenGrant = Callable[[dict[str, str]], Awaitable[TokenResponse]]


class TokenProvider:
    """Hands out a valid access token, asking the ERP only when needed.

    Concurrent callers share one token request. An expired token is renewed with its refresh token
    when there is one, falling back to a full password login if the ERP refuses the refresh.
    """

    def __init__(
        self, settings: TotvsModaSettings, grant: TokenGrant, monotonic: Callable[[], float]
    ) -> None:
        self._settings = settings
        self._grant = grant
        self._monotonic = monotonic
        self._token: _Token | None = None
        self._refresh: str | None = None
        self._issued: tuple[str, ...] = ()
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """:raises SourceError: when no token could be obtained."""
        token = self._token
        if token is not None and self._monotonic() < token.expires_at:
            return token.access
        async with self._lock:
            token = self._token
            if token is not None and self._monotonic() < token.expires_at:
                return token.access
            self._token = None
            token = await self._obtain()
            self._token, self._refresh = token, token.refresh
            return token.access

    def secrets(self) -> tuple[str, ...]:
        """The access and refresh tokens of the latest two grants, dropped or expired ones included.

        An answer to a request sent with the previous token may still arrive after a renewal.
        """
        return self._issued

    def invalidate(self, access: str) -> None:
        """Forget ``access`` (the ERP refused it); a newer token is kept."""
        if self._token is not None and self._token.access == access:
            self._token = None

    async def _obtain(self) -> _Token:
        if self._refresh:
            refresh, self._refresh = self._refresh, None
            try:
                return self._keep(
                    await self._grant({"grant_type": "refresh_token", "refresh_token": refresh})
                )
            except SourceRejected:
                pass
        return self._keep(await self._grant(self._password_form()))

    def _password_form(self) -> dict[str, str]:
        s = self._settings
        form = {
            "grant_type": "password",
            "client_id": s.client_id,
            "client_secret": s.client_secret,
            "username": s.username,
            "password": s.password,
        }
        if s.branch is not None:
            form["branch"] = str(s.branch)
        return form

    def _keep(self, answer: TokenResponse) -> _Token:
        lifetime = answer.expires_in if answer.expires_in else DEFAULT_LIFETIME
        expires_at = self._monotonic() + max(lifetime - EXPIRY_MARGIN, 0.0)
        issued = tuple(t for t in (answer.access_token, answer.refresh_token) if t)
        self._issued = (*issued, *self._issued[:2])
        return _Token(answer.access_token, answer.refresh_token, expires_at)
