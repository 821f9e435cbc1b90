"""The token store: password and refresh grants, expiry, revocation."""

from __future__ import annotations

import pytest

from sandbox.totvs_moda.tokens import AuthError, Credentials, TokenStore
from tests.unit.sandbox.clock import FakeClock

LOGIN = {
    "grant_type": "password",
    "client_id": "ponte",
    "client_secret": "ponte-secret",
    "username": "ponte",
    "password": "ponte",
}


def store(ttl: float = 60) -> tuple[TokenStore, FakeClock]:
    clock = FakeClock()
    return TokenStore(Credentials(), clock, ttl=ttl, branches=(1, 2)), clock


def test_a_password_grant_issues_an_opaque_bearer_token() -> None:
    tokens, _ = store()
    issued = tokens.grant(LOGIN)
    assert (issued.token_type, issued.expires_in) == ("Bearer", 60)
    assert issued.access_token != issued.refresh_token
    assert tokens.valid(issued.access_token)
    assert tokens.grant(LOGIN).access_token != issued.access_token


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"password": "wrong"}, "invalid_grant"),
        ({"client_secret": "wrong"}, "invalid_client"),
        ({"grant_type": "magic"}, "unsupported_grant_type"),
        ({"grant_type": ""}, "invalid_request"),
        ({"branch": "9"}, "invalid_grant"),
    ],
)
def test_bad_requests_are_refused_with_an_oauth_error(change: dict[str, str], error: str) -> None:
    tokens, _ = store()
    with pytest.raises(AuthError) as refused:
        tokens.grant({**LOGIN, **change})
    assert refused.value.error == error


def test_a_released_branch_is_accepted() -> None:
    tokens, _ = store()
    assert tokens.valid(tokens.grant({**LOGIN, "branch": "2"}).access_token)


def test_tokens_expire_after_their_lifetime() -> None:
    tokens, clock = store(ttl=30)
    issued = tokens.grant(LOGIN)
    clock.advance(29)
    assert tokens.valid(issued.access_token)
    clock.advance(1)
    assert not tokens.valid(issued.access_token)


def test_a_refresh_token_works_once() -> None:
    tokens, _ = store()
    issued = tokens.grant(LOGIN)
    refreshed = tokens.grant({"grant_type": "refresh_token", "refresh_token": issued.refresh_token})
    assert tokens.valid(refreshed.access_token)
    with pytest.raises(AuthError):
        tokens.grant({"grant_type": "refresh_token", "refresh_token": issued.refresh_token})


def test_revoking_ends_access_and_refresh_tokens() -> None:
    tokens, _ = store()
    one, two = tokens.grant(LOGIN), tokens.grant(LOGIN)
    tokens.revoke(one.access_token)
    assert not tokens.valid(one.access_token)
    assert tokens.valid(two.access_token)
    assert tokens.revoke_all() == 1
    assert not tokens.valid(two.access_token)
    with pytest.raises(AuthError):
        tokens.grant({"grant_type": "refresh_token", "refresh_token": two.refresh_token})
