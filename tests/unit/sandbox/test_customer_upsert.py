"""Customer upserts: keyed by document, partial updates, add-only classifications, contact merges,
the ``saleLimitValue`` refusal, and the write log."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.totvs_moda.commerce import Commerce
from sandbox.totvs_moda.documents import make_cnpj, make_cpf
from sandbox.totvs_moda.errors import ApiError
from tests.unit.sandbox.clock import FakeClock
from tests.unit.sandbox.commerce_fixtures import make_commerce

CPF = make_cpf(314_159_265)
CNPJ = make_cnpj(27_182_818, 1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def commerce(clock: FakeClock) -> Commerce:
    return make_commerce(clock)


def upsert(commerce: Commerce, legal: bool = False, **body: Any) -> Any:
    body.setdefault("cnpj" if legal else "cpf", CNPJ if legal else CPF)
    body.setdefault("branchinsertcode", 1)
    return commerce.upsert_customer(body, {"sent": body}, legal=legal)


def refused(commerce: Commerce, legal: bool = False, **body: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        upsert(commerce, legal, **body)
    assert caught.value.status == 400
    return caught.value


def test_a_new_document_creates_a_person_with_the_next_code(commerce: Commerce) -> None:
    before = commerce.persons.next_code
    person = upsert(commerce, name="Maria Teste", birthdate="1990-05-17T00:00:00")
    assert person.code == before
    assert (person.document, person.legal, person.origin) == (CPF, False, "api")
    assert (person.is_customer, person.birth_date, person.branch_insert_code) == (
        True,
        "1990-05-17",
        1,
    )
    assert commerce.persons.by_document(CPF) is person


def test_the_same_document_updates_only_the_fields_sent(
    commerce: Commerce, clock: FakeClock
) -> None:
    first = upsert(commerce, name="Maria Teste", rg="123", gender="Female", branchinsertcode=2)
    stamp = first.at
    clock.advance(60)
    again = upsert(commerce, name="Maria T. Souza", gender="", isinactive=True, branchinsertcode=1)
    assert again is first
    assert (again.name, again.rg, again.gender, again.is_inactive) == (
        "Maria T. Souza",
        "123",
        None,
        True,
    )
    assert again.branch_insert_code == 2  # kept from the creation
    assert again.at == stamp + 60
    assert len(commerce.persons) == 26


def test_documents_are_validated(commerce: Commerce) -> None:
    assert "11 digits" in refused(commerce, cpf="123", name="X").message
    assert "11 digits" in refused(commerce, cpf="529.982.247-25", name="X").message
    assert "check digits" in refused(commerce, cpf="52998224726", name="X").message
    assert "cpf is required" in refused(commerce, cpf=None, name="X").message
    assert "14 digits" in refused(commerce, legal=True, cnpj=CPF, name="X").message


def test_branch_insert_code_is_required_and_known(commerce: Commerce) -> None:
    assert "branchInsertCode" in refused(commerce, branchinsertcode=None, name="X").message
    assert refused(commerce, branchinsertcode=7, name="X").code == "NotFound"


def test_creating_needs_a_name(commerce: Commerce) -> None:
    assert "name is required" in refused(commerce).message
    assert "name must not be empty" in refused(commerce, name="").message


def test_a_sale_limit_refuses_the_whole_payload(commerce: Commerce) -> None:
    person = upsert(commerce, name="Maria Teste")
    error = refused(
        commerce,
        name="Outro Nome",
        limits=[{"branchcode": 1, "limitvalue": 100, "salelimitvalue": 50}],
    )
    assert error.code == "parameterValueField"
    assert "saleLimitValue" in error.message
    assert person.name == "Maria Teste"
    assert len(commerce.writes) == 1
    upsert(commerce, limits=[{"branchcode": 1, "limitvalue": 100}])
    assert len(commerce.writes) == 2


def test_classifications_only_add(commerce: Commerce) -> None:
    upsert(
        commerce,
        name="X",
        classifications=[{"classificationtypecode": 1, "classificationcode": "A"}],
    )
    person = upsert(
        commerce,
        classifications=[
            {"typecode": 2, "code": "B"},
            {"classificationtypecode": 1, "classificationcode": "A"},
        ],
    )
    assert person.classifications == [(1, "A"), (2, "B")]
    assert upsert(commerce, classifications=[]).classifications == [(1, "A"), (2, "B")]


def test_contacts_merge_instead_of_duplicating(commerce: Commerce) -> None:
    upsert(
        commerce,
        name="X",
        emails=[{"email": "x@example.com", "isdefault": True}],
        phones=[{"typecode": 3, "number": "(11) 98888-7777"}],
        addresses=[{"addresstypecode": 1, "address": "Rua A", "number": "10", "cep": "01310-100"}],
    )
    person = upsert(
        commerce,
        emails=[
            {"email": "X@Example.com", "typecode": 2},
            {"email": "y@example.com", "isdefault": True},
        ],
        phones=[{"number": "11988887777", "branchline": "12"}],
        addresses=[
            {"address": "Rua A", "number": "10", "cep": "01310100", "complement": "ap 3"},
            {"addresstypecode": 3, "address": "Rua B", "number": "20", "cep": "01310200"},
        ],
    )
    assert [(e.sequence, e.email, e.type_code, e.is_default) for e in person.emails] == [
        (1, "X@Example.com", 2, False),
        (2, "y@example.com", 1, True),
    ]
    assert [(p.sequence, p.type_code, p.branch_line, p.is_default) for p in person.phones] == [
        (1, 3, "12", True)
    ]
    assert [(a.sequence, a.type_code, a.complement) for a in person.addresses] == [
        (1, 1, "ap 3"),
        (2, 3, None),
    ]
    updated = upsert(commerce, emails=[{"sequence": 1, "email": "z@example.com"}])
    assert [e.email for e in updated.emails] == ["z@example.com", "y@example.com"]


def test_contact_fields_are_validated(commerce: Commerce) -> None:
    assert (
        "cep" in refused(commerce, name="X", addresses=[{"address": "Rua", "cep": "123"}]).message
    )
    assert "e-mail" in refused(commerce, name="X", emails=[{"email": "nope"}]).message
    assert "phones.number" in refused(commerce, name="X", phones=[{"number": "--"}]).message
    assert "list of objects" in refused(commerce, name="X", emails={"email": "a@b.c"}).message


def test_legal_customers_are_keyed_by_cnpj(commerce: Commerce) -> None:
    person = upsert(commerce, legal=True, name="LOJA X LTDA", fantasyname="Loja X")
    assert (person.legal, person.document, person.fantasy_name) == (True, CNPJ, "Loja X")
    assert upsert(commerce, legal=True, uf="SP").code == person.code


def test_each_accepted_upsert_is_logged_with_the_body_as_sent(commerce: Commerce) -> None:
    person = upsert(commerce, name="X")
    upsert(commerce, legal=True, name="Y")
    upsert(commerce, isinactive=True)
    entries = commerce.writes.after(0, 10)
    assert [e.route for e in entries] == [
        "individual-customers",
        "legal-customers",
        "individual-customers",
    ]
    assert [e.seq for e in entries] == [1, 2, 3]
    assert (entries[0].document, entries[0].customerCode) == (CPF, person.code)
    assert entries[0].body == {"sent": {"cpf": CPF, "branchinsertcode": 1, "name": "X"}}


def test_the_change_window_finds_the_upserted_person(commerce: Commerce, clock: FakeClock) -> None:
    from sandbox.totvs_moda.persons import PersonFilter
    from sandbox.totvs_moda.selection import Window

    clock.advance(3600)
    person = upsert(commerce, name="X")
    found = commerce.persons.search(False, PersonFilter(window=Window(clock.now() - 1, None)))
    assert found == [person]
    assert commerce.persons.search(True, PersonFilter(window=Window(clock.now() - 1, None))) == []
