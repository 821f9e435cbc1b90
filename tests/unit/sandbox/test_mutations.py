"""Mutations change what an ERP changes, stamp only the family they touch, and are repeatable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandbox.totvs_moda import SandboxCatalog
from sandbox.totvs_moda.selection import Family
from sandbox.totvs_moda.times import to_aware
from tests.unit.sandbox.clock import FakeClock

BASE = datetime(2026, 4, 1, 9, 0, 0, tzinfo=UTC)


def catalog(skus: int = 500, **settings: object) -> tuple[SandboxCatalog, FakeClock]:
    clock = FakeClock()
    return SandboxCatalog(skus, 3, clock=clock, base_time=BASE, **settings), clock  # type: ignore[arg-type]


def by_code(rows: list[dict[str, object]]) -> dict[object, list[dict[str, object]]]:
    out: dict[object, list[dict[str, object]]] = {}
    for row in rows:
        out.setdefault(row["product_code"], []).append(row)
    return out


def test_a_price_change_touches_only_prices_of_the_picked_skus() -> None:
    built, clock = catalog()
    before = by_code(list(built.expected_prices()))
    skus_before = list(built.expected_skus())
    clock.advance(3600)
    changes = built.change_prices(7)
    after = by_code(list(built.expected_prices()))
    assert len(changes.product_codes) == 7
    for code, rows in after.items():
        if code in changes.product_codes:
            assert [r["price"] for r in rows] != [r["price"] for r in before[code]]
            assert {r["changed_at"] for r in rows} == {to_aware(changes.at)}
        else:
            assert rows == before[code]
    assert list(built.expected_skus()) == skus_before
    assert changes.at == int(clock.now())


def test_price_changes_add_and_remove_promotions() -> None:
    built, _ = catalog()
    before = {(p["product_code"], p["price_code"]): p for p in built.expected_prices()}
    changes = built.change_prices(fraction=0.5, promo_rate=1.0)
    after = {(p["product_code"], p["price_code"]): p for p in built.expected_prices()}
    flips = [
        (before[code, 1]["promotional_price"] is None, after[code, 1]["promotional_price"] is None)
        for code in changes.product_codes
    ]
    assert (True, False) in flips
    assert (False, True) in flips


def test_stock_and_cost_changes_stamp_their_own_family() -> None:
    built, clock = catalog()
    clock.advance(60)
    stock = built.change_stock(3)
    clock.advance(60)
    costs = built.change_costs(3)
    for code in stock.product_codes:
        assert built.view(code).at[Family.STOCK] == stock.at
        assert built.view(code).at[Family.PRODUCT] == built.seeded_at(code)
    for code in costs.product_codes:
        assert built.view(code).at[Family.COST] == costs.at


def test_deactivate_and_block_change_flags_and_the_product_family() -> None:
    built, clock = catalog()
    clock.advance(10)
    off = built.deactivate(5)
    blocked = built.block(5)
    assert off.product_codes
    for code in off.product_codes:
        view = built.view(code)
        assert not view.is_active
        assert view.at[Family.PRODUCT] == off.at
    assert all(built.view(code).is_blocked for code in blocked.product_codes)


def test_new_products_follow_the_last_code_and_may_bring_a_new_color() -> None:
    built, clock = catalog(skus=100)
    clock.advance(30)
    changes = built.add_products(2, new_color_rate=1.0)
    assert changes.product_codes[0] == 101
    assert changes.product_codes == tuple(range(101, built.max_code + 1))
    assert len(changes.reference_codes) == 2
    assert len(changes.color_codes) == 2
    skus = {s["product_code"]: s for s in built.expected_skus()}
    assert len(skus) == built.max_code
    new = [skus[c] for c in changes.product_codes]
    assert {s["reference_code"] for s in new} == set(changes.reference_codes)
    assert {s["color_code"] for s in new} >= set(changes.color_codes)
    assert {s["changed_at"] for s in new} == {to_aware(changes.at)}
    colors = {c["code"]: c for c in built.expected_colors()}
    assert all(colors[c]["changed_at"] == to_aware(changes.at) for c in changes.color_codes)
    prices = {p["product_code"] for p in built.expected_prices()}
    assert set(changes.product_codes) <= prices


def test_the_same_calls_change_the_same_skus() -> None:
    first, _ = catalog()
    second, _ = catalog()
    for built in (first, second):
        built.change_prices(4)
        built.random(12)
    assert list(first.expected_prices()) == list(second.expected_prices())
    assert list(first.expected_skus()) == list(second.expected_skus())


def test_a_random_mix_reports_its_parts() -> None:
    built, _ = catalog()
    changes = built.random(20)
    assert changes.kind == "random"
    assert changes.parts
    assert set(changes.product_codes) == {c for p in changes.parts for c in p.product_codes}
    assert set(built.overlay) >= set(changes.product_codes)


def test_mutate_dispatches_by_name_and_refuses_unknown_kinds() -> None:
    built, _ = catalog()
    assert built.mutate("stock", count=2).kind == "stock"
    with pytest.raises(ValueError, match="unknown mutation"):
        built.mutate("teleport")
    with pytest.raises(TypeError):
        built.mutate("stock", cuont=2)
    with pytest.raises(ValueError, match="exactly one"):
        built.change_prices()
