"""Available-stock formula: a signed sum of balance columns, configured per tenant."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import ValidationError

BALANCE_TERMS = (
    "stock",
    "sales_order",
    "input_transaction",
    "output_transaction",
    "production_order_progress",
    "production_order_wait_lib",
)
_TERM = re.compile(r"\s*([+-]?)\s*([a-z_]+)\s*")


@dataclass(frozen=True, slots=True)
class AvailableStockFormula:
    """``stock + input_transaction - output_transaction - sales_order`` and the like.

    :raises ValidationError: on an unknown term or an unparseable expression.
    """

    terms: tuple[tuple[int, str], ...]

    @classmethod
    def parse(cls, text: str) -> AvailableStockFormula:
        terms: list[tuple[int, str]] = []
        pos = 0
        text = text.strip().lower()
        while pos < len(text):
            match = _TERM.match(text, pos)
            if match is None or match.end() == pos:
                raise ValidationError(
                    f"cannot parse stock formula at {text[pos:]!r}", field="formula"
                )
            sign, name = match.groups()
            if not terms and sign == "":
                sign = "+"
            elif sign == "":
                raise ValidationError(f"missing + or - before {name!r}", field="formula")
            if name not in BALANCE_TERMS:
                raise ValidationError(
                    f"unknown stock term {name!r}; use {', '.join(BALANCE_TERMS)}", field="formula"
                )
            terms.append((1 if sign == "+" else -1, name))
            pos = match.end()
        if not terms:
            raise ValidationError("empty stock formula", field="formula")
        return cls(tuple(terms))

    @property
    def nets_out_sales_orders(self) -> bool:
        """Whether units the ERP holds for its sales orders are taken off (``- sales_order``):
        only then does an order the ERP registered stop counting as available there."""
        return sum(sign for sign, name in self.terms if name == "sales_order") < 0

    def apply(self, values: dict[str, Decimal]) -> Decimal:
        total = Decimal(0)
        for sign, name in self.terms:
            total += sign * values[name]
        return total

    def __str__(self) -> str:
        return " ".join(("+ " if s > 0 else "- ") + n for s, n in self.terms).removeprefix("+ ")


DEFAULT_AVAILABLE_FORMULA = "stock + input_transaction - output_transaction - sales_order"
