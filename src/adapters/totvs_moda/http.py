"""The one door to TOTVS Moda: every request, token requests included, goes through ``_send``."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import aiohttp
import msgspec

from adapters.call_recording import CallRecording
from adapters.redaction import Redactor
from adapters.totvs_moda.auth import TokenProvider, TokenResponse
from adapters.totvs_moda.retry import parse_retry_after
from adapters.totvs_moda.settings import TotvsModaSettings
from adapters.totvs_moda.upstream_errors import read_error_body
from application.ops.calls import CallRecorder
from application.sync.ports import SourceRejected, SourceUnavailable

T = TypeVar("T")
TOKEN_PATH = "authorization/v2/token"  # noqa: S105 - a path, not a secret
_TOKEN_DECODER = msgspec.json.Decoder(TokenResponse)


class MalformedBody(Exception):
    """A 2xx body that is not the JSON it should be (truncated, HTML…): worth retrying."""


class AuthenticationRefused(SourceRejected):
    """The token endpoint refused Ponte's credentials (any 4xx answer to a grant)."""


@dataclass(frozen=True, slots=True)
class Request:
    """``path`` is ``{module}/v2/{resource}``; ``json`` is the POST body, ``params`` the query."""

    method: str
    path: str
    json: Any = None
    params: tuple[tuple[str, str], ...] = ()


class _Reply(NamedTuple):
    status: int
    headers: Mapping[str, str]
    body: bytes


class _Transient(Exception):
    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


