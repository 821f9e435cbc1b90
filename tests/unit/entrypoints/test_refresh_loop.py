"""The API's catalog refresh loop, conditional GETs (``matches``) and search folding."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import pytest

from adapters.postgres.catalog_reader import tsquery
from adapters.postgres.folding import ACCENTED, PLAIN, fold
from application.catalog.ports import RefreshResult
from application.catalog.use_cases import RefreshCatalog
from entrypoints.http.catalog import matches
from entrypoints.refresh_loop import app_lifespan, refresh_loop, run_refresh_loop
from entrypoints.settings import Settings, load_settings

#: A safety net so a broken loop fails the test instead of hanging it; never a timing assumption.
HANG = 5


class ScriptedRefresher:
    """Plays ``script`` (results or exceptions), then returns empty results; ``reached`` is set
    once ``done_after`` calls were made."""

    def __init__(self, script: Sequence[RefreshResult | BaseException], done_after: int) -> None:
        self.script = list(script)
        self.calls = 0
        self.done_after = done_after
        self.reached = asyncio.Event()

    async def refresh_marked(self, batch: int) -> RefreshResult:
        self.calls += 1
        if self.calls >= self.done_after:
            self.reached.set()
        step = self.script.pop(0) if self.script else RefreshResult(0, 0, 0)
        if isinstance(step, BaseException):
            raise step
        return step

    async def refresh(self, references: Sequence[str]) -> RefreshResult:
        raise AssertionError("the loop only refreshes marked entries")


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()


async def test_the_loop_keeps_going_after_a_failed_refresh(
    caplog: pytest.LogCaptureFixture,
) -> None:
    refresher = ScriptedRefresher(
        [RuntimeError("database went away"), RefreshResult(3, 2, 1), OSError("again")],
        done_after=5,
    )
    caplog.set_level(logging.INFO, logger="entrypoints.refresh_loop")

    task = asyncio.create_task(run_refresh_loop(RefreshCatalog(refresher), 0))
    await asyncio.wait_for(refresher.reached.wait(), HANG)
    await _stop(task)

    assert refresher.calls >= 5
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.exc_info[1].args[0] for r in failures if r.exc_info] == [
        "database went away",
        "again",
    ]
    assert any("3 marked, 2 written, 1 removed" in r.getMessage() for r in caplog.records)


async def test_the_loop_is_cancelled_while_it_waits() -> None:
    refresher = ScriptedRefresher([], done_after=1)

    task = asyncio.create_task(run_refresh_loop(RefreshCatalog(refresher), 3600))
    await asyncio.wait_for(refresher.reached.wait(), HANG)
    await _stop(task)

    assert refresher.calls == 1


async def test_a_cancellation_inside_a_refresh_is_not_swallowed() -> None:
    refresher = ScriptedRefresher([asyncio.CancelledError()], done_after=1)

    task = asyncio.create_task(run_refresh_loop(RefreshCatalog(refresher), 0))
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, HANG)

    assert refresher.calls == 1


class FakeContainer:
    def __init__(self, interval_ms: int, refresher: ScriptedRefresher) -> None:
        self.settings = load_settings({"CATALOG_REFRESH_INTERVAL_MS": str(interval_ms)})
        self.refresh = RefreshCatalog(refresher)
        self.asked: list[type] = []
        self.closed = False

    async def get(self, kind: type) -> Any:
        self.asked.append(kind)
        return {Settings: self.settings, RefreshCatalog: self.refresh}[kind]

    async def close(self) -> None:
        self.closed = True


def _loop_tasks() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "catalog-refresh"]


async def test_an_interval_of_zero_turns_the_loop_off() -> None:
    refresher = ScriptedRefresher([], done_after=1)
    container = FakeContainer(0, refresher)

    async with refresh_loop(container):  # type: ignore[arg-type]
        assert _loop_tasks() == []
        await asyncio.sleep(0)

    assert container.asked == [Settings]
    assert refresher.calls == 0


async def test_the_loop_runs_for_the_life_of_the_app_and_stops_with_it() -> None:
    refresher = ScriptedRefresher([], done_after=1)
    container = FakeContainer(60_000, refresher)

    async with app_lifespan(container)(object()):  # type: ignore[arg-type]
        await asyncio.wait_for(refresher.reached.wait(), HANG)
        [task] = _loop_tasks()

    assert task.cancelled()
    assert _loop_tasks() == []
    assert container.closed


async def test_the_container_is_closed_even_when_serving_fails() -> None:
    container = FakeContainer(0, ScriptedRefresher([], done_after=1))

    with pytest.raises(RuntimeError):
        async with app_lifespan(container)(object()):  # type: ignore[arg-type]
            raise RuntimeError("boom")

    assert container.closed


# --- If-None-Match -------------------------------------------------------------------------------

ETAG = "5d41402abc4b2a76b9719d911017c592"


@pytest.mark.parametrize(
    "header",
    [
        f'"{ETAG}"',
        f'W/"{ETAG}"',
        f'"other", "{ETAG}"',
        f'"other",W/"{ETAG}"',
        f'  "{ETAG}"  ',
        "*",
        ' "a", * ',
    ],
)
def test_if_none_match_matches_the_tag_in_any_form(header: str) -> None:
    assert matches(header, ETAG)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        ETAG,  # unquoted
        f'"{ETAG[:-1]}"',
        f'"{ETAG}0"',
        '"other"',
        f'w/"{ETAG}"',  # the weak prefix is case-sensitive
        f'"{ETAG.upper()}"',
        ",",
    ],
)
def test_if_none_match_does_not_match_other_tags(header: str | None) -> None:
    assert not matches(header, ETAG)


# --- search folding ------------------------------------------------------------------------------


def test_fold_lowers_and_strips_portuguese_accents() -> None:
    assert fold("MACACÃO") == "macacao"
    assert fold("Ação Coração Pão Açaí") == "acao coracao pao acai"
    assert fold("ÀÁÂÃÄÅ àáâãäå ÉÊË ÍÎÏ ÓÔÕÖ ÚÛÜ Çç Ññ Ýÿ") == (
        "aaaaaa aaaaaa eee iii oooo uuu cc nn yy"
    )


def test_fold_turns_every_accented_letter_into_one_plain_letter() -> None:
    assert len(ACCENTED) == len(PLAIN)
    for letter in ACCENTED:
        assert len(fold(letter)) == 1
        assert fold(letter) in "abcdefghijklmnopqrstuvwxyz"
    assert "'" not in ACCENTED + PLAIN  # safe inside the SQL literal of fold_sql


def test_fold_leaves_digits_and_other_scripts_alone() -> None:
    assert fold("000123 Straße Ωmega") == "000123 straße ωmega"


def test_tsquery_requires_every_word_as_a_folded_prefix() -> None:
    assert tsquery(("Macacão", "LISTRADA")) == "macacao:* & listrada:*"
    assert tsquery(("000123",)) == "000123:*"
    assert tsquery(()) == ""
