"""OpenAPI documentation shared by the controllers: success responses with examples and
RFC 9457 problem examples shaped exactly like :func:`entrypoints.http.problems.problem_response`.

Documentation only: nothing here runs while a request is served.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example

from application.idempotency import MAX_KEY_LENGTH, IdempotencyKeyReused, RequestInFlight
from entrypoints.http.problems import PROBLEM_JSON, TYPE_BASE, Problem

#: What problems carry in ``request_id``: the response's ``X-Request-ID``.
REQUEST_ID = "9f2c4e1a7b3d5e60000000000000002a"

#: ``(field, message)`` pairs of a problem's ``errors``.
Errors = Sequence[tuple[str, str]]


def example(summary: str, value: Any, description: str | None = None) -> Example:
    return Example(summary=summary, value=value, description=description)


def success(container: Any, description: str, *examples: Example) -> ResponseSpec:
    """A JSON success response of type ``container`` documented by ``examples``."""
    return ResponseSpec(
        data_container=container,
        description=description,
        examples=list(examples),
        generate_examples=False,
    )


def no_content(description: str) -> ResponseSpec:
    """A bodiless success (204): nothing to exemplify but what it means."""
    return ResponseSpec(data_container=None, description=description, generate_examples=False)


def problem_body(
    status: int, slug: str, detail: str, *, instance: str, errors: Errors = ()
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = [{"field": field, "message": message} for field, message in errors]
    body["request_id"] = REQUEST_ID
    return body


def problem_example(
    status: int,
    slug: str,
    detail: str,
    *,
    instance: str,
    errors: Errors = (),
    summary: str | None = None,
) -> Example:
    body = problem_body(status, slug, detail, instance=instance, errors=errors)
    return Example(summary=summary or slug, value=body)


def problems(description: str, *examples: Example) -> ResponseSpec:
    """An ``application/problem+json`` response documented by one example per cause."""
    return ResponseSpec(
        data_container=Problem,
        description=description,
        media_type=PROBLEM_JSON,
        examples=list(examples),
        generate_examples=False,
    )


def problem(
    status: int,
    slug: str,
    detail: str,
    *,
    instance: str,
    errors: Errors = (),
    description: str | None = None,
) -> ResponseSpec:
    """A problem response with a single cause."""
    return problems(
        description or detail,
        problem_example(status, slug, detail, instance=instance, errors=errors),
    )


# --- problems every guarded or validated endpoint shares ------------------------------------------

INVALID_REQUEST = "The request is invalid."


def bad_request(instance: str, *causes: tuple[str, Errors]) -> ResponseSpec:
    """400 ``validation``: a malformed body, unknown field or bad parameter; one example per
    ``(summary, errors)`` cause."""
    return problems(
        "The request does not have the documented shape (field-level `errors`)",
        *(
            problem_example(
                400, "validation", INVALID_REQUEST, instance=instance, errors=errs, summary=summary
            )
            for summary, errs in causes
        ),
    )


def unmatched_id(instance: str, field: str, message: str) -> ResponseSpec:
    """The 400 Litestar lists for every handler with a path parameter, where the path converter
    already answers a malformed id with 404 (no route): documented with the real problem shape."""
    return problems(
        "Not expected: an id of the wrong form matches no route and is 404",
        problem_example(
            400,
            "validation",
            INVALID_REQUEST,
            instance=instance,
            errors=[(field, message)],
            summary="Invalid path parameter",
        ),
    )


def unauthenticated(instance: str) -> ResponseSpec:
    """401 for a missing, malformed, forged or expired bearer token."""
    return problem(
        401,
        "unauthenticated",
        "A valid bearer access token is required.",
        instance=instance,
        description=(
            "No valid bearer access token (missing, forged, expired, or its user is gone); the "
            'response carries `WWW-Authenticate: Bearer realm="ponte"`'
        ),
    )


def admins_only(instance: str) -> ResponseSpec:
    """403 for a valid token of a user who is not an admin."""
    return problem(
        403,
        "forbidden",
        "This resource is for admins only.",
        instance=instance,
        description="Signed in, but not an admin",
    )


def admin_guard(instance: str) -> dict[int, ResponseSpec]:
    """The responses of the ``admin_only`` guard."""
    return {401: unauthenticated(instance), 403: admins_only(instance)}


# --- the Idempotency-Key header of creating POSTs -------------------------------------------------

IDEMPOTENCY_KEY = "Idempotency-Key"


def key_in_flight(instance: str) -> dict[str, Any]:
    """409: the first request with the key is still running (sent with ``Retry-After: 1``)."""
    detail = str(RequestInFlight())
    return problem_body(
        409,
        "idempotency-key-in-flight",
        detail,
        instance=instance,
        errors=[(IDEMPOTENCY_KEY, detail)],
    )


def key_reused(instance: str) -> dict[str, Any]:
    """422: the key was first sent with another body."""
    detail = str(IdempotencyKeyReused())
    return problem_body(
        422, "idempotency-key-reused", detail, instance=instance, errors=[(IDEMPOTENCY_KEY, detail)]
    )


def bad_key(instance: str) -> dict[str, Any]:
    """400: an empty, too long or unprintable key."""
    return problem_body(
        400,
        "validation",
        INVALID_REQUEST,
        instance=instance,
        errors=[(IDEMPOTENCY_KEY, f"has more than {MAX_KEY_LENGTH} characters")],
    )


__all__ = [
    "REQUEST_ID",
    "admin_guard",
    "admins_only",
    "bad_key",
    "bad_request",
    "example",
    "key_in_flight",
    "key_reused",
    "no_content",
    "problem",
    "problem_body",
    "problem_example",
    "problems",
    "success",
    "unauthenticated",
    "unmatched_id",
]