class TotvsHttp:
    """Authenticated, retried calls to TOTVS Moda over one ``aiohttp.ClientSession``.

    Connection errors, timeouts, 408/429/5xx and malformed 2xx bodies are retried by the settings'
    :class:`RetryPolicy`; other 4xx are final. A 401 drops the token and retries once.
    Errors carry status, upstream code and message, never credentials or tokens.
    """

    def __init__(
        self,
        settings: TotvsModaSettings,
        *,
        session: aiohttp.ClientSession | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        recorder: CallRecorder | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        """``recorder`` gets one redacted :class:`OutsideCall` per HTTP exchange (None: none)."""
        self._settings = settings
        self._session = session
        self._owns_session = False
        self._sleep = sleep
        self._timeout = aiohttp.ClientTimeout(total=settings.timeout)
        self._tokens = TokenProvider(settings, self._grant, monotonic)
        self._headers = {"Accept": "application/json"}
        if settings.api_key:
            self._headers["x-api-key"] = settings.api_key
        self._calls = (
            None
            if recorder is None
            else CallRecording(
                recorder, "totvs_moda", root=settings.url(""), redactor=redactor, mask=self._redact
            )
        )

    async def call(self, request: Request, parse: Callable[[bytes], T], *, retry: bool = True) -> T:
        """Send ``request`` and ``parse`` its 2xx body (raising :class:`MalformedBody` to retry).

        With ``retry=False`` the request is sent once: a transient failure is final at once (for
        writes a second attempt could repeat). Only a 401 is resent, once, with a fresh token.

        :raises AuthenticationRefused: when no token could be obtained. :raises SourceRejected:
            on a 4xx answer. :raises SourceUnavailable: past the retries.
        """
        headers = {"Content-Type": "application/json"} if request.json is not None else {}
        data = msgspec.json.encode(request.json) if request.json is not None else None
        url = self._settings.url(request.path)
        what = f"{request.method} {request.path}"
        reauthenticated = False

        async def once() -> T:
            nonlocal reauthenticated
            while True:
                try:
                    token = await self._tokens.get()
                except SourceRejected as error:
                    raise AuthenticationRefused(
                        str(error), status=error.status, code=error.code
                    ) from error
                reply = await self._send(
                    request.method,
                    url,
                    headers={**headers, "Authorization": f"Bearer {token}"},
                    data=data,
                    params=request.params,
                )
                if reply.status == 401 and not reauthenticated:
                    self._tokens.invalidate(token)
                    reauthenticated = True
                    continue
                return self._parse(reply, parse, what)

        return await self._with_retries(once, what, retry=retry)

    async def aclose(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    async def _grant(self, form: dict[str, str]) -> TokenResponse:
        url = self._settings.url(TOKEN_PATH)

        async def once() -> TokenResponse:
            reply = await self._send("POST", url, headers={}, data=form, params=())
            return self._parse(reply, _decode_token, "token request")

        return await self._with_retries(once, "token request")

    async def _send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        data: bytes | dict[str, str] | None,
        params: tuple[tuple[str, str], ...],
    ) -> _Reply:
        """The single place a request leaves the process; each exchange is recorded, failed
        ones included (headers never are)."""
        session = self._client()
        started = time.perf_counter()
        status: int | None = None
        reply: _Reply | None = None
        failure: str | None = None
        try:
            async with session.request(
                method,
                url,
                headers={**self._headers, **headers},
                data=data,
                params=params or None,
                timeout=self._timeout,
            ) as response:
                status = response.status
                body = await response.read()
                reply = _Reply(response.status, response.headers, body)
                return reply
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            failure = f"{type(error).__name__}: {error}".rstrip(": ")
            raise _Transient(failure) from error
        except BaseException as error:  # cancelled, or a bug: still one exchange to record
            failure = type(error).__name__
            raise
        finally:
            if self._calls is not None:
                self._calls.record(
                    method=method,
                    url=url,
                    params=params,
                    body=data,
                    body_type=headers.get("Content-Type"),
                    status=status,
                    response=None if reply is None else reply.body,
                    response_type=None if reply is None else reply.headers.get("Content-Type"),
                    seconds=time.perf_counter() - started,
                    error=failure,
                )

    def _parse(self, reply: _Reply, parse: Callable[[bytes], T], what: str) -> T:
        status = reply.status
        if 200 <= status < 300:
            try:
                return parse(reply.body)
            except MalformedBody as error:
                raise _Transient(f"malformed body: {error}", status=status) from error
        if status in (408, 429) or status >= 500:
            retry_after = parse_retry_after(reply.headers.get("Retry-After"))
            raise _Transient(f"HTTP {status}", status=status, retry_after=retry_after)
        upstream = read_error_body(reply.body)
        detail = ": ".join(p for p in (upstream.code, upstream.message) if p)
        message = f"TOTVS Moda refused {what}: HTTP {status}" + (f": {detail}" if detail else "")
        code = None if upstream.code is None else self._redact(upstream.code)
        raise SourceRejected(self._redact(message), status=status, code=code)

    async def _with_retries(
        self, once: Callable[[], Awaitable[T]], what: str, *, retry: bool = True
    ) -> T:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await once()
            except _Transient as error:
                delay = self._settings.retry.delay(attempt, error.retry_after) if retry else None
                if delay is None:
                    tries = "1 try" if attempt == 1 else f"{attempt} tries"
                    message = f"TOTVS Moda unavailable for {what} after {tries}: {error}"
                    raise SourceUnavailable(self._redact(message), status=error.status) from error
                await self._sleep(delay)

    def _redact(self, text: str) -> str:
        """Mask every credential and known token in one pass, longest first.

        One pass matters: masking secrets one after another would leave the tail of a secret that
        contains a shorter one (``ponte-secret`` around ``ponte`` would become ``***-secret``).
        """
        secrets = {*self._settings.secrets(), *self._tokens.secrets()}
        secrets.discard("")
        if not secrets:
            return text
        ordered = sorted(secrets, key=len, reverse=True)
        return re.sub("|".join(map(re.escape, ordered)), "***", text)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._settings.concurrency * 2, ssl=self._settings.verify_tls
            )
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
            self._owns_session = True
        return self._session


def _decode_token(body: bytes) -> TokenResponse:
    try:
        return _TOKEN_DECODER.decode(body)
    except msgspec.DecodeError as error:
        raise MalformedBody("token response is not a token") from error
