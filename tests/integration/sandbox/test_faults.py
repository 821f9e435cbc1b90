"""Fault injection over real HTTP: each kind reaches the client the way it does in production."""

from __future__ import annotations

import asyncio

import aiohttp
import msgspec
import pytest

from sandbox.totvs_moda import RunningSandbox, SandboxCatalog, run_sandbox
from tests.integration.sandbox.conftest import LOGIN, PRODUCTS, Api

SEARCH = {"option": {"branchInfoCode": 1}, "pageSize": 20}


async def raw_post(api: Api, body: object = SEARCH) -> tuple[int, str, bytes, dict[str, str]]:
    async with api.http.post(
        f"{api.sandbox.api_url}{PRODUCTS}", json=body, headers=api.headers()
    ) as response:
        return response.status, response.content_type, await response.read(), dict(response.headers)


async def test_scheduled_5xx_hit_exactly_the_listed_calls(
    api: Api, sandbox: RunningSandbox
) -> None:
    sandbox.set_faults("5xx@calls=2-3:route=products")
    results = [await raw_post(api) for _ in range(4)]
    assert [r[0] for r in results] == [200, 500, 502, 200]
    assert {r[1] for r in results[1:3]} == {"application/json", "text/plain"}
    assert sandbox.stats.faults["5xx"] == 2
    assert sandbox.stats.calls["products"] == 4


async def test_429_carries_retry_after(api: Api, sandbox: RunningSandbox) -> None:
    sandbox.set_faults("429@calls=1:retry-after=7")
    status, _, _, headers = await raw_post(api)
    assert (status, headers["Retry-After"]) == (429, "7")
    assert (await raw_post(api))[0] == 200


async def test_nonjson_is_a_200_html_page(api: Api, sandbox: RunningSandbox) -> None:
    sandbox.set_faults("nonjson@every=1")
    status, content_type, body, _ = await raw_post(api)
    assert (status, content_type) == (200, "text/html")
    assert body.startswith(b"<!DOCTYPE html>")


async def test_truncated_is_a_200_with_half_a_json_body(api: Api, sandbox: RunningSandbox) -> None:
    whole = (await raw_post(api))[2]
    sandbox.set_faults("truncated@calls=1")
    status, content_type, body, _ = await raw_post(api)
    assert (status, content_type) == (200, "application/json")
    assert whole.startswith(body)
    assert len(body) < len(whole)
    with pytest.raises(msgspec.DecodeError):
        msgspec.json.decode(body)


async def test_reset_drops_the_connection(api: Api, sandbox: RunningSandbox) -> None:
    sandbox.set_faults("reset@calls=1")
    with pytest.raises(aiohttp.ClientConnectionError):
        await raw_post(api)
    assert (await raw_post(api))[0] == 200


async def test_hang_outlasts_the_client_timeout(api: Api, sandbox: RunningSandbox) -> None:
    sandbox.set_faults("hang@calls=1:2s")
    with pytest.raises(asyncio.TimeoutError):
        async with api.http.post(
            f"{sandbox.api_url}{PRODUCTS}",
            json=SEARCH,
            headers=api.headers(),
            timeout=aiohttp.ClientTimeout(total=0.2),
        ):
            pass
    assert (await raw_post(api))[0] == 200


async def test_hang_ends_with_a_dropped_connection_at_its_cap(
    api: Api, sandbox: RunningSandbox
) -> None:
    sandbox.set_faults("hang@calls=1:50ms")
    with pytest.raises(aiohttp.ClientConnectionError):
        await raw_post(api)


async def test_a_hanging_call_does_not_hold_up_shutdown(api: Api) -> None:
    async with run_sandbox(SandboxCatalog(10), faults="hang@calls=1") as short:
        client = Api(short, api.http)
        await client.login()
        call = asyncio.create_task(client.post(PRODUCTS, SEARCH))
        while short.stats.calls["products"] == 0:  # noqa: ASYNC110 - no event to wait on
            await asyncio.sleep(0.01)
    with pytest.raises(aiohttp.ClientConnectionError):
        await call


async def test_expire_token_revokes_the_callers_token(api: Api, sandbox: RunningSandbox) -> None:
    sandbox.set_faults("expire-token@calls=2")
    assert (await raw_post(api))[0] == 200
    assert (await raw_post(api))[0] == 401
    assert (await raw_post(api))[0] == 401
    await api.login()
    assert (await raw_post(api))[0] == 200


async def test_latency_delays_then_answers(api: Api, sandbox: RunningSandbox) -> None:
    sandbox.set_faults("latency@every=1:20ms")
    assert (await raw_post(api))[0] == 200
    assert sandbox.stats.faults == {}


async def test_admin_and_token_routes_are_never_faulted(api: Api, sandbox: RunningSandbox) -> None:
    sandbox.set_faults("5xx")
    async with api.http.post(f"{sandbox.api_url}/authorization/v2/token", data=LOGIN) as r:
        assert r.status == 200
    async with api.http.get(f"{sandbox.url}/_sandbox/stats") as r:
        assert r.status == 200
        stats = await r.json()
    assert stats["calls"]["token"] >= 1
    assert (await raw_post(api))[0] >= 500


async def test_the_admin_api_sets_and_clears_plans(api: Api, sandbox: RunningSandbox) -> None:
    base = f"{sandbox.url}/_sandbox/faults"
    async with api.http.put(base, json={"spec": "nonjson"}) as r:
        assert (r.status, (await r.json())["spec"]) == (200, "nonjson")
    assert (await raw_post(api))[1] == "text/html"
    async with api.http.put(base, data="5xx=3") as r:
        assert r.status == 400
        assert "rate" in (await r.json())["error"]
    async with api.http.delete(base) as r:
        assert r.status == 200
    assert (await raw_post(api))[0] == 200
    async with api.http.post(f"{sandbox.url}/_sandbox/stats/reset") as r:
        assert (await r.json())["totalCalls"] == 0


async def test_rates_fire_deterministically(api: Api) -> None:
    statuses = []
    for _ in range(2):
        async with run_sandbox(SandboxCatalog(10), faults="5xx=0.4,seed=3") as faulty:
            client = Api(faulty, api.http)
            await client.login()
            statuses.append([(await raw_post(client))[0] for _ in range(15)])
    assert statuses[0] == statuses[1]
    assert 200 in statuses[0]
    assert any(s >= 500 for s in statuses[0])
