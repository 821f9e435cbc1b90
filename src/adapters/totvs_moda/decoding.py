"""Page decoding: one msgspec pass over the whole page, a row-by-row pass only when that fails."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Generic, NamedTuple, TypeVar, cast

import msgspec

from adapters.totvs_moda.dates import SAO_PAULO
from adapters.totvs_moda.http import MalformedBody
from adapters.totvs_moda.stream_spec import RowError, StreamSpec
from adapters.totvs_moda.tolerant import read_loosely
from application.sync.ports import Page
from domain.sync import Rejection

R = TypeVar("R", bound=msgspec.Struct)
_MAX_CACHED_TIMES = 20_000


class Envelope(msgspec.Struct, Generic[R], rename="camel", gc=False):
    items: list[R] | None = None
    has_next: bool | None = None
    total_pages: int | None = None
    total_items: int | None = None


class DecodedPage(NamedTuple):
    """A page with the paging fields the ERP sent; ``has_next`` is None when it sent none."""

    page: Page
    has_next: bool | None
    total_pages: int | None
    rows: int


class PageDecoder(Generic[R]):
    """Turns a page body into a :class:`Page`; one bad row becomes a rejection, not a failure.

    The whole page is decoded in one pass. When that fails, finds no ``items`` or yields a row the
    mapping refuses, the page is decoded again row by row with keys matched in any casing.

    :raises MalformedBody: when the body is not JSON at all (truncated, HTML…).
    """

    def __init__(self, spec: StreamSpec[R]) -> None:
        self._spec = spec
        self._fast = msgspec.json.Decoder(cast("Any", Envelope)[spec.row_type])
        self._local: dict[datetime, datetime] = {}

    def decode(self, number: int, body: bytes) -> DecodedPage:
        """Decode with the cyclic garbage collector paused.

        A page allocates thousands of acyclic objects; letting the collector run every 700 of them
        would promote and rescan them (and the whole heap) over and over. One collection per page
        does the same work far more cheaply. The collector is left as it was found.
        """
        if not gc.isenabled():
            return self._decode(number, body)
        gc.disable()
        try:
            return self._decode(number, body)
        finally:
            gc.enable()

    def _decode(self, number: int, body: bytes) -> DecodedPage:
        try:
            envelope: Envelope[R] = self._fast.decode(body)
        except msgspec.ValidationError:
            return self._tolerant(number, body)
        except msgspec.DecodeError as error:
            raise MalformedBody(str(error)) from error
        rows = envelope.items
        if rows is None:  # no ``items`` key: perhaps cased differently
            return self._tolerant(number, body)
        records: list[Any] = []
        rejections: list[Rejection] = []
        top = self._map(rows, records, rejections, None)
        if rejections:  # perhaps a required key cased differently: retry row by row
            return self._tolerant(number, body)
        page = Page(number, records, rejections, top, envelope.total_items)
        return DecodedPage(page, envelope.has_next, envelope.total_pages, len(rows))

    def _map(
        self,
        rows: Iterable[R],
        records: list[Any],
        rejections: list[Rejection],
        top: datetime | None,
    ) -> datetime | None:
        spec, local = self._spec, self._local
        changed_of, map_row = spec.changed, spec.map
        for row in rows:
            at = changed_of(row)
            if at is not None:
                if at.tzinfo is None:
                    # attaching a zone costs more than a lookup, and change stamps repeat
                    naive, at = at, local.get(at)
                    if at is None:
                        at = naive.replace(tzinfo=SAO_PAULO)
                        if len(local) >= _MAX_CACHED_TIMES:
                            local.clear()
                        local[naive] = at
                if top is None or at > top:
                    top = at
            try:
                map_row(row, at, records)
            except RowError as error:
                rejections.append(Rejection(spec.key(row), str(error)))
        return top

    def _tolerant(self, number: int, body: bytes) -> DecodedPage:
        loose = read_loosely(self._spec, body)
        records: list[Any] = []
        rejections = loose.rejections
        top = self._map(loose.rows, records, rejections, loose.rejected_max_changed_at)
        page = Page(number, records, rejections, top, loose.total_items)
        return DecodedPage(page, loose.has_next, loose.total_pages, loose.rows_read)
