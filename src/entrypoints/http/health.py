"""Liveness and readiness."""

from __future__ import annotations

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Response, get
from litestar.openapi import ResponseSpec

from entrypoints.readiness import Readiness


class Health(msgspec.Struct):
    status: str


class Check(msgspec.Struct):
    name: str
    ok: bool
    detail: str | None = None


class Ready(msgspec.Struct):
    status: str
    checks: list[Check]


class HealthController(Controller):
    tags = ["health"]

    @get("/health", summary="Liveness", description="200 while the process serves requests.")
    async def health(self) -> Health:
        return Health(status="ok")

    @get(
        "/ready",
        summary="Readiness",
        description=(
            "200 when PostgreSQL and Redis answer and the database schema is at the latest "
            "migration; otherwise 503 with the failing checks."
        ),
        responses={503: ResponseSpec(data_container=Ready, description="Not ready")},
    )
    @inject
    async def ready(self, readiness: FromDishka[Readiness]) -> Response[Ready]:
        checks = [Check(name=c.name, ok=c.ok, detail=c.detail) for c in await readiness.check()]
        body = Ready(status="ready" if all(c.ok for c in checks) else "not-ready", checks=checks)
        return Response(body, status_code=200 if body.status == "ready" else 503)
