"""Sign in with e-mail and password; starts a new refresh-token family."""

from __future__ import annotations

from dataclasses import dataclass

from application.accounts.attempts import SignInThrottle
from application.accounts.errors import InvalidCredentials
from application.accounts.ports import PasswordHasher
from application.accounts.sessions import Session, SessionIssuer
from application.accounts.storage import UnitOfWork, UserRepository
from application.clock import Clock
from domain.documents import Email
from domain.errors import ValidationError


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginCommand:
    email: str
    password: str
    #: The caller's address, for per-client throttling; None when there is none (CLI).
    client: str | None = None


class Login:
    """Unknown e-mail and wrong password fail alike, and both pay for one hash, so neither the
    answer nor its timing tells which. A hash made with old parameters is replaced on success."""

    def __init__(
        self,
        users: UserRepository,
        hasher: PasswordHasher,
        sessions: SessionIssuer,
        uow: UnitOfWork,
        clock: Clock,
        throttle: SignInThrottle,
    ) -> None:
        self._users, self._hasher, self._sessions = users, hasher, sessions
        self._uow, self._clock, self._throttle = uow, clock, throttle

    async def __call__(self, command: LoginCommand) -> Session:
        """:raises TooManyAttempts: throttled (checked first, before any hashing).
        :raises InvalidCredentials: unknown e-mail or wrong password."""
        await self._throttle.login(email=command.email, client=command.client)
        try:
            user = await self._users.by_email(Email(command.email))
        except ValidationError:
            user = None
        if user is None:
            await self._hasher.hash(command.password)
            raise InvalidCredentials("invalid e-mail or password")
        if not await self._hasher.verify(user.password_hash, command.password):
            raise InvalidCredentials("invalid e-mail or password")
        if self._hasher.needs_rehash(user.password_hash):
            user.password_hash = await self._hasher.hash(command.password)
            await self._users.set_password_hash(user.id, user.password_hash)
        session = await self._sessions.issue(user, now=self._clock.now())
        await self._uow.commit()
        return session
