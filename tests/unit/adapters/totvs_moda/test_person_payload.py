"""The person upsert body and the person search by document."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from adapters.totvs_moda import (
    AddressTypeCode,
    AddressTypeCodes,
    PhoneTypeCodes,
    TotvsModaOrderDefaults,
)
from adapters.totvs_moda.person_payload import (
    CustomerIn,
    customer_payload,
    search_request,
    upsert_path,
)
from application.outbox.erp import ErpRejected
from domain.customers import AddressType, Customer, PhoneType
from domain.documents import Cnpj, Cpf
from tests.unit.adapters.totvs_moda.records import (
    CNPJ,
    CPF,
    address,
    customer,
    landline,
    mobile,
    wire,
)

DEFAULTS = TotvsModaOrderDefaults()


def build(person: Customer, defaults: TotvsModaOrderDefaults = DEFAULTS) -> CustomerIn:
    return customer_payload(person, branch_code=7, defaults=defaults)


def test_an_individual_becomes_the_contract_body() -> None:
    person = customer(
        phones=[mobile(), landline()],
        addresses=[address(AddressType.HOME), address(AddressType.SHIPPING, complement=None)],
        birth_date=date(1990, 5, 17),
    )

    assert wire(build(person)) == {
        "name": "Maria Souza",
        "cpf": CPF,
        "branchInsertCode": 7,
        "isCustomer": True,
        "customerStatus": "Ativo",
        "registrationStatus": "Normal",
        "birthDate": "1990-05-17T00:00:00",
        "emails": [{"sequence": 1, "typeCode": 1, "email": "maria@example.com", "isDefault": True}],
        "phones": [
            {"typeCode": 3, "number": "11987654321", "isDefault": True},
            {"typeCode": 1, "number": "1133334444", "isDefault": False},
        ],
        "addresses": [
            {
                "addressTypeCode": 1,
                "addressType": "Residential",
                "address": "Av. Paulista",
                "number": "1000",
                "complement": "ap 12",
                "neighborhood": "Bela Vista",
                "cityName": "São Paulo",
                "stateAbbreviation": "SP",
                "cep": "01310100",
            },
            {
                "addressTypeCode": 3,
                "addressType": "Delivery",
                "address": "Av. Paulista",
                "number": "1000",
                "neighborhood": "Bela Vista",
                "cityName": "São Paulo",
                "stateAbbreviation": "SP",
                "cep": "01310100",
            },
        ],
    }
    assert upsert_path(Cpf(CPF)) == "person/v2/individual-customers"


def test_a_company_sends_its_cnpj_and_no_cpf() -> None:
    body = wire(build(customer(document=Cnpj(CNPJ), name="ACME Ltda")))

    assert (body["cnpj"], body["name"]) == (CNPJ, "ACME Ltda")
    assert "cpf" not in body
    assert "birthDate" not in body
    assert upsert_path(Cnpj(CNPJ)) == "person/v2/legal-customers"


def test_what_the_customer_lacks_is_left_out_not_blanked() -> None:
    body = wire(build(customer(email=None)))

    for key in ("emails", "phones", "addresses", "birthDate", "cnpj"):
        assert key not in body


def test_a_customer_without_document_cannot_be_upserted() -> None:
    erased = customer()
    erased.document = None

    with pytest.raises(ErpRejected) as caught:
        build(erased)

    assert caught.value.code == "NoDocument"


def test_type_codes_come_from_the_settings() -> None:
    defaults = TotvsModaOrderDefaults(
        email_type_code=8,
        phone_types=PhoneTypeCodes(mobile=11, home=12, work=13),
        address_types=AddressTypeCodes(work=AddressTypeCode(21, "Commercial")),
    )
    person = customer(
        phones=[landline(PhoneType.WORK), mobile()],
        addresses=[address(AddressType.WORK)],
    )
    body = wire(build(person, defaults))

    assert body["emails"][0]["typeCode"] == 8
    assert [(p["typeCode"], p["isDefault"]) for p in body["phones"]] == [(13, True), (11, False)]
    sent = body["addresses"][0]
    assert (sent["addressTypeCode"], sent["addressType"]) == (21, "Commercial")


def test_every_phone_and_address_type_has_a_code() -> None:
    assert {PhoneTypeCodes().of(kind) for kind in PhoneType} == {1, 2, 3}
    for kind in AddressType:
        assert AddressTypeCodes().of(kind).code >= 1


def test_unusable_type_codes_are_refused() -> None:
    with pytest.raises(ValueError):
        AddressTypeCode(0, "Residential")
    with pytest.raises(ValueError):
        replace(DEFAULTS, phone_types=PhoneTypeCodes(mobile=0))


def test_search_filters_by_the_document_digits() -> None:
    assert search_request(Cpf(CPF)) == (
        "person/v2/individuals/search",
        {"filter": {"cpfList": [CPF]}, "page": 1, "pageSize": 10},
    )
    path, body = search_request(Cnpj(CNPJ))
    assert (path, body["filter"]) == ("person/v2/legal-entities/search", {"cnpjList": [CNPJ]})
