"""Who the bearer of a verified access token is."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.accounts.errors import UnknownUser
from application.accounts.storage import UserRepository
from domain.accounts import User


@dataclass(frozen=True, slots=True, kw_only=True)
class CurrentUserQuery:
    subject: str


class CurrentUser:
    def __init__(self, users: UserRepository) -> None:
        self._users = users

    async def __call__(self, query: CurrentUserQuery) -> User:
        """:raises UnknownUser: the subject is not a user id, or the user is gone."""
        try:
            user_id = UUID(query.subject)
        except ValueError:
            raise UnknownUser("not a user id") from None
        user = await self._users.by_id(user_id)
        if user is None:
            raise UnknownUser("the user no longer exists")
        return user
