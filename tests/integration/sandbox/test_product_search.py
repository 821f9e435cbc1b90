"""products/search over HTTP: scoping, pagination, key binding, expand, casing quirks."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from sandbox.totvs_moda import (
    Overflow,
    RunningSandbox,
    SandboxCatalog,
    SandboxSettings,
    run_sandbox,
)
from tests.integration.sandbox.conftest import PRODUCTS, Api

NAIVE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")


async def test_branch_info_code_is_required(api: Api) -> None:
    status, body = await api.post(PRODUCTS, {"page": 1, "pageSize": 10})
    assert status == 400
    assert "branchInfoCode" in str(body)


async def test_400_bodies_rotate_through_the_three_documented_shapes(api: Api) -> None:
    shapes = []
    for _ in range(3):
        status, body = await api.post(PRODUCTS, {"pageSize": 10})
        assert status == 400
        shapes.append(body)
    assert shapes[0]["code"] == "parameterValueField"
    assert shapes[0]["detailedMessage"]
    assert shapes[1][0]["code"] == "parameterValueField"
    assert shapes[2]["messages"][0]["code"] == "parameterValueField"


async def test_paging_the_whole_catalog_yields_every_sku_once(
    api: Api, sandbox: RunningSandbox
) -> None:
    items = await api.all_pages(PRODUCTS, {"option": {"branchInfoCode": 1}, "pageSize": 37})
    codes = [item["productCode"] for item in items]
    assert codes == list(range(1, sandbox.catalog.max_code + 1))
    pages: dict[str, set[int]] = defaultdict(set)
    for n, item in enumerate(items):
        pages[item["ReferenceCode"]].add(n // 37)
    assert any(len(p) > 1 for p in pages.values()), "some reference spans two pages"


async def test_request_keys_bind_case_insensitively_and_unknown_keys_are_ignored(
    api: Api,
) -> None:
    status, body = await api.post(
        PRODUCTS,
        {
            "OPTION": {"BranchInfoCode": 1},
            "Filter": {"ProductCodeList": [3, 5], "madeUpFilter": {"x": 1}},
            "PAGESIZE": 10,
        },
    )
    assert status == 200
    assert [i["productCode"] for i in body["items"]] == [3, 5]


async def test_items_carry_the_wire_fields_and_casing_quirks(api: Api) -> None:
    status, body = await api.post(PRODUCTS, {"option": {"branchInfoCode": 1}, "pageSize": 50})
    assert status == 200
    item = body["items"][0]
    for key in (
        "productCode", "productName", "productSku", "maxChangeFilterDate", "colorCode",
        "colorName", "size", "gridCode", "ReferenceCode", "referenceName", "description",
        "ncm", "measuredUnit", "isActive", "isBlocked", "SalesStartDate", "barCodes",
    ):  # fmt: skip
        assert key in item, key
    assert "referenceCode" not in item
    assert NAIVE.match(item["maxChangeFilterDate"])
    assert all(len(b["barCode"]) == 13 for i in body["items"] for b in i["barCodes"])
    assert "classifications" not in item
    assert item["details"] is None


async def test_expand_brings_classifications_and_details(api: Api) -> None:
    status, body = await api.post(
        PRODUCTS,
        {"option": {"branchInfoCode": 1}, "expand": "classifications, details", "pageSize": 30},
    )
    assert status == 200
    item = body["items"][0]
    assert [c["typeCode"] for c in item["classifications"]] == [1, 2, 3]
    assert all(isinstance(c["code"], str) for c in item["classifications"])
    assert item["details"][0]["description"]
    assert any(i["description"] is None for i in body["items"])


async def test_an_unknown_branch_is_refused(api: Api) -> None:
    status, body = await api.post(PRODUCTS, {"option": {"branchInfoCode": 99}})
    assert status == 400
    assert "NotFound" in str(body)


async def test_page_size_above_the_maximum_is_clamped(api: Api, sandbox: RunningSandbox) -> None:
    sandbox.catalog.add_products(120)  # past 1000 SKUs
    total = sandbox.catalog.max_code
    assert total > 1000
    status, body = await api.post(PRODUCTS, {"option": {"branchInfoCode": 1}, "pageSize": 5000})
    assert status == 200
    assert len(body["items"]) == 1000
    assert (body["totalItems"], body["totalPages"], body["hasNext"]) == (total, 2, True)


async def test_page_size_above_the_maximum_is_rejected_when_configured(api: Api) -> None:
    settings = SandboxSettings(overflow=Overflow.REJECT)
    async with run_sandbox(SandboxCatalog(20), settings=settings) as strict:
        client = Api(strict, api.http)
        await client.login()
        status, _ = await client.post(PRODUCTS, {"option": {"branchInfoCode": 1}, "pageSize": 1001})
        assert status == 400
        status, _ = await client.post(PRODUCTS, {"option": {"branchInfoCode": 1}, "pageSize": 1000})
        assert status == 200


async def test_a_page_past_the_end_is_empty(api: Api) -> None:
    status, body = await api.post(
        PRODUCTS, {"option": {"branchInfoCode": 1}, "page": 99, "pageSize": 100}
    )
    assert status == 200
    assert (body["items"], body["hasNext"], body["totalItems"]) == ([], False, 230)


async def test_reference_code_list_reads_whole_references(api: Api) -> None:
    status, body = await api.post(
        PRODUCTS,
        {"option": {"branchInfoCode": 1}, "filter": {"referenceCodeList": ["000002"]}},
    )
    assert status == 200
    refs = Counter(i["ReferenceCode"] for i in body["items"])
    assert list(refs) == ["000002"]
    assert 8 <= refs["000002"] <= 12
