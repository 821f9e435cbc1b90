"""Accounts: registration, sign-in, session refresh and sign-out, and who am I."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, post
from litestar.openapi import ResponseSpec
from litestar.params import Body

from application.accounts.current_user import CurrentUser, CurrentUserQuery
from application.accounts.login import Login, LoginCommand
from application.accounts.logout import Logout, LogoutCommand
from application.accounts.refresh_session import RefreshSession, RefreshSessionCommand
from application.accounts.register_user import RegisterUser, RegisterUserCommand
from application.accounts.sessions import Session
from domain.accounts import Role, User
from entrypoints.http.auth import bearer_claims
from entrypoints.http.openapi_examples import (
    bad_request,
    example,
    no_content,
    problem,
    problem_example,
    problems,
    success,
    unauthenticated,
)

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


# --- OpenAPI examples -----------------------------------------------------------------------------

_CREDENTIALS = {"email": "ana@example.com", "password": "correct horse battery staple"}
_REFRESH = {"refresh_token": "8nT05Xk5TgIsmCAxMV1Q-Ka27an__R52N2LnNriWz7s"}
_USER = {
    "id": "0193a5d2-4b7e-7c11-9f3a-2b8c6d0e4f51",
    "email": "ana@example.com",
    "role": "user",
    "created_at": "2026-11-23T18:49:14.909850Z",
}
_SESSION = {
    "access_token": (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwb250ZSIsImF1ZCI6InBvbnRlLWFwaSIsInN1Yi"
        "I6IjAxOTNhNWQyLTRiN2UtN2MxMS05ZjNhLTJiOGM2ZDBlNGY1MSIsInJvbGUiOiJ1c2VyIiwiaWF0IjoxNzk1ND"
        "U5NzU0LCJleHAiOjE3OTU0NjA2NTQsImp0aSI6IjFmZjdmM2U0ZmQ2NzQwYWU4NmY2YmI5ZDVjODRlMmQ2In0.HVe"
        "qQY-UQghbg5lLXNXFgdBchhvnrMkKM6Ya355tBlg"
    ),
    "token_type": "Bearer",
    "expires_in": 900,
    "expires_at": "2026-11-23T19:04:14Z",
    "refresh_token": "PxfBppOnCg9cFnXQ8DHlJLE5sMkFdep-A_0l18nkDHA",
    "refresh_expires_at": "2026-12-23T18:49:14.955982Z",
}

_CREDENTIALS_BODY = Body(
    description="E-mail and password",
    examples=[example("Credentials", _CREDENTIALS)],
)
_REFRESH_BODY = Body(
    description="The refresh token of the session",
    examples=[example("A refresh token", _REFRESH)],
)

_USER_CREATED = success(UserOut, "The new user", example("A new user", _USER))
_SESSION_OUT = success(SessionOut, "A new session", example("A session", _SESSION))
_TOO_MANY = problem(
    429,
    "too-many-attempts",
    "Too many sign-in attempts; retry in 60 seconds.",
    instance="/auth/login",
    description="Throttled; `Retry-After` gives the seconds to wait",
)


def _bad_body(instance: str, *, unknown: str, missing: str) -> ResponseSpec:
    return bad_request(
        instance,
        ("Unknown field", [("data", f"Object contains unknown field `{unknown}`")]),
        ("Missing field", [("data", f"Object missing required field `{missing}`")]),
    )


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
    """The peer address: behind a proxy listed in ``FORWARDED_ALLOW_IPS``, the client it names in
    ``X-Forwarded-For`` (see ``entrypoints.http.asgi``), not the proxy."""
    return request.client.host if request.client else None


class AccountsController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post(
        "/register",
        status_code=201,
        summary="Register",
        description=(
            "Self-service sign-up: anyone may register, and the account always gets the role "
            "`user` (admins are made with `ponte users create-admin`). The e-mail is trimmed and "
            "lower-cased, so it is unique regardless of case: a plain ASCII `local@domain.tld` "
            "of at most 254 characters. The password has 12 to 128 characters; length is the "
            "only rule. Only a hash of it (Argon2id) is stored. 409 `email-taken` when another "
            "user has the address; 422 `domain-validation` naming `email` or `password`; 400 "
            "for a malformed body or an unknown field. Registering does not sign in: call "
            "`POST /auth/login` next."
        ),
        responses={
            201: _USER_CREATED,
            400: _bad_body("/auth/register", unknown="role", missing="password"),
            409: problem(
                409,
                "email-taken",
                "ana@example.com is already registered",
                instance="/auth/register",
                errors=[("email", "already registered")],
                description="Another user has this e-mail address",
            ),
            422: problems(
                "An e-mail or password the rules refuse",
                problem_example(
                    422,
                    "domain-validation",
                    "a password has 12 to 128 characters",
                    instance="/auth/register",
                    errors=[("password", "a password has 12 to 128 characters")],
                    summary="Password too short",
                ),
                problem_example(
                    422,
                    "domain-validation",
                    "not a valid e-mail address: 'ana@example'",
                    instance="/auth/register",
                    errors=[("email", "not a valid e-mail address: 'ana@example'")],
                    summary="Not an e-mail address",
                ),
            ),
        },
    )
    @inject
    async def register(
        self,
        data: Annotated[CredentialsIn, _CREDENTIALS_BODY],
        register: FromDishka[RegisterUser],
    ) -> UserOut:
        user = await register(RegisterUserCommand(email=data.email, password=data.password))
        return _user_out(user)

    @post(
        "/login",
        status_code=200,
        summary="Sign in",
        description=(
            "Trade an e-mail and password for a session: a short-lived access token (a JWT, "
            "`ACCESS_TOKEN_MINUTES`, at most 15 minutes; `expires_in` is in seconds) to send as "
            "`Authorization: Bearer <access_token>`, and a refresh token (`REFRESH_TOKEN_DAYS`, "
            "30 by default) for `POST /auth/refresh-token`. Each sign-in starts a new session. "
            "An unknown e-mail, a malformed one and a wrong password all give the same 401 "
            "`invalid-credentials`, in the same time, so the answer never tells whether an "
            "account exists. Attempts are throttled per e-mail (`AUTH_RATE_LIMIT_ACCOUNT`, 10) "
            "and per client address (`AUTH_RATE_LIMIT_CLIENT`, 30) in a fixed window "
            "(`AUTH_RATE_LIMIT_WINDOW_SECONDS`, 60); every attempt counts, successful ones too, "
            "and the limit is checked before the password: 429 `too-many-attempts` with "
            "`Retry-After`."
        ),
        responses={
            200: _SESSION_OUT,
            400: _bad_body("/auth/login", unknown="remember_me", missing="password"),
            401: problem(
                401,
                "invalid-credentials",
                "Invalid e-mail or password.",
                instance="/auth/login",
                description="Unknown e-mail or wrong password (deliberately alike)",
            ),
            429: _TOO_MANY,
        },
    )
    @inject
    async def login(
        self,
        request: Request,  # type: ignore[type-arg]
        data: Annotated[CredentialsIn, _CREDENTIALS_BODY],
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
            "Trade a refresh token for a new pair (access and refresh token) in the same "
            "session; no bearer token is needed. Each refresh token works once: presenting one "
            "that was already used means it leaked (or the client raced itself), so the whole "
            "session is revoked, its newest refresh token included, and the answer is 401. "
            "Unknown, expired and revoked tokens, and tokens of a deleted user, are 401 "
            "`invalid-refresh-token` too: sign in again. Attempts are throttled per client "
            "address (`AUTH_RATE_LIMIT_CLIENT` per window, counted apart from sign-ins): 429 "
            "`too-many-attempts` with `Retry-After`."
        ),
        responses={
            200: _SESSION_OUT,
            400: _bad_body("/auth/refresh-token", unknown="access_token", missing="refresh_token"),
            401: problem(
                401,
                "invalid-refresh-token",
                "The refresh token is invalid, expired or revoked; sign in again.",
                instance="/auth/refresh-token",
                description="Unknown, expired, revoked or already used refresh token",
            ),
            429: problem(
                429,
                "too-many-attempts",
                "Too many sign-in attempts; retry in 42 seconds.",
                instance="/auth/refresh-token",
                description="Throttled; `Retry-After` gives the seconds to wait",
            ),
        },
    )
    @inject
    async def refresh(
        self,
        request: Request,  # type: ignore[type-arg]
        data: Annotated[RefreshIn, _REFRESH_BODY],
        refresh: FromDishka[RefreshSession],
    ) -> SessionOut:
        command = RefreshSessionCommand(refresh_token=data.refresh_token, client=_client(request))
        session = await refresh(command)
        return _session_out(session)

    @post(
        "/logout",
        status_code=204,
        summary="Sign out",
        description=(
            "Revoke the session of the refresh token: every refresh token of that session stops "
            "working. No bearer token is needed. Idempotent: an unknown, expired or already "
            "revoked token is 204 too. Access tokens already issued stay valid until they expire "
            "(15 minutes at most), so clients should drop theirs."
        ),
        responses={
            204: no_content("Signed out (or nothing to sign out); no body"),
            400: _bad_body("/auth/logout", unknown="access_token", missing="refresh_token"),
        },
    )
    @inject
    async def logout(
        self, data: Annotated[RefreshIn, _REFRESH_BODY], logout: FromDishka[Logout]
    ) -> None:
        await logout(LogoutCommand(refresh_token=data.refresh_token))

    @get(
        "/me",
        summary="Who am I",
        description=(
            "The user of the bearer access token (`Authorization: Bearer <access_token>`); API "
            "keys are not accepted here. 401 `unauthenticated` without a valid token, or when "
            "its user no longer exists."
        ),
        responses={
            200: success(UserOut, "The signed-in user", example("A user", _USER)),
            401: unauthenticated("/auth/me"),
        },
    )
    @inject
    async def me(self, request: Request, current: FromDishka[CurrentUser]) -> UserOut:  # type: ignore[type-arg]
        claims = await bearer_claims(request)
        return _user_out(await current(CurrentUserQuery(subject=claims.subject)))
