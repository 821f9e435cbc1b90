"""Use case: run many streams in dependency order."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from application.sync.sync_stream import SyncStream, SyncStreamCommand
from domain.sync import STAGES, RunStatus, Stream, SyncRun


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncCatalogCommand:
    streams: frozenset[Stream] = frozenset(Stream)
    full: bool = False


@dataclass(slots=True)
class SyncReport:
    runs: list[SyncRun] = field(default_factory=list)
    #: Streams not run because a stream they depend on failed in this pass.
    held_back: list[Stream] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.held_back and all(r.status != RunStatus.FAILED for r in self.runs)


class SyncCatalog:
    """Run the requested streams stage by stage; streams of one stage run concurrently.

    When a stream fails, or is skipped because another pass is running it, later stages are held
    back for this pass (their data would reference records that did not arrive); the next pass
    retries everything from the saved cursors.
    """

    def __init__(self, sync_stream: SyncStream) -> None:
        self._sync_stream = sync_stream

    async def __call__(self, command: SyncCatalogCommand) -> SyncReport:
        report = SyncReport()
        failed = False
        for stage in STAGES:
            wanted = [s for s in stage if s in command.streams]
            if not wanted:
                continue
            if failed:
                report.held_back.extend(wanted)
                continue
            runs = await asyncio.gather(
                *(self._sync_stream(SyncStreamCommand(stream=s, full=command.full)) for s in wanted)
            )
            report.runs.extend(runs)
            # A skipped stream is running in another pass: what depends on it waits too.
            failed = any(run.status in (RunStatus.FAILED, RunStatus.SKIPPED) for run in runs)
        return report
