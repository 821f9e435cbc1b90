"""`ponte sync`: one pass now, with a live progress bar per stream and a summary table."""

from __future__ import annotations

from dishka import Provider, Scope, provide
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from application.sync.ports import SyncProgress
from application.sync.reset_stream import ResetStream, ResetStreamCommand
from application.sync.sync_catalog import SyncCatalog, SyncCatalogCommand, SyncReport
from domain.sync import RunStatus, Stream, SyncRun
from entrypoints.logs import configure_logging
from entrypoints.providers import make_container
from entrypoints.settings import Settings


class RichProgress:
    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[Stream, TaskID] = {}

    def on_page(self, run: SyncRun, total_items: int | None) -> None:
        task = self._tasks.get(run.stream)
        if task is None:
            task = self._progress.add_task(run.stream.value, total=total_items)
            self._tasks[run.stream] = task
        self._progress.update(task, completed=run.counts.read, total=total_items)


def parse_streams(name: str) -> frozenset[Stream]:
    """``all`` or one stream name. :raises ValueError: naming the valid choices."""
    return frozenset(Stream) if name == "all" else frozenset({Stream.parse(name)})


async def run_sync(settings: Settings, streams: frozenset[Stream], *, full: bool) -> bool:
    configure_logging("WARNING")
    console = Console()
    columns = (
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        reporter = RichProgress(progress)

        class ProgressOverride(Provider):
            @provide(scope=Scope.APP)
            def progress(self) -> SyncProgress:
                return reporter

        container = make_container(settings, ProgressOverride())
        try:
            async with container() as request:
                sync = await request.get(SyncCatalog)
                report = await sync(SyncCatalogCommand(streams=streams, full=full))
        finally:
            await container.close()
    console.print(summary_table(report))
    return report.ok


def summary_table(report: SyncReport) -> Table:
    table = Table(title="Sync summary")
    for header in (
        "stream",
        "mode",
        "status",
        "pages",
        "read",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
        "seconds",
    ):
        table.add_column(
            header, justify="left" if header in {"stream", "mode", "status"} else "right"
        )
    for run in report.runs:
        c = run.counts
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0.0
        style = {RunStatus.FAILED: "red", RunStatus.SKIPPED: "yellow"}.get(run.status, "green")
        table.add_row(
            run.stream.value,
            run.mode.value,
            f"[{style}]{run.status.value}[/]",
            str(c.pages),
            str(c.read),
            str(c.inserted),
            str(c.updated),
            str(c.unchanged),
            str(c.rejected),
            f"{seconds:.2f}",
        )
        if run.error:
            table.add_row("", "", Text(run.error, style="red"), *[""] * 7)
    for held in report.held_back:
        table.add_row(held.value, "", "[yellow]held back[/]", *[""] * 7)
    return table


async def reset_streams(settings: Settings, streams: frozenset[Stream]) -> None:
    """Reset each stream in turn. :raises StreamBusy: at the first one that is running."""
    container = make_container(settings)
    try:
        async with container() as request:
            reset = await request.get(ResetStream)
            for one in sorted(streams):
                await reset(ResetStreamCommand(stream=one))
                print(f"{one.value}: cursor cleared; the next run reads everything")
    finally:
        await container.close()
