"""Money in requests: exact decimals, compared at two decimal places."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sandbox.totvs_moda.errors import BadRequest

CENT = Decimal("0.01")
ZERO = Decimal(0)


def amount(value: Any, name: str, *, default: Decimal | None = None) -> Decimal:
    """A non-negative JSON number (or numeric string) as an exact decimal.

    :raises BadRequest: when missing without a default, not a number, or negative.
    """
    if value is None:
        if default is None:
            raise BadRequest(f"{name} is required")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadRequest(f"{name} must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadRequest(f"{name} must be a finite number")
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise BadRequest(f"{name} must be a number, got {value!r}") from None
    if not number.is_finite() or number < 0:
        raise BadRequest(f"{name} must be a number >= 0, got {value!r}")
    return number


def cents(value: Decimal) -> Decimal:
    """``value`` rounded half-up to two decimal places."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
