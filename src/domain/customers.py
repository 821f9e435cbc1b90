"""Customers: who buys, how to reach them and where to deliver.

Every value object validates when built and raises ``ValidationError`` naming its field; the
names match the API's body (``phones[0].number``, ``addresses[1].zip_code``…).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from domain.documents import Cnpj, Cpf, Email, TaxId, parse_tax_id
from domain.errors import Conflict, NotFound, ValidationError

MAX_NAME_LENGTH = 200
#: What a deleted customer is called once their personal data is gone.
ERASED_NAME = "deleted customer"
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


class CustomerKind(enum.StrEnum):
    INDIVIDUAL = "individual"
    COMPANY = "company"


class CustomerOrigin(enum.StrEnum):
    #: Registered through Ponte's API.
    PONTE = "ponte"
    #: Brought in from the ERP.
    ERP = "erp"


class PhoneType(enum.StrEnum):
    MOBILE = "mobile"
    HOME = "home"
    WORK = "work"


class AddressType(enum.StrEnum):
    BILLING = "billing"
    SHIPPING = "shipping"
    HOME = "home"
    WORK = "work"
    OTHER = "other"


class CustomerExists(Conflict):
    """A live customer already has this e-mail or document (``field``)."""

    def __init__(self, field: str) -> None:
        what = "e-mail address" if field == "email" else field
        super().__init__(
            f"a customer with this {what} already exists", slug="customer-exists", field=field
        )


def clean_text(value: str, *, field: str, max_length: int) -> str:
    """``value`` trimmed, inner whitespace runs collapsed to one space.

    :raises ValidationError: (``field``) blank, longer than ``max_length``, or holding control
        or other unprintable characters (PostgreSQL cannot store some of them).
    """
    text = " ".join(value.split())
    if not text:
        raise ValidationError("must not be blank", field=field)
    if len(text) > max_length:
        raise ValidationError(f"at most {max_length} characters", field=field)
    if not text.isprintable():
        raise ValidationError("holds unprintable characters", field=field)
    return text


# --- phones -------------------------------------------------------------------------------------

#: Brazilian area codes (DDD) in use, per Anatel's numbering plan.
AREA_CODES = frozenset(
    {*range(11, 20), 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38, *range(41, 50)}
    | {51, 53, 54, 55, *range(61, 70), 71, 73, 74, 75, 77, 79, *range(81, 90), *range(91, 100)}
)
_PHONE_PUNCTUATION = re.compile(r"[\s().-]")


def _phone_digits(text: str) -> str:
    """Digits of a Brazilian number: area code and subscriber number, country code dropped.

    :raises ValidationError: (``number``) see :class:`Phone`.
    """
    digits = _PHONE_PUNCTUATION.sub("", text)
    if digits.startswith("+"):
        if not digits.startswith("+55"):
            raise ValidationError("only Brazilian numbers (+55) are accepted", field="number")
        digits = digits[3:]
    elif len(digits) in (12, 13) and digits.startswith("55"):
        digits = digits[2:]
    if not re.fullmatch(r"[0-9]{10,11}", digits):
        raise ValidationError(
            "a phone number has 10 or 11 digits with the area code, e.g. (11) 98765-4321",
            field="number",
        )
    if int(digits[:2]) not in AREA_CODES:
        raise ValidationError(f"{digits[:2]} is not a Brazilian area code", field="number")
    if len(digits) == 11 and digits[2] != "9":
        raise ValidationError("an 11-digit (mobile) number starts with 9", field="number")
    if len(digits) == 10 and digits[2] not in "2345":
        raise ValidationError("a 10-digit (landline) number starts with 2 to 5", field="number")
    return digits


@dataclass(frozen=True, slots=True)
class Phone:
    """A Brazilian phone number, kept as area code + number digits (``11987654321``).

    Accepts ``(11) 98765-4321``, ``+55 11 98765-4321``, ``5511987654321``… Mobile numbers have
    11 digits and start with 9 after the area code; landlines have 10 and start with 2 to 5.
    """

    type: PhoneType
    number: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "number", _phone_digits(self.number))


# --- addresses ----------------------------------------------------------------------------------

#: The 26 states and the Federal District.
STATES = frozenset(
    {"AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA"}
    | {"PB", "PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO"}
)
_ZIP_PUNCTUATION = re.compile(r"[\s.-]")


def _zip_code(text: str) -> str:
    """:raises ValidationError: (``zip_code``) not 8 digits, or all zeros."""
    digits = _ZIP_PUNCTUATION.sub("", text)
    if not re.fullmatch(r"[0-9]{8}", digits) or digits == "00000000":
        raise ValidationError("a CEP has 8 digits, e.g. 01310-100", field="zip_code")
    return digits


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A Brazilian address. ``state`` is a UF (``SP``), ``zip_code`` the CEP's 8 digits.

    Texts are trimmed with whitespace collapsed; a blank ``complement`` is None. Only ``BR``
    addresses are accepted (``country`` is kept for the ERP and carriers).
    """

    type: AddressType
    street: str
    number: str
    district: str
    city: str
    state: str
    zip_code: str
    complement: str | None = None
    country: str = "BR"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "street", clean_text(self.street, field="street", max_length=200))
        set_(self, "number", clean_text(self.number, field="number", max_length=20))
        set_(self, "district", clean_text(self.district, field="district", max_length=100))
        set_(self, "city", clean_text(self.city, field="city", max_length=100))
        if self.complement is not None and not self.complement.split():
            set_(self, "complement", None)
        elif self.complement is not None:
            set_(
                self, "complement", clean_text(self.complement, field="complement", max_length=100)
            )
        state = self.state.strip().upper()
        if state not in STATES:
            raise ValidationError(f"not a Brazilian state (UF): {self.state!r}", field="state")
        set_(self, "state", state)
        set_(self, "zip_code", _zip_code(self.zip_code))
        country = self.country.strip().upper()
        if country != "BR":
            raise ValidationError("only Brazilian addresses (BR) are accepted", field="country")
        set_(self, "country", country)


