"""The mutation overlay: what changed since seeding, kept per product code and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import msgspec

from sandbox.totvs_moda.seeds import SkuBase

#: (stock, salesOrder, inputTransaction, outputTransaction)
StockValues = tuple[int, int, int, int]


@dataclass(slots=True)
class SkuState:
    """A mutated (or added) SKU: its family timestamps and the values that differ from the seed.

    ``at`` holds one epoch-seconds timestamp per :class:`selection.Family`. Keys of the value maps
    are ``(branchCode, code)``.
    """

    at: list[int]
    is_active: bool
    is_blocked: bool
    prices: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    stock: dict[tuple[int, int], StockValues] = field(default_factory=dict)
    costs: dict[tuple[int, int], int] = field(default_factory=dict)


class SkuView(msgspec.Struct, frozen=True, gc=False):
    """A SKU as the ERP shows it now: seeded attributes plus its overlay, if any."""

    base: SkuBase
    state: SkuState | None
    #: Family timestamps (the overlay's, or the seeded timestamp four times).
    at: tuple[int, ...] | list[int]

    @property
    def is_active(self) -> bool:
        return self.base.is_active if self.state is None else self.state.is_active

    @property
    def is_blocked(self) -> bool:
        return self.base.is_blocked if self.state is None else self.state.is_blocked


class ColorRow(NamedTuple):
    idx: int
    code: str
    name: str
    additional_info: str | None
    at: int
