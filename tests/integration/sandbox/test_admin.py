"""The /_sandbox admin API: health, mutations, and expected state for reconciliation."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from sandbox.totvs_moda import RunningSandbox
from tests.integration.sandbox.conftest import Api


async def admin(api: Api, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    async with api.http.request(method, f"{api.sandbox.url}/_sandbox{path}", json=body) as r:
        return r.status, await r.json()


async def expected_rows(api: Api, entity: str, size: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        status, body = await admin(api, "GET", f"/expected/{entity}?page={page}&pageSize={size}")
        assert status == 200
        rows += body["items"]
        assert body["totalItems"] >= len(rows)
        if not body["hasNext"]:
            assert body["totalItems"] == len(rows)
            return rows
        page += 1


def as_json(rows: Any) -> Any:
    return msgspec.json.decode(msgspec.json.encode(list(rows)))


async def test_health_describes_the_catalog(api: Api) -> None:
    status, body = await admin(api, "GET", "/health")
    assert status == 200
    assert (body["skus"], body["branches"], body["priceCodes"]) == (230, [1, 2], [1, 2])


@pytest.mark.parametrize(
    ("entity", "method"),
    [
        ("products", "expected_skus"),
        ("balances", "expected_balances"),
        ("prices", "expected_prices"),
        ("costs", "expected_costs"),
        ("colors", "expected_colors"),
        ("sizes", "expected_sizes"),
        ("classifications", "expected_classifications"),
        ("production_orders", "expected_future_stock"),
    ],
)
async def test_expected_rows_over_http_match_the_python_api(
    api: Api, sandbox: RunningSandbox, entity: str, method: str
) -> None:
    sandbox.catalog.random(15)
    rows = await expected_rows(api, entity, 33)
    assert rows == as_json(getattr(sandbox.catalog, method)())


async def test_mutations_over_http_change_the_catalog(api: Api, sandbox: RunningSandbox) -> None:
    status, changes = await admin(api, "POST", "/mutations/prices", {"count": 3})
    assert status == 200
    assert changes["kind"] == "prices"
    assert len(changes["productCodes"]) == 3
    assert set(changes["productCodes"]) <= set(sandbox.catalog.overlay)
    status, changes = await admin(api, "POST", "/mutations/products", {"references": 1})
    assert status == 200
    assert changes["referenceCodes"]
    assert sandbox.catalog.max_code == 230 + len(changes["productCodes"])


@pytest.mark.parametrize(
    ("path", "body"),
    [("/mutations/teleport", {}), ("/mutations/prices", {"cuont": 1}), ("/mutations/stock", [1])],
)
async def test_bad_mutations_are_400s(api: Api, path: str, body: Any) -> None:
    status, response = await admin(api, "POST", path, body)
    assert status == 400
    assert response["error"]


async def test_unknown_expected_entities_are_404s(api: Api) -> None:
    assert (await admin(api, "GET", "/expected/persons"))[0] == 404
