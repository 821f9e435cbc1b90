"""Sign-in throttling: per account and per client windows, checked before any credential work."""

from __future__ import annotations

import pytest

from application.accounts.errors import InvalidCredentials, InvalidRefreshToken, TooManyAttempts
from application.accounts.login import LoginCommand
from application.accounts.refresh_session import RefreshSessionCommand
from application.accounts.register_user import RegisterUserCommand
from tests.unit.application.attempt_fakes import FakeAttemptLimiter, throttle
from tests.unit.application.test_accounts import CREDS, World


async def test_login_is_refused_after_the_account_limit_from_any_client() -> None:
    limiter = FakeAttemptLimiter()
    w = World(guard=throttle(limiter, account=2))
    for client in ("10.0.0.1", "10.0.0.2"):
        with pytest.raises(InvalidCredentials):
            await w.login(LoginCommand(email="bob@example.com", password="x", client=client))
    hashed = w.hasher.hashed
    with pytest.raises(TooManyAttempts) as caught:
        await w.login(LoginCommand(email=" BOB@example.com", password="x", client="10.0.0.3"))
    assert caught.value.retry_after == 60
    assert w.hasher.hashed == hashed, "a throttled attempt must not pay for a hash"


async def test_login_is_refused_after_the_client_limit_whatever_the_account() -> None:
    w = World(guard=throttle(client=1))
    await w.register(RegisterUserCommand(**CREDS))
    await w.login(LoginCommand(**CREDS, client="10.0.0.1"))
    with pytest.raises(TooManyAttempts):
        await w.login(LoginCommand(email="other@example.com", password="x", client="10.0.0.1"))
    await w.login(LoginCommand(**CREDS, client="10.0.0.2"))


async def test_successful_logins_count_too() -> None:
    w = World(guard=throttle(account=1))
    await w.register(RegisterUserCommand(**CREDS))
    await w.login(LoginCommand(**CREDS))
    with pytest.raises(TooManyAttempts):
        await w.login(LoginCommand(**CREDS))


async def test_refresh_is_limited_per_client_apart_from_login() -> None:
    limiter = FakeAttemptLimiter()
    w = World(guard=throttle(limiter, client=1))
    with pytest.raises(InvalidRefreshToken):
        await w.refresh(RefreshSessionCommand(refresh_token="nope", client="10.0.0.1"))
    with pytest.raises(TooManyAttempts):
        await w.refresh(RefreshSessionCommand(refresh_token="nope", client="10.0.0.1"))
    assert limiter.counts == {"refresh-client:10.0.0.1": 2}
