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


class InvalidApiKey(PonteError):
    """An API key that is unknown or revoked: deliberately the same error for both."""


class MissingScope(PonteError):
    """A valid API key that lacks the scope the operation needs."""


class ApiKeyNotFound(PonteError):
    """No API key has this id."""


class TooManyAttempts(PonteError):
    """Too many sign-in attempts from one client or for one account.

    ``retry_after`` is the whole number of seconds (at least 1) until the next attempt may pass.
    """

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts; retry after {retry_after} s")
        self.retry_after = retry_after
