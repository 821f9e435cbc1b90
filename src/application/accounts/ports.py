"""Ports for credentials: password hashing, access tokens, and digests of random secrets.

They name no library; the security adapter implements them with argon2 and pyjwt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.errors import PonteError


class InvalidToken(PonteError):
    """An access token failed verification.

    The message is a short reason for logs ("expired", "bad signature"); it never holds the token
    or the signing key. Callers answer 401 whatever the reason.
    """


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Claims:
    """What a verified access token says about its bearer."""

    subject: str
    role: str
    expires_at: datetime


class PasswordHasher(Protocol):
    """Slow, salted password hashing. Implementations keep the CPU work off the event loop."""

    async def hash(self, password: str) -> str:
        """A new self-describing hash (algorithm, parameters and salt included)."""
        ...

    async def verify(self, hash: str, password: str) -> bool:
        """Whether ``password`` matches ``hash``.

        False for a wrong password and for a hash this hasher cannot read; it never raises for
        either.
        """
        ...

    def needs_rehash(self, hash: str) -> bool:
        """Whether ``hash`` was made with other parameters than the current ones.

        Call it after a successful :meth:`verify` and store a fresh hash when True.
        """
        ...


class AccessTokens(Protocol):
    """Short-lived bearer tokens carrying a subject and its role."""

    def issue(self, subject: str, role: str, *, now: datetime) -> IssuedToken:
        """A signed token for ``subject`` valid from ``now`` (timezone-aware) for the lifetime."""
        ...

    def verify(self, token: str, *, now: datetime) -> Claims:
        """The claims of ``token`` if it is genuine, meant for us, and unexpired at ``now``.

        :raises InvalidToken: for any problem with the token.
        """
        ...


class SecretHasher(Protocol):
    """Random high-entropy secrets (refresh tokens, API keys) stored only as digests.

    The digest is deterministic so a presented secret can be looked up by it.
    """

    def new_secret(self) -> str:
        """A fresh random secret to hand to the client once."""
        ...

    def digest(self, secret: str) -> str:
        """The value to store and look up; the same secret always gives the same digest."""
        ...

    def matches(self, secret: str, digest: str) -> bool:
        """Whether ``secret`` has ``digest``, compared in constant time."""
        ...


class ApiKeySecrets(SecretHasher, Protocol):
    """The :class:`SecretHasher` that makes API keys (a recognisable prefix, e.g. ``pk_``)."""
