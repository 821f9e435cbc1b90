"""Customer value objects and rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial
from uuid import uuid4

import pytest

from domain.customers import (
    ERASED_NAME,
    Address,
    AddressType,
    Customer,
    CustomerExists,
    CustomerKind,
    CustomerOrigin,
    CustomerProfile,
    Phone,
    PhoneType,
    clean_text,
    customer_profile,
)
from domain.documents import Cnpj, Cpf, Email
from domain.errors import Conflict, NotFound, ValidationError

CPF = "123.456.789-09"
CNPJ = "11.222.333/0001-81"
TODAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 12, tzinfo=UTC)


def address(**changes: str | None) -> Address:
    base: dict[str, str | None] = {
        "street": "Avenida Paulista",
        "number": "1578",
        "district": "Bela Vista",
        "city": "São Paulo",
        "state": "SP",
        "zip_code": "01310-200",
    }
    return Address(type=AddressType.SHIPPING, **{**base, **changes})  # type: ignore[arg-type]


def profile(**changes: object) -> CustomerProfile:
    values: dict[str, object] = {
        "kind": CustomerKind.INDIVIDUAL,
        "name": "Maria José da Silva",
        "document": CPF,
        "email": "Maria@Example.com",
        "today": TODAY,
    } | changes
    return customer_profile(**values)  # type: ignore[arg-type]


def field_of(error: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return error.value.field


# --- phones ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("(11) 98765-4321", "11987654321"),
        ("+55 11 98765-4321", "11987654321"),
        ("5511987654321", "11987654321"),
        ("+55 (21) 3456-7890", "2134567890"),
        ("552134567890", "2134567890"),
        ("21 3456.7890", "2134567890"),
        # 55 is also an area code (RS): 11 digits mean no country code.
        ("55 99876-5432", "55998765432"),
    ],
)
def test_phones_keep_area_code_and_number_digits(raw: str, digits: str) -> None:
    assert Phone(PhoneType.MOBILE, raw).number == digits


@pytest.mark.parametrize(
    "raw",
    [
        "98765-4321",  # no area code
        "(11) 8765-432",  # too short
        "+1 212 555 0100",  # not Brazil
        "(20) 98765-4321",  # 20 is no area code
        "(11) 88765-4321",  # 11 digits but not a mobile
        "(11) 9876-5432",  # 10 digits starting with 9: an old mobile number
        "(11) 98765-432a",
        "",
    ],
)
def test_bad_phones_name_the_number(raw: str) -> None:
    with pytest.raises(ValidationError) as error:
        Phone(PhoneType.MOBILE, raw)
    assert field_of(error) == "number"


# --- addresses ------------------------------------------------------------------------------------


def test_addresses_normalise_state_zip_and_text() -> None:
    a = address(state=" sp ", zip_code="01310-200", street="  Avenida   Paulista ", complement=" ")
    assert (a.state, a.zip_code, a.street, a.complement, a.country) == (
        "SP",
        "01310200",
        "Avenida Paulista",
        None,
        "BR",
    )
    assert address(zip_code="01.310-200").zip_code == "01310200"
    assert address(complement=" apto  12 ").complement == "apto 12"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"state": "XX"}, "state"),
        ({"state": "São Paulo"}, "state"),
        ({"zip_code": "1310-200"}, "zip_code"),
        ({"zip_code": "00000-000"}, "zip_code"),
        ({"zip_code": "01310-20a"}, "zip_code"),
        ({"street": "  "}, "street"),
        ({"city": "x" * 101}, "city"),
        ({"district": "Bela\x00Vista"}, "district"),
        ({"number": ""}, "number"),
        ({"complement": "a" * 101}, "complement"),
        ({"country": "AR"}, "country"),
    ],
)
def test_bad_addresses_name_the_field(changes: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        address(**changes)
    assert field_of(error) == field


def test_all_27_states_are_accepted() -> None:
    states = "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO"
    assert {address(state=uf).state for uf in states.split()} == set(states.split())


# --- text -----------------------------------------------------------------------------------------


def test_clean_text_collapses_whitespace_and_rejects_unprintables() -> None:
    assert clean_text(" Ana \t Maria\n", field="name", max_length=20) == "Ana Maria"
    for bad in ("", "   ", "a" * 21, "Ana\x00", "Ana\u200b", "\ud800"):
        with pytest.raises(ValidationError) as error:
            clean_text(bad, field="name", max_length=20)
        assert field_of(error) == "name"


# --- profiles -------------------------------------------------------------------------------------


def test_a_profile_normalises_its_fields() -> None:
    p = profile(
        name="  Maria   José ",
        document="12345678909",
        phones=[partial(Phone, PhoneType.MOBILE, "(11) 98765-4321")],
        addresses=[address],
        birth_date=date(1990, 5, 17),
    )
    assert p.name == "Maria José"
    assert p.document == Cpf(CPF)
    assert p.email == Email("maria@example.com")
    assert [ph.number for ph in p.phones] == ["11987654321"]
    assert [a.zip_code for a in p.addresses] == ["01310200"]


def test_companies_have_a_cnpj_and_no_birth_date() -> None:
    p = profile(kind=CustomerKind.COMPANY, document=CNPJ)
    assert p.document == Cnpj(CNPJ)
    with pytest.raises(ValidationError) as error:
        profile(kind=CustomerKind.COMPANY, document=CNPJ, birth_date=date(1990, 1, 1))
    assert field_of(error) == "birth_date"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"document": CNPJ}, "document"),  # an individual with a CNPJ
        ({"kind": CustomerKind.COMPANY, "document": CPF}, "document"),
        ({"document": "123.456.789-00"}, "document"),  # bad check digits
        ({"document": "111.111.111-11"}, "document"),
        ({"document": "123"}, "document"),
        ({"email": "not-an-email"}, "email"),
        ({"name": " "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"birth_date": TODAY + timedelta(days=1)}, "birth_date"),
        ({"birth_date": date(1899, 12, 31)}, "birth_date"),
    ],
)
def test_bad_profiles_name_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        profile(**changes)
    assert field_of(error) == field


def test_errors_in_lists_name_the_item_and_its_field() -> None:
    with pytest.raises(ValidationError) as error:
        profile(
            phones=[
                partial(Phone, PhoneType.HOME, "(11) 3456-7890"),
                partial(Phone, PhoneType.MOBILE, "123"),
            ]
        )
    assert field_of(error) == "phones[1].number"
    with pytest.raises(ValidationError) as error:
        profile(addresses=[partial(address, state="ZZ")])
    assert field_of(error) == "addresses[0].state"


def test_birth_date_today_is_accepted() -> None:
    assert profile(birth_date=TODAY).birth_date == TODAY


def test_a_profile_built_directly_checks_the_document_kind() -> None:
    with pytest.raises(ValidationError) as error:
        CustomerProfile(
            kind=CustomerKind.COMPANY, name="Loja", document=Cpf(CPF), email=Email("a@b.co")
        )
    assert field_of(error) == "document"


# --- the customer ---------------------------------------------------------------------------------


def test_registering_revising_and_erasing() -> None:
    customer = Customer.register(uuid4(), profile(birth_date=date(1990, 5, 17)), at=T0)
    assert customer.origin is CustomerOrigin.PONTE
    assert customer.created_at == customer.updated_at == T0
    assert customer.document == Cpf(CPF)
    assert not customer.is_deleted

    later = T0 + timedelta(hours=1)
    customer.revise(profile(kind=CustomerKind.COMPANY, document=CNPJ, name="Loja"), at=later)
    assert (customer.kind, customer.name, customer.birth_date) == (
        CustomerKind.COMPANY,
        "Loja",
        None,
    )
    assert (customer.created_at, customer.updated_at) == (T0, later)

    gone = later + timedelta(hours=1)
    customer.erase(at=gone)
    assert customer.is_deleted
    assert customer.deleted_at == customer.updated_at == gone
    assert customer.name == ERASED_NAME
    assert (customer.document, customer.email, customer.birth_date) == (None, None, None)
    assert (customer.phones, customer.addresses) == ((), ())


def test_a_deleted_customer_cannot_change_or_be_deleted_again() -> None:
    customer = Customer.register(uuid4(), profile(), at=T0)
    customer.erase(at=T0)
    with pytest.raises(NotFound):
        customer.erase(at=T0)
    with pytest.raises(NotFound):
        customer.revise(profile(), at=T0)


def test_customer_exists_is_a_conflict_naming_the_field() -> None:
    error = CustomerExists("document")
    assert isinstance(error, Conflict)
    assert (error.slug, error.field) == ("customer-exists", "document")
    assert "e-mail" in str(CustomerExists("email"))
