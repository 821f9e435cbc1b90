"""Account commands for operators: `ponte users create-admin` and `ponte dev`'s first admin."""

from __future__ import annotations

import secrets

from application.accounts.create_admin import CreateAdmin, CreateAdminCommand
from domain.accounts import User
from entrypoints.providers import make_container
from entrypoints.settings import Settings

DEV_ADMIN_EMAIL = "admin@ponte.dev"


async def create_admin_user(
    settings: Settings, *, email: str, password: str, only_if_first: bool = False
) -> User | None:
    """:raises ValidationError: bad e-mail or password. :raises EmailTaken: e-mail in use."""
    container = make_container(settings)
    try:
        async with container() as request:
            create = await request.get(CreateAdmin)
            command = CreateAdminCommand(
                email=email, password=password, only_if_first=only_if_first
            )
            return await create(command)
    finally:
        await container.close()


async def first_dev_admin(settings: Settings) -> tuple[str, str] | None:
    """E-mail and password of an admin created now, or None when one already exists."""
    password = secrets.token_urlsafe(18)
    user = await create_admin_user(
        settings, email=DEV_ADMIN_EMAIL, password=password, only_if_first=True
    )
    return (user.email.address, password) if user else None
