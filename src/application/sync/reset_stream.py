"""Use case: forget a stream's cursor so its next run is a full backfill."""

from __future__ import annotations

from dataclasses import dataclass

from application.sync.ports import SyncTransactions
from domain.errors import PonteError
from domain.sync import Cursor, Stream


class StreamBusy(PonteError):
    """The stream is running right now; reset it when the run ends."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ResetStreamCommand:
    stream: Stream


class ResetStream:
    """Clear the cursor under the stream's run lock, so a reset never races a run.

    :raises StreamBusy: when a run holds the stream.
    """

    def __init__(self, transactions: SyncTransactions) -> None:
        self._transactions = transactions

    async def __call__(self, command: ResetStreamCommand) -> None:
        async with self._transactions.begin() as session:
            if not await session.try_lock(command.stream):
                raise StreamBusy(f"stream {command.stream.value} is running; try again shortly")
            await session.save_cursor(Cursor(command.stream, None))
            await session.commit()
