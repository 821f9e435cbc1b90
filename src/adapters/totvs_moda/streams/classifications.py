"""Classification values — ``GET product/v2/classifications`` per configured type, always in full.

The endpoint has no change filter, so every read is complete and moves no cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from adapters.totvs_moda.http import Request
from adapters.totvs_moda.stream_spec import ChangeWindow, RowError, text
from domain.catalog import Classification


class ClassificationRow(msgspec.Struct, rename="camel", gc=False):
    type_code: int | None = None
    type_name: str | None = None
    code: str | int | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ClassificationsSpec:
    page_size: int
    type_codes: tuple[int, ...]
    row_type = ClassificationRow
    key_field = "code"
    changed_field = "maxChangeFilterDate"

    def request(self, page: int, window: ChangeWindow) -> Request:
        types = [("TypeCodeList", str(code)) for code in self.type_codes]
        params = (*types, ("Page", str(page)), ("PageSize", str(self.page_size)))
        return Request("GET", "product/v2/classifications", params=params)

    def key(self, row: ClassificationRow) -> str | None:
        return f"{row.type_code}/{text(row.code)}"

    def changed(self, row: ClassificationRow) -> datetime | None:
        return None

    def map(self, row: ClassificationRow, changed_at: datetime | None, out: list[Any]) -> None:
        code = text(row.code)
        if row.type_code is None or not code:
            raise RowError("missing typeCode or code")
        if row.type_code not in self.type_codes:
            return  # the server may ignore TypeCodeList
        out.append(
            Classification(
                type_code=row.type_code,
                type_name=row.type_name or "",
                code=code,
                name=row.name or "",
            )
        )
