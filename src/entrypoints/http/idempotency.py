"""The ``Idempotency-Key`` request header of creating POSTs (``/clients``, ``/orders``).

- **Key**: 1–255 printable ASCII characters (space to ``~``), taken as sent (no unquoting);
  anything else is 400 ``validation`` naming the header. Keys belong to the caller (the signed-in
  user or the API key) and to the operation: two clients, or one key sent to both endpoints, never
  clash.
- **Fingerprint**: SHA-256 of the body re-encoded as canonical JSON (sorted keys, no
  whitespace), so neither key order nor spacing makes two bodies differ; a body that is not JSON
  is hashed as sent.
- **Replay**: the same key and body again gets the first answer — status and body byte for
  byte, ``Location`` for a customer — with ``Idempotent-Replayed: true``. Another body is 422
  ``idempotency-key-reused``; while the first request is still running, 409
  ``idempotency-key-in-flight``.
- **Failures keep nothing**: the key commits with the created resource, so a request that fails
  (400, 409 ``insufficient-stock``, 422…) leaves the key unused and a corrected retry may use it.

Without the header a POST behaves exactly as before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

from dishka import AsyncContainer
from litestar import Request, Response
from litestar.enums import MediaType
from litestar.openapi.spec import Example, OpenAPIType
from litestar.params import HeaderParameter
from litestar.serialization import encode_json, get_serializer

from application.accounts.authenticate_api_key import AuthenticateApiKey, AuthenticateApiKeyQuery
from application.idempotency import MAX_KEY_LENGTH, Answer, CreateOnce, IdempotentRequest
from domain.accounts import ApiScope
from entrypoints.http.auth import API_KEY_HEADER, bearer_claims
from entrypoints.http.problems import FieldError, ProblemError

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
#: Printable ASCII: what an HTTP header value carries unambiguously.
_PRINTABLE = frozenset(chr(c) for c in range(0x20, 0x7F))

HEADER_DESCRIPTION = (
    f"Optional. Makes the creation safe to retry: 1–{MAX_KEY_LENGTH} printable ASCII "
    "characters, e.g. a UUID, unique per creation. Resending the same key with the same body "
    f"answers the first response again (status and body, with `{REPLAYED_HEADER}: true`) "
    "instead of creating twice; the same key with another body is 422 "
    "`idempotency-key-reused`, and while the first request is still running 409 "
    "`idempotency-key-in-flight`. Bodies are compared as JSON (key order and spacing do not "
    "matter). Keys are per caller and per operation and kept at least 24 hours. A request that "
    "fails stores nothing: its key stays free."
)

#: The header as a handler parameter: documented here, checked by :func:`checked_key` (so a bad
#: key is a problem naming the header).
IdempotencyKeyHeader = Annotated[
    str | None,
    HeaderParameter(
        name=HEADER,
        required=False,
        description=HEADER_DESCRIPTION,
        # A plain string (the header is optional, never null) with the rules checked_key applies.
        schema_extra={
            "oneOf": None,
            "type": OpenAPIType.STRING,
            "minLength": 1,
            "maxLength": MAX_KEY_LENGTH,
            "pattern": "^[\\x20-\\x7E]+$",
        },
        examples=[Example(summary="A UUID", value="5f0c6a2e-1d3b-4c8e-9a7f-2b4d6e8f0a1c")],
    ),
]


def _bad_key(message: str) -> ProblemError:
    errors = [FieldError(field=HEADER, message=message)]
    return ProblemError(400, "validation", "The request is invalid.", errors=errors)


def checked_key(key: str | None) -> str | None:
    """The key as sent, None without the header.

    :raises ProblemError: 400 naming the header: empty, longer than 255 characters, or holding
        anything but printable ASCII.
    """
    if key is None:
        return None
    if not key:
        raise _bad_key("is empty")
    if len(key) > MAX_KEY_LENGTH:
        raise _bad_key(f"has more than {MAX_KEY_LENGTH} characters")
    if not _PRINTABLE.issuperset(key):
        raise _bad_key("holds characters other than printable ASCII")
    return key


def fingerprint(body: bytes) -> str:
    """SHA-256 (hex) of ``body`` as canonical JSON, or of the bytes when it is not JSON."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        canonical = body
    else:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        canonical = text.encode()
    return hashlib.sha256(canonical).hexdigest()


async def principal(request: Request[Any, Any, Any], scope: ApiScope) -> str:
    """Who sends the request, as the endpoint's guard accepted them: ``api-key:<id>`` or
    ``user:<id>``."""
    secret = request.headers.get(API_KEY_HEADER)
    if secret is None:
        claims = await bearer_claims(request)
        return f"user:{claims.subject}"
    container: AsyncContainer = request.state.dishka_container
    authenticate = await container.get(AuthenticateApiKey)
    key = await authenticate(AuthenticateApiKeyQuery(secret=secret.strip(), scope=scope))
    return f"api-key:{key.id}"


Produce = Callable[[UUID], Awaitable[Any]]


async def create_once(
    request: Request[Any, Any, Any],
    key: str,
    *,
    operation: str,
    scope: ApiScope,
    create: Produce,
    render: Produce,
    location: Callable[[UUID], str] | None = None,
) -> Response[bytes]:
    """The 201 of ``create`` (given the new resource's id, it creates and returns what to send),
    run once per key; a repeat gets the stored answer, or ``render`` of the resource when the
    answer was lost (the process died right after the commit).

    :raises RequestInFlight: | IdempotencyKeyReused
    """
    serializer = get_serializer(request.route_handler.resolve_type_encoders())

    async def answer(produce: Produce, resource_id: UUID) -> Answer:
        return Answer(201, encode_json(await produce(resource_id), serializer))

    call = IdempotentRequest(
        scope=f"{await principal(request, scope)} {operation}",
        key=key,
        fingerprint=fingerprint(await request.body()),
    )
    container: AsyncContainer = request.state.dishka_container
    run = await container.get(CreateOnce)
    outcome = await run(
        call,
        create=lambda resource_id: answer(create, resource_id),
        render=lambda resource_id: answer(render, resource_id),
    )
    headers = {}
    if location is not None:
        headers["Location"] = location(outcome.resource_id)
    if outcome.replayed:
        headers[REPLAYED_HEADER] = "true"
    return Response(
        outcome.answer.body,
        status_code=outcome.answer.status_code,
        media_type=MediaType.JSON,
        headers=headers,
    )
