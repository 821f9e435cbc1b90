from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from adapters.totvs_moda.dates import SAO_PAULO, aware, local_date, parse_datetime, to_request


def test_requests_carry_naive_sao_paulo_time_floored_to_the_second() -> None:
    assert to_request(datetime(2026, 4, 18, 3, 0, 0, 999_999, tzinfo=UTC)) == "2026-04-18T00:00:00"
    assert to_request(datetime(2026, 4, 18, 9, 30)) == "2026-04-18T09:30:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-01T09:24:03", datetime(2025, 4, 1, 9, 24, 3)),
        ("2025-04-01T09:24:03.5", datetime(2025, 4, 1, 9, 24, 3, 500_000)),
        ("2025-04-01", datetime(2025, 4, 1)),
        ("01/04/2025 09:24:03", datetime(2025, 4, 1, 9, 24, 3)),
        ("01/04/2025 09:24", datetime(2025, 4, 1, 9, 24)),
        ("01/04/2025", datetime(2025, 4, 1)),
    ],
)
def test_parses_iso_and_brazilian_notations_as_naive_local(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


def test_an_offset_is_kept() -> None:
    parsed = parse_datetime("2025-04-01T12:00:00Z")
    assert parsed == datetime(2025, 4, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize("text", ["31/02/2025", "yesterday", "2025-13-01T00:00:00"])
def test_unreadable_dates_raise(text: str) -> None:
    with pytest.raises(ValueError):
        parse_datetime(text)


def test_naive_erp_times_are_sao_paulo() -> None:
    moment = aware(datetime(2025, 4, 1, 9, 0))
    assert moment.tzinfo is SAO_PAULO
    assert moment.utcoffset() == timedelta(hours=-3)
    assert moment == datetime(2025, 4, 1, 12, 0, tzinfo=UTC)
    utc = datetime(2025, 4, 1, 2, 0, tzinfo=timezone.utc)  # noqa: UP017
    assert aware(utc) is utc
    assert local_date(utc) == date(2025, 3, 31)
