"""Persons (customers) of the sandbox ERP: individuals (PF, CPF) and legal entities (PJ, CNPJ).

Both kinds share one code counter, like the ERP's person codes. The book indexes persons by code
and by document, and keeps a :class:`Timeline` of their ``maxChangeFilterDate``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sandbox.totvs_moda.selection import Window
from sandbox.totvs_moda.timeline import Timeline

ADDRESS_TYPES: dict[int, str] = {1: "Commercial", 2: "Billing", 3: "Delivery"}
PHONE_TYPES: dict[int, str] = {1: "RESIDENCIAL", 2: "COMERCIAL", 3: "CELULAR"}
EMAIL_TYPES: dict[int, str] = {1: "PESSOAL", 2: "COMERCIAL", 3: "NFE"}


@dataclass(slots=True)
class Address:
    sequence: int
    type_code: int
    address: str
    cep: str
    number: str | None = None
    complement: str | None = None
    neighborhood: str | None = None
    public_place: str | None = None
    city_name: str | None = None
    state: str | None = None
    ibge_city_code: int | None = None
    reference: str | None = None

    @property
    def type_name(self) -> str | None:
        return ADDRESS_TYPES.get(self.type_code)


@dataclass(slots=True)
class Phone:
    sequence: int
    type_code: int
    number: str
    is_default: bool = False
    branch_line: str | None = None


@dataclass(slots=True)
class Email:
    sequence: int
    type_code: int
    email: str
    is_default: bool = False


@dataclass(slots=True)
class Person:
    code: int
    legal: bool
    #: CPF (11 digits) or CNPJ (14 digits).
    document: str
    name: str
    branch_insert_code: int
    insert_at: int
    #: ``maxChangeFilterDate`` (epoch seconds).
    at: int
    #: ``erp`` (seeded or added through the admin API) or ``api`` (created by an upsert).
    origin: str = "erp"
    is_inactive: bool = False
    is_customer: bool = True
    is_supplier: bool = False
    is_representative: bool = False
    is_purchasing_guide: bool = False
    is_shipping_company: bool = False
    is_employee: bool = False
    is_bloqued: bool = False
    #: PF: ``YYYY-MM-DD``.
    birth_date: str | None = None
    gender: str | None = None
    rg: str | None = None
    #: PJ.
    fantasy_name: str | None = None
    uf: str | None = None
    state_registration: str | None = None
    #: PJ foundation date, ``YYYY-MM-DD``.
    foundation_date: str | None = None
    addresses: list[Address] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    emails: list[Email] = field(default_factory=list)
    #: (typeCode, code), add-only.
    classifications: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PersonFilter:
    """A search filter; None (or an empty list) means "not filtered on"."""

    codes: frozenset[int] | None = None
    documents: frozenset[str] | None = None
    window: Window | None = None
    is_customer: bool | None = None
    is_inactive: bool | None = None
    start_code: int | None = None
    end_code: int | None = None

    def matches(self, person: Person) -> bool:
        return (
            (not self.codes or person.code in self.codes)
            and (not self.documents or person.document in self.documents)
            and (self.window is None or self.window.contains(person.at))
            and (self.is_customer is None or person.is_customer == self.is_customer)
            and (self.is_inactive is None or person.is_inactive == self.is_inactive)
            and (self.start_code is None or person.code >= self.start_code)
            and (self.end_code is None or person.code <= self.end_code)
        )


class PersonBook:
    def __init__(self, first_code: int = 1) -> None:
        self.by_code: dict[int, Person] = {}
        self._by_document: dict[str, Person] = {}
        self.timeline: Timeline[int] = Timeline()
        self.next_code = first_code

    def __len__(self) -> int:
        return len(self.by_code)

    def allocate_code(self) -> int:
        code = self.next_code
        self.next_code += 1
        return code

    def add(self, person: Person) -> None:
        """Register a new person; its ``at`` is recorded (and lifted to the last stamp if earlier).

        :raises ValueError: when its code or document is taken.
        """
        if person.code in self.by_code or person.document in self._by_document:
            raise ValueError(f"person {person.code} / {person.document} already exists")
        self.by_code[person.code] = person
        self._by_document[person.document] = person
        self.next_code = max(self.next_code, person.code + 1)
        person.at = self.timeline.touch(person.code, person.at)

    def touch(self, person: Person, at: int) -> None:
        person.at = self.timeline.touch(person.code, at)

    def by_document(self, document: str) -> Person | None:
        return self._by_document.get(document)

    def search(self, legal: bool, wanted: PersonFilter) -> list[Person]:
        """Matching persons of one kind, in no particular order (callers sort)."""
        candidates: Iterable[Person | None]
        if wanted.codes:
            candidates = (self.by_code.get(c) for c in wanted.codes)
        elif wanted.documents:
            candidates = (self._by_document.get(d) for d in wanted.documents)
        elif wanted.window is not None:
            window = wanted.window
            candidates = (self.by_code[c] for c in self.timeline.within(window.start, window.end))
        else:
            candidates = self.by_code.values()
        return [p for p in candidates if p is not None and p.legal == legal and wanted.matches(p)]
