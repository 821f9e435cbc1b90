"""SyncStream: records a merge refuses are counted and listed; notices are listed only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from application.sync.ports import MergeResult
from application.sync.sync_stream import SyncStreamCommand
from domain.sync import Rejection, RunCounts, RunStatus, Stream
from tests.unit.fakes import FakeSyncSession, FakeSyncTransactions, SyncWorld, at, color, page

REFUSED = Rejection("02", "its customer is unknown")
NOTICE = Rejection("01", "status not followed")


class RefusingSession(FakeSyncSession):
    async def merge(self, stream: Stream) -> MergeResult:
        merged = await super().merge(stream)
        return MergeResult(merged.inserted - 1, 0, 0, rejected=[REFUSED], notices=[NOTICE])


class RefusingTransactions(FakeSyncTransactions):
    @asynccontextmanager
    async def begin(self) -> AsyncIterator[FakeSyncSession]:
        session = RefusingSession(self)
        try:
            yield session
        finally:
            session.close()


async def test_merge_refusals_count_as_rejected_and_notices_are_only_listed() -> None:
    world = SyncWorld.create()
    world.transactions = RefusingTransactions(world.journal)
    world.source.script(
        Stream.ORDERS,
        page(1, color("01", at(1)), color("02", at(2)), rejections=[Rejection("03", "bad")]),
    )

    run = await world.sync_stream()(SyncStreamCommand(stream=Stream.ORDERS))

    assert run.status is RunStatus.SUCCEEDED
    assert run.counts == RunCounts(pages=1, read=3, inserted=1, rejected=2)
    assert run.rejections == [Rejection("03", "bad"), REFUSED, NOTICE]
    assert world.runs.finished[-1].rejections == run.rejections
    assert world.transactions.cursors[Stream.ORDERS] == at(2)
