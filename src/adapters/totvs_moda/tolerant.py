"""The slow, forgiving read of a page: row by row, keys in any casing, Brazilian dates.

Used only when the one-pass decode of a page fails, so its cost does not matter; what matters is
that one bad row becomes a rejection and the rest of the page still arrives.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, NamedTuple, TypeVar

import msgspec

from adapters.totvs_moda.dates import aware, parse_datetime
from adapters.totvs_moda.http import MalformedBody
from adapters.totvs_moda.normalise import lookup, normalise
from adapters.totvs_moda.stream_spec import RowError, StreamSpec
from domain.sync import Rejection

R = TypeVar("R", bound=msgspec.Struct)
_LOOSE = msgspec.json.Decoder(float_hook=Decimal)


class LoosePage(NamedTuple, Generic[R]):
    rows: list[R]
    #: Rows that could not be converted, and the latest change time read among them.
    rejections: list[Rejection]
    rejected_max_changed_at: datetime | None
    #: None when the ERP did not say.
    has_next: bool | None
    total_pages: int | None
    total_items: int | None
    rows_read: int


class _Meta(msgspec.Struct, rename="camel"):
    has_next: bool | None = None
    total_pages: int | None = None


def read_loosely(spec: StreamSpec[R], body: bytes) -> LoosePage[R]:
    """:raises MalformedBody: when the body is not JSON, or not an envelope or array of rows."""
    try:
        data = _LOOSE.decode(body)
    except msgspec.DecodeError as error:
        raise MalformedBody(str(error)) from error
    if isinstance(data, list):
        items, meta, total_items = data, _Meta(has_next=False), None
    elif isinstance(data, dict):
        items, meta, total_items = lookup(data, "items") or [], _meta(data), _total_items(data)
    else:
        raise MalformedBody("page body is neither an object nor an array")
    if not isinstance(items, list):
        raise MalformedBody("page items are not an array")
    rows: list[R] = []
    rejections: list[Rejection] = []
    top: datetime | None = None
    for item in items:
        try:
            rows.append(_convert(spec.row_type, item))
        except RowError as error:
            key = lookup(item, spec.key_field)
            rejections.append(Rejection(None if key is None else str(key), str(error)))
            at = _changed(item, spec.changed_field)
            if at is not None and (top is None or at > top):
                top = at
    return LoosePage(
        rows, rejections, top, meta.has_next, meta.total_pages, total_items, len(items)
    )


def _convert(row_type: type[R], item: Any) -> R:
    if not isinstance(item, dict):
        raise RowError("row is not a JSON object")
    try:
        return msgspec.convert(normalise(item, row_type), row_type, strict=False)
    except (msgspec.ValidationError, ValueError) as error:
        raise RowError(str(error)) from error


def _changed(item: Any, field: str) -> datetime | None:
    value = lookup(item, field)
    try:
        return aware(parse_datetime(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def _meta(data: dict[str, Any]) -> _Meta:
    found = {"hasNext": lookup(data, "hasNext"), "totalPages": lookup(data, "totalPages")}
    try:
        present = {k: v for k, v in found.items() if v is not None}
        return msgspec.convert(present, _Meta, strict=False)
    except msgspec.ValidationError as error:
        raise MalformedBody(f"unreadable paging fields: {error}") from error


def _total_items(data: dict[str, Any]) -> int | None:
    """Only for progress display, so an unreadable value is dropped rather than failing the page."""
    try:
        return msgspec.convert(lookup(data, "totalItems"), int | None, strict=False)
    except msgspec.ValidationError:
        return None
