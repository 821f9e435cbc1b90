"""Argon2id hashing: round trip, failures that return False, rehash, defaults, worker thread."""

from __future__ import annotations

import threading

import argon2
import pytest

from adapters.security.passwords import Argon2PasswordHasher
from application.accounts.ports import PasswordHasher

#: argon2's smallest costs, so the suite stays fast; one test below uses the real defaults.
CHEAP = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher(**CHEAP)


class ThreadSpyPassword(str):
    """A password that records which thread argon2 encodes it on (argon2 calls ``str.encode``)."""

    threads: list[int]

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        self.threads.append(threading.get_ident())
        return super().encode(encoding, errors)


def spy(password: str) -> ThreadSpyPassword:
    value = ThreadSpyPassword(password)
    value.threads = []
    return value


def test_it_satisfies_the_port() -> None:
    port: PasswordHasher = Argon2PasswordHasher(**CHEAP)
    assert port is not None


async def test_a_hash_verifies_its_password(hasher: Argon2PasswordHasher) -> None:
    hashed = await hasher.hash("correct horse battery staple")

    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert await hasher.verify(hashed, "correct horse battery staple") is True


async def test_hashes_are_salted(hasher: Argon2PasswordHasher) -> None:
    assert await hasher.hash("same") != await hasher.hash("same")


async def test_a_wrong_password_is_false_not_an_error(hasher: Argon2PasswordHasher) -> None:
    hashed = await hasher.hash("right")

    assert await hasher.verify(hashed, "wrong") is False
    assert await hasher.verify(hashed, "") is False


@pytest.mark.parametrize(
    "malformed",
    ["", "not a hash", "$argon2id$v=19$m=8,t=1,p=1$garbage", "$2b$12$" + "a" * 53],
)
async def test_a_malformed_hash_is_false_not_an_error(
    hasher: Argon2PasswordHasher, malformed: str
) -> None:
    assert await hasher.verify(malformed, "anything") is False


async def test_needs_rehash_when_parameters_change(hasher: Argon2PasswordHasher) -> None:
    hashed = await hasher.hash("pw")
    stronger = Argon2PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)

    assert hasher.needs_rehash(hashed) is False
    assert stronger.needs_rehash(hashed) is True
    assert await stronger.verify(hashed, "pw") is True


def test_a_malformed_hash_needs_rehash(hasher: Argon2PasswordHasher) -> None:
    assert hasher.needs_rehash("not a hash") is True


async def test_defaults_are_argon2id_at_or_above_the_owasp_minimum() -> None:
    hashed = await Argon2PasswordHasher().hash("pw")

    params = argon2.extract_parameters(hashed)
    assert params.type is argon2.Type.ID
    assert params.memory_cost >= 19_456
    assert params.time_cost >= 2
    assert params.parallelism >= 1


async def test_hash_and_verify_run_off_the_event_loop_thread(
    hasher: Argon2PasswordHasher,
) -> None:
    loop_thread = threading.get_ident()
    to_hash, to_verify = spy("pw"), spy("pw")

    hashed = await hasher.hash(to_hash)
    assert await hasher.verify(hashed, to_verify) is True

    assert to_hash.threads
    assert to_verify.threads
    assert loop_thread not in to_hash.threads + to_verify.threads
