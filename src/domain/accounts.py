"""Accounts: users and their roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.documents import Email
from domain.errors import ValidationError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


class Role(enum.StrEnum):
    ADMIN = "admin"
    USER = "user"


def check_password(password: str) -> str:
    """A password a user may choose: 12 to 128 characters (length is the rule, not composition).

    :raises ValidationError: (field ``password``) when too short or too long.
    """
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise ValidationError(
            f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
            field="password",
        )
    return password


@dataclass(slots=True)
class User:
    """Someone who can sign in. ``password_hash`` is self-describing (algorithm and parameters)."""

    id: UUID
    email: Email
    role: Role
    password_hash: str
    created_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class ApiScope(enum.StrEnum):
    """What an API key may do. The set is fixed; new endpoints pick one of these."""

    CATALOG_READ = "catalog:read"
    CUSTOMERS_WRITE = "customers:write"
    ORDERS_WRITE = "orders:write"


class UnknownScope(ValidationError):
    """A scope outside :class:`ApiScope`."""


MAX_API_KEY_NAME_LENGTH = 100


def api_scopes(raw: list[str] | tuple[str, ...]) -> tuple[ApiScope, ...]:
    """The scopes named in ``raw``: at least one, duplicates dropped, in :class:`ApiScope` order.

    :raises UnknownScope: (field ``scopes``) for an empty list or a name outside the set.
    """
    known = {scope.value: scope for scope in ApiScope}
    unknown = sorted({name for name in raw if name not in known})
    if unknown:
        raise UnknownScope(f"unknown scopes: {', '.join(unknown)}", field="scopes")
    if not raw:
        raise UnknownScope("an API key needs at least one scope", field="scopes")
    return tuple(scope for scope in ApiScope if scope.value in raw)


def api_key_name(raw: str) -> str:
    """A key's label: 1 to 100 characters after trimming.

    :raises ValidationError: (field ``name``) when blank or too long.
    """
    name = raw.strip()
    if not 1 <= len(name) <= MAX_API_KEY_NAME_LENGTH:
        raise ValidationError(f"a name has 1 to {MAX_API_KEY_NAME_LENGTH} characters", field="name")
    return name


@dataclass(slots=True)
class ApiKey:
    """A service client's credential. Only ``digest`` of the secret is kept; a revoked key never
    authenticates again."""

    id: UUID
    name: str
    scopes: tuple[ApiScope, ...]
    digest: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def allows(self, scope: ApiScope) -> bool:
        return scope in self.scopes
