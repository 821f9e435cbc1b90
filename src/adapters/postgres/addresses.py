"""Addresses as stored in JSONB columns (customers' addresses, orders' shipping address)."""

from __future__ import annotations

from typing import Any

from domain.customers import Address, AddressType


def address_json(address: Address) -> dict[str, str | None]:
    return {
        "type": address.type.value,
        "street": address.street,
        "number": address.number,
        "complement": address.complement,
        "district": address.district,
        "city": address.city,
        "state": address.state,
        "zip_code": address.zip_code,
        "country": address.country,
    }


def address_from_json(raw: dict[str, Any]) -> Address:
    return Address(
        type=AddressType(raw["type"]),
        street=raw["street"],
        number=raw["number"],
        complement=raw.get("complement"),
        district=raw["district"],
        city=raw["city"],
        state=raw["state"],
        zip_code=raw["zip_code"],
        country=raw.get("country", "BR"),
    )
