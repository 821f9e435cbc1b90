"""Customers as TOTVS Moda persons: the upsert body (``IndividualCustomerInDto`` and its legal
twin) and the search by document.

The ERP upserts by CPF/CNPJ and changes only the fields sent, so empty lists are left out rather
than sent empty. E-mail, phone and address type codes are tenant catalogues, taken from
:class:`TotvsModaOrderDefaults`.
"""

from __future__ import annotations

from typing import Any

import msgspec

from adapters.totvs_moda.settings import TotvsModaOrderDefaults
from application.outbox.erp import ErpRejected
from domain.customers import Address, Customer, Phone
from domain.documents import Cpf, TaxId

INDIVIDUAL_CUSTOMERS = "person/v2/individual-customers"
LEGAL_CUSTOMERS = "person/v2/legal-customers"
INDIVIDUALS_SEARCH = "person/v2/individuals/search"
LEGAL_ENTITIES_SEARCH = "person/v2/legal-entities/search"
#: Persons read per search: one document should match one person, a few leave room to re-check.
SEARCH_PAGE_SIZE = 10


class EmailIn(msgspec.Struct, rename="camel", kw_only=True):
    sequence: int
    type_code: int
    email: str
    is_default: bool


class PhoneIn(msgspec.Struct, rename="camel", kw_only=True):
    type_code: int
    number: str
    is_default: bool


class AddressIn(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True):
    address_type_code: int
    address_type: str
    address: str
    number: str
    complement: str | None = None
    neighborhood: str
    city_name: str
    state_abbreviation: str
    cep: str


class CustomerIn(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True):
    """Exactly one of ``cpf`` / ``cnpj``; fields left at their default are not sent."""

    name: str
    cpf: str | None = None
    cnpj: str | None = None
    branch_insert_code: int
    is_customer: bool
    customer_status: str
    registration_status: str
    birth_date: str | None = None
    emails: list[EmailIn] = []
    phones: list[PhoneIn] = []
    addresses: list[AddressIn] = []


def document_of(customer: Customer) -> TaxId:
    """:raises ErpRejected: (code ``NoDocument``) for a customer without CPF/CNPJ (deleted, or
    brought in from the ERP without one): the ERP keys persons by it."""
    if customer.document is None:
        raise ErpRejected(f"customer {customer.id} has no CPF/CNPJ", code="NoDocument")
    return customer.document


def upsert_path(document: TaxId) -> str:
    return INDIVIDUAL_CUSTOMERS if isinstance(document, Cpf) else LEGAL_CUSTOMERS


def customer_payload(
    customer: Customer, *, branch_code: int, defaults: TotvsModaOrderDefaults
) -> CustomerIn:
    """The upsert body: an individual (CPF, birth date) or a company (CNPJ).

    :raises ErpRejected: (code ``NoDocument``) see :func:`document_of`.
    """
    document = document_of(customer)
    individual = isinstance(document, Cpf)
    emails = []
    if customer.email is not None:
        emails.append(
            EmailIn(
                sequence=1,
                type_code=defaults.email_type_code,
                email=customer.email.address,
                is_default=True,
            )
        )
    birth = customer.birth_date if individual else None
    return CustomerIn(
        name=customer.name,
        cpf=document.digits if individual else None,
        cnpj=None if individual else document.digits,
        branch_insert_code=branch_code,
        is_customer=True,
        customer_status="Ativo",
        registration_status="Normal",
        birth_date=None if birth is None else f"{birth.isoformat()}T00:00:00",
        emails=emails,
        phones=[_phone(p, i == 0, defaults) for i, p in enumerate(customer.phones)],
        addresses=[_address(a, defaults) for a in customer.addresses],
    )


def search_request(document: TaxId) -> tuple[str, dict[str, Any]]:
    """The path and body of the person search for ``document``."""
    if isinstance(document, Cpf):
        path, filter_ = INDIVIDUALS_SEARCH, {"cpfList": [document.digits]}
    else:
        path, filter_ = LEGAL_ENTITIES_SEARCH, {"cnpjList": [document.digits]}
    return path, {"filter": filter_, "page": 1, "pageSize": SEARCH_PAGE_SIZE}


def _phone(phone: Phone, is_default: bool, defaults: TotvsModaOrderDefaults) -> PhoneIn:
    return PhoneIn(
        type_code=defaults.phone_types.of(phone.type), number=phone.number, is_default=is_default
    )


def _address(address: Address, defaults: TotvsModaOrderDefaults) -> AddressIn:
    kind = defaults.address_types.of(address.type)
    return AddressIn(
        address_type_code=kind.code,
        address_type=kind.name,
        address=address.street,
        number=address.number,
        complement=address.complement,
        neighborhood=address.district,
        city_name=address.city,
        state_abbreviation=address.state,
        cep="".join(c for c in address.zip_code if c.isdigit()),
    )