# --- the customer -------------------------------------------------------------------------------

T = TypeVar("T")


def nested(field: str, index: int, build: Callable[[], T]) -> T:
    """``build()``, its ``ValidationError`` re-raised under ``field[index].<its field>``."""
    try:
        return build()
    except ValidationError as e:
        inner = f".{e.field}" if e.field else ""
        raise ValidationError(str(e), field=f"{field}[{index}]{inner}") from e


def customer_document(kind: CustomerKind, text: str) -> TaxId:
    """The document of a customer of ``kind``, from ``123.456.789-09`` or digits.

    :raises ValidationError: (``document``) not a valid CPF/CNPJ, or the other kind's document.
    """
    try:
        document = parse_tax_id(text)
    except ValidationError as e:
        raise ValidationError(str(e), field="document") from e
    check_document_kind(kind, document)
    return document


def check_document_kind(kind: CustomerKind, document: TaxId) -> None:
    """Individuals have a CPF, companies a CNPJ.

    :raises ValidationError: (``document``) otherwise.
    """
    if kind is CustomerKind.INDIVIDUAL and not isinstance(document, Cpf):
        raise ValidationError("an individual's document is a CPF", field="document")
    if kind is CustomerKind.COMPANY and not isinstance(document, Cnpj):
        raise ValidationError("a company's document is a CNPJ", field="document")


