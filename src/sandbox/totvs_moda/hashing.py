"""Cheap deterministic integer hashing and EAN-13 barcodes.

Every seeded attribute is ``mix(seed, index, salt)`` reduced to a range, so SKU *i* of a catalog is
the same on every run and costs a few integer operations, never a stored row.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1


def mix(seed: int, index: int, salt: int) -> int:
    """A 64-bit splitmix-style hash of the three integers."""
    x = (seed * 0x9E3779B97F4A7C15 + index * 0xBF58476D1CE4E5B9 + salt * 0x94D049BB133111EB) & _MASK
    x ^= x >> 31
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 29
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 32)


def ean13(body: str) -> str:
    """``body`` (12 digits) followed by its EAN-13 check digit."""
    if len(body) != 12 or not body.isdigit():
        raise ValueError(f"an EAN-13 body has 12 digits, got {body!r}")
    odd = sum(int(d) for d in body[0::2])
    even = sum(int(d) for d in body[1::2])
    return body + str((10 - (odd + 3 * even) % 10) % 10)


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13(code[:12]) == code


class Ean13:
    """EAN-13 codes made of a 5-digit prefix and a 7-digit item number, from lookup tables.

    Equal to ``ean13(prefix + f"{item:07d}")`` at a fraction of the cost (a million per catalog):
    the prefix and the item's first four digits come from one table, the last three digits and the
    check digit from another, picked by the first part's weighted sum.
    """

    def __init__(self, prefix: str) -> None:
        if len(prefix) != 5 or not prefix.isdigit():
            raise ValueError(f"an EAN prefix here has 5 digits, got {prefix!r}")
        base = _weighted(prefix, 0)
        self._heads = [prefix + f"{n:04d}" for n in range(10_000)]
        self._head_sums = [(base + _weighted(f"{n:04d}", 5)) % 10 for n in range(10_000)]
        self._tails = [
            [f"{n:03d}{_DIGITS[-(head + _weighted(f'{n:03d}', 9)) % 10]}" for n in range(1_000)]
            for head in range(10)
        ]

    def __call__(self, item: int) -> str:
        head = item // 1000
        return self._heads[head] + self._tails[self._head_sums[head]][item - head * 1000]

    def run(self, first: int, count: int) -> list[str]:
        """The codes of items ``first`` .. ``first + count - 1``."""
        heads, sums, tails = self._heads, self._head_sums, self._tails
        return [
            heads[i // 1000] + tails[sums[i // 1000]][i % 1000] for i in range(first, first + count)
        ]


_DIGITS = "0123456789"


def _weighted(digits: str, position: int) -> int:
    """EAN weights: 1 on even body positions, 3 on odd ones."""
    return sum(int(d) * (3 if (position + n) % 2 else 1) for n, d in enumerate(digits))


def mix32(salt: int, index: int) -> int:
    """A cheap 32-bit hash for per-row draws; ``salt`` < 2**32."""
    h = ((index ^ salt) * 0x9E3779B1) & 0xFFFFFFFF
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    return h ^ (h >> 13)
