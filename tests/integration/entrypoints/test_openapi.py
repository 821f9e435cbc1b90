"""The OpenAPI document of the real app: every endpoint has its business rules, an example
response and, when it takes a JSON body, an example request (issue 3).

Failures list every operation that lacks something, as ``METHOD /path [tag]``, so whoever owns
the controller knows what to add.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from entrypoints.http.problems import PROBLEM_JSON, TYPE_BASE, Problem

pytestmark = pytest.mark.integration

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
#: Success statuses that carry no body: there is nothing to exemplify but their description.
BODILESS = {"204", "304"}

Operation = tuple[str, str, dict[str, Any]]


@pytest.fixture
async def openapi(api) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await api.get("/schema/openapi.json")
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def _operations(document: dict[str, Any]) -> list[Operation]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def _name(method: str, path: str, operation: dict[str, Any]) -> str:
    return f"{method} {path} [{', '.join(operation.get('tags', []))}]"


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def _media_examples(media: dict[str, Any]) -> bool:
    return bool(media.get("examples")) or "example" in media


def _body_examples(media: dict[str, Any]) -> bool:
    """Litestar puts ``Body(examples=...)`` on the body's schema; OpenAPI also allows them on the
    media type."""
    schema = media.get("schema") or {}
    return _media_examples(media) or bool(schema.get("examples")) or "example" in schema


def _listing(what: str, offenders: list[str]) -> str:
    return f"{len(offenders)} operation(s) {what}:\n  " + "\n  ".join(offenders)


async def test_the_document_covers_every_controller(openapi) -> None:  # type: ignore[no-untyped-def]
    paths = set(openapi["paths"])
    expected = {
        "/health",
        "/ready",
        "/auth/register",
        "/auth/login",
        "/auth/refresh-token",
        "/auth/logout",
        "/auth/me",
        "/api-keys",
        "/api-keys/{key_id}",
        "/sync/streams",
        "/sync/runs",
        "/sync/runs/{run_id}",
        "/sync/streams/{stream}/reset",
        "/products",
        "/clients",
        "/orders",
    }
    assert expected <= paths, sorted(expected - paths)


async def test_every_operation_describes_its_business_rules(openapi) -> None:  # type: ignore[no-untyped-def]
    offenders = [
        _name(method, path, operation)
        for method, path, operation in _operations(openapi)
        if not (operation.get("description") or "").strip()
    ]
    assert not offenders, _listing("without a description", offenders)


async def test_every_operation_has_an_example_success_response(openapi) -> None:  # type: ignore[no-untyped-def]
    offenders = []
    for method, path, operation in _operations(openapi):
        responses = operation.get("responses", {})
        successes = {status: r for status, r in responses.items() if status.startswith("2")}
        if not successes:
            offenders.append(f"{_name(method, path, operation)}: no 2xx response")
            continue
        for status, response in successes.items():
            content = response.get("content") or {}
            if not content:
                if status not in BODILESS:
                    offenders.append(f"{_name(method, path, operation)}: {status} has no content")
                elif not (response.get("description") or "").strip():
                    offenders.append(f"{_name(method, path, operation)}: {status} undescribed")
                continue
            bare = [
                media_type for media_type, media in content.items() if not _media_examples(media)
            ]
            if bare:
                offenders.append(f"{_name(method, path, operation)}: {status} {', '.join(bare)}")
    assert not offenders, _listing("without an example success response", offenders)


async def test_every_json_request_body_has_an_example(openapi) -> None:  # type: ignore[no-untyped-def]
    offenders = []
    bodies = 0
    for method, path, operation in _operations(openapi):
        content = (operation.get("requestBody") or {}).get("content") or {}
        for media_type, media in content.items():
            if _is_json(media_type):
                bodies += 1
                if not _body_examples(media):
                    offenders.append(f"{_name(method, path, operation)}: {media_type}")
    assert bodies >= 5, "the document lists (almost) no request bodies: is it the real app's?"
    assert not offenders, _listing("without a request body example", offenders)


# --- the older controllers: their documented errors -----------------------------------------------

ADMIN = {401, 403}
ERRORS = {
    ("GET", "/health"): set(),
    ("GET", "/ready"): {503},
    ("POST", "/auth/register"): {400, 409, 422},
    ("POST", "/auth/login"): {400, 401, 429},
    ("POST", "/auth/refresh-token"): {400, 401, 429},
    ("POST", "/auth/logout"): {400},
    ("GET", "/auth/me"): {401},
    ("POST", "/api-keys"): {400, 422} | ADMIN,
    ("GET", "/api-keys"): ADMIN,
    ("DELETE", "/api-keys/{key_id}"): {400, 404} | ADMIN,
    ("GET", "/sync/streams"): ADMIN,
    ("GET", "/sync/runs"): {400} | ADMIN,
    ("GET", "/sync/runs/{run_id}"): {400, 404} | ADMIN,
    ("POST", "/sync/streams/{stream}/reset"): {400, 409} | ADMIN,
}


@pytest.mark.parametrize(("method", "path"), sorted(ERRORS), ids=" ".join)
async def test_health_accounts_keys_and_sync_document_their_errors_as_problems(  # type: ignore[no-untyped-def]
    openapi, method, path
) -> None:
    operation = openapi["paths"][path][method.lower()]
    responses = operation["responses"]
    errors = {int(status) for status in responses if status[0] in "45"}
    assert errors == ERRORS[method, path]
    for status in errors - {503}:
        content = responses[str(status)]["content"]
        assert list(content) == [PROBLEM_JSON], (status, list(content))
        examples = content[PROBLEM_JSON]["examples"].values()
        assert examples, status
        for example in examples:
            assert example["value"]["status"] == status, example
            assert example["value"]["type"].startswith(TYPE_BASE), example


# --- every declared example decodes as the model it illustrates -----------------------------------


def _example_mismatches(app: Litestar) -> tuple[int, list[str]]:
    """How many examples the handlers declare, and those their model refuses."""
    checked, found = 0, []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            name = f"{'/'.join(sorted(handler.http_methods))} {route.path}"
            for status, spec in (handler.responses or {}).items():
                for example in spec.examples or []:
                    checked += 1
                    try:
                        msgspec.convert(example.value, spec.data_container, strict=False)
                    except msgspec.ValidationError as error:
                        found.append(f"{name} {status} {example.summary!r}: {error}")
                    if spec.data_container is Problem and example.value["status"] != status:
                        found.append(f"{name} {status} {example.summary!r}: status differs")
            data = handler.parsed_fn_signature.parameters.get("data")
            for example in getattr(data and data.kwarg_definition, "examples", None) or []:
                checked += 1
                try:
                    msgspec.convert(example.value, data.annotation, strict=False)
                except msgspec.ValidationError as error:
                    found.append(f"{name} body {example.summary!r}: {error}")
    return checked, found


async def test_every_example_decodes_as_its_model(api) -> None:  # type: ignore[no-untyped-def]
    checked, mismatches = _example_mismatches(api.app)
    assert checked >= 50, f"only {checked} examples declared"
    assert not mismatches, _listing("with an example its model refuses", mismatches)
