"""Size grids — ``GET product/v2/grid`` with PascalCase query and a change window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from adapters.totvs_moda.http import Request
from adapters.totvs_moda.stream_spec import ChangeWindow, RowError, text
from domain.catalog import SizeGrid


class GridRow(msgspec.Struct, rename="camel", gc=False):
    code: str | int | None = None
    name: str | None = None
    type: str | int | None = None  # an enum: its name, or a bare integer
    grid: list[str | int] | None = None
    max_change_filter_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class SizesSpec:
    page_size: int
    row_type = GridRow
    key_field = "code"
    changed_field = "maxChangeFilterDate"

    def request(self, page: int, window: ChangeWindow) -> Request:
        params = (
            ("StartChangeDate", window.start),
            ("EndChangeDate", window.end),
            ("Order", "code"),
            ("Page", str(page)),
            ("PageSize", str(self.page_size)),
        )
        return Request("GET", "product/v2/grid", params=params)

    def key(self, row: GridRow) -> str | None:
        return text(row.code)

    def changed(self, row: GridRow) -> datetime | None:
        return row.max_change_filter_date

    def map(self, row: GridRow, changed_at: datetime | None, out: list[Any]) -> None:
        code = text(row.code)
        if not code:
            raise RowError("missing grid code")
        out.append(
            SizeGrid(
                code=code,
                name=row.name or "",
                grid_type=text(row.type),
                sizes=tuple(str(size) for size in row.grid or ()),
                changed_at=changed_at,
            )
        )
