"""References (sellable products) and how seeded SKUs are laid out among them.

A reference is a product sold in colors × sizes; each combination is one SKU row with its own
product code. Seeded references get 8 to 12 SKUs (:data:`tables.SHAPES`); the last one is cut
short so the catalog holds exactly the requested number of SKUs. Product codes are 1..N in
reference order, colors ascending, then sizes in grid order; reference codes are the 1-based
reference index on six digits (``000042``).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right

import msgspec

from sandbox.totvs_moda.hashing import mix
from sandbox.totvs_moda.tables import GRIDS, SHAPES

SALT_SHAPE = 1


class Ref(msgspec.Struct, frozen=True, gc=False):
    idx: int
    #: The ``ReferenceCode``: :func:`reference_code` of ``idx``.
    code: str
    first_code: int
    sku_count: int
    grid: int
    colors: tuple[int, ...]
    #: When the reference and its SKUs were created (epoch seconds).
    at: int
    #: A seeded reference derives its attributes from the seed; an added one from its own number.
    seeded: bool

    @property
    def sizes(self) -> tuple[str, ...]:
        return GRIDS[self.grid].sizes

    @property
    def last_code(self) -> int:
        return self.first_code + self.sku_count - 1


def reference_code(index: int) -> str:
    return f"{index + 1:06d}"


def reference_index(code: str) -> int | None:
    """The index of a reference code, or None when ``code`` is not one."""
    return int(code) - 1 if code.isdigit() and int(code) > 0 else None


class Layout:
    """Where each seeded reference starts and its shape: two integers per reference, none per SKU.

    One hash per reference gives its shape (grid and number of colors) and where its run of palette
    colors starts.
    """

    def __init__(self, seed: int, skus: int, palette: int) -> None:
        starts = array("q")
        draws = array("Q")
        total = 0
        index = 0
        while total < skus:
            h = mix(seed, index, SALT_SHAPE)
            starts.append(total + 1)
            draws.append(h)
            grid, colors = SHAPES[h % len(SHAPES)]
            total += len(GRIDS[grid].sizes) * colors
            index += 1
        self.skus = skus
        self.palette = palette
        self._starts = starts
        self._draws = draws

    @property
    def references(self) -> int:
        return len(self._starts)

    def reference_of(self, product_code: int) -> int:
        """Index of the seeded reference holding ``product_code`` (1..skus)."""
        return bisect_right(self._starts, product_code) - 1

    def shape(self, index: int) -> tuple[int, int, int, tuple[int, ...]]:
        """(first product code, SKU count, grid index, palette colors) of a seeded reference."""
        h = self._draws[index]
        grid, count = SHAPES[h % len(SHAPES)]
        first = self._starts[index]
        skus = min(len(GRIDS[grid].sizes) * count, self.skus - first + 1)
        return first, skus, grid, palette_run((h >> 8) % self.palette, count, self.palette)


def palette_run(start: int, count: int, palette: int) -> tuple[int, ...]:
    """``count`` consecutive palette colors from ``start``, wrapping around, in ascending order."""
    end = start + count
    if end <= palette:
        return tuple(range(start, end))
    return (*range(end - palette), *range(start, palette))
