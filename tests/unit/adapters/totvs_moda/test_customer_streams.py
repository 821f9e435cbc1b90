"""The persons streams (individuals, legal entities): requests, quirks, and what is left out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec

from adapters.totvs_moda.dates import SAO_PAULO
from adapters.totvs_moda.decoding import PageDecoder
from adapters.totvs_moda.settings import AddressTypeCodes, PhoneTypeCodes
from adapters.totvs_moda.stream_spec import ChangeWindow
from adapters.totvs_moda.streams.persons import PersonsSpec
from application.sync.ports import Page
from domain.customers import Address, AddressType, CustomerKind, Phone, PhoneType
from domain.documents import Cnpj, Cpf, Email
from domain.erp_customers import ErpCustomer
from domain.sync import Rejection
from tests.unit.adapters.totvs_moda.conftest import envelope

SINCE = ChangeWindow("2026-04-18T00:00:00", "2026-04-20T10:00:00", full=False)
FULL = ChangeWindow("1900-01-01T00:00:00", "2026-04-20T10:00:00", full=True)
CPF, CNPJ = "52998224725", "11222333000181"
INDIVIDUALS = PersonsSpec(500, False, PhoneTypeCodes(), AddressTypeCodes())
LEGAL = PersonsSpec(500, True, PhoneTypeCodes(), AddressTypeCodes())


def decode(spec: PersonsSpec, items: list[Any]) -> Page:
    return PageDecoder(spec).decode(1, msgspec.json.encode(envelope(items))).page


def individual(**fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": 7,
        "name": "  Ana   Souza ",
        "cpf": CPF,
        "isCustomer": True,
        "birthDate": "1990-05-12T00:00:00",
        "maxChangeFilterDate": "2026-04-19T10:00:00",
        "phones": [
            {"Sequence": 1, "typeCode": 3, "number": "(11) 98765-4321", "isDefault": True},
            {"Sequence": 2, "typeCode": 1, "number": "1133334444", "isDefault": False},
        ],
        "emails": [
            {"sequence": 1, "typeCode": 1, "email": "other@example.com", "isDefault": False},
            {"sequence": 2, "typeCode": 1, "email": " Ana@Example.com ", "isDefault": True},
        ],
        "addresses": [
            {
                "sequenceCode": 1,
                "addressTypeCode": 1,
                "addressType": "Commercial",
                "publicPlace": "Rua",
                "address": "Rua das Flores",
                "addressNumber": "10",
                "neighborhood": "Centro",
                "cityName": "São Paulo",
                "stateAbbreviation": "SP",
                "cep": "01310100",
                "bcbCountryCode": 1058,
            }
        ],
    }
    row.update(fields)
    return row


def test_requests_customers_changed_in_the_window_with_their_contacts() -> None:
    request = INDIVIDUALS.request(2, SINCE)

    assert (request.method, request.path) == ("POST", "person/v2/individuals/search")
    flags = dict.fromkeys(("inPerson", "inCustomer", "inAddress", "inPhone", "inContact"), True)
    assert request.json == {
        "filter": {
            "isCustomer": True,
            "change": {"startDate": SINCE.start, "endDate": SINCE.end, **flags},
        },
        "expand": "phones,addresses,emails",
        "order": "personCode",
        "page": 2,
        "pageSize": 500,
    }
    assert LEGAL.request(1, SINCE).path == "person/v2/legal-entities/search"
    assert LEGAL.request(1, FULL).json["filter"] == {"isCustomer": True}


def test_an_individual_becomes_a_customer_with_ponte_types() -> None:
    page = decode(INDIVIDUALS, [individual()])

    assert page.rejections == []
    assert page.records == [
        ErpCustomer(
            erp_code=7,
            kind=CustomerKind.INDIVIDUAL,
            name="Ana Souza",
            document=Cpf(CPF),
            email=Email("ana@example.com"),
            phones=(Phone(PhoneType.MOBILE, "11987654321"), Phone(PhoneType.HOME, "1133334444")),
            addresses=(
                Address(
                    type=AddressType.WORK,
                    street="Rua das Flores",
                    number="10",
                    district="Centro",
                    city="São Paulo",
                    state="SP",
                    zip_code="01310100",
                ),
            ),
            birth_date=date(1990, 5, 12),
            changed_at=datetime(2026, 4, 19, 10, 0, tzinfo=SAO_PAULO),
        )
    ]
    assert page.max_changed_at == datetime(2026, 4, 19, 10, 0, tzinfo=SAO_PAULO)


def test_unusable_parts_are_left_out_and_the_person_still_arrives() -> None:
    row = individual(
        cpf="52998224700",  # bad check digits
        birthDate="2999-01-01T00:00:00",  # in the future
        emails=[{"sequence": 1, "email": "not an e-mail", "isDefault": True}],
        phones=[
            {"Sequence": 1, "typeCode": 3, "number": "(20) 98765-4321"},  # no such area code
            {"Sequence": 2, "typeCode": 9, "number": "11 3333-4444"},  # unknown type code
            {"Sequence": 3, "typeCode": 3, "number": None},
        ],
        addresses=[
            {"addressType": "Delivery", "address": "Rua A", "cep": "01310100"},  # no district
            {
                "addressType": 3,  # the enum as its bare number
                "address": "Rua B",
                "number": None,
                "neighborhood": "Centro",
                "cityName": "Recife",
                "stateAbbreviation": "pe",
                "cep": 1310100,  # a number: its leading zero is lost
            },
            {
                "addressType": "Delivery",
                "address": "5th Avenue",
                "neighborhood": "Midtown",
                "cityName": "New York",
                "stateAbbreviation": "NY",
                "cep": "10001000",
                "bcbCountryCode": 2496,  # abroad
            },
        ],
    )

    [customer] = decode(INDIVIDUALS, [row]).records

    assert customer.document is None
    assert customer.birth_date is None
    assert customer.email is None
    assert customer.phones == (Phone(PhoneType.HOME, "1133334444"),)
    assert customer.addresses == (
        Address(
            type=AddressType.SHIPPING,
            street="Rua B",
            number="S/N",
            district="Centro",
            city="Recife",
            state="PE",
            zip_code="01310100",
        ),
    )


def test_without_a_default_e_mail_the_first_one_is_taken() -> None:
    emails = [{"email": "first@example.com"}, {"email": "second@example.com"}]

    [customer] = decode(INDIVIDUALS, [individual(emails=emails)]).records

    assert customer.email == Email("first@example.com")


def test_a_legal_entity_with_brazilian_dates_and_any_key_casing() -> None:
    row = {
        "Code": 8,
        "NAME": "BOUTIQUE AURORA LTDA",
        "cnpj": int(CNPJ),
        "dateFoundation": "15/03/1999 00:00:00",
        "MaxChangeFilterDate": "19/04/2026 10:30:00",
        "status": 0,
        "customerStatus": "Ativo",
        "Emails": None,
    }

    page = decode(LEGAL, [row])

    assert page.rejections == []
    [customer] = page.records
    assert (customer.erp_code, customer.kind, customer.name) == (
        8,
        CustomerKind.COMPANY,
        "BOUTIQUE AURORA LTDA",
    )
    assert customer.document == Cnpj(CNPJ)
    assert (customer.email, customer.birth_date) == (None, None)
    assert customer.changed_at == datetime(2026, 4, 19, 10, 30, tzinfo=SAO_PAULO)


def test_a_bad_row_is_rejected_with_its_reason_and_the_page_still_arrives() -> None:
    rows = [
        individual(code=1),
        individual(code=2, name="   "),
        individual(code=3, maxChangeFilterDate="2026-04-19T11:00:00", phones="oops"),
        individual(code=4),
    ]

    page = decode(INDIVIDUALS, rows)

    assert [c.erp_code for c in page.records] == [1, 4]
    rejected = {r.key: r.reason for r in page.rejections}
    assert rejected.keys() == {"2", "3"}
    assert Rejection("2", "name must not be blank") in page.rejections
    assert "phones" in rejected["3"]
    # A rejected row's change still moves the cursor.
    assert page.max_changed_at == datetime(2026, 4, 19, 11, 0, tzinfo=SAO_PAULO)


def test_persons_that_are_not_customers_are_skipped() -> None:
    page = decode(INDIVIDUALS, [individual(isCustomer=False)])

    assert (page.records, page.rejections) == ([], [])
