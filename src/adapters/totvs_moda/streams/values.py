"""Loose wire values shared by the customer and order streams."""

from __future__ import annotations

#: The number of an address without one ("sem número").
NO_NUMBER = "S/N"


def digits_of(value: str | int | None, length: int) -> str | None:
    """The digits of a document or CEP sent as text or as a number; a number lost its leading
    zeros, which are put back up to ``length``. None when there are none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value).zfill(length) if value >= 0 else None
    digits = "".join(c for c in value if c.isdigit())
    return digits or None


def int_of(value: int | str | None) -> int | None:
    """A code sent as a number or as digits; None otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    # ASCII only: "²" and other Unicode digits pass isdigit() but not int().
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    return None
