"""Paging rules and bounded concurrency, with a hand-written fake fetch."""

from __future__ import annotations

import asyncio

import pytest

from adapters.totvs_moda.decoding import DecodedPage
from adapters.totvs_moda.paging import read_pages
from application.sync.ports import Page, SourceError


class FakeSearch:
    """Serves ``total_rows`` rows in pages of ``page_size``; counts requests in flight.

    ``says_has_next=False`` leaves ``hasNext`` out of every page.
    """

    def __init__(
        self,
        total_rows: int,
        page_size: int,
        *,
        states_total_pages: bool = True,
        has_next_forever: bool = False,
        says_has_next: bool = True,
    ) -> None:
        self.total_rows, self.page_size = total_rows, page_size
        self.states_total_pages = states_total_pages
        self.has_next_forever = has_next_forever
        self.says_has_next = says_has_next
        self.requested: list[int] = []
        self.in_flight = 0
        self.most_in_flight = 0

    @property
    def pages(self) -> int:
        return -(-self.total_rows // self.page_size)

    async def __call__(self, number: int) -> DecodedPage:
        self.requested.append(number)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.001 * (number % 3))  # complete out of order
            rows = max(0, min(self.page_size, self.total_rows - (number - 1) * self.page_size))
            has_next = (
                (self.has_next_forever or number < self.pages) if self.says_has_next else None
            )
            total = self.pages if self.states_total_pages else None
            return DecodedPage(Page(number, [0] * rows, [], None), has_next, total, rows)
        finally:
            self.in_flight -= 1


async def collect(
    search: FakeSearch,
    *,
    concurrency: int = 4,
    max_pages: int = 1000,
    page_size: int | None = None,
) -> list[int]:
    """Page numbers in arrival order; ``page_size`` is what we ask for (the served size if None)."""
    asked = search.page_size if page_size is None else page_size
    pages = read_pages(search, page_size=asked, concurrency=concurrency, max_pages=max_pages)
    return [decoded.page.number async for decoded in pages]


async def test_every_page_arrives_once_with_at_most_n_requests_in_flight() -> None:
    search = FakeSearch(total_rows=95, page_size=5)

    numbers = await collect(search, concurrency=3)

    assert sorted(numbers) == list(range(1, 20))
    assert numbers[0] == 1
    assert search.most_in_flight == 3
    assert sorted(search.requested) == list(range(1, 20))


async def test_pages_not_yet_consumed_count_against_the_bound() -> None:
    search = FakeSearch(total_rows=100, page_size=10)
    pages = read_pages(search, page_size=10, concurrency=2, max_pages=100)

    await anext(pages)  # page 1
    await anext(pages)
    await asyncio.sleep(0.05)  # the consumer dawdles: no more requests start meanwhile
    started = len(search.requested)
    await pages.aclose()

    assert started == 3  # page 1, then two in flight or waiting


async def test_a_single_page_read_stops_after_page_one() -> None:
    search = FakeSearch(total_rows=3, page_size=5)
    assert await collect(search) == [1]
    assert search.requested == [1]


async def test_empty_first_page_stops_even_if_has_next_lies() -> None:
    search = FakeSearch(total_rows=0, page_size=5, has_next_forever=True)
    assert await collect(search) == [1]


async def test_total_pages_stops_a_server_that_always_says_has_next() -> None:
    search = FakeSearch(total_rows=20, page_size=5, has_next_forever=True)
    assert sorted(await collect(search)) == [1, 2, 3, 4]


async def test_without_total_pages_pages_are_read_in_order_until_has_next_is_false() -> None:
    search = FakeSearch(total_rows=20, page_size=5, states_total_pages=False)
    assert await collect(search) == [1, 2, 3, 4]
    assert search.most_in_flight == 1


async def test_without_total_pages_or_has_next_a_short_page_ends_the_read() -> None:
    search = FakeSearch(total_rows=12, page_size=5, states_total_pages=False, says_has_next=False)
    assert await collect(search) == [1, 2, 3]


async def test_without_total_pages_or_has_next_full_pages_are_followed() -> None:
    search = FakeSearch(total_rows=10, page_size=5, states_total_pages=False, says_has_next=False)
    assert await collect(search) == [1, 2, 3]  # page 3 is empty


async def test_a_short_page_saying_has_next_does_not_end_the_read() -> None:
    """The ERP serves 3 rows a page though we asked for 5: every row must still be read."""
    search = FakeSearch(total_rows=12, page_size=3, states_total_pages=False)
    assert await collect(search, page_size=5) == [1, 2, 3, 4]


async def test_an_empty_page_ends_the_read_even_if_has_next_lies() -> None:
    search = FakeSearch(total_rows=12, page_size=5, states_total_pages=False, has_next_forever=True)
    assert await collect(search) == [1, 2, 3, 4]


async def test_a_read_beyond_the_page_cap_fails_instead_of_truncating() -> None:
    with pytest.raises(SourceError, match="cap"):
        await collect(FakeSearch(total_rows=100, page_size=5), max_pages=10)
    endless = FakeSearch(total_rows=10**6, page_size=5, states_total_pages=False)
    with pytest.raises(SourceError, match="cap"):
        await collect(endless, max_pages=10)
    assert len(endless.requested) == 10
    capped = FakeSearch(total_rows=10**6, page_size=3, states_total_pages=False)
    with pytest.raises(SourceError, match="cap"):
        await collect(capped, max_pages=10, page_size=5)
    assert len(capped.requested) == 10


async def test_a_failing_page_cancels_the_others_and_propagates() -> None:
    search = FakeSearch(total_rows=100, page_size=5)
    hanging: list[int] = []
    cancelled: list[int] = []

    async def failing(number: int) -> DecodedPage:
        if number == 4:
            await asyncio.sleep(0.01)
            raise SourceError("page 4 broke")
        if number > 2:
            hanging.append(number)
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                cancelled.append(number)
                raise
        return await search(number)

    with pytest.raises(SourceError, match="page 4"):
        async for _ in read_pages(failing, page_size=5, concurrency=4, max_pages=100):
            pass
    assert hanging
    assert sorted(cancelled) == sorted(hanging)
