"""A clock tests move by hand (the sandbox reads time through ``Clock.now``)."""

from __future__ import annotations

from datetime import UTC, datetime

START = datetime(2026, 4, 18, 12, 0, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, start: datetime = START) -> None:
        self.moment = start.timestamp()

    def now(self) -> float:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += seconds
