"""Random secrets and their SHA-256 digests."""

from __future__ import annotations

import hashlib

from adapters.security.secrets import Sha256SecretHasher
from application.accounts.ports import SecretHasher


def test_it_satisfies_the_port() -> None:
    port: SecretHasher = Sha256SecretHasher()
    assert port is not None


def test_secrets_are_long_random_and_url_safe() -> None:
    hasher = Sha256SecretHasher()
    made = {hasher.new_secret() for _ in range(50)}

    assert len(made) == 50
    for secret in made:
        assert len(secret) >= 43  # 32 bytes in base64url
        assert set(secret) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )


def test_the_prefix_starts_every_secret() -> None:
    secret = Sha256SecretHasher(prefix="pk_").new_secret()

    assert secret.startswith("pk_")
    assert len(secret) >= len("pk_") + 43


def test_the_digest_is_deterministic_sha256_hex() -> None:
    hasher = Sha256SecretHasher()

    assert hasher.digest("s3cret") == hasher.digest("s3cret")
    assert hasher.digest("s3cret") == hashlib.sha256(b"s3cret").hexdigest()
    assert hasher.digest("s3cret") != hasher.digest("s3cres")


def test_matches_only_the_secrets_own_digest() -> None:
    hasher = Sha256SecretHasher(prefix="pk_")
    secret = hasher.new_secret()
    stored = hasher.digest(secret)

    assert hasher.matches(secret, stored) is True
    assert hasher.matches(secret + "x", stored) is False
    assert hasher.matches(secret, stored.upper()) is False
    assert hasher.matches(secret, "") is False
    assert hasher.matches(secret, "ção") is False
