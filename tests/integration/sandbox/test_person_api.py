"""Persons over real HTTP: the search envelope, filters, expand, casing quirks, change windows and
customer upserts."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.totvs_moda import RunningSandbox, SandboxCatalog, SandboxSettings, run_sandbox
from sandbox.totvs_moda.documents import make_cnpj, make_cpf
from sandbox.totvs_moda.paging import Overflow
from tests.integration.sandbox.commerce_api import (
    INDIVIDUAL_CUSTOMERS,
    INDIVIDUALS,
    LEGAL_CUSTOMERS,
    LEGAL_ENTITIES,
    admin,
    writes,
)
from tests.integration.sandbox.conftest import Api, assert_envelope
from tests.unit.sandbox.clock import FakeClock


async def test_individuals_page_consistently_in_code_order(api: Api) -> None:
    items = await api.all_pages(INDIVIDUALS, {"pageSize": 7})
    assert [p["code"] for p in items] == list(range(1, 21))
    assert all(len(p["cpf"]) == 11 and "cnpj" not in p for p in items)
    legal = await api.all_pages(LEGAL_ENTITIES, {"pageSize": 2})
    assert [p["code"] for p in legal] == list(range(21, 26))
    assert all(len(p["cnpj"]) == 14 and p["dateFoundation"].endswith(" 00:00:00") for p in legal)


async def test_fields_and_expand(api: Api) -> None:
    status, plain = await api.post(INDIVIDUALS, {"filter": {"personCodeList": [1, 2, 3]}})
    assert status == 200
    for person in plain["items"]:
        assert "phones" not in person
        assert "addresses" not in person
        assert person["emails"] is None
        assert person["customerStatus"] == ("Inativo" if person["isInactive"] else "Ativo")
        assert person["status"] in ("Active", "Inactive", 0)
        assert "T" in person["maxChangeFilterDate"]
        assert "+" not in person["maxChangeFilterDate"]
    body = {"expand": "phones, addresses,emails", "pageSize": 500}
    expanded = await api.all_pages(INDIVIDUALS, body)
    phones = [ph for p in expanded for ph in p["phones"]]
    emails = [e for p in expanded for e in p["emails"]]
    addresses = [a for p in expanded for a in p["addresses"]]
    assert phones
    assert emails
    assert addresses
    assert all("Sequence" in ph and "sequence" not in ph for ph in phones)
    assert all("sequence" in e and "Sequence" not in e for e in emails)
    assert all(len(a["cep"]) == 8 and a["cep"].isdigit() for a in addresses)


async def test_document_and_flag_filters(api: Api) -> None:
    _, page = await api.post(INDIVIDUALS, {"filter": {"personCodeList": [4]}})
    cpf = page["items"][0]["cpf"]
    _, found = await api.post(INDIVIDUALS, {"filter": {"cpfList": [cpf, "00000000000"]}})
    assert [p["code"] for p in found["items"]] == [4]
    _, legal = await api.post(LEGAL_ENTITIES, {"filter": {"isCustomer": False}})
    assert legal["items"]
    assert all(not p["isCustomer"] for p in legal["items"])
    _, masked = await api.post(INDIVIDUALS, {"filter": {"cpfList": [cpf[:3] + "." + cpf[3:]]}})
    assert masked["totalItems"] == 0
    _, ignored = await api.post(INDIVIDUALS, {"filter": {"favouriteColor": "blue"}})
    assert ignored["totalItems"] == 20


async def test_upsert_then_change_window_and_order(
    api: Api, sandbox: RunningSandbox, clock: FakeClock
) -> None:
    clock.advance(600)
    cpf = make_cpf(271_828_182)
    status, body = await api.post(
        INDIVIDUAL_CUSTOMERS,
        {
            "name": "Joana Teste",
            "cpf": cpf,
            "branchInsertCode": 2,
            "isCustomer": True,
            "birthDate": "1991-02-03T00:00:00",
            "phones": [{"typeCode": 3, "number": "11999990000", "isDefault": True}],
        },
    )
    assert status == 200
    code = body["customerCode"]
    assert code == 26
    window = {"startDate": "2026-04-02T09:05:00", "endDate": "2026-04-02T09:15:00"}
    status, changed = await api.post(
        INDIVIDUALS, {"filter": {"change": window}, "expand": "phones"}
    )
    assert status == 200
    [person] = changed["items"]
    assert (person["code"], person["cpf"], person["birthDate"]) == (
        code,
        cpf,
        "1991-02-03T00:00:00",
    )
    assert person["maxChangeFilterDate"] == "2026-04-02T09:10:00"
    assert person["phones"][0]["Sequence"] == 1
    _, latest = await api.post(INDIVIDUALS, {"order": "-maxChangeFilterDate", "pageSize": 1})
    assert latest["items"][0]["code"] == code
    clock.advance(60)
    status, again = await api.post(
        INDIVIDUAL_CUSTOMERS, {"cpf": cpf, "branchInsertCode": 1, "rg": "9"}
    )
    assert (status, again) == (200, {"customerCode": code})
    _, row = await api.post(INDIVIDUALS, {"filter": {"cpfList": [cpf]}})
    assert (row["items"][0]["name"], row["items"][0]["branchInsertCode"]) == ("Joana Teste", 2)
    assert row["items"][0]["maxChangeFilterDate"] == "2026-04-02T09:11:00"
    logged = await writes(api)
    assert [(w["route"], w["customerCode"], w["document"]) for w in logged] == [
        ("individual-customers", code, cpf),
        ("individual-customers", code, cpf),
    ]
    assert logged[1]["body"] == {"cpf": cpf, "branchInsertCode": 1, "rg": "9"}


async def test_legal_customer_upsert_and_refusals(api: Api) -> None:
    cnpj = make_cnpj(31_415_926)
    status, body = await api.post(
        LEGAL_CUSTOMERS,
        {"Name": "LOJA TESTE LTDA", "CNPJ": cnpj, "BranchInsertCode": 1, "fantasyName": "Loja"},
    )
    assert status == 200
    _, found = await api.post(LEGAL_ENTITIES, {"filter": {"cnpjList": [cnpj]}})
    assert found["items"][0]["code"] == body["customerCode"]
    assert found["items"][0]["fantasyName"] == "Loja"
    status, error = await api.post(
        LEGAL_CUSTOMERS,
        {"cnpj": cnpj, "branchInsertCode": 1, "limits": [{"branchCode": 1, "saleLimitValue": 10}]},
    )
    assert status == 400
    assert _codes(error) == ["parameterValueField"]
    status, error = await api.post(INDIVIDUAL_CUSTOMERS, {"cpf": "123", "branchInsertCode": 1})
    assert status == 400
    status, error = await api.post(INDIVIDUAL_CUSTOMERS, [1, 2])
    assert status == 400
    assert len(await writes(api)) == 1


def _codes(error: Any) -> list[str]:
    if isinstance(error, list):
        return [e["code"] for e in error]
    if "messages" in error:
        return [m["code"] for m in error["messages"]]
    return [error["code"]]


async def test_persons_need_a_token(api: Api) -> None:
    api.token = None
    status, _ = await api.post(INDIVIDUALS, {})
    assert status == 401


async def test_admin_adds_persons_and_reset_returns_to_the_seed(api: Api) -> None:
    status, person = await admin(api, "POST", "/persons", {"kind": "legal"})
    assert status == 200
    assert (person["code"], person["legal"], person["origin"]) == (26, True, "erp")
    _, found = await api.post(LEGAL_ENTITIES, {"filter": {"personCodeList": [26]}})
    assert found["totalItems"] == 1
    status, listed = await admin(api, "GET", f"/persons?document={person['cnpj']}")
    assert (status, listed["totalItems"]) == (200, 1)
    assert (await admin(api, "POST", "/persons", {"kind": "robot"}))[0] == 400
    status, health = await admin(api, "GET", "/health")
    assert (health["persons"], health["salesOrders"]) == (26, 6)
    status, reset = await admin(api, "POST", "/writes/reset")
    assert (status, reset["persons"], reset["orders"]) == (200, 25, 6)
    _, gone = await api.post(LEGAL_ENTITIES, {"filter": {"personCodeList": [26]}})
    assert gone["totalItems"] == 0


@pytest.mark.parametrize(("size", "status"), [(500, 200), (501, 400)])
async def test_person_searches_allow_500_per_page(api: Api, size: int, status: int) -> None:
    settings = SandboxSettings(overflow=Overflow.REJECT)
    async with run_sandbox(SandboxCatalog(skus=20), settings=settings) as strict:
        client = Api(strict, api.http)
        await client.login()
        got, body = await client.post(INDIVIDUALS, {"pageSize": size})
        assert got == status
        if status == 200:
            assert_envelope(body, 1, size)
