"""Random secrets stored as SHA-256 digests (refresh tokens, API keys)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: 32 random bytes (256 bits): far beyond guessing, so an unsalted fast digest is safe to store.
SECRET_BYTES = 32


class Sha256SecretHasher:
    """Implements :class:`application.accounts.ports.SecretHasher`.

    ``prefix`` (e.g. ``"pk_"`` for API keys) marks what a leaked secret is, for secret scanners and
    humans; it is part of the secret and so of its digest.
    """

    def __init__(self, prefix: str = "") -> None:
        self._prefix = prefix

    def new_secret(self) -> str:
        return self._prefix + secrets.token_urlsafe(SECRET_BYTES)

    def digest(self, secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    def matches(self, secret: str, digest: str) -> bool:
        return hmac.compare_digest(self.digest(secret).encode(), digest.encode())

    def __repr__(self) -> str:
        return f"Sha256SecretHasher(prefix={self._prefix!r})"
