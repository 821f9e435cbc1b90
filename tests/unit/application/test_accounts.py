"""Accounts use cases with hand-written fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from application.accounts.attempts import SignInThrottle
from application.accounts.errors import EmailTaken, InvalidCredentials, InvalidRefreshToken
from application.accounts.login import Login, LoginCommand
from application.accounts.ports import IssuedToken
from application.accounts.refresh_session import RefreshSession, RefreshSessionCommand
from application.accounts.register_user import RegisterUser, RegisterUserCommand
from application.accounts.sessions import SessionIssuer, SessionPolicy
from application.accounts.storage import RefreshToken
from domain.accounts import User
from domain.documents import Email
from tests.unit.application.attempt_fakes import throttle

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


class FakeClock:
    def now(self) -> datetime:
        return NOW


class FakeHasher:
    def __init__(self, stale: bool = False) -> None:
        self.stale, self.hashed = stale, 0

    async def hash(self, password: str) -> str:
        self.hashed += 1
        return f"v2${password}"

    async def verify(self, hash: str, password: str) -> bool:
        return hash.split("$", 1)[1] == password

    def needs_rehash(self, hash: str) -> bool:
        return self.stale


class FakeAccess:
    def issue(self, subject: str, role: str, *, now: datetime) -> IssuedToken:
        return IssuedToken(token=f"{subject}:{role}", expires_at=now + timedelta(minutes=15))


class FakeSecrets:
    def __init__(self) -> None:
        self.n = 0

    def new_secret(self) -> str:
        self.n += 1
        return f"s{self.n}"

    def digest(self, secret: str) -> str:
        return f"d:{secret}"

    def matches(self, secret: str, digest: str) -> bool:
        return self.digest(secret) == digest


class FakeUsers:
    def __init__(self) -> None:
        self.rows: dict[UUID, User] = {}

    async def by_email(self, email: Email) -> User | None:
        return next((u for u in self.rows.values() if u.email == email), None)

    async def by_id(self, user_id: UUID) -> User | None:
        return self.rows.get(user_id)

    async def add(self, user: User) -> None:
        self.rows[user.id] = user

    async def set_password_hash(self, user_id: UUID, password_hash: str) -> None:
        self.rows[user_id].password_hash = password_hash

    async def admin_exists(self) -> bool:
        return any(u.is_admin for u in self.rows.values())


class FakeTokens:
    def __init__(self) -> None:
        self.rows: dict[str, RefreshToken] = {}

    async def add(self, token: RefreshToken) -> None:
        self.rows[token.digest] = token

    async def by_digest(self, digest: str) -> RefreshToken | None:
        return self.rows.get(digest)

    async def mark_rotated(self, digest: str, at: datetime) -> None:
        t = self.rows[digest]
        self.rows[digest] = RefreshToken(**{**_fields(t), "rotated_at": at})

    async def revoke_family(self, family_id: UUID, at: datetime) -> None:
        for d, t in list(self.rows.items()):
            if t.family_id == family_id:
                self.rows[d] = RefreshToken(**{**_fields(t), "revoked_at": at})


def _fields(t: RefreshToken) -> dict[str, object]:
    return {s: getattr(t, s) for s in RefreshToken.__slots__}


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.commits = 0

    async def commit(self) -> None:
        self.commits += 1


class World:
    def __init__(self, stale: bool = False, guard: SignInThrottle | None = None) -> None:
        self.users, self.tokens, self.uow = FakeUsers(), FakeTokens(), FakeUnitOfWork()
        self.hasher, self.secrets, self.clock = FakeHasher(stale), FakeSecrets(), FakeClock()
        issuer = SessionIssuer(
            FakeAccess(), self.secrets, self.tokens, SessionPolicy(timedelta(days=30))
        )
        self.register = RegisterUser(self.users, self.hasher, self.uow, self.clock)
        guard = guard or throttle()
        self.login = Login(self.users, self.hasher, issuer, self.uow, self.clock, guard)
        self.refresh = RefreshSession(
            self.users, self.tokens, self.secrets, issuer, self.uow, self.clock, guard
        )


CREDS = {"email": "ana@example.com", "password": "a long enough password"}


async def test_register_hashes_and_commits_and_refuses_a_taken_email() -> None:
    w = World()
    user = await w.register(RegisterUserCommand(**CREDS))
    assert user.password_hash == "v2$a long enough password"
    assert w.uow.commits == 1
    with pytest.raises(EmailTaken):
        await w.register(RegisterUserCommand(**{**CREDS, "email": "ANA@example.com"}))


async def test_login_fails_alike_and_still_hashes_for_an_unknown_email() -> None:
    w = World()
    await w.register(RegisterUserCommand(**CREDS))
    before = w.hasher.hashed
    with pytest.raises(InvalidCredentials):
        await w.login(LoginCommand(email="bob@example.com", password="whatever"))
    assert w.hasher.hashed == before + 1
    with pytest.raises(InvalidCredentials):
        await w.login(LoginCommand(email=CREDS["email"], password="wrong password!"))


async def test_login_rehashes_a_stale_hash() -> None:
    w = World(stale=True)
    user = await w.register(RegisterUserCommand(**CREDS))
    w.users.rows[user.id].password_hash = "v1$a long enough password"
    await w.login(LoginCommand(**CREDS))
    assert w.users.rows[user.id].password_hash == "v2$a long enough password"


async def test_refresh_rotates_and_reuse_revokes_the_family() -> None:
    w = World()
    await w.register(RegisterUserCommand(**CREDS))
    first = await w.login(LoginCommand(**CREDS))
    second = await w.refresh(RefreshSessionCommand(refresh_token=first.refresh_token))
    assert second.refresh_token != first.refresh_token
    with pytest.raises(InvalidRefreshToken):
        await w.refresh(RefreshSessionCommand(refresh_token=first.refresh_token))
    assert all(t.revoked_at == NOW for t in w.tokens.rows.values())
    with pytest.raises(InvalidRefreshToken):
        await w.refresh(RefreshSessionCommand(refresh_token=second.refresh_token))
