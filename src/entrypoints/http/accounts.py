"""Accounts: registration, sign-in, session refresh and sign-out, and who am I."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, post
from litestar.params import JSONBody

from application.accounts.current_user import CurrentUser, CurrentUserQuery
from application.accounts.login import Login, LoginCommand
from application.accounts.logout import Logout, LogoutCommand
from application.accounts.refresh_session import RefreshSession, RefreshSessionCommand
from application.accounts.register_user import RegisterUser, RegisterUserCommand
from application.accounts.sessions import Session
from domain.accounts import Role, User
from entrypoints.http.auth import bearer_claims

#: Bounds on the wire only; the domain judges e-mails and passwords (422 with the field).
EmailIn = Annotated[str, msgspec.Meta(min_length=1, max_length=320)]
PasswordIn = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
RefreshTokenIn = Annotated[str, msgspec.Meta(min_length=1, max_length=512)]


class CredentialsIn(msgspec.Struct, forbid_unknown_fields=True):
    email: EmailIn
    password: PasswordIn


class RefreshIn(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: RefreshTokenIn


class UserOut(msgspec.Struct):
    id: UUID
    email: str
    role: Role
    created_at: datetime


class SessionOut(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


def _user_out(user: User) -> UserOut:
    return UserOut(id=user.id, email=user.email.address, role=user.role, created_at=user.created_at)


def _session_out(session: Session) -> SessionOut:
    return SessionOut(
        access_token=session.access.token,
        token_type="Bearer",  # noqa: S106 - the scheme name, not a secret
        expires_in=max(0, int((session.access.expires_at - session.issued_at).total_seconds())),
        expires_at=session.access.expires_at,
        refresh_token=session.refresh_token,
        refresh_expires_at=session.refresh_expires_at,
    )


def _client(request: Request) -> str | None:  # type: ignore[type-arg]
    """The peer address. Behind a proxy, run uvicorn with ``--proxy-headers`` (and trusted
    ``--forwarded-allow-ips``) so this is the real client, not the proxy."""
    return request.client.host if request.client else None


class AccountsController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post(
        "/register",
        status_code=201,
        summary="Register",
        description="Create a user (role `user`). 409 when the e-mail is taken.",
    )
    @inject
    async def register(
        self, data: JSONBody[CredentialsIn], register: FromDishka[RegisterUser]
    ) -> UserOut:
        user = await register(RegisterUserCommand(email=data.email, password=data.password))
        return _user_out(user)

    @post(
        "/login",
        status_code=200,
        summary="Sign in",
        description=(
            "A short-lived access token and a refresh token. 401 for any bad credential; 429 "
            "(with `Retry-After`) after too many attempts for the e-mail or from the client."
        ),
    )
    @inject
    async def login(
        self,
        request: Request,  # type: ignore[type-arg]
        data: JSONBody[CredentialsIn],
        login: FromDishka[Login],
    ) -> SessionOut:
        command = LoginCommand(email=data.email, password=data.password, client=_client(request))
        session = await login(command)
        return _session_out(session)

    @post(
        "/refresh-token",
        status_code=200,
        summary="Refresh the session",
        description=(
            "Trade a refresh token for a new pair. Each refresh token works once; presenting "
            "one again revokes the whole session."
        ),
    )
    @inject
    async def refresh(
        self,
        request: Request,  # type: ignore[type-arg]
        data: JSONBody[RefreshIn],
        refresh: FromDishka[RefreshSession],
    ) -> SessionOut:
        command = RefreshSessionCommand(refresh_token=data.refresh_token, client=_client(request))
        session = await refresh(command)
        return _session_out(session)

    @post(
        "/logout",
        status_code=204,
        summary="Sign out",
        description="Revoke the refresh token's session. Unknown tokens are ignored.",
    )
    @inject
    async def logout(self, data: JSONBody[RefreshIn], logout: FromDishka[Logout]) -> None:
        await logout(LogoutCommand(refresh_token=data.refresh_token))

    @get("/me", summary="Who am I", description="The user of the bearer token.")
    @inject
    async def me(self, request: Request, current: FromDishka[CurrentUser]) -> UserOut:  # type: ignore[type-arg]
        claims = await bearer_claims(request)
        return _user_out(await current(CurrentUserQuery(subject=claims.subject)))
