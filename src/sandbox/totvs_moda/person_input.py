"""``POST /person/v2/individual-customers`` and ``/legal-customers``: upsert by document (§8.2).

Rules:

- The document (``cpf``: 11 digits, ``cnpj``: 14 digits, digits only, valid check digits) is the
  key: an unknown one creates a person (``name`` then required), a known one updates it.
- ``branchInsertCode`` is required and must be a configured branch; it is kept from the creation.
- Partial update: only keys sent (and not null) change; ``""`` resets a text field. ``isCustomer``
  defaults to true on creation.
- ``addresses``, ``phones``, ``emails`` merge item by item: an item whose ``sequenceCode`` /
  ``sequence`` exists, or that repeats an existing one (same CEP, number and type; same phone
  digits; same e-mail, any case), updates it; any other is appended with the next sequence. An item
  sent with ``isDefault: true`` becomes the only default.
- ``classifications`` (``{classificationTypeCode | typeCode, classificationCode | code}``) only add.
- A ``limits[].saleLimitValue`` refuses the whole payload with ``parameterValueField``: the tenant
  parameter ``IN_USA_LIMITE_COMERCIAL`` it depends on is off. Other ``limits`` values are ignored.

The body is validated in full before anything changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Protocol, TypeVar

from sandbox.totvs_moda.binding import as_bool, as_int, optional_int
from sandbox.totvs_moda.documents import is_cnpj, is_cpf
from sandbox.totvs_moda.errors import ApiError, BadRequest, NotFound
from sandbox.totvs_moda.persons import Address, Email, Person, PersonBook, Phone
from sandbox.totvs_moda.times import BadDate, parse_request_date, to_aware

_Contact = TypeVar("_Contact", Address, Phone, Email)


@dataclass(frozen=True, slots=True)
class CustomerUpsert:
    legal: bool
    document: str
    branch_insert_code: int
    #: Person attribute -> new value (None clears it).
    scalars: dict[str, Any]
    addresses: list[Address] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    emails: list[Email] = field(default_factory=list)
    classifications: list[tuple[int, str]] = field(default_factory=list)


def _text(value: Any, name: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRequest(f"{name} must be a string")
    return str(value).strip() or None


def _flag(value: Any, name: str) -> bool:
    return as_bool(value, name)


def _date(value: Any, name: str) -> str | None:
    if value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a date string")
    try:
        return to_aware(int(parse_request_date(value))).date().isoformat()
    except BadDate as e:
        raise BadRequest(f"{name}: {e}") from e


_COMMON: dict[str, tuple[str, Callable[[Any, str], Any]]] = {
    "name": ("name", _text),
    "isinactive": ("is_inactive", _flag),
    "iscustomer": ("is_customer", _flag),
    "issupplier": ("is_supplier", _flag),
    "isrepresentative": ("is_representative", _flag),
    "ispurchasingguide": ("is_purchasing_guide", _flag),
    "isshippingcompany": ("is_shipping_company", _flag),
}
_INDIVIDUAL = {
    **_COMMON,
    "rg": ("rg", _text),
    "birthdate": ("birth_date", _date),
    "gender": ("gender", _text),
    "isemployee": ("is_employee", _flag),
    "isbloqued": ("is_bloqued", _flag),
}
_LEGAL = {
    **_COMMON,
    "fantasyname": ("fantasy_name", _text),
    "uf": ("uf", _text),
    "numberstateregistration": ("state_registration", _text),
    "datefoundation": ("foundation_date", _date),
}


def document_of(body: dict[str, Any], legal: bool) -> str:
    """The validated ``cpf`` / ``cnpj`` of a body. :raises BadRequest: when missing or invalid."""
    key, length, valid = ("cnpj", 14, is_cnpj) if legal else ("cpf", 11, is_cpf)
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRequest(f"{key} is required ({length} digits)")
    text = str(value).strip()
    if len(text) != length or not text.isdigit():
        raise BadRequest(f"{key} must have {length} digits, got {text!r}")
    if not valid(text):
        raise BadRequest(f"{key} {text} is not valid (check digits)")
    return text


def parse_customer(
    body: dict[str, Any], *, legal: bool, branches: tuple[int, ...]
) -> CustomerUpsert:
    """:raises ApiError: on any invalid field, an unknown branch or a ``saleLimitValue``."""
    document = document_of(body, legal)
    if body.get("branchinsertcode") is None:
        raise BadRequest("branchInsertCode is required")
    branch = as_int(body["branchinsertcode"], "branchInsertCode")
    if branch not in branches:
        raise NotFound(f"BranchCode {branch} not found")
    for limit in _objects(body, "limits"):
        if limit.get("salelimitvalue") is not None:
            raise ApiError(
                "saleLimitValue requires the tenant parameter IN_USA_LIMITE_COMERCIAL, which is "
                "disabled",
                code="parameterValueField",
            )
    scalars: dict[str, Any] = {}
    for key, (attribute, parse) in (_LEGAL if legal else _INDIVIDUAL).items():
        if body.get(key) is not None:
            scalars[attribute] = parse(body[key], key)
    if "name" in scalars and scalars["name"] is None:
        raise BadRequest("name must not be empty")
    return CustomerUpsert(
        legal=legal,
        document=document,
        branch_insert_code=branch,
        scalars=scalars,
        addresses=[_address(a) for a in _objects(body, "addresses")],
        phones=[_phone(p) for p in _objects(body, "phones")],
        emails=[_email(e) for e in _objects(body, "emails")],
        classifications=[_classification(c) for c in _objects(body, "classifications")],
    )


def _objects(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise BadRequest(f"{key} must be a list of objects")
    return value


def _address(item: dict[str, Any]) -> Address:
    cep = "".join(ch for ch in str(item.get("cep") or "") if ch not in "-. ")
    if len(cep) != 8 or not cep.isdigit():
        raise BadRequest(f"addresses.cep must have 8 digits, got {item.get('cep')!r}")
    street = _text(item.get("address") or "", "addresses.address")
    if street is None:
        raise BadRequest("addresses.address is required")
    number = item.get("number", item.get("addressnumber"))
    return Address(
        sequence=optional_int(item.get("sequencecode"), "addresses.sequenceCode") or 0,
        type_code=optional_int(item.get("addresstypecode"), "addresses.addressTypeCode") or 0,
        address=street,
        cep=cep,
        number=None if number is None else _text(number, "addresses.number"),
        complement=_optional_text(item, "complement"),
        neighborhood=_optional_text(item, "neighborhood"),
        public_place=_optional_text(item, "publicplace"),
        city_name=_optional_text(item, "cityname"),
        state=_optional_text(item, "stateabbreviation"),
        ibge_city_code=optional_int(item.get("ibgecitycode"), "addresses.ibgeCityCode"),
        reference=_optional_text(item, "reference"),
    )


def _optional_text(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    return None if value is None else _text(value, key)


def _phone(item: dict[str, Any]) -> Phone:
    number = _optional_text(item, "number")
    if number is None or not any(ch.isdigit() for ch in number):
        raise BadRequest("phones.number is required")
    return Phone(
        sequence=optional_int(item.get("sequence"), "phones.sequence") or 0,
        type_code=optional_int(item.get("typecode"), "phones.typeCode") or 0,
        number=number,
        is_default=as_bool(item.get("isdefault"), "phones.isDefault"),
        branch_line=_optional_text(item, "branchline"),
    )


def _email(item: dict[str, Any]) -> Email:
    email = _optional_text(item, "email")
    if email is None or "@" not in email:
        raise BadRequest(f"emails.email is not an e-mail address: {email!r}")
    return Email(
        sequence=optional_int(item.get("sequence"), "emails.sequence") or 0,
        type_code=optional_int(item.get("typecode"), "emails.typeCode") or 0,
        email=email,
        is_default=as_bool(item.get("isdefault"), "emails.isDefault"),
    )


def _classification(item: dict[str, Any]) -> tuple[int, str]:
    type_code = item.get("classificationtypecode", item.get("typecode"))
    code = item.get("classificationcode", item.get("code"))
    if type_code is None or code is None:
        raise BadRequest("classifications need classificationTypeCode and classificationCode")
    text = _text(code, "classificationCode")
    if text is None:
        raise BadRequest("classificationCode must not be empty")
    return as_int(type_code, "classificationTypeCode"), text


def apply_customer(book: PersonBook, upsert: CustomerUpsert, at: int) -> tuple[Person, bool]:
    """Create or update the person of ``upsert.document``, stamped ``at``; returns it and whether
    it was created.

    :raises BadRequest: creating without a name, or a document of the other kind's person.
    """
    person = book.by_document(upsert.document)
    created = person is None
    if person is None:
        if "name" not in upsert.scalars:
            raise BadRequest("name is required to create a customer")
        person = Person(
            code=book.allocate_code(),
            legal=upsert.legal,
            document=upsert.document,
            name=upsert.scalars["name"],
            branch_insert_code=upsert.branch_insert_code,
            insert_at=at,
            at=at,
            origin="api",
        )
        book.add(person)
    for attribute, value in upsert.scalars.items():
        setattr(person, attribute, value)
    _merge(person.addresses, upsert.addresses, _same_address)
    phones = _merge(person.phones, upsert.phones, _same_phone)
    _one_default(person.phones, upsert.phones, phones)
    emails = _merge(person.emails, upsert.emails, _same_email)
    _one_default(person.emails, upsert.emails, emails)
    for pair in upsert.classifications:
        if pair not in person.classifications:
            person.classifications.append(pair)
    book.touch(person, at)
    return person, created


def _same_address(old: Address, new: Address) -> bool:
    return (old.cep, old.number) == (new.cep, new.number) and new.type_code in (0, old.type_code)


def _same_phone(old: Phone, new: Phone) -> bool:
    return _digits(old.number) == _digits(new.number)


def _same_email(old: Email, new: Email) -> bool:
    return old.email.lower() == new.email.lower()


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _merge(
    current: list[_Contact], incoming: list[_Contact], same: Callable[[_Contact, _Contact], bool]
) -> list[_Contact]:
    """Merge ``incoming`` into ``current``; returns the item each incoming one became."""
    merged = []
    for item in incoming:
        match = next(
            (
                old
                for old in current
                if (item.sequence and old.sequence == item.sequence) or same(old, item)
            ),
            None,
        )
        if match is None:
            item.sequence = max((old.sequence for old in current), default=0) + 1
            item.type_code = item.type_code or 1
            current.append(item)
            match = item
        else:
            _update(match, item)
        merged.append(match)
    return merged


class _Defaultable(Protocol):
    is_default: bool


def _one_default(
    current: Sequence[_Defaultable],
    incoming: Sequence[_Defaultable],
    merged: Sequence[_Defaultable],
) -> None:
    """The last item sent with ``isDefault: true`` becomes the only default; without one, the
    first item is the default when none is."""
    chosen = [m for m, sent in zip(merged, incoming, strict=True) if sent.is_default]
    for item in current:
        if chosen:
            item.is_default = item is chosen[-1]
    if current and not any(item.is_default for item in current):
        current[0].is_default = True


def _update(old: Address | Phone | Email, new: Address | Phone | Email) -> None:
    """Copy the values ``new`` carries onto ``old``: its sequence stays, and an unsent type code
    (0), an unsent or false ``isDefault`` and null fields change nothing."""
    for column in fields(old):
        value = getattr(new, column.name)
        if column.name != "sequence" and value not in (None, 0, False):
            setattr(old, column.name, value)
