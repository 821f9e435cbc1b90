"""TOTVS Moda speaks naive America/Sao_Paulo local time, in ISO or Brazilian notation."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _sao_paulo() -> tzinfo:
    try:
        return ZoneInfo("America/Sao_Paulo")
    except ZoneInfoNotFoundError:  # no tz database: Brazil has kept UTC-3 all year since 2019
        return timezone(timedelta(hours=-3), "America/Sao_Paulo")


SAO_PAULO = _sao_paulo()
_BRAZILIAN = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")


def to_request(moment: datetime) -> str:
    """``moment`` as the ERP's naive local time, to the second (floored, so still inclusive).

    A naive ``moment`` is taken to be local time already.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(SAO_PAULO)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def aware(moment: datetime) -> datetime:
    """Attach Sao Paulo to a naive ERP datetime; leave an aware one as it is."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SAO_PAULO)


def local_date(moment: datetime) -> date:
    """The calendar day of ``moment`` in Sao Paulo."""
    return moment.astimezone(SAO_PAULO).date() if moment.tzinfo is not None else moment.date()


def parse_datetime(text: str) -> datetime:
    """ISO 8601 (with or without offset, date-only allowed) or ``dd/MM/yyyy[ HH:mm[:ss]]``.

    The result is naive when the text has no offset. :raises ValueError: when unreadable.
    """
    text = text.strip()
    if "/" in text:
        for pattern in _BRAZILIAN:
            try:
                return datetime.strptime(text, pattern)  # naive local by contract
            except ValueError:
                continue
        raise ValueError(f"unreadable date {text[:40]!r}")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"unreadable date {text[:40]!r}") from None
