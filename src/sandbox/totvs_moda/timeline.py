"""Which keys changed inside a window, without scanning every row (persons and sales orders).

Every change appends ``(at, seq, key)``; a key's older entries go stale and are skipped. Stamps
never go backwards (:meth:`Timeline.touch` lifts an earlier one to the last stamp), so the entries
stay sorted by ``at`` and a window is one bisected slice.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterator
from operator import itemgetter
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
_AT = itemgetter(0)


class Timeline(Generic[K]):
    def __init__(self) -> None:
        self._entries: list[tuple[int, int, K]] = []
        self._latest: dict[K, int] = {}
        self._seq = 0

    @property
    def last_at(self) -> int | None:
        return self._entries[-1][0] if self._entries else None

    def touch(self, key: K, at: int) -> int:
        """Record a change of ``key`` at ``at``; returns its stamp (never before the last one)."""
        last = self.last_at
        if last is not None and at < last:
            at = last
        self._seq += 1
        self._entries.append((at, self._seq, key))
        self._latest[key] = self._seq
        return at

    def within(self, start: float | None, end: float | None) -> Iterator[K]:
        """Keys whose latest change lies in ``start..end`` (inclusive; None is unbounded), oldest
        change first."""
        entries, latest = self._entries, self._latest
        low = 0 if start is None else bisect_left(entries, start, key=_AT)
        high = len(entries) if end is None else bisect_right(entries, end, key=_AT)
        for n in range(low, high):
            _, seq, key = entries[n]
            if latest[key] == seq:
                yield key
