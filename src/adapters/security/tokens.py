"""Access tokens as HMAC-signed JWTs (pyjwt), verified against an injected clock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from application.accounts.ports import Claims, InvalidToken, IssuedToken

MAX_LIFETIME = timedelta(minutes=15)
MAX_LEEWAY = timedelta(minutes=1)
REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp", "iat", "role", "jti")
#: RFC 7518 §3.2: an HMAC key at least as long as the hash output.
_MIN_KEY_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}

#: Tokens whose signature and claims already passed, kept so a storefront's repeated requests
#: skip the HMAC and JSON work; time checks still run on every call.
VERIFIED_CACHE_SIZE = 4096

_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.InvalidAlgorithmError, "algorithm not allowed"),
    (jwt.InvalidSignatureError, "bad signature"),
    (jwt.InvalidAudienceError, "wrong audience"),
    (jwt.InvalidIssuerError, "wrong issuer"),
    (jwt.DecodeError, "malformed token"),
)


class JwtAccessTokens:
    """Implements :class:`application.accounts.ports.AccessTokens`.

    Rules: one pinned HMAC algorithm (``alg`` in the header is never trusted); every claim in
    :data:`REQUIRED_CLAIMS` present and well typed; lifetime at most :data:`MAX_LIFETIME`, both
    when configured and in the token verified; expiry and issue time judged against the ``now``
    passed in, with ``leeway`` of clock skew.
    """

    def __init__(
        self,
        *,
        key: str | bytes,
        issuer: str,
        audience: str,
        lifetime: timedelta = MAX_LIFETIME,
        leeway: timedelta = timedelta(seconds=10),
        algorithm: str = "HS256",
    ) -> None:
        """:raises ValueError: for an unknown algorithm, a short key, or a lifetime or leeway
        out of bounds."""
        if algorithm not in _MIN_KEY_BYTES:
            raise ValueError(f"algorithm must be one of {sorted(_MIN_KEY_BYTES)}")
        self._key = key.encode() if isinstance(key, str) else key
        min_bytes = _MIN_KEY_BYTES[algorithm]
        if len(self._key) < min_bytes:
            raise ValueError(f"{algorithm} needs a key of at least {min_bytes} bytes")
        if not timedelta(0) < lifetime <= MAX_LIFETIME:
            raise ValueError(f"lifetime must be positive and at most {MAX_LIFETIME}")
        if not timedelta(0) <= leeway <= MAX_LEEWAY:
            raise ValueError(f"leeway must be between 0 and {MAX_LEEWAY}")
        self._issuer = issuer
        self._audience = audience
        self._lifetime = lifetime
        self._leeway = int(leeway.total_seconds())
        self._algorithm = algorithm
        #: token → (sub, role, iat, exp) of tokens that passed every check but the clock's.
        self._verified: dict[str, tuple[str, str, int, int]] = {}

    def issue(self, subject: str, role: str, *, now: datetime) -> IssuedToken:
        issued_at = _seconds(now)
        expires_at = issued_at + int(self._lifetime.total_seconds())
        payload = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": subject,
            "role": role,
            "iat": issued_at,
            "exp": expires_at,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(payload, self._key, algorithm=self._algorithm)
        return IssuedToken(token=token, expires_at=datetime.fromtimestamp(expires_at, UTC))

    def verify(self, token: str, *, now: datetime) -> Claims:
        known = self._verified.get(token)
        if known is None:
            known = self._check(token)
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                del self._verified[next(iter(self._verified))]  # the oldest entry
            self._verified[token] = known
        subject, role, issued_at, expires_at = known
        moment = _seconds(now)
        if moment >= expires_at + self._leeway:
            raise InvalidToken("expired")
        if issued_at > moment + self._leeway:
            raise InvalidToken("issued in the future")
        if expires_at - issued_at > MAX_LIFETIME.total_seconds():
            raise InvalidToken("lifetime too long")
        return Claims(
            subject=subject, role=role, expires_at=datetime.fromtimestamp(expires_at, UTC)
        )

    def _check(self, token: str) -> tuple[str, str, int, int]:
        """Signature, algorithm, issuer, audience and claim types: what does not depend on time."""
        claims = self._decode(token)
        if not all(_is_int(claims[c]) for c in ("iat", "exp")):
            raise InvalidToken("iat and exp must be integers")
        if not all(isinstance(claims[c], str) and claims[c] for c in ("sub", "role", "jti")):
            raise InvalidToken("sub, role and jti must be non-empty strings")
        return claims["sub"], claims["role"], claims["iat"], claims["exp"]

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                self._key,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                # Time is checked against the injected clock in verify(), not pyjwt's wall clock.
                options={
                    "require": list(REQUIRED_CLAIMS),
                    "strict_aud": True,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.MissingRequiredClaimError as e:
            raise InvalidToken(f"missing claim {e.claim}") from e
        except jwt.PyJWTError as e:
            reason = next((r for kind, r in _REASONS if isinstance(e, kind)), "invalid token")
            raise InvalidToken(reason) from e

    def __repr__(self) -> str:
        return (
            f"JwtAccessTokens(issuer={self._issuer!r}, audience={self._audience!r}, "
            f"algorithm={self._algorithm!r}, lifetime={self._lifetime!r}, key=<hidden>)"
        )


def _seconds(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return int(moment.timestamp())


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
