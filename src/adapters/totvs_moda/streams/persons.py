"""Customers — ``POST person/v2/individuals/search`` (PF) and ``legal-entities/search`` (PJ).

Persons that are customers (``isCustomer``), with phones, addresses and e-mails expanded. A part
that breaks Ponte's rules (a phone without a valid area code, an address without a district, an
unusable e-mail, document or birth date) is left out; the person still arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import msgspec

from adapters.totvs_moda.dates import SAO_PAULO, local_date
from adapters.totvs_moda.http import Request
from adapters.totvs_moda.settings import AddressTypeCodes, PhoneTypeCodes
from adapters.totvs_moda.stream_spec import ChangeWindow, RowError, text
from adapters.totvs_moda.streams.values import NO_NUMBER, digits_of, int_of
from domain.customers import (
    MAX_NAME_LENGTH,
    Address,
    AddressType,
    CustomerKind,
    Phone,
    PhoneType,
    check_birth_date,
    clean_text,
)
from domain.documents import Cnpj, Cpf, Email, TaxId
from domain.erp_customers import ErpCustomer
from domain.errors import ValidationError

#: The person searches' ``pageSize`` maximum (contract §4.1).
PERSONS_PAGE_SIZE = 500
#: Change kinds that make a customer's data change (contract §5.2); the ERP ORs them.
_CHANGE_FLAGS = ("inPerson", "inCustomer", "inAddress", "inPhone", "inContact")
#: ``addressType`` names (contract §2) and what they are to Ponte.
_ADDRESS_NAMES = {
    "residential": AddressType.HOME,
    "commercial": AddressType.WORK,
    "delivery": AddressType.SHIPPING,
    "billing": AddressType.BILLING,
}
#: ``bcbCountryCode`` of Brazil: addresses elsewhere are left out.
BRAZIL = 1058


class PersonPhone(msgspec.Struct, rename="camel", gc=False):
    # ``Sequence`` (sic) is not read.
    type_code: int | str | None = None
    number: str | int | None = None
    is_default: bool | None = None


class PersonEmail(msgspec.Struct, rename="camel", gc=False):
    email: str | None = None
    is_default: bool | None = None


class PersonAddress(msgspec.Struct, rename="camel", gc=False):
    address_type_code: int | str | None = None
    address_type: str | int | None = None
    address: str | None = None
    address_number: str | int | None = None
    number: str | int | None = None
    complement: str | None = None
    neighborhood: str | None = None
    city_name: str | None = None
    state_abbreviation: str | None = None
    cep: str | int | None = None
    bcb_country_code: int | str | None = None


class PersonRow(msgspec.Struct, rename="camel", gc=False):
    code: int
    name: str | None = None
    cpf: str | int | None = None
    cnpj: str | int | None = None
    birth_date: datetime | None = None
    is_customer: bool | None = None
    phones: list[PersonPhone] | None = None
    addresses: list[PersonAddress] | None = None
    emails: list[PersonEmail] | None = None
    max_change_filter_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class PersonsSpec:
    """Individuals (``legal`` false: CPF) or legal entities (CNPJ). Phone and address type codes
    are the tenant's (the same the writer sends); an address type's name wins over its code."""

    page_size: int
    legal: bool
    phone_types: PhoneTypeCodes
    address_types: AddressTypeCodes
    row_type = PersonRow
    key_field = "code"
    changed_field = "maxChangeFilterDate"

    @property
    def path(self) -> str:
        resource = "legal-entities" if self.legal else "individuals"
        return f"person/v2/{resource}/search"

    def request(self, page: int, window: ChangeWindow) -> Request:
        filter_: dict[str, Any] = {"isCustomer": True}
        if not window.full:
            filter_["change"] = window.change(**dict.fromkeys(_CHANGE_FLAGS, True))
        body = {
            "filter": filter_,
            "expand": "phones,addresses,emails",
            "order": "personCode",
            "page": page,
            "pageSize": self.page_size,
        }
        return Request("POST", self.path, body)

    def key(self, row: PersonRow) -> str | None:
        return str(row.code)

    def changed(self, row: PersonRow) -> datetime | None:
        return row.max_change_filter_date

    def map(self, row: PersonRow, changed_at: datetime | None, out: list[Any]) -> None:
        if row.is_customer is False:
            return  # the server may ignore ``isCustomer``
        try:
            name = clean_text(row.name or "", field="name", max_length=MAX_NAME_LENGTH)
        except ValidationError as error:
            raise RowError(f"name {error}") from error
        kind = CustomerKind.COMPANY if self.legal else CustomerKind.INDIVIDUAL
        out.append(
            ErpCustomer(
                erp_code=row.code,
                kind=kind,
                name=name,
                document=self._document(row),
                email=_email(row.emails or ()),
                phones=tuple(p for p in map(self._phone, row.phones or ()) if p is not None),
                addresses=tuple(
                    a for a in map(self._address, row.addresses or ()) if a is not None
                ),
                birth_date=_birth_date(kind, row.birth_date),
                changed_at=changed_at,
            )
        )

    def _document(self, row: PersonRow) -> TaxId | None:
        value = row.cnpj if self.legal else row.cpf
        digits = digits_of(value, 14 if self.legal else 11)
        if not digits:
            return None
        try:
            return Cnpj(digits) if self.legal else Cpf(digits)
        except ValidationError:
            return None

    def _phone(self, wire: PersonPhone) -> Phone | None:
        number = text(wire.number)
        if not number:
            return None
        try:
            phone = Phone(PhoneType.HOME, number)
        except ValidationError:
            return None
        codes = {
            self.phone_types.mobile: PhoneType.MOBILE,
            self.phone_types.work: PhoneType.WORK,
            self.phone_types.home: PhoneType.HOME,
        }
        kind = codes.get(int_of(wire.type_code) or 0)
        if kind is None:
            kind = PhoneType.MOBILE if len(phone.number) == 11 else PhoneType.HOME
        return Phone(kind, phone.number)

    def _address(self, wire: PersonAddress) -> Address | None:
        country = int_of(wire.bcb_country_code)
        if country is not None and country != BRAZIL:
            return None
        number = text(wire.address_number) or text(wire.number) or ""
        try:
            return Address(
                type=self._address_type(wire),
                street=wire.address or "",
                number=number if number.strip() else NO_NUMBER,
                complement=wire.complement,
                district=wire.neighborhood or "",
                city=wire.city_name or "",
                state=wire.state_abbreviation or "",
                zip_code=digits_of(wire.cep, 8) or "",
            )
        except ValidationError:
            return None

    def _address_type(self, wire: PersonAddress) -> AddressType:
        name = wire.address_type
        if isinstance(name, str) and name.strip().lower() in _ADDRESS_NAMES:
            return _ADDRESS_NAMES[name.strip().lower()]
        code = int_of(wire.address_type_code)
        if code is None and isinstance(name, int):
            code = name  # an enum sent as its bare number
        types = self.address_types
        by_code = {
            types.home.code: AddressType.HOME,
            types.work.code: AddressType.WORK,
            types.shipping.code: AddressType.SHIPPING,
            types.billing.code: AddressType.BILLING,
        }
        return by_code.get(code or 0, AddressType.OTHER)


def _email(emails: Sequence[PersonEmail]) -> Email | None:
    """The first default e-mail (the first one when none is marked default), if it is valid."""
    chosen = next((e for e in emails if e.is_default), None) or next(iter(emails), None)
    if chosen is None or not chosen.email:
        return None
    try:
        return Email(chosen.email)
    except ValidationError:
        return None


def _birth_date(kind: CustomerKind, value: datetime | None) -> date | None:
    if value is None:
        return None
    today = datetime.now(SAO_PAULO).date()
    try:
        return check_birth_date(kind, local_date(value), today=today)
    except ValidationError:
        return None
