"""What clients send about a customer, and how it becomes a domain profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from domain.customers import (
    Address,
    AddressType,
    CustomerKind,
    CustomerProfile,
    Phone,
    PhoneType,
    customer_profile,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneData:
    type: PhoneType
    number: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressData:
    type: AddressType
    street: str
    number: str
    district: str
    city: str
    state: str
    zip_code: str
    complement: str | None = None
    country: str = "BR"


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerData:
    """Every editable field, as sent (unchecked)."""

    kind: CustomerKind
    name: str
    document: str
    email: str
    phones: tuple[PhoneData, ...] = ()
    addresses: tuple[AddressData, ...] = ()
    birth_date: date | None = None


def profile_of(data: CustomerData, *, today: date) -> CustomerProfile:
    """:raises ValidationError: naming the offending field, e.g. ``addresses[1].zip_code``."""
    return customer_profile(
        kind=data.kind,
        name=data.name,
        document=data.document,
        email=data.email,
        phones=[partial(Phone, p.type, p.number) for p in data.phones],
        addresses=[
            partial(
                Address,
                type=a.type,
                street=a.street,
                number=a.number,
                district=a.district,
                city=a.city,
                state=a.state,
                zip_code=a.zip_code,
                complement=a.complement,
                country=a.country,
            )
            for a in data.addresses
        ],
        birth_date=data.birth_date,
        today=today,
    )
