"""Errors of the accounts use cases; the HTTP edge maps each class to a problem."""

from __future__ import annotations

from domain.errors import PonteError


class EmailTaken(PonteError):
    """Another user already has this e-mail address."""

    field = "email"


class InvalidCredentials(PonteError):
    """Unknown e-mail or wrong password: deliberately the same error for both."""


class InvalidRefreshToken(PonteError):
    """A refresh token that is unknown, expired, revoked, or already used."""


class UnknownUser(PonteError):
    """The authenticated subject no longer exists."""
