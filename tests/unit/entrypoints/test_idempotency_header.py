"""The ``Idempotency-Key`` header's rules and the request-body fingerprint."""

from __future__ import annotations

import hashlib

import pytest

from entrypoints.http.idempotency import HEADER, checked_key, fingerprint
from entrypoints.http.problems import ProblemError


@pytest.mark.parametrize(
    "key",
    ["a", "5f0c6a2e-1d3b-4c8e-9a7f-2b4d6e8f0a1c", "x" * 255, "with space and ~!@#$%^&*()"],
)
def test_keys_of_printable_ascii_up_to_255_characters_are_taken_as_sent(key: str) -> None:
    assert checked_key(key) == key


def test_no_header_is_no_key() -> None:
    assert checked_key(None) is None


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "is empty"),
        ("x" * 256, "has more than 255 characters"),
        ("tab\there", "holds characters other than printable ASCII"),
        ("nul\x00", "holds characters other than printable ASCII"),
        ("del\x7f", "holds characters other than printable ASCII"),
        ("pedido-çé", "holds characters other than printable ASCII"),
    ],
)
def test_bad_keys_are_a_400_naming_the_header(key: str, message: str) -> None:
    with pytest.raises(ProblemError) as raised:
        checked_key(key)
    problem = raised.value
    assert (problem.status, problem.slug) == (400, "validation")
    assert [(e.field, e.message) for e in problem.errors or []] == [(HEADER, message)]


def test_key_order_and_whitespace_do_not_change_the_fingerprint() -> None:
    compact = b'{"a":1,"b":{"c":[1,2],"d":"\xc3\xa9"}}'
    spaced = b'{ "b" : { "d" : "\\u00e9", "c" : [ 1, 2 ] },\n  "a" : 1 }'
    assert fingerprint(compact) == fingerprint(spaced)
    assert len(fingerprint(compact)) == 64


@pytest.mark.parametrize(
    "other",
    [
        b'{"a":2,"b":{"c":[1,2],"d":"\xc3\xa9"}}',
        b'{"a":1,"b":{"c":[2,1],"d":"\xc3\xa9"}}',
        b'{"a":1,"b":{"c":[1,2],"d":"e"}}',
        b'{"a":1,"b":{"c":[1,2],"d":"\xc3\xa9"},"e":null}',
        b'{"a":"1","b":{"c":[1,2],"d":"\xc3\xa9"}}',
    ],
)
def test_any_change_of_a_value_changes_the_fingerprint(other: bytes) -> None:
    assert fingerprint(b'{"a":1,"b":{"c":[1,2],"d":"\xc3\xa9"}}') != fingerprint(other)


def test_a_body_that_is_not_json_is_hashed_as_sent() -> None:
    for body in (b"not json {", b"\xff\xfe\x00", b"[" * 100_000):
        assert fingerprint(body) == hashlib.sha256(body).hexdigest()