def check_birth_date(kind: CustomerKind, value: date | None, *, today: date) -> date | None:
    """:raises ValidationError: (``birth_date``) for a company, in the future, or before 1900."""
    if value is None:
        return None
    if kind is not CustomerKind.INDIVIDUAL:
        raise ValidationError("only individuals have a birth date", field="birth_date")
    if not EARLIEST_BIRTH_DATE <= value <= today:
        raise ValidationError(
            f"a birth date falls between {EARLIEST_BIRTH_DATE.isoformat()} and today",
            field="birth_date",
        )
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerProfile:
    """Everything a customer edits, checked together: the document matches ``kind``, only
    individuals have a birth date, the name is clean.

    Build it with :func:`customer_profile` from what a client sent.
    """

    kind: CustomerKind
    name: str
    document: TaxId
    email: Email
    phones: tuple[Phone, ...] = ()
    addresses: tuple[Address, ...] = ()
    birth_date: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "name", clean_text(self.name, field="name", max_length=MAX_NAME_LENGTH)
        )
        check_document_kind(self.kind, self.document)
        if self.birth_date is not None and self.kind is not CustomerKind.INDIVIDUAL:
            raise ValidationError("only individuals have a birth date", field="birth_date")


def customer_profile(
    *,
    kind: CustomerKind,
    name: str,
    document: str,
    email: str,
    phones: Iterable[Callable[[], Phone]] = (),
    addresses: Iterable[Callable[[], Address]] = (),
    birth_date: date | None = None,
    today: date,
) -> CustomerProfile:
    """A profile from raw input. ``phones`` and ``addresses`` are builders, so that an error in
    the third address names ``addresses[2].<field>``.

    :raises ValidationError: naming the first offending field.
    """
    return CustomerProfile(
        kind=kind,
        name=clean_text(name, field="name", max_length=MAX_NAME_LENGTH),
        document=customer_document(kind, document),
        email=Email(email),
        phones=tuple(nested("phones", i, build) for i, build in enumerate(phones)),
        addresses=tuple(nested("addresses", i, build) for i, build in enumerate(addresses)),
        birth_date=check_birth_date(kind, birth_date, today=today),
    )


@dataclass(slots=True, kw_only=True)
class Customer:
    """A customer. Deleting one keeps the row (orders point at it) but erases personal data:
    the name becomes :data:`ERASED_NAME`, document, e-mail, phones, addresses and birth date go.

    ``document`` and ``email`` may be None for customers from the ERP and for deleted ones; a
    customer registered through Ponte always has both. A deleted customer cannot change.
    """

    id: UUID
    kind: CustomerKind
    name: str
    document: TaxId | None
    email: Email | None
    phones: tuple[Phone, ...]
    addresses: tuple[Address, ...]
    birth_date: date | None
    origin: CustomerOrigin
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    #: The ERP's code of this customer, once it reached the ERP or came from it.
    erp_code: int | None = None

    @classmethod
    def register(cls, customer_id: UUID, profile: CustomerProfile, *, at: datetime) -> Customer:
        """A new customer registered through Ponte at ``at``."""
        customer = cls(
            id=customer_id,
            kind=profile.kind,
            name=profile.name,
            document=None,
            email=None,
            phones=(),
            addresses=(),
            birth_date=None,
            origin=CustomerOrigin.PONTE,
            created_at=at,
            updated_at=at,
        )
        customer.revise(profile, at=at)
        return customer

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def revise(self, profile: CustomerProfile, *, at: datetime) -> None:
        """Replace every editable field with ``profile``'s.

        :raises NotFound: the customer is deleted.
        """
        self._ensure_live()
        self.kind, self.name = profile.kind, profile.name
        self.document, self.email = profile.document, profile.email
        self.phones, self.addresses = profile.phones, profile.addresses
        self.birth_date = profile.birth_date
        self.updated_at = at

    def erase(self, *, at: datetime) -> None:
        """Delete: keep the row, drop the personal data. Frees the e-mail and document.

        :raises NotFound: the customer is already deleted.
        """
        self._ensure_live()
        self.name = ERASED_NAME
        self.document = self.email = self.birth_date = None
        self.phones = self.addresses = ()
        self.updated_at = self.deleted_at = at

    def _ensure_live(self) -> None:
        if self.is_deleted:
            raise NotFound("customer", self.id)
