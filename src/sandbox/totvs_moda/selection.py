"""Which product codes a search returns, in ``productCode`` order, without listing them all.

Seeded timestamps grow with the product code, so the seeded rows a change window selects are one
run of codes; mutated rows are listed around it: the run's codes that fell out of the window, the
ones outside it that fell in (:class:`Spliced`). Explicit code lists are a :class:`CodeList`.
Every selection answers "codes ``offset`` to ``offset + limit``" in O(limit + log n).
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class Family(enum.IntEnum):
    """A kind of change; each SKU keeps one timestamp per family."""

    PRODUCT = 0
    STOCK = 1
    PRICE = 2
    COST = 3


ALL_FAMILIES = frozenset(Family)


@dataclass(frozen=True, slots=True)
class Window:
    """``filter.change``: inclusive on both ends; a missing end is unbounded.

    An item's ``maxChangeFilterDate`` is the latest timestamp among the selected ``families``, and
    the item matches when that timestamp lies in the window.
    """

    start: float | None
    end: float | None
    families: frozenset[Family] = ALL_FAMILIES

    def contains(self, moment: float) -> bool:
        return (self.start is None or moment >= self.start) and (
            self.end is None or moment <= self.end
        )

    def stamp(self, at: Sequence[int]) -> int:
        return latest(at, self.families)


def latest(at: Sequence[int], families: frozenset[Family]) -> int:
    """The latest of the ``families``' timestamps in ``at`` (one per :class:`Family`)."""
    if len(families) == 1:
        for family in families:
            return at[family]
    return max(at[f] for f in families)


class Selection(Protocol):
    def __len__(self) -> int: ...

    def codes(self, offset: int, limit: int) -> list[int]:
        """Codes at positions ``offset`` .. ``offset + limit - 1`` (fewer at the end)."""
        ...


@dataclass(frozen=True, slots=True)
class CodeList:
    sorted_codes: Sequence[int]

    def __len__(self) -> int:
        return len(self.sorted_codes)

    def codes(self, offset: int, limit: int) -> list[int]:
        return list(self.sorted_codes[offset : offset + limit])


@dataclass(frozen=True, slots=True)
class Run:
    """Codes ``low..high`` except ``excluded`` (sorted, within the run); empty when high < low."""

    low: int
    high: int
    excluded: Sequence[int] = ()

    def __len__(self) -> int:
        return max(0, self.high - self.low + 1 - len(self.excluded))

    def codes(self, offset: int, limit: int) -> list[int]:
        if offset >= len(self) or limit <= 0:
            return []
        excluded, low = self.excluded, self.low
        if not excluded:
            return list(range(low + offset, min(low + offset + limit - 1, self.high) + 1))
        # Smallest code c with (c - low + 1 - excluded codes <= c) == offset + 1.
        first, last = low + offset, self.high
        while first < last:
            mid = (first + last) // 2
            if mid - low + 1 - bisect_right(excluded, mid) >= offset + 1:
                last = mid
            else:
                first = mid + 1
        out: list[int] = []
        skip = bisect_left(excluded, first)
        code = first
        while len(out) < limit and code <= self.high:
            if skip < len(excluded) and excluded[skip] == code:
                skip += 1
            else:
                out.append(code)
            code += 1
        return out


@dataclass(frozen=True, slots=True)
class Spliced:
    """Sorted codes ``below`` a run, the run, then sorted codes ``above`` it."""

    below: Sequence[int]
    run: Run
    above: Sequence[int]

    def __len__(self) -> int:
        return len(self.below) + len(self.run) + len(self.above)

    def codes(self, offset: int, limit: int) -> list[int]:
        out = list(self.below[offset : offset + limit])
        offset = max(0, offset - len(self.below))
        if len(out) < limit:
            out += self.run.codes(offset, limit - len(out))
        offset = max(0, offset - len(self.run))
        if len(out) < limit:
            out += self.above[offset : offset + limit - len(out)]
        return out
