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
from application.sync.sync_stream import MAX_REJECTIONS_KEPT
from domain.sync import Rejection, RunMode, RunStatus, Stream, SyncRun
from entrypoints.http.auth import admin_only
from entrypoints.http.openapi_examples import (
    admin_guard,
    bad_request,
    example,
    no_content,
    problem,
    success,
    unmatched_id,
)
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


def filter_instant(field: str, value: datetime | None) -> datetime | None:
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


# --- OpenAPI examples -----------------------------------------------------------------------------

#: Litestar leaves ``null`` members out of examples (``error``, an unset cursor, a running run's
#: ``finished_at``): every member of the models is always present in real responses.
_RUN: dict[str, object] = {
    "id": 1842,
    "stream": "products",
    "mode": "incremental",
    "status": "succeeded",
    "started_at": "2026-11-23T12:00:00.412000Z",
    "finished_at": "2026-11-23T12:00:03.907000Z",
    "pages": 3,
    "rows_read": 250,
    "rows_inserted": 12,
    "rows_updated": 31,
    "rows_unchanged": 206,
    "rows_rejected": 1,
    "error": None,
    "cursor_before": "2026-11-23T11:59:01Z",
    "cursor_after": "2026-11-23T11:59:58Z",
}
_FAILED_RUN: dict[str, object] = {
    **_RUN,
    "id": 1843,
    "stream": "prices",
    "status": "failed",
    "started_at": "2026-11-23T12:00:04.001000Z",
    "finished_at": "2026-11-23T12:00:34.120000Z",
    "pages": 0,
    "rows_read": 0,
    "rows_inserted": 0,
    "rows_updated": 0,
    "rows_unchanged": 0,
    "rows_rejected": 0,
    "error": "SourceUnavailable: TOTVS Moda answered 503 Service Unavailable",
    "cursor_before": "2026-11-23T11:58:40Z",
    "cursor_after": None,
}
_STREAMS = {
    "items": [
        {
            "stream": "products",
            "cursor": "2026-11-23T11:59:58Z",
            "health": "ok",
            "last_success_at": "2026-11-23T12:00:03.907000Z",
            "last_run": _RUN,
        },
        {
            "stream": "prices",
            "cursor": "2026-11-23T11:58:40Z",
            "health": "failing",
            "last_success_at": "2026-11-23T11:59:02.300000Z",
            "last_run": _FAILED_RUN,
        },
        {
            "stream": "production_orders",
            "cursor": None,
            "health": "never",
            "last_success_at": None,
            "last_run": None,
        },
    ]
}
_RUNS_PATH = "/sync/runs"
_RUN_PATH = "/sync/runs/1842"
_RESET_PATH = "/sync/streams/prices/reset"


class SyncController(Controller):
    path = "/sync"
    tags = ["sync"]
    guards = [admin_only]

    @get(
        "/streams",
        summary="Sync streams",
        description=(
            "Admins only. Every catalog stream pulled from the ERP, in dependency order "
            "(`colors`, `sizes`, `classifications`, `products`, `balances`, `prices`, `costs`, "
            "`production_orders`), with its cursor (the last ERP change applied; null means the "
            "next run reads everything), when it last succeeded, its last run (skipped runs, "
            "where another worker held the stream, do not count) and its health: `ok` (the last "
            "run succeeded), `failing` (it failed), `running` or `never`."
        ),
        responses={
            200: success(
                StreamsOut,
                "Every stream",
                example("A healthy, a failing and a never-run stream", _STREAMS),
            ),
            **admin_guard("/sync/streams"),
        },
    )
    @inject
    async def streams(self, reader: FromDishka[SyncStatusReader]) -> StreamsOut:
        return StreamsOut(items=[_stream_out(s) for s in await reader.streams()])

    @get(
        "/runs",
        summary="Sync runs",
        description=(
            "Admins only. Runs newest first (start time, then id), filtered by `stream`, "
            "`status` (`running`, `succeeded`, `failed`, `skipped`), `mode` (`full`, "
            "`incremental`) and start time: `started_after` inclusive, `started_before` "
            "exclusive, both with a UTC offset (400 otherwise). Keyset pagination: `limit` 1 to "
            f"{MAX_PAGE_SIZE} (default 20); pass the previous page's `next_cursor` as `cursor` "
            "with the same filters; `next_cursor` is null on the last page. A cursor this API "
            "did not hand out is 400 naming `cursor`."
        ),
        responses={
            200: success(
                RunsOut,
                "A page of runs",
                example(
                    "A page with more to come",
                    {
                        "items": [_FAILED_RUN, _RUN],
                        "next_cursor": "MjAyNi0xMS0yM1QxMjowMDowMC40MTIwMDArMDA6MDB8MTg0Mg==",
                    },
                ),
                example("The last page", {"items": [_RUN], "next_cursor": None}),
            ),
            400: bad_request(
                _RUNS_PATH,
                (
                    "Instant without an offset",
                    [("started_after", "needs a UTC offset, e.g. 2026-11-23T12:00:00Z")],
                ),
                ("Unknown stream", [("stream", "Invalid enum value 'nope'")]),
                ("Limit out of range", [("limit", "Expected `int` >= 1")]),
                ("Foreign cursor", [("cursor", "not a cursor this API returned")]),
            ),
            **admin_guard(_RUNS_PATH),
        },
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
            started_after=filter_instant("started_after", started_after),
            started_before=filter_instant("started_before", started_before),
        )
        page = await reader.runs(run_filter, limit=limit, after=cursor)
        return RunsOut(items=[_run_out(r) for r in page.items], next_cursor=page.next_cursor)

    @get(
        "/runs/{run_id:int}",
        summary="One sync run",
        description=(
            "Admins only. A run with its counts and the rows it rejected (the ERP row's key "
            "when it could be read, and why), in the order met: the first "
            f"{MAX_REJECTIONS_KEPT} are kept, while `rows_rejected` counts them all. A failed "
            "run's `error` quotes the ERP's own words, never internals (SQL, paths). 404 for an "
            "unknown id."
        ),
        responses={
            200: success(
                RunDetailOut,
                "The run",
                example(
                    "A run that rejected a row",
                    {**_RUN, "rejections": [{"key": "000987", "reason": "missing ReferenceCode"}]},
                ),
            ),
            400: unmatched_id(_RUN_PATH, "run_id", "Expected `int`"),
            **admin_guard(_RUN_PATH),
            404: problem(404, "not-found", "no sync run 1842", instance=_RUN_PATH),
        },
    )
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
            "Admins only. Forget the stream's cursor: its next run (the minute cron or `ponte "
            "sync`) is a full backfill that reads everything again and merges it into what is "
            "mirrored (nothing is deleted first; unchanged rows count as `rows_unchanged`). "
            "Only this stream is reset, not the ones that depend on it. The reset takes the "
            "stream's run lock, so it never races a run: 409 `stream-busy` while the stream is "
            "running (try again when the run ends). The stream is named as in `/sync/streams` "
            "(`production_orders`); any other name is 400."
        ),
        responses={
            204: no_content("The cursor is forgotten; no body"),
            400: bad_request(
                "/sync/streams/nope/reset",
                ("Unknown stream", [("stream", "Invalid enum value 'nope'")]),
            ),
            **admin_guard(_RESET_PATH),
            409: problem(
                409,
                "stream-busy",
                "stream prices is running; try again shortly",
                instance=_RESET_PATH,
                description="The stream is running right now",
            ),
        },
    )
    @inject
    async def reset(self, stream: FromPath[Stream], reset: FromDishka[ResetStream]) -> None:
        await reset(ResetStreamCommand(stream=stream))
