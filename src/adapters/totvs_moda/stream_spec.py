"""What one stream needs to be read: its request, its wire row and how a row becomes records."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple, Protocol, TypeVar, overload

import msgspec

from adapters.totvs_moda.http import Request

R = TypeVar("R", bound=msgspec.Struct)


class ChangeWindow(NamedTuple):
    """Inclusive change window, formatted as the ERP's naive local time.

    ``full`` marks a full read: the window then spans all history, and endpoints that do not need
    a change filter send none. ``read_at`` is when the read began (aware): endpoints whose full
    read keeps to recent history count back from it.
    """

    start: str
    end: str
    full: bool
    read_at: datetime | None = None

    def change(self, **flags: Any) -> dict[str, Any]:
        """A ``filter.change`` block for this window with the given flags and scoping lists."""
        return {"startDate": self.start, "endDate": self.end, **flags}


class RowError(Exception):
    """A decoded row that cannot become a record; the message is the rejection reason."""


T = TypeVar("T", bound=tuple[Any, ...])


def record_builder(record: type[T], fields: tuple[str, ...]) -> Callable[[tuple[Any, ...]], T]:
    """A constructor of ``record`` taking its values as one tuple in ``fields`` order.

    Skips the keyword-argument cost of NamedTuple construction on hot paths; values are still
    addressed by name. :raises TypeError: (at import) when ``fields`` is not the record's field
    order, so a value can never land in the wrong field.
    """
    actual = getattr(record, "_fields", None)
    if actual != fields:
        raise TypeError(f"{record.__name__} fields are {actual}, not {fields}")
    return functools.partial(tuple.__new__, record)


@overload
def text(value: str | int) -> str: ...
@overload
def text(value: str | int | None) -> str | None: ...
def text(value: str | int | None) -> str | None:
    """A code the ERP may send as a string or a number, as a string."""
    return value if value is None or type(value) is str else str(value)


class StreamSpec(Protocol[R]):
    @property
    def row_type(self) -> type[R]: ...

    @property
    def key_field(self) -> str:
        """Wire name of the row's key, to name a row that failed to decode."""
        ...

    @property
    def changed_field(self) -> str:
        """Wire name of the row's change timestamp, read from rows that failed to decode."""
        ...

    @property
    def page_size(self) -> int: ...

    def request(self, page: int, window: ChangeWindow) -> Request:
        """The request for ``page`` (1-based)."""
        ...

    def key(self, row: R) -> str | None: ...

    def changed(self, row: R) -> datetime | None:
        """The row's change timestamp as decoded (naive = Sao Paulo local time)."""
        ...

    def map(self, row: R, changed_at: datetime | None, out: list[Any]) -> None:
        """Append the row's records to ``out``. :raises RowError: when the row is unusable."""
        ...
