"""Operators create admins (`ponte users create-admin`, `ponte dev`); nobody registers as one."""

from __future__ import annotations

from dataclasses import dataclass

from application.accounts.ports import PasswordHasher
from application.accounts.register_user import new_user
from application.accounts.storage import UnitOfWork, UserRepository
from application.clock import Clock
from domain.accounts import Role, User


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateAdminCommand:
    email: str
    password: str
    #: Create only when no admin exists yet (``ponte dev``'s first start).
    only_if_first: bool = False


class CreateAdmin:
    def __init__(
        self, users: UserRepository, hasher: PasswordHasher, uow: UnitOfWork, clock: Clock
    ) -> None:
        self._users, self._hasher, self._uow, self._clock = users, hasher, uow, clock

    async def __call__(self, command: CreateAdminCommand) -> User | None:
        """The new admin, or None when ``only_if_first`` and an admin exists.

        :raises ValidationError: bad e-mail or password. :raises EmailTaken: e-mail in use.
        """
        if command.only_if_first and await self._users.admin_exists():
            return None
        user = await new_user(
            self._users,
            self._hasher,
            self._clock,
            email=command.email,
            password=command.password,
            role=Role.ADMIN,
        )
        await self._uow.commit()
        return user
