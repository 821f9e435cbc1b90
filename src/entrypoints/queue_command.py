"""`ponte queue`: watch and steer the outbox (deliveries to the ERP) and read the outside-call log.

Commands build the container from the environment; ``ctx.obj`` may hold override providers
(tests pass them through ``CliRunner.invoke(..., obj=[...])``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from application.ops.calls import CallFilter, CallPage, InvalidPageCursor
from application.ops.queue import (
    DEFAULT_PAGE_SIZE,
    Entity,
    JobQueue,
    ListCalls,
    ListCallsQuery,
    ListQueue,
    ListQueueQuery,
    ProcessQueue,
    ProcessQueueCommand,
    QueueMessage,
    QueueMessageDetail,
    QueuePage,
    QueueStats,
    QueueStatsQuery,
    QueueUnavailable,
    RetryMessage,
    RetryMessageCommand,
    ShowQueueMessage,
    ShowQueueMessageQuery,
)
from application.outbox.deliver import DeliverOutbox, DrainReport
from domain.errors import Conflict, NotFound, ValidationError
from domain.outbox import MessageKind, MessageStatus
from entrypoints.settings import Settings, SettingsError, load_settings, require_erp

queue_app = typer.Typer(
    help="Watch and steer the outbox (deliveries to the ERP) and the outside-call log.",
    no_args_is_help=True,
)

T = TypeVar("T")
R = TypeVar("R")

_STATUS_STYLE = {
    MessageStatus.PENDING: "yellow",
    MessageStatus.IN_FLIGHT: "cyan",
    MessageStatus.DELIVERED: "green",
    MessageStatus.FAILED: "red",
    MessageStatus.DEAD: "bold red",
}


def _settings() -> Settings:
    """Settings with PostgreSQL and Redis; exits 2 naming what is missing."""
    try:
        settings = load_settings()
        settings.require_servers()
    except SettingsError as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from None
    return settings


async def _with(
    ctx: typer.Context, settings: Settings, wanted: type[T], use: Callable[[T], Awaitable[R]]
) -> R:
    """``use`` the container's ``wanted`` inside one request scope; the container is closed."""
    from entrypoints.providers import make_container

    overrides: Sequence[Any] = ctx.obj or ()
    container = make_container(settings, *overrides)
    try:
        async with container() as request:
            return await use(await request.get(wanted))
    finally:
        await container.close()


def _run(ctx: typer.Context, wanted: type[T], use: Callable[[T], Awaitable[R]]) -> R:
    """Run ``use`` and turn the errors operators can act on into a message and exit code:
    1 for a refused action or an unknown id, 2 for bad options."""
    try:
        return asyncio.run(_with(ctx, _settings(), wanted, use))
    except (NotFound, Conflict, QueueUnavailable) as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(1) from None
    except ValidationError as error:
        where = f"{error.field}: " if error.field else ""
        typer.secho(f"{where}{error}", fg="red", err=True)
        raise typer.Exit(2) from None
    except InvalidPageCursor:
        typer.secho("--cursor: not a cursor this command printed", fg="red", err=True)
        raise typer.Exit(2) from None


def _when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def _age(value: timedelta | None) -> str:
    if value is None:
        return "-"
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m {seconds:02d}s" if hours else f"{minutes}m {seconds:02d}s"


def _status(status: MessageStatus) -> str:
    return f"[{_STATUS_STYLE[status]}]{status.value}[/]"


def messages_table(page: QueuePage) -> Table:
    table = Table(title="Outbox messages (newest first)")
    for header in ("id", "kind", "status", "tries", "aggregate", "created", "next", "last error"):
        table.add_column(header, justify="right" if header in {"id", "tries"} else "left")
    for m in page.items:
        table.add_row(
            str(m.id),
            m.kind.value,
            _status(m.status),
            str(m.attempts),
            str(m.aggregate_id),
            _when(m.created_at),
            _when(m.next_attempt_at or m.lease_until),
            Text(m.last_error or "", style="red"),
        )
    return table


