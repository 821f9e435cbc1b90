"""Reading every page of a search with a bounded number of requests in flight."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from typing import Any

from adapters.totvs_moda.decoding import DecodedPage
from application.sync.ports import SourceError


async def read_pages(
    fetch: Callable[[int], Coroutine[Any, Any, DecodedPage]],
    *,
    page_size: int,
    concurrency: int,
    max_pages: int,
) -> AsyncGenerator[DecodedPage, None]:
    """Yield page 1, then every further page in completion order.

    When page 1 states ``totalPages``, pages 2..totalPages are fetched with at most
    ``concurrency`` requests in flight or waiting to be consumed, so at most that many pages sit in
    memory. Without ``totalPages`` pages are read one by one until a page is empty or says
    ``hasNext`` is false. A page shorter than ``page_size`` ends the read only when the ERP does not
    say ``hasNext``: an ERP that caps the page size below ours sends short pages with ``hasNext``
    true, and stopping there would truncate the read. Reading stops at once when page 1 says
    ``hasNext`` is false.

    :raises SourceError: when the read would need more than ``max_pages`` pages (a runaway read is
        refused rather than silently truncated, which would move the cursor past unread rows).
    """
    first = await fetch(1)
    yield first
    if first.has_next is False or first.rows == 0:
        return
    if first.total_pages is None:
        async for page in _sequential(fetch, first, page_size, max_pages):
            yield page
        return
    last = first.total_pages
    if last > max_pages:
        raise SourceError(f"read needs {last} pages, more than the cap of {max_pages}")
    async for page in _concurrent(fetch, range(2, last + 1), concurrency):
        yield page


async def _sequential(
    fetch: Callable[[int], Coroutine[Any, Any, DecodedPage]],
    page: DecodedPage,
    page_size: int,
    max_pages: int,
) -> AsyncIterator[DecodedPage]:
    number = 1
    while _more_after(page, page_size):
        if number >= max_pages:
            raise SourceError(f"read still has pages after the cap of {max_pages}")
        number += 1
        page = await fetch(number)
        yield page


def _more_after(page: DecodedPage, page_size: int) -> bool:
    if page.rows == 0:
        return False
    if page.has_next is None:
        return page.rows >= page_size
    return page.has_next


async def _concurrent(
    fetch: Callable[[int], Coroutine[Any, Any, DecodedPage]],
    numbers: range,
    concurrency: int,
) -> AsyncIterator[DecodedPage]:
    todo = iter(numbers)
    running: set[asyncio.Task[DecodedPage]] = set()
    done: set[asyncio.Task[DecodedPage]] = set()
    try:
        while True:
            for number in todo:
                running.add(asyncio.create_task(fetch(number)))
                if len(running) >= concurrency:
                    break
            if not running:
                return
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            while done:
                yield done.pop().result()
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, *done, return_exceptions=True)
