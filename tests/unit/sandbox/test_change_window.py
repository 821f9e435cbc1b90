"""Change windows: request dates, inclusive bounds, families, and which codes a search selects."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from sandbox.totvs_moda import SandboxCatalog
from sandbox.totvs_moda.errors import BadRequest
from sandbox.totvs_moda.search import change_window
from sandbox.totvs_moda.selection import ALL_FAMILIES, Family, Run, Spliced, Window
from sandbox.totvs_moda.times import parse_request_date, to_wire
from tests.unit.sandbox.clock import FakeClock

BASE = datetime(2026, 4, 1, 12, 0, 0, tzinfo=UTC)  # 09:00:00 in Sao Paulo


def test_request_dates_in_the_three_styles_name_the_same_instant() -> None:
    naive = parse_request_date("2026-04-18T00:00:00")
    assert parse_request_date("2026-04-18T03:00:00Z") == naive
    assert parse_request_date("2026-04-18T00:00:00-03:00") == naive
    assert parse_request_date("2026-04-18") == naive


def test_response_datetimes_are_naive_local_with_seconds() -> None:
    assert to_wire(int(BASE.timestamp())) == "2026-04-01T09:00:00"


def test_the_window_is_inclusive_and_an_open_end_is_unbounded() -> None:
    window = Window(100.0, 200.0)
    assert window.contains(100)
    assert window.contains(200)
    assert not window.contains(99)
    assert not window.contains(201)
    assert Window(100.0, None).contains(10**12)


def test_flags_select_families_and_no_flag_selects_all() -> None:
    window = change_window({"startdate": "2026-04-01T00:00:00", "inprice": True, "incost": False})
    assert window.families == frozenset({Family.PRICE})
    assert change_window({"instock": True, "inproduct": True}).families == frozenset(
        {Family.STOCK, Family.PRODUCT}
    )
    assert change_window({"startdate": "2026-04-01T00:00:00"}).families == ALL_FAMILIES
    assert Window(None, None, frozenset({Family.STOCK, Family.COST})).stamp([1, 5, 9, 7]) == 7


def test_bad_windows_are_400s() -> None:
    with pytest.raises(BadRequest):
        change_window({"startdate": "yesterday"})
    with pytest.raises(BadRequest):
        change_window({"startdate": "2026-04-02T00:00:00", "enddate": "2026-04-01T00:00:00"})


@pytest.mark.parametrize("seed", range(6))
def test_spliced_runs_page_like_the_brute_force_list(seed: int) -> None:
    rng = random.Random(seed)
    low, high = rng.randint(1, 50), rng.randint(0, 300)
    run = range(low, high + 1)
    excluded = sorted(rng.sample(run, rng.randint(0, len(run)))) if run else []
    below = sorted(rng.sample(range(1, low), rng.randint(0, low - 1)))
    above = sorted(rng.sample(range(high + 1, high + 60), rng.randint(0, 20)))
    selection = Spliced(below, Run(low, high, excluded), above)
    expected = below + [c for c in run if c not in set(excluded)] + above
    assert len(selection) == len(expected)
    for offset in range(0, len(expected) + 3, 5):
        assert selection.codes(offset, 8) == expected[offset : offset + 8]


def catalog_with_changes() -> tuple[SandboxCatalog, FakeClock]:
    clock = FakeClock(datetime(2026, 4, 2, 12, 0, 0, tzinfo=UTC))
    return SandboxCatalog(300, 2, clock=clock, base_time=BASE), clock


def test_a_window_after_the_seed_selects_only_changed_rows_of_its_families() -> None:
    built, clock = catalog_with_changes()
    prices = built.change_prices(5)
    clock.advance(60)
    stock = built.change_stock(4)
    after_seed = BASE.timestamp() + 1
    price_window = Window(after_seed, None, frozenset({Family.PRICE}))
    assert built.select(price_window).codes(0, 100) == list(prices.product_codes)
    any_window = Window(after_seed, None)
    changed = sorted(set(prices.product_codes) | set(stock.product_codes))
    assert built.select(any_window).codes(0, 100) == changed
    only_stock = Window(float(stock.at), float(stock.at), ALL_FAMILIES)
    assert built.select(only_stock).codes(0, 100) == list(stock.product_codes)


def test_seeded_rows_in_a_window_are_one_run_of_codes() -> None:
    built, _ = catalog_with_changes()
    stamps = [built.seeded_at(code) for code in range(1, 301)]
    start, end = stamps[99], stamps[199]
    expected = [c for c, at in enumerate(stamps, 1) if start <= at <= end]
    window = Window(float(start), float(end), ALL_FAMILIES)
    assert built.select(window).codes(0, 300) == expected
    assert built.select(Window(BASE.timestamp() - 60, None)).codes(0, 300)[-1] == 300


def test_a_window_covering_the_seed_keeps_rows_changed_inside_it() -> None:
    built, _clock = catalog_with_changes()
    changes = built.change_prices(5)
    window = Window(None, BASE.timestamp() + 10, frozenset({Family.PRICE}))
    selection = built.select(window)
    assert len(selection) == 300 - 5
    assert not set(selection.codes(0, 300)) & set(changes.product_codes)
    unflagged_product = Window(None, BASE.timestamp() + 10, frozenset({Family.PRODUCT}))
    assert len(built.select(unflagged_product)) == 300


def test_code_and_reference_lists_restrict_the_search() -> None:
    built, _ = catalog_with_changes()
    ref = built.ref_of(20)
    selection = built.select(None, [3, 1, 3, 9999], [ref.code, "nope"])
    expected = sorted({1, 3, *range(ref.first_code, ref.last_code + 1)})
    assert selection.codes(0, 100) == expected


def test_selections_follow_mutations() -> None:
    built, _ = catalog_with_changes()
    window = Window(BASE.timestamp() + 1, None)
    assert len(built.select(window)) == 0
    built.change_stock(3)
    assert len(built.select(window)) == 3
