"""RFC 9457 problem details: the one mapping from errors to HTTP responses.

Every error response is ``application/problem+json`` with a stable ``type``. Validation failures
carry field-level ``errors``. Anything unexpected is logged and answered as a bare 500 with no
internals in the body.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import msgspec
from asyncpg import exceptions as asyncpg_errors  # type: ignore[import-untyped]
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import DBAPIError

from application.accounts.errors import (
    ApiKeyNotFound,
    EmailTaken,
    InvalidApiKey,
    InvalidCredentials,
    InvalidRefreshToken,
    MissingScope,
    TooManyAttempts,
    UnknownUser,
)
from application.accounts.ports import InvalidToken
from application.idempotency import IdempotencyKeyReused, RequestInFlight
from application.sync.reset_stream import StreamBusy
from application.sync.status import InvalidPageCursor
from domain.accounts import UnknownScope
from domain.errors import Conflict, NotFound, PonteError, ValidationError
from domain.orders import InvalidTransition
from domain.reservations import InsufficientStock
from entrypoints.logs import request_id as current_request_id

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://ponte.dev/problems/"


class FieldError(msgspec.Struct, omit_defaults=True):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None
    #: Extension member (RFC 9457 §3.2): the request's ``X-Request-ID``, to quote to support.
    request_id: str | None = None


class ProblemError(PonteError):
    """Raised by handlers to answer with a specific problem."""

    def __init__(
        self, status: int, slug: str, detail: str, *, errors: list[FieldError] | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.slug, self.detail, self.errors = status, slug, detail, errors


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    slug: str,
    detail: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    body = Problem(
        type=TYPE_BASE + slug,
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
        request_id=current_request_id.get(),
    )
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Problem]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            key = str(item.get("key") or item.get("source") or "body")
            errors.append(FieldError(field=key, message=str(item.get("message", "invalid"))))
    return problem_response(request, 400, "validation", "The request is invalid.", errors or None)


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    slug = "not-found" if isinstance(exc, NotFoundException) else f"http-{exc.status_code}"
    detail = exc.detail if exc.status_code < 500 else None
    return problem_response(request, exc.status_code, slug, detail, headers=exc.headers)


def _problem(request: Request[Any, Any, Any], exc: ProblemError) -> Response[Problem]:
    return problem_response(request, exc.status, exc.slug, exc.detail, exc.errors)


def _domain_validation(request: Request[Any, Any, Any], exc: ValidationError) -> Response[Problem]:
    errors = [FieldError(field=exc.field, message=str(exc))] if exc.field else None
    return problem_response(request, 422, "domain-validation", str(exc), errors)


def _bad_cursor(request: Request[Any, Any, Any], exc: InvalidPageCursor) -> Response[Problem]:
    errors = [FieldError(field="cursor", message="not a cursor this API returned")]
    return problem_response(request, 400, "validation", "The request is invalid.", errors)


def _busy(request: Request[Any, Any, Any], exc: StreamBusy) -> Response[Problem]:
    return problem_response(request, 409, "stream-busy", str(exc))


#: RFC 6750 §3: a 401 for a bearer-protected resource names the scheme.
_BEARER = {"WWW-Authenticate": 'Bearer realm="ponte"'}


def _unauthenticated(request: Request[Any, Any, Any], exc: PonteError) -> Response[Problem]:
    """Every bad or missing access token alike; the reason stays in the logs."""
    log.info("unauthenticated %s %s: %s", request.method, request.url.path, exc)
    detail = "A valid bearer access token is required."
    return problem_response(request, 401, "unauthenticated", detail, headers=_BEARER)


def _bad_credentials(request: Request[Any, Any, Any], exc: InvalidCredentials) -> Response[Problem]:
    return problem_response(request, 401, "invalid-credentials", "Invalid e-mail or password.")


def _bad_refresh(request: Request[Any, Any, Any], exc: InvalidRefreshToken) -> Response[Problem]:
    detail = "The refresh token is invalid, expired or revoked; sign in again."
    return problem_response(request, 401, "invalid-refresh-token", detail)


def _email_taken(request: Request[Any, Any, Any], exc: EmailTaken) -> Response[Problem]:
    errors = [FieldError(field=exc.field, message="already registered")]
    return problem_response(request, 409, "email-taken", str(exc), errors)


def _unknown_scope(request: Request[Any, Any, Any], exc: UnknownScope) -> Response[Problem]:
    errors = [FieldError(field=exc.field or "scopes", message=str(exc))]
    return problem_response(request, 400, "validation", "The request is invalid.", errors)


def _bad_api_key(request: Request[Any, Any, Any], exc: InvalidApiKey) -> Response[Problem]:
    """Unknown, revoked and malformed keys alike; the reason stays in the logs."""
    log.info("bad API key %s %s: %s", request.method, request.url.path, exc)
    return problem_response(request, 401, "invalid-api-key", "The API key is invalid or revoked.")


def _missing_scope(request: Request[Any, Any, Any], exc: MissingScope) -> Response[Problem]:
    return problem_response(request, 403, "insufficient-scope", str(exc))


def _api_key_not_found(request: Request[Any, Any, Any], exc: ApiKeyNotFound) -> Response[Problem]:
    return problem_response(request, 404, "not-found", str(exc))


def _too_many(request: Request[Any, Any, Any], exc: TooManyAttempts) -> Response[Problem]:
    detail = f"Too many sign-in attempts; retry in {exc.retry_after} seconds."
    headers = {"Retry-After": str(exc.retry_after)}
    return problem_response(request, 429, "too-many-attempts", detail, headers=headers)


def _not_found(request: Request[Any, Any, Any], exc: NotFound) -> Response[Problem]:
    return problem_response(request, 404, "not-found", str(exc))


def _conflict(request: Request[Any, Any, Any], exc: Conflict) -> Response[Problem]:
    errors = [FieldError(field=exc.field, message=str(exc))] if exc.field else None
    return problem_response(request, 409, exc.slug, str(exc), errors)


def _insufficient_stock(
    request: Request[Any, Any, Any], exc: InsufficientStock
) -> Response[Problem]:
    errors = [FieldError(field="items", message=str(exc))]
    return problem_response(request, 409, "insufficient-stock", str(exc), errors)


def _invalid_transition(
    request: Request[Any, Any, Any], exc: InvalidTransition
) -> Response[Problem]:
    errors = [FieldError(field="status", message=str(exc))]
    return problem_response(request, 409, "invalid-transition", str(exc), errors)


def _key_in_flight(request: Request[Any, Any, Any], exc: RequestInFlight) -> Response[Problem]:
    """The first request with the ``Idempotency-Key`` is still running: retry shortly."""
    errors = [FieldError(field="Idempotency-Key", message=str(exc))]
    return problem_response(request, 409, exc.slug, str(exc), errors, headers={"Retry-After": "1"})


def _key_reused(request: Request[Any, Any, Any], exc: IdempotencyKeyReused) -> Response[Problem]:
    errors = [FieldError(field="Idempotency-Key", message=str(exc))]
    return problem_response(request, 422, "idempotency-key-reused", str(exc), errors)


def _database_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """The database dropped or refused the connection: a retryable 503, not a 500."""
    log.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
    detail = "The database is unavailable; retry shortly."
    return problem_response(
        request, 503, "database-unavailable", detail, headers={"Retry-After": "1"}
    )


def _database_error(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Problem]:
    if exc.connection_invalidated:
        return _database_unavailable(request, exc)
    return _unexpected(request, exc)


def _too_deep(request: Request[Any, Any, Any], exc: RecursionError) -> Response[Problem]:
    """A body nested deeper than the decoder can follow (``[[[[…]]]]``): the client's fault."""
    log.warning("too deeply nested input on %s %s", request.method, request.url.path)
    errors = [FieldError(field="body", message="nested too deeply")]
    return problem_response(request, 400, "validation", "The request is invalid.", errors)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500, "internal", "An unexpected error occurred.")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ValidationException: _validation,
    HTTPException: _http,
    ProblemError: _problem,
    UnknownScope: _unknown_scope,
    ValidationError: _domain_validation,
    InvalidPageCursor: _bad_cursor,
    StreamBusy: _busy,
    InvalidToken: _unauthenticated,
    UnknownUser: _unauthenticated,
    InvalidCredentials: _bad_credentials,
    InvalidRefreshToken: _bad_refresh,
    EmailTaken: _email_taken,
    InvalidApiKey: _bad_api_key,
    MissingScope: _missing_scope,
    ApiKeyNotFound: _api_key_not_found,
    TooManyAttempts: _too_many,
    NotFound: _not_found,
    RequestInFlight: _key_in_flight,
    IdempotencyKeyReused: _key_reused,
    Conflict: _conflict,
    InsufficientStock: _insufficient_stock,
    InvalidTransition: _invalid_transition,
    DBAPIError: _database_error,
    RecursionError: _too_deep,
    asyncpg_errors.ConnectionDoesNotExistError: _database_unavailable,
    asyncpg_errors.CannotConnectNowError: _database_unavailable,
    ConnectionError: _database_unavailable,
    Exception: _unexpected,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "FieldError", "Problem", "ProblemError"]
