"""Page sizes and the envelope: every client stopping rule must end on the same page."""

from __future__ import annotations

import pytest

from sandbox.totvs_moda.errors import BadRequest
from sandbox.totvs_moda.paging import PAGE_LIMITS, CountMode, Overflow, PagePolicy


def test_sizes_above_the_endpoint_maximum_are_clamped_by_default() -> None:
    policy = PagePolicy(PAGE_LIMITS)
    assert policy.window("products", 2, 5000) == (2, 1000)
    assert policy.window("production_orders", None, 501) == (1, 500)
    assert policy.window("prices", "3", "20") == (3, 20)


def test_reject_mode_answers_400_above_the_maximum() -> None:
    policy = PagePolicy(PAGE_LIMITS, Overflow.REJECT)
    assert policy.window("balances", 1, 1000) == (1, 1000)
    with pytest.raises(BadRequest, match="at most 1000"):
        policy.window("balances", 1, 1001)


@pytest.mark.parametrize(("page", "size"), [(0, 10), (1, 0), ("x", 10), (1, True)])
def test_bad_page_numbers_are_400s(page: object, size: object) -> None:
    with pytest.raises(BadRequest):
        PagePolicy(PAGE_LIMITS).window("colors", page, size)


@pytest.mark.parametrize("total", [0, 1, 9, 10, 11, 95])
def test_the_envelope_agrees_with_itself(total: int) -> None:
    policy, size = PagePolicy(PAGE_LIMITS), 10
    pages = -(-total // size)
    for page in range(1, pages + 2):
        items = list(range(min(size, max(0, total - (page - 1) * size))))
        envelope = policy.envelope(items, total, page, size)
        assert envelope.totalPages == pages
        assert envelope.totalItems == envelope.count == total
        assert envelope.hasNext == (page < pages)
        assert envelope.hasNext == (len(items) == size and (page * size) < total)


def test_count_can_be_the_page_item_count() -> None:
    envelope = PagePolicy(PAGE_LIMITS, count=CountMode.PAGE).envelope([1, 2], 12, 2, 10)
    assert (envelope.count, envelope.totalItems) == (2, 12)
