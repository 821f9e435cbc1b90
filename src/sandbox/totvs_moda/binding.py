"""Reading requests the ASP.NET way: keys match case-insensitively, unknown keys are ignored.

JSON bodies are lowered once (:func:`lower_keys`); handlers then read lower-case keys. Values that
do not fit the expected type are a 400, never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from multidict import MultiMapping

from sandbox.totvs_moda.errors import BadRequest
from sandbox.totvs_moda.times import BadDate, parse_request_date


def lower_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lower(): lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_keys(v) for v in value]
    return value


def json_body(raw: bytes) -> dict[str, Any]:
    """The request body as a dict with lower-case keys; an empty body is ``{}``."""
    if not raw.strip():
        return {}
    try:
        body = msgspec.json.decode(raw)
    except msgspec.DecodeError as e:
        raise BadRequest(f"invalid JSON body: {e}") from e
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    lowered: dict[str, Any] = lower_keys(body)
    return lowered


def section(body: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A nested object (``filter``, ``option``); missing or null is ``{}``."""
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"{key} must be an object")
    return value


def as_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise BadRequest(f"{name} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise BadRequest(f"{name} must be an integer, got {value!r}")


def optional_int(value: Any, name: str) -> int | None:
    return None if value is None else as_int(value, name)


def int_list(value: Any, name: str) -> list[int] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        value = [value]
    return [as_int(v, name) for v in value]


def str_list(value: Any, name: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        value = [value]
    if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        raise BadRequest(f"{name} must be a list of strings")
    return [str(v) for v in value]


def as_bool(value: Any, name: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadRequest(f"{name} must be a boolean")


def as_date(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a date string")
    try:
        return parse_request_date(value)
    except BadDate as e:
        raise BadRequest(f"{name}: {e}") from e


def expand_set(value: Any) -> frozenset[str]:
    """``expand`` as lower-case names; a comma-separated string or a list."""
    if value is None:
        return frozenset()
    parts = value if isinstance(value, list) else str(value).split(",")
    return frozenset(str(p).strip().lower() for p in parts if str(p).strip())


class Query:
    """Query parameters with case-insensitive names (``PageSize`` == ``pagesize``)."""

    def __init__(self, query: MultiMapping[str]) -> None:
        self._values: dict[str, list[str]] = {}
        for key, value in query.items():
            self._values.setdefault(key.lower(), []).append(value)

    def one(self, name: str) -> str | None:
        values = self._values.get(name.lower())
        return values[-1] if values else None

    def many(self, name: str) -> list[str]:
        """Every value of a repeated key; comma-separated values are split too."""
        out: list[str] = []
        for value in self._values.get(name.lower(), []):
            out.extend(v.strip() for v in value.split(",") if v.strip())
        return out
