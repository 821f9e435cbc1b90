"""TOTVS Moda as the catalog sync's :class:`CatalogSource`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from types import TracebackType

import aiohttp

from adapters.totvs_moda.dates import to_request
from adapters.totvs_moda.decoding import DecodedPage, PageDecoder
from adapters.totvs_moda.http import TotvsHttp
from adapters.totvs_moda.paging import read_pages
from adapters.totvs_moda.settings import TotvsModaSettings
from adapters.totvs_moda.stream_spec import ChangeWindow
from adapters.totvs_moda.streams import stream_specs
from application.ops.calls import CallRecorder
from application.sync.ports import Page
from domain.sync import Stream

#: Start of the window of a full read on endpoints that filter by change date only.
FULL_READ_START = datetime(1900, 1, 1)  # naive ERP local time
#: The window ends this far after now, so clock skew with the ERP loses nothing.
WINDOW_END_MARGIN = timedelta(days=1)


class TotvsModaCatalogSource:
    """Reads the sync's streams from TOTVS Moda REST v2, page by page.

    ``since`` None is a full read: products, stock, prices, costs and customers are read with no
    change filter (costs and prices scoped by ``has*`` and their code lists, customers by
    ``isCustomer``); colors, grids, production orders and sales orders, whose searches filter by
    change date, get a window from 1900-01-01 (sales orders also keep to the last
    ``orders_history_days`` days of order date); classifications are always read in full.
    Otherwise the window starts at ``since`` (inclusive). Windows end a day after now. Close with
    :meth:`aclose` or use as an async context manager.
    """

    def __init__(
        self,
        settings: TotvsModaSettings,
        *,
        session: aiohttp.ClientSession | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        recorder: CallRecorder | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._settings = settings
        self._http = TotvsHttp(
            settings, session=session, sleep=sleep, monotonic=monotonic, recorder=recorder
        )
        self._specs = stream_specs(settings)
        self._decoders = {stream: PageDecoder(spec) for stream, spec in self._specs.items()}
        self._now = now

    async def read(self, stream: Stream, since: datetime | None) -> AsyncIterator[Page]:
        """:raises SourceError: when the ERP fails past retries or refuses a request."""
        spec, decoder = self._specs[stream], self._decoders[stream]
        now = self._now()
        end = to_request(now + WINDOW_END_MARGIN)
        if since is None:
            window = ChangeWindow(to_request(FULL_READ_START), end, full=True, read_at=now)
        else:
            window = ChangeWindow(to_request(since), end, full=False, read_at=now)

        async def fetch(number: int) -> DecodedPage:
            def parse(body: bytes) -> DecodedPage:
                return decoder.decode(number, body)

            return await self._http.call(spec.request(number, window), parse)

        pages = read_pages(
            fetch,
            page_size=spec.page_size,
            concurrency=self._settings.concurrency,
            max_pages=self._settings.max_pages,
        )
        try:
            async for decoded in pages:
                yield decoded.page
        finally:
            await pages.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> TotvsModaCatalogSource:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
