from datetime import timedelta

from domain.sync import Cursor, Stream
from tests.unit.fakes import at

LOOKBACK = timedelta(seconds=30)


def test_a_cursor_never_synced_has_no_window_start() -> None:
    assert Cursor(Stream.COLORS, None).window_start(LOOKBACK) is None


def test_window_starts_lookback_before_the_position() -> None:
    cursor = Cursor(Stream.COLORS, at(10))

    assert cursor.window_start(LOOKBACK) == at(10) - LOOKBACK
    assert cursor.window_start(timedelta(0)) == at(10)


def test_advancing_to_a_later_change_moves_the_cursor() -> None:
    assert Cursor(Stream.PRICES, at(10)).advanced_to(at(11)) == Cursor(Stream.PRICES, at(11))


def test_advancing_a_never_synced_cursor_takes_the_change() -> None:
    assert Cursor(Stream.PRICES, None).advanced_to(at(1)) == Cursor(Stream.PRICES, at(1))


def test_the_cursor_never_moves_back() -> None:
    cursor = Cursor(Stream.PRICES, at(10))

    assert cursor.advanced_to(at(9)) == cursor
    assert cursor.advanced_to(at(10)) == cursor


def test_a_run_that_saw_no_change_leaves_the_cursor() -> None:
    assert Cursor(Stream.PRICES, at(10)).advanced_to(None) == Cursor(Stream.PRICES, at(10))
    assert Cursor(Stream.PRICES, None).advanced_to(None) == Cursor(Stream.PRICES, None)
