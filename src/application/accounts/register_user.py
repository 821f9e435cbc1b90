"""Self-service registration: always creates a plain user."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from application.accounts.errors import EmailTaken
from application.accounts.ports import PasswordHasher
from application.accounts.storage import UnitOfWork, UserRepository
from application.clock import Clock
from domain.accounts import Role, User, check_password
from domain.documents import Email


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterUserCommand:
    email: str
    password: str


async def new_user(
    users: UserRepository,
    hasher: PasswordHasher,
    clock: Clock,
    *,
    email: str,
    password: str,
    role: Role,
) -> User:
    """Validate, hash and add a user (not committed).

    :raises ValidationError: bad e-mail or password. :raises EmailTaken: e-mail in use.
    """
    address = Email(email)
    check_password(password)
    if await users.by_email(address) is not None:
        raise EmailTaken(f"{address} is already registered")
    user = User(
        id=uuid4(),
        email=address,
        role=role,
        password_hash=await hasher.hash(password),
        created_at=clock.now(),
    )
    await users.add(user)
    return user


class RegisterUser:
    def __init__(
        self, users: UserRepository, hasher: PasswordHasher, uow: UnitOfWork, clock: Clock
    ) -> None:
        self._users, self._hasher, self._uow, self._clock = users, hasher, uow, clock

    async def __call__(self, command: RegisterUserCommand) -> User:
        """:raises ValidationError: bad e-mail or password. :raises EmailTaken: e-mail in use."""
        user = await new_user(
            self._users,
            self._hasher,
            self._clock,
            email=command.email,
            password=command.password,
            role=Role.USER,
        )
        await self._uow.commit()
        return user
