"""Operators' view of the catalog sync: streams and runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter

from application.sync.reset_stream import ResetStream, ResetStreamCommand
from application.sync.status import RunFilter, StreamStatus, SyncStatusReader
from domain.sync import Rejection, RunMode, RunStatus, Stream, SyncRun
from entrypoints.http.auth import admin_only
from entrypoints.http.problems import FieldError, ProblemError

MAX_PAGE_SIZE = 100
#: Ids are PostgreSQL bigints.
MAX_ID = 2**63 - 1


class RejectionOut(msgspec.Struct):
    key: str | None
    reason: str


class RunOut(msgspec.Struct):
    id: int
    stream: Stream
    mode: RunMode
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    pages: int
    rows_read: int
    rows_inserted: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int
    error: str | None
    cursor_before: datetime | None
    cursor_after: datetime | None


class RunDetailOut(RunOut, kw_only=True):
    rejections: list[RejectionOut]


class StreamOut(msgspec.Struct):
    stream: Stream
    cursor: datetime | None
    health: str
    last_success_at: datetime | None
    last_run: RunOut | None


class StreamsOut(msgspec.Struct):
    items: list[StreamOut]


class RunsOut(msgspec.Struct):
    items: list[RunOut]
    next_cursor: str | None


def _run_fields(run: SyncRun) -> dict[str, object]:
    c = run.counts
    return {
        "id": run.id or 0,
        "stream": run.stream,
        "mode": run.mode,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "pages": c.pages,
        "rows_read": c.read,
        "rows_inserted": c.inserted,
        "rows_updated": c.updated,
        "rows_unchanged": c.unchanged,
        "rows_rejected": c.rejected,
        "error": run.error,
        "cursor_before": run.cursor_before,
        "cursor_after": run.cursor_after,
    }


def _run_out(run: SyncRun) -> RunOut:
    return RunOut(**_run_fields(run))  # type: ignore[arg-type]


def _rejection(r: Rejection) -> RejectionOut:
    return RejectionOut(key=r.key, reason=r.reason)


def _stream_out(s: StreamStatus) -> StreamOut:
    return StreamOut(
        stream=s.stream,
        cursor=s.cursor,
        health=s.health,
        last_success_at=s.last_success_at,
        last_run=_run_out(s.last_run) if s.last_run else None,
    )


AWARE = "ISO 8601 date-time with a UTC offset, e.g. 2026-11-23T12:00:00Z"


def _aware(field: str, value: datetime | None) -> datetime | None:
    """A filter instant: must carry an offset and fall in years 1–9998 (as UTC).

    :raises ProblemError: 400 naming ``field``.
    """
    if value is None:
        return None
    try:
        if value.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. 2026-11-23T12:00:00Z")
        utc = value.astimezone(UTC)
        if not 1 <= utc.year <= 9998:
            raise ValueError("is out of range")
    except (ValueError, OverflowError) as error:
        message = str(error) if isinstance(error, ValueError) else "is out of range"
        raise ProblemError(
            400,
            "validation",
            "The request is invalid.",
            errors=[FieldError(field=field, message=message)],
        ) from None
    return utc


class SyncController(Controller):
    path = "/sync"
    tags = ["sync"]
    guards = [admin_only]

    @get(
        "/streams",
        summary="Sync streams",
        description=(
            "Every catalog stream in dependency order with its cursor (the last change applied), "
            "its last run and its health: `ok`, `failing`, `running` or `never`."
        ),
    )
    @inject
    async def streams(self, reader: FromDishka[SyncStatusReader]) -> StreamsOut:
        return StreamsOut(items=[_stream_out(s) for s in await reader.streams()])

    @get(
        "/runs",
        summary="Sync runs",
        description=(
            "Runs newest first, filterable by stream, status, mode and start time. Keyset "
            "pagination: pass the previous page's `next_cursor` as `cursor`."
        ),
    )
    @inject
    async def runs(
        self,
        reader: FromDishka[SyncStatusReader],
        stream: FromQuery[Stream | None] = None,
        status: FromQuery[RunStatus | None] = None,
        mode: FromQuery[RunMode | None] = None,
        started_after: Annotated[datetime | None, QueryParameter(description=AWARE)] = None,
        started_before: Annotated[datetime | None, QueryParameter(description=AWARE)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = 20,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> RunsOut:
        run_filter = RunFilter(
            stream=stream,
            status=status,
            mode=mode,
            started_after=_aware("started_after", started_after),
            started_before=_aware("started_before", started_before),
        )
        page = await reader.runs(run_filter, limit=limit, after=cursor)
        return RunsOut(items=[_run_out(r) for r in page.items], next_cursor=page.next_cursor)

    @get("/runs/{run_id:int}", summary="One sync run", description="A run with its rejected rows.")
    @inject
    async def run(
        self, run_id: FromPath[int], reader: FromDishka[SyncStatusReader]
    ) -> RunDetailOut:
        run = await reader.run(run_id)
        if run is None:
            raise NotFoundException(f"no sync run {run_id}")
        return RunDetailOut(
            **_run_fields(run),  # type: ignore[arg-type]
            rejections=[_rejection(r) for r in run.rejections],
        )

    @post(
        "/streams/{stream:str}/reset",
        status_code=204,
        summary="Reset a stream",
        description=(
            "Forget the stream's cursor: its next run (the minute cron or `ponte sync`) reads "
            "everything again. 409 while the stream is running."
        ),
    )
    @inject
    async def reset(self, stream: FromPath[Stream], reset: FromDishka[ResetStream]) -> None:
        await reset(ResetStreamCommand(stream=stream))
