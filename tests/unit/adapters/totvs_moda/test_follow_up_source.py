"""The customers and orders streams through TotvsModaCatalogSource over a mocked ERP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from aioresponses import CallbackResult, aioresponses

from adapters.totvs_moda import TotvsModaCatalogSource
from domain.sync import Stream
from tests.unit.adapters.totvs_moda.conftest import TOKEN_URL, api, envelope, make_settings
from tests.unit.adapters.totvs_moda.conftest import token_body as token

NOW = datetime(2026, 4, 20, 13, 0, tzinfo=UTC)
PATHS = {
    Stream.INDIVIDUALS: "person/v2/individuals/search",
    Stream.LEGAL_ENTITIES: "person/v2/legal-entities/search",
    Stream.ORDERS: "sales-order/v2/orders/search",
}
ROWS = {
    Stream.INDIVIDUALS: {"code": 1, "name": "Ana", "maxChangeFilterDate": "2026-04-19T10:00:00"},
    Stream.LEGAL_ENTITIES: {"code": 2, "name": "ACME", "maxChangeFilterDate": "2026-04-19T10:00"},
    Stream.ORDERS: {
        "branchCode": 2,
        "orderCode": 9,
        "statusOrder": 1,
        "maxChangeFilterDate": "2026-04-19T10:00:00",
    },
}


class Recorder:
    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.bodies: list[Any] = []

    async def respond(self, url: Any, **kwargs: Any) -> CallbackResult:
        self.bodies.append(msgspec.json.decode(kwargs["data"]))
        return CallbackResult(payload=envelope([self.row]))


@pytest.mark.parametrize("stream", list(PATHS))
async def test_an_incremental_read_of_each_follow_up_stream(
    mocked: aioresponses, stream: Stream
) -> None:
    mocked.post(TOKEN_URL, payload=token(), repeat=True)
    server = Recorder(ROWS[stream])
    mocked.post(api(PATHS[stream]), callback=server.respond)
    since = datetime(2026, 4, 18, 3, 0, tzinfo=UTC)
    settings = make_settings(branch_codes=(1, 2))

    async with TotvsModaCatalogSource(settings, now=lambda: NOW) as source:
        pages = [page async for page in source.read(stream, since)]

    [page] = pages
    assert (len(page.records), page.rejections) == (1, [])
    assert page.max_changed_at == datetime(2026, 4, 19, 13, 0, tzinfo=UTC)
    [body] = server.bodies
    change = body["filter"]["change"]
    assert (change["startDate"], change["endDate"]) == (
        "2026-04-18T00:00:00",
        "2026-04-21T10:00:00",
    )
    if stream is Stream.ORDERS:
        assert body["filter"]["branchCodeList"] == [1, 2]
        assert "startOrderDate" not in body["filter"]
    else:
        assert body["filter"]["isCustomer"] is True


async def test_a_full_read_of_orders_starts_at_the_history_horizon(mocked: aioresponses) -> None:
    mocked.post(TOKEN_URL, payload=token(), repeat=True)
    server = Recorder(ROWS[Stream.ORDERS])
    mocked.post(api(PATHS[Stream.ORDERS]), callback=server.respond)
    settings = make_settings(branch_codes=(2,), orders_history_days=10)

    async with TotvsModaCatalogSource(settings, now=lambda: NOW) as source:
        [page] = [page async for page in source.read(Stream.ORDERS, None)]

    assert len(page.records) == 1
    [body] = server.bodies
    # Ten days before 13:00 UTC, as the ERP's naive Sao Paulo time; change still spans it all.
    assert body["filter"]["startOrderDate"] == "2026-04-10T10:00:00"
    assert body["filter"]["change"] == {
        "startDate": "1900-01-01T00:00:00",
        "endDate": "2026-04-21T10:00:00",
    }


def test_the_orders_history_must_be_positive() -> None:
    with pytest.raises(ValueError, match="orders_history_days"):
        make_settings(orders_history_days=0)
