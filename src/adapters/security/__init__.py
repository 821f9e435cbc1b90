"""Credential adapters: argon2id passwords, HMAC-signed JWT access tokens, secret digests."""

from adapters.security.passwords import Argon2PasswordHasher
from adapters.security.secrets import Sha256SecretHasher
from adapters.security.tokens import JwtAccessTokens

__all__ = ["Argon2PasswordHasher", "JwtAccessTokens", "Sha256SecretHasher"]
