"""Colors — ``POST product/v2/colors/search`` with a change window (all history on a full read)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from adapters.totvs_moda.http import Request
from adapters.totvs_moda.stream_spec import ChangeWindow, RowError, text
from domain.catalog import Color


class ColorRow(msgspec.Struct, rename="camel", gc=False):
    color_code: str | int | None = None
    color_name: str | None = None
    additional_color_information: str | None = None
    max_change_filter_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class ColorsSpec:
    page_size: int
    row_type = ColorRow
    key_field = "colorCode"
    changed_field = "maxChangeFilterDate"

    def request(self, page: int, window: ChangeWindow) -> Request:
        body = {"filter": {"change": window.change()}, "page": page, "pageSize": self.page_size}
        return Request("POST", "product/v2/colors/search", body)

    def key(self, row: ColorRow) -> str | None:
        return text(row.color_code)

    def changed(self, row: ColorRow) -> datetime | None:
        return row.max_change_filter_date

    def map(self, row: ColorRow, changed_at: datetime | None, out: list[Any]) -> None:
        code = text(row.color_code)
        if not code:
            raise RowError("missing colorCode")
        out.append(
            Color(
                code=code,
                name=row.color_name or "",
                additional_info=row.additional_color_information,
                changed_at=changed_at,
            )
        )
