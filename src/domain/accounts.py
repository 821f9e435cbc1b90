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
