"""Bring a loosely shaped row (any key casing, Brazilian dates) to a wire Struct's shape."""

from __future__ import annotations

import functools
import typing
from datetime import date, datetime
from typing import Any, NamedTuple

import msgspec

from adapters.totvs_moda.dates import parse_datetime


class _Slot(NamedTuple):
    name: str
    nested: type[msgspec.Struct] | None
    is_date: bool


def normalise(value: Any, struct_type: type[msgspec.Struct]) -> Any:
    """Rename keys to the Struct's wire names (case-insensitively, recursing into nested Structs),
    drop unknown keys and parse date strings.

    The first field declared wins when two wire names differ only in casing.
    :raises ValueError: on an unreadable date.
    """
    if not isinstance(value, dict):
        return value
    shape = _shape(struct_type)
    out: dict[str, Any] = {}
    for key, item in value.items():
        slot = shape.get(str(key).lower())
        if slot is None:
            continue
        if slot.nested is not None:
            if isinstance(item, list):
                item = [normalise(element, slot.nested) for element in item]
            else:
                item = normalise(item, slot.nested)
        elif slot.is_date and isinstance(item, str):
            item = parse_datetime(item) if item.strip() else None
        out[slot.name] = item
    return out


def lookup(value: Any, wire_name: str) -> Any:
    """``value[wire_name]`` matched case-insensitively; None when absent or not an object."""
    if not isinstance(value, dict):
        return None
    wanted = wire_name.lower()
    return next((v for k, v in value.items() if str(k).lower() == wanted), None)


@functools.cache
def _shape(struct_type: type[msgspec.Struct]) -> dict[str, _Slot]:
    shape: dict[str, _Slot] = {}
    for info in msgspec.structs.fields(struct_type):
        slot = _Slot(info.encode_name, _nested_struct(info.type), _mentions_date(info.type))
        shape.setdefault(info.encode_name.lower(), slot)
    return shape


def _nested_struct(annotation: Any) -> type[msgspec.Struct] | None:
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return annotation
    for arg in typing.get_args(annotation):
        found = _nested_struct(arg)
        if found is not None:
            return found
    return None


def _mentions_date(annotation: Any) -> bool:
    if annotation in (datetime, date):
        return True
    return any(_mentions_date(arg) for arg in typing.get_args(annotation))
