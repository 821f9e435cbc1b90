"""Page sizes and the search envelope (contract §4).

``page`` is 1-based. Each endpoint has a maximum ``pageSize`` (:data:`PAGE_LIMITS`); above it the
server either clamps to the maximum or answers 400, per :class:`Overflow`. The envelope's
``count``, ``totalPages``, ``hasNext``, ``totalItems`` and the item count always agree, so every
client stopping rule ends on the same page.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sandbox.totvs_moda.binding import as_int
from sandbox.totvs_moda.errors import BadRequest
from sandbox.totvs_moda.wire import Envelope

PAGE_LIMITS: dict[str, int] = {
    "colors": 1000,
    "grid": 1000,
    "classifications": 1000,
    "products": 1000,
    "balances": 1000,
    "prices": 1000,
    "costs": 1000,
    "production_orders": 500,
}
DEFAULT_PAGE_SIZE = 100


class Overflow(enum.StrEnum):
    CLAMP = "clamp"
    REJECT = "reject"


class CountMode(enum.StrEnum):
    """What ``count`` holds: the total (as in every recorded sample) or the page's item count."""

    TOTAL = "total"
    PAGE = "page"


@dataclass(frozen=True, slots=True)
class PagePolicy:
    limits: dict[str, int]
    overflow: Overflow = Overflow.CLAMP
    count: CountMode = CountMode.TOTAL

    def window(self, endpoint: str, page: Any, page_size: Any) -> tuple[int, int]:
        """(page, pageSize) after validation. :raises BadRequest: on bad or (reject) big sizes."""
        number = 1 if page is None else as_int(page, "page")
        size = DEFAULT_PAGE_SIZE if page_size is None else as_int(page_size, "pageSize")
        if number < 1:
            raise BadRequest("page must be 1 or more")
        if size < 1:
            raise BadRequest("pageSize must be 1 or more")
        limit = self.limits.get(endpoint, DEFAULT_PAGE_SIZE)
        if size > limit:
            if self.overflow is Overflow.REJECT:
                raise BadRequest(f"pageSize must be at most {limit}")
            size = limit
        return number, size

    def envelope(self, items: list[Any], total: int, page: int, size: int) -> Envelope:
        pages = -(-total // size)
        return Envelope(
            count=total if self.count is CountMode.TOTAL else len(items),
            totalPages=pages,
            hasNext=page < pages,
            totalItems=total,
            items=items,
        )
