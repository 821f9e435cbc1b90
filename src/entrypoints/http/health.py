"""Liveness and readiness."""

from __future__ import annotations

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Response, get

from entrypoints.http.openapi_examples import example, success
from entrypoints.readiness import CHECK_TIMEOUT_SECONDS, HEAD_REVISION, Readiness


class Health(msgspec.Struct):
    status: str


class Check(msgspec.Struct):
    name: str
    ok: bool
    detail: str | None = None


class Ready(msgspec.Struct):
    status: str
    checks: list[Check]


_POSTGRES_OK = {"name": "postgres", "ok": True, "detail": f"schema at {HEAD_REVISION}"}
_REDIS_OK = {"name": "redis", "ok": True}

_READY = success(
    Ready,
    "Ready: every check passed",
    example("Ready", {"status": "ready", "checks": [_POSTGRES_OK, _REDIS_OK]}),
)
_NOT_READY = success(
    Ready,
    "Not ready: the same body, with the failing checks and why",
    example(
        "Schema behind the code",
        {
            "status": "not-ready",
            "checks": [
                {
                    "name": "postgres",
                    "ok": False,
                    "detail": f"schema at 0001, latest is {HEAD_REVISION}",
                },
                _REDIS_OK,
            ],
        },
        "Deployed before `ponte migrate` ran.",
    ),
    example(
        "Redis unreachable",
        {
            "status": "not-ready",
            "checks": [
                _POSTGRES_OK,
                {"name": "redis", "ok": False, "detail": "unreachable: TimeoutError"},
            ],
        },
    ),
)


class HealthController(Controller):
    tags = ["health"]

    @get(
        "/health",
        summary="Liveness",
        description=(
            "200 `ok` while the process serves requests: a liveness probe. It checks nothing "
            "else; `/ready` tells whether PostgreSQL and Redis answer. No authentication."
        ),
        responses={
            200: success(Health, "The process is alive", example("Alive", {"status": "ok"}))
        },
    )
    async def health(self) -> Health:
        return Health(status="ok")

    @get(
        "/ready",
        summary="Readiness",
        description=(
            "Whether this instance can serve traffic. Checks, concurrently and each within "
            f"{CHECK_TIMEOUT_SECONDS:g} s: PostgreSQL answers and its schema is at the latest "
            "migration this code ships (`alembic_version`), and Redis answers `PING`. 200 "
            "`ready` when every check passes; otherwise 503 `not-ready` with the same body, each "
            "failing check's `detail` saying why (an error class, never a credential or a "
            "query). No authentication."
        ),
        responses={200: _READY, 503: _NOT_READY},
    )
    @inject
    async def ready(self, readiness: FromDishka[Readiness]) -> Response[Ready]:
        checks = [Check(name=c.name, ok=c.ok, detail=c.detail) for c in await readiness.check()]
        body = Ready(status="ready" if all(c.ok for c in checks) else "not-ready", checks=checks)
        return Response(body, status_code=200 if body.status == "ready" else 503)
