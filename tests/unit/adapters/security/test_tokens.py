"""JWT access tokens: a valid round trip, construction rules, and every way a token must fail."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from adapters.security.tokens import REQUIRED_CLAIMS, JwtAccessTokens
from application.accounts.ports import AccessTokens, InvalidToken

KEY = "k" * 64
ISSUER = "ponte"
AUDIENCE = "ponte-api"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def tokens() -> JwtAccessTokens:
    return JwtAccessTokens(key=KEY, issuer=ISSUER, audience=AUDIENCE)


def claims(**overrides: Any) -> dict[str, Any]:
    """A payload our own issue() would produce at NOW, with ``overrides`` (None drops a claim)."""
    issued_at = int(NOW.timestamp())
    payload = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-1",
        "role": "admin",
        "iat": issued_at,
        "exp": issued_at + 600,
        "jti": "abc123",
    } | overrides
    return {name: value for name, value in payload.items() if value is not None}


def sign(payload: dict[str, Any], key: str = KEY, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm)


def b64(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def rejection(tokens: JwtAccessTokens, token: str, now: datetime = NOW) -> str:
    with pytest.raises(InvalidToken) as caught:
        tokens.verify(token, now=now)
    reason = str(caught.value)
    assert KEY not in reason
    return reason


def test_it_satisfies_the_port(tokens: JwtAccessTokens) -> None:
    port: AccessTokens = tokens
    assert port is tokens


def test_an_issued_token_verifies_with_its_claims(tokens: JwtAccessTokens) -> None:
    issued = tokens.issue("user-1", "admin", now=NOW)

    verified = tokens.verify(issued.token, now=NOW + timedelta(minutes=14))

    assert issued.expires_at == NOW + timedelta(minutes=15)
    assert verified.subject == "user-1"
    assert verified.role == "admin"
    assert verified.expires_at == issued.expires_at


def test_the_token_carries_every_required_claim_and_the_pinned_algorithm(
    tokens: JwtAccessTokens,
) -> None:
    token = tokens.issue("user-1", "viewer", now=NOW).token

    header = jwt.get_unverified_header(token)
    payload = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "HS256"
    assert set(REQUIRED_CLAIMS) <= payload.keys()
    assert payload["iss"] == ISSUER
    assert payload["aud"] == AUDIENCE
    assert payload["exp"] - payload["iat"] == 900


def test_each_token_has_its_own_id(tokens: JwtAccessTokens) -> None:
    first = tokens.issue("user-1", "admin", now=NOW).token
    second = tokens.issue("user-1", "admin", now=NOW).token

    ids = {jwt.decode(t, options={"verify_signature": False})["jti"] for t in (first, second)}
    assert len(ids) == 2


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_an_unsigned_alg_none_token_is_rejected(tokens: JwtAccessTokens, alg: str) -> None:
    token = f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64(claims())}."

    assert rejection(tokens, token) == "algorithm not allowed"


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_a_token_signed_with_another_algorithm_is_rejected(
    tokens: JwtAccessTokens, alg: str
) -> None:
    assert rejection(tokens, sign(claims(), algorithm=alg)) == "algorithm not allowed"


def test_a_token_signed_with_another_key_is_rejected(tokens: JwtAccessTokens) -> None:
    assert rejection(tokens, sign(claims(), key="x" * 64)) == "bad signature"


def test_a_tampered_payload_is_rejected(tokens: JwtAccessTokens) -> None:
    header, _, signature = tokens.issue("user-1", "viewer", now=NOW).token.split(".")
    forged = f"{header}.{b64(claims(role='admin'))}.{signature}"

    assert rejection(tokens, forged) == "bad signature"


def test_an_expired_token_is_rejected(tokens: JwtAccessTokens) -> None:
    issued = tokens.issue("user-1", "admin", now=NOW)

    assert rejection(tokens, issued.token, now=issued.expires_at + timedelta(seconds=10)) == (
        "expired"
    )


def test_the_leeway_tolerates_a_little_clock_skew(tokens: JwtAccessTokens) -> None:
    issued = tokens.issue("user-1", "admin", now=NOW)

    assert tokens.verify(issued.token, now=issued.expires_at + timedelta(seconds=9))
    assert tokens.verify(issued.token, now=NOW - timedelta(seconds=10))


def test_without_leeway_a_token_dies_at_its_expiry() -> None:
    strict = JwtAccessTokens(key=KEY, issuer=ISSUER, audience=AUDIENCE, leeway=timedelta(0))
    issued = strict.issue("user-1", "admin", now=NOW)

    assert strict.verify(issued.token, now=issued.expires_at - timedelta(seconds=1))
    assert rejection(strict, issued.token, now=issued.expires_at) == "expired"


def test_a_token_issued_in_the_future_is_rejected(tokens: JwtAccessTokens) -> None:
    token = tokens.issue("user-1", "admin", now=NOW + timedelta(minutes=5)).token

    assert rejection(tokens, token) == "issued in the future"


def test_a_token_living_longer_than_the_maximum_is_rejected(tokens: JwtAccessTokens) -> None:
    token = sign(claims(exp=int(NOW.timestamp()) + 3600))

    assert rejection(tokens, token) == "lifetime too long"


@pytest.mark.parametrize("audience", ["someone-else", ["someone-else"], [AUDIENCE, "other"]])
def test_a_token_for_another_audience_is_rejected(tokens: JwtAccessTokens, audience: Any) -> None:
    assert rejection(tokens, sign(claims(aud=audience))) == "wrong audience"


def test_a_token_from_another_issuer_is_rejected(tokens: JwtAccessTokens) -> None:
    assert rejection(tokens, sign(claims(iss="evil"))) == "wrong issuer"


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
def test_a_token_missing_a_required_claim_is_rejected(tokens: JwtAccessTokens, claim: str) -> None:
    assert rejection(tokens, sign(claims(**{claim: None}))) == f"missing claim {claim}"


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": "tomorrow"},
        {"exp": float(NOW.timestamp() + 60)},
        {"iat": True},
        {"sub": 42},
        {"role": ""},
        {"role": ["admin"]},
        {"jti": 7},
    ],
)
def test_a_token_with_badly_typed_claims_is_rejected(
    tokens: JwtAccessTokens, overrides: dict[str, Any]
) -> None:
    rejection(tokens, sign(claims(**overrides)))


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "abc",
        "a.b.c",
        "a.b",
        "....",
        f"{b64({'alg': 'HS256'})}.bm90IGpzb24.sig",
        f"{b64({'alg': 'HS256'})}.{b64([1, 2])}.sig",
        "é.é.é",
    ],
)
def test_garbage_is_rejected(tokens: JwtAccessTokens, garbage: str) -> None:
    rejection(tokens, garbage)


def test_the_repr_hides_the_key(tokens: JwtAccessTokens) -> None:
    assert KEY not in repr(tokens)
    assert "hidden" in repr(tokens)


@pytest.mark.parametrize(
    "settings",
    [
        {"lifetime": timedelta(minutes=15, seconds=1)},
        {"lifetime": timedelta(0)},
        {"leeway": timedelta(seconds=-1)},
        {"leeway": timedelta(minutes=2)},
        {"algorithm": "none"},
        {"algorithm": "RS256"},
        {"key": "k" * 31},
        {"key": "k" * 63, "algorithm": "HS512"},
    ],
)
def test_unsafe_settings_are_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        JwtAccessTokens(**({"key": KEY, "issuer": ISSUER, "audience": AUDIENCE} | settings))


def test_a_naive_now_is_refused(tokens: JwtAccessTokens) -> None:
    with pytest.raises(ValueError):
        tokens.issue("user-1", "admin", now=NOW.replace(tzinfo=None))


def test_a_verified_token_still_expires_when_served_from_the_cache(tokens: JwtAccessTokens) -> None:
    token = tokens.issue("user-1", "user", now=NOW).token
    assert tokens.verify(token, now=NOW).subject == "user-1"
    assert tokens.verify(token, now=NOW + timedelta(minutes=5)).role == "user"
    with pytest.raises(InvalidToken, match="expired"):
        tokens.verify(token, now=NOW + timedelta(hours=1))


def test_a_rejected_token_is_rejected_every_time(tokens: JwtAccessTokens) -> None:
    forged = jwt.encode(claims(), "x" * 64, algorithm="HS256")
    for _ in range(2):
        with pytest.raises(InvalidToken, match="bad signature"):
            tokens.verify(forged, now=NOW)


def test_the_cache_of_verified_tokens_is_bounded(
    tokens: JwtAccessTokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("adapters.security.tokens.VERIFIED_CACHE_SIZE", 3)
    issued = [tokens.issue(f"user-{i}", "user", now=NOW).token for i in range(5)]
    for token in issued:
        tokens.verify(token, now=NOW)
    assert len(tokens._verified) == 3
    assert list(tokens._verified) == issued[2:]