def message_table(m: QueueMessageDetail) -> Table:
    table = Table(title=f"Outbox message {m.id}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for name, value in _message_rows(m):
        table.add_row(name, value)
    return table


def _message_rows(m: QueueMessage) -> list[tuple[str, str | Text]]:
    return [
        ("kind", m.kind.value),
        ("status", Text.from_markup(_status(m.status))),
        ("aggregate", f"{m.entity.value} {m.aggregate_id}"),
        ("parent", str(m.parent_id or "")),
        ("attempts", str(m.attempts)),
        ("next attempt", _when(m.next_attempt_at)),
        ("lease until", _when(m.lease_until)),
        ("created", _when(m.created_at)),
        ("updated", _when(m.updated_at)),
        ("delivered", _when(m.delivered_at)),
        ("last error", Text(" ".join(filter(None, [m.last_error_code, m.last_error])))),
        ("payload", str(m.payload)),
        ("result", "" if m.result is None else str(m.result)),
    ]


def attempts_table(m: QueueMessageDetail) -> Table:
    table = Table(title="Attempts")
    for header in ("#", "started", "finished", "outcome", "code", "error"):
        table.add_column(header)
    for a in m.history:
        table.add_row(
            str(a.attempt),
            _when(a.started_at),
            _when(a.finished_at),
            a.outcome.value if a.outcome else "(running or lost)",
            a.error_code or "",
            Text(a.error or "", style="red"),
        )
    return table


def stats_table(s: QueueStats) -> Table:
    table = Table(title=f"Outbox at {_when(s.now)}", show_header=False)
    table.add_column("figure", style="bold")
    table.add_column("value", justify="right")
    rows = [
        ("pending (due now)", str(s.pending_due)),
        ("pending (scheduled)", str(s.pending_scheduled)),
        ("in flight", str(s.in_flight)),
        ("delivered", str(s.delivered)),
        ("failed", str(s.failed)),
        ("dead", str(s.dead)),
        ("oldest open message", _age(s.oldest_open_age)),
        ("delivered last minute", str(s.delivered_last_minute)),
        ("delivered last hour", str(s.delivered_last_hour)),
        ("throughput per minute", f"{s.throughput_per_minute:.2f}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    for pause in s.pauses:
        table.add_row(
            f"[red]paused: {pause.connection}[/]",
            f"until {_when(pause.until)} ({pause.reason})",
        )
    return table


def calls_table(page: CallPage) -> Table:
    table = Table(title="Outside calls (newest first)")
    for header in ("id", "at", "connection", "call", "status", "ms", "correlation", "error"):
        table.add_column(header, justify="right" if header in {"id", "ms"} else "left")
    for c in page.items:
        status = "-" if c.status is None else str(c.status)
        table.add_row(
            str(c.id),
            _when(c.at),
            c.connection,
            f"{c.method} {c.path}",
            f"[red]{status}[/]" if c.failed else status,
            f"{c.duration_ms:.1f}",
            c.correlation_id or "",
            Text(c.error or "", style="red"),
        )
    return table


def _console() -> Console:
    return Console()


def _more(console: Console, cursor: str | None) -> None:
    if cursor:
        console.print(f"more: --cursor {cursor}")


@queue_app.command("list")
def list_messages(
    ctx: typer.Context,
    status: Annotated[MessageStatus | None, typer.Option(help="Only this status.")] = None,
    entity: Annotated[Entity | None, typer.Option(help="Only customers or orders.")] = None,
    kind: Annotated[MessageKind | None, typer.Option(help="Only this kind.")] = None,
    min_age: Annotated[
        int | None, typer.Option(help="Only messages at least this many seconds old.", min=0)
    ] = None,
    limit: Annotated[int, typer.Option(help="Messages per page.")] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, typer.Option(help="The page after this one.")] = None,
) -> None:
    """Outbox messages, newest first."""
    query = ListQueueQuery(
        status=status,
        entity=entity,
        kind=kind,
        older_than=None if min_age is None else timedelta(seconds=min_age),
        limit=limit,
        cursor=cursor,
    )

    async def use(list_queue: ListQueue) -> QueuePage:
        return await list_queue(query)

    page = _run(ctx, ListQueue, use)
    console = _console()
    console.print(messages_table(page))
    _more(console, page.next_cursor)


@queue_app.command("show")
def show(ctx: typer.Context, message_id: Annotated[int, typer.Argument(help="Its id.")]) -> None:
    """One message with its attempts."""

    async def use(show_message: ShowQueueMessage) -> QueueMessageDetail:
        return await show_message(ShowQueueMessageQuery(message_id))

    detail = _run(ctx, ShowQueueMessage, use)
    console = _console()
    console.print(message_table(detail))
    console.print(attempts_table(detail))


@queue_app.command("stats")
def stats(ctx: typer.Context) -> None:
    """Counts per status, the oldest open message, throughput and paused connections."""

    async def use(query: QueueStatsQuery) -> QueueStats:
        return await query()

    _console().print(stats_table(_run(ctx, QueueStatsQuery, use)))


@queue_app.command("retry")
def retry(ctx: typer.Context, message_id: Annotated[int, typer.Argument(help="Its id.")]) -> None:
    """Put a failed or dead message back in the queue, due now."""

    async def use(retry_message: RetryMessage) -> QueueMessageDetail:
        return await retry_message(RetryMessageCommand(message_id))

    detail = _run(ctx, RetryMessage, use)
    typer.echo(f"message {detail.id} is {detail.status.value}")


@queue_app.command("process")
def process(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None, typer.Option("--id", help="Only this message (repeatable).")
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait for the worker to finish the pass.")
    ] = False,
    now: Annotated[
        bool, typer.Option("--now", help="Deliver here and now instead of queueing a job.")
    ] = False,
    timeout: Annotated[int, typer.Option(help="Seconds --wait waits.", min=1)] = 300,
) -> None:
    """Queue a delivery pass for a worker (or, with --now, deliver in this process)."""
    if now:
        _deliver_now(ctx, ids)
        return

    async def use(process_queue: ProcessQueue) -> str:
        return await process_queue(ProcessQueueCommand(ids=ids or None))

    async def queue_and_wait(jobs: JobQueue) -> tuple[str, dict[str, int]]:
        job_id = await ProcessQueue(jobs)(ProcessQueueCommand(ids=ids or None))
        return job_id, await jobs.outcome(job_id, within=timedelta(seconds=timeout))

    if not wait:
        typer.echo(f"queued job {_run(ctx, ProcessQueue, use)}")
        return
    try:
        job_id, report = _run(ctx, JobQueue, queue_and_wait)  # type: ignore[type-abstract]
    except TimeoutError:
        typer.secho(f"the pass did not finish in {timeout} s", fg="yellow", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"job {job_id}: " + ", ".join(f"{k} {v}" for k, v in report.items()))


def _deliver_now(ctx: typer.Context, ids: list[int] | None) -> None:
    try:
        require_erp(_settings())
    except SettingsError as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from None

    async def use(deliver: DeliverOutbox) -> DrainReport:
        return await deliver.drain(ids or None)

    report = _run(ctx, DeliverOutbox, use)
    typer.echo(
        f"delivered {report.delivered}, retried {report.retried}, failed {report.failed}, "
        f"dead {report.dead}, paused {report.paused}, lost leases {report.lost_leases}"
    )


@queue_app.command("logs")
def logs(
    ctx: typer.Context,
    failed: Annotated[
        bool, typer.Option("--failed", help="Only calls without an answer or with 400+.")
    ] = False,
    correlation: Annotated[
        str | None, typer.Option(help="Only calls made for this (e.g. outbox:42).")
    ] = None,
    connection: Annotated[str | None, typer.Option(help="Only this outside system.")] = None,
    limit: Annotated[int, typer.Option(help="Calls per page.")] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, typer.Option(help="The page after this one.")] = None,
) -> None:
    """Calls to outside systems, newest first (bodies via the API: GET /sync/logs/{id})."""
    query = ListCallsQuery(
        filter=CallFilter(connection=connection, correlation_id=correlation, failed_only=failed),
        limit=limit,
        cursor=cursor,
    )

    async def use(list_calls: ListCalls) -> CallPage:
        return await list_calls(query)

    page = _run(ctx, ListCalls, use)
    console = _console()
    console.print(calls_table(page))
    _more(console, page.next_cursor)
