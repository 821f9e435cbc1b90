"""The search ``order`` parameter: comma-separated fields, ``-`` for descending (contract §4.1).

Fields the endpoint does not know are ignored; without any known field the default order holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def sort_rows(
    rows: list[T],
    order: Any,
    keys: Mapping[str, Callable[[T], Any]],
    default: Sequence[str],
) -> list[T]:
    """``rows`` sorted in place by ``order`` (keys of ``keys`` are lower case) and returned."""
    fields: list[tuple[str, bool]] = []
    if isinstance(order, str):
        for part in order.split(","):
            name = part.strip()
            descending = name.startswith("-")
            name = name.lstrip("-+").strip().lower()
            if name in keys:
                fields.append((name, descending))
    for name, descending in reversed(fields or [(d, False) for d in default]):
        rows.sort(key=keys[name], reverse=descending)
    return rows
