"""Faults on the write routes: ``lost-reply`` commits and drops the answer; the other kinds answer
before anything is written."""

from __future__ import annotations

import aiohttp
import pytest

from sandbox.totvs_moda import RunningSandbox
from tests.integration.sandbox.commerce_api import (
    B2C_ORDERS,
    INDIVIDUAL_CUSTOMERS,
    SALES_ORDERS,
    b2c_order,
    writes,
)
from tests.integration.sandbox.conftest import Api


async def raw_post(api: Api, path: str, body: object) -> tuple[int, bytes]:
    async with api.http.post(
        f"{api.sandbox.api_url}{path}", json=body, headers=api.headers()
    ) as response:
        return response.status, await response.read()


async def test_lost_reply_commits_the_order_then_drops_the_connection(
    api: Api, sandbox: RunningSandbox
) -> None:
    sandbox.set_faults("lost-reply@calls=1:20ms:route=b2c_orders")
    with pytest.raises(aiohttp.ClientConnectionError):
        await raw_post(api, B2C_ORDERS, b2c_order("lost-1"))
    [logged] = await writes(api)
    assert (logged["route"], logged["orderId"]) == ("b2c-orders", "lost-1")
    status, found = await api.post(
        SALES_ORDERS, {"filter": {"branchCodeList": [1], "orderIdList": ["lost-1"]}}
    )
    assert (status, found["totalItems"]) == (200, 1)
    assert found["items"][0]["orderCode"] == logged["orderCode"]
    assert sandbox.stats.faults["lost-reply"] == 1
    status, _ = await raw_post(api, B2C_ORDERS, b2c_order("lost-2"))
    assert status == 201


async def test_lost_reply_on_searches_and_upserts_too(api: Api, sandbox: RunningSandbox) -> None:
    sandbox.set_faults("lost-reply@every=1")
    with pytest.raises(aiohttp.ClientConnectionError):
        await raw_post(
            api,
            INDIVIDUAL_CUSTOMERS,
            {"cpf": "52998224725", "name": "Perdida", "branchInsertCode": 1},
        )
    with pytest.raises(aiohttp.ClientConnectionError):
        await raw_post(api, SALES_ORDERS, {"filter": {"branchCodeList": [1]}})
    sandbox.set_faults(None)
    assert [w["document"] for w in await writes(api)] == ["52998224725"]


@pytest.mark.parametrize(
    "spec",
    [
        "5xx@calls=1",
        "429@calls=1",
        "reset@calls=1",
        "hang@calls=1:20ms",
        "nonjson@calls=1",
        "expire-token@calls=1",
    ],
)
async def test_faults_before_processing_write_nothing(
    api: Api, sandbox: RunningSandbox, spec: str
) -> None:
    sandbox.set_faults(f"{spec}:route=b2c_orders")
    try:
        status, _ = await raw_post(api, B2C_ORDERS, b2c_order("never"))
    except aiohttp.ClientConnectionError:
        status = 0
    assert status != 201
    assert await writes(api) == []
    await api.login()
    assert (await raw_post(api, B2C_ORDERS, b2c_order("after")))[0] == 201
    assert [w["orderId"] for w in await writes(api)] == ["after"]


async def test_rates_apply_to_the_new_routes(api: Api, sandbox: RunningSandbox) -> None:
    sandbox.set_faults("5xx@every=2:route=orders_search")
    statuses = [
        (await raw_post(api, SALES_ORDERS, {"filter": {"branchCodeList": [1]}}))[0]
        for _ in range(4)
    ]
    assert [s >= 500 for s in statuses] == [False, True, False, True]
    assert sandbox.stats.calls["orders_search"] == 4
