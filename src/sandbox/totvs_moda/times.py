"""Time as TOTVS Moda speaks it, and the sandbox clock.

Inside the sandbox every change timestamp is an integer of epoch seconds. On the wire:

- responses carry **naive** America/Sao_Paulo datetimes with second precision
  (``2025-04-01T09:24:03``);
- requests may send a naive datetime (read as America/Sao_Paulo), one ending in ``Z``, or one with
  an offset; a bare date means local midnight.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
_EPOCH_DAY = date(1970, 1, 1)


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class BadDate(ValueError):
    """A request date in none of the accepted forms."""


def parse_request_date(text: str) -> float:
    """Epoch seconds of a request date. :raises BadDate: when it is not ISO 8601."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError) as e:
        raise BadDate(f"invalid date {text!r}") from e
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SAO_PAULO)
    return moment.timestamp()


_wire_cache: dict[int, str] = {}
_offsets: dict[int, int] = {}
_days: dict[int, str] = {}


def to_wire(epoch: int) -> str:
    """The naive local form of ``epoch``.

    Cheap because a full read formats a million of them: results are cached, the UTC offset is
    looked up once per hour and the date text once per day.
    """
    text = _wire_cache.get(epoch)
    if text is None:
        if len(_wire_cache) > 200_000:
            _wire_cache.clear()
        hour = epoch // 3600
        offset = _offsets.get(hour)
        if offset is None:
            delta = datetime.fromtimestamp(hour * 3600, SAO_PAULO).utcoffset()
            offset = _offsets[hour] = int(delta.total_seconds()) if delta else 0
        day, seconds = divmod(epoch + offset, 86_400)
        date = _days.get(day)
        if date is None:
            date = _days[day] = (_EPOCH_DAY + timedelta(days=day)).isoformat()
        minutes, second = divmod(seconds, 60)
        text = f"{date}T{minutes // 60:02d}:{minutes % 60:02d}:{second:02d}"
        _wire_cache[epoch] = text
    return text


def to_aware(epoch: int) -> datetime:
    """The timezone-aware local datetime of ``epoch`` (what Ponte stores as ``changed_at``)."""
    return datetime.fromtimestamp(epoch, SAO_PAULO)


def to_epoch(moment: datetime) -> int:
    """Epoch seconds of ``moment``; a naive value is read as America/Sao_Paulo, like the wire."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SAO_PAULO)
    return int(moment.timestamp())


def local_midnight(epoch: int) -> int:
    """The start of the local day holding ``epoch``."""
    day = datetime.fromtimestamp(epoch, SAO_PAULO).replace(hour=0, minute=0, second=0)
    return int(day.timestamp())
