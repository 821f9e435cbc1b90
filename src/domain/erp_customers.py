"""Customers as an ERP reports them (persons), already checked against Ponte's rules.

ERP-neutral: each ERP adapter builds these from its own wire rows. Parts that break a rule (an
unusable phone, address, e-mail, document or birth date) are left out by the adapter rather than
losing the whole person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.customers import Address, CustomerKind, Phone
from domain.documents import Email, TaxId


@dataclass(frozen=True, slots=True, kw_only=True)
class ErpCustomer:
    """A person the ERP holds as a customer. ``erp_code`` is the ERP's customer code (the one
    its orders name); ``changed_at`` its last change in the ERP."""

    erp_code: int
    kind: CustomerKind
    name: str
    document: TaxId | None
    email: Email | None
    phones: tuple[Phone, ...]
    addresses: tuple[Address, ...]
    birth_date: date | None
    changed_at: datetime | None
