"""Money: exact amounts in reais, two decimal places, never a float."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from domain.errors import ValidationError

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount in reais with exactly two decimal places, never built from a float.

    Negative amounts are rejected unless ``allow_negative=True``; arithmetic keeps that permission
    when either operand has it (and it does not take part in equality or ordering). Amounts with
    sub-cent digits are rejected rather than rounded.

    :raises ValidationError: (field ``amount``) on a negative, non-finite, sub-cent or
        out-of-range amount.
    :raises TypeError: on anything but a Decimal or an int (floats and bools included).
    """

    amount: Decimal
    allow_negative: bool = field(default=False, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        raw: object = self.amount
        if isinstance(raw, bool) or not isinstance(raw, Decimal | int):
            raise TypeError(f"Money needs a Decimal or an int, not {type(raw).__name__}")
        value = Decimal(raw)
        if not value.is_finite():
            raise ValidationError(f"not a money amount: {raw!r}", field="amount")
        try:
            exact = value.quantize(_CENT)
        except InvalidOperation:
            raise ValidationError(f"amount out of range: {raw!r}", field="amount") from None
        if exact != value:
            raise ValidationError(f"more than two decimal places: {raw!r}", field="amount")
        if exact.is_zero():
            exact = exact.copy_abs()  # no "-0.00"
        if exact < 0 and not self.allow_negative:
            raise ValidationError(f"negative amount: {raw!r}", field="amount")
        object.__setattr__(self, "amount", exact)

    @classmethod
    def zero(cls) -> Money:
        return cls(Decimal(0))

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        signed = self.allow_negative or other.allow_negative
        return Money(self.amount + other.amount, allow_negative=signed)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        signed = self.allow_negative or other.allow_negative
        return Money(self.amount - other.amount, allow_negative=signed)

    def __mul__(self, quantity: int) -> Money:
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            return NotImplemented
        return Money(self.amount * quantity, allow_negative=self.allow_negative)

    __rmul__ = __mul__

    def __str__(self) -> str:
        return str(self.amount)
