"""The seeded catalog: deterministic, grouped into references, valid barcodes, realistic mix."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime

import pytest

from sandbox.totvs_moda import SandboxCatalog
from sandbox.totvs_moda.hashing import Ean13, ean13, is_valid_ean13
from tests.unit.sandbox.clock import START, FakeClock

BASE = datetime(2026, 4, 1, 9, 24, 3, tzinfo=UTC)


def catalog(skus: int = 2000, seed: int = 1, **settings: object) -> SandboxCatalog:
    return SandboxCatalog(skus, seed, clock=FakeClock(), base_time=BASE, **settings)  # type: ignore[arg-type]


def test_the_same_seed_gives_the_same_catalog() -> None:
    assert list(catalog(seed=5).expected_skus()) == list(catalog(seed=5).expected_skus())
    assert list(catalog(seed=5).expected_prices()) == list(catalog(seed=5).expected_prices())


def test_another_seed_gives_another_catalog() -> None:
    names = [s["name"] for s in catalog(seed=5).expected_skus()]
    assert names != [s["name"] for s in catalog(seed=6).expected_skus()]


def test_the_catalog_has_exactly_the_requested_skus_with_consecutive_codes() -> None:
    skus = list(catalog(skus=1234).expected_skus())
    assert [s["product_code"] for s in skus] == list(range(1, 1235))


def test_a_reference_is_its_colors_times_sizes() -> None:
    refs: dict[str, list[dict[str, object]]] = defaultdict(list)
    for sku in catalog(skus=3000).expected_skus():
        refs[str(sku["reference_code"])].append(sku)
    *full, last = refs.values()
    for skus in full:
        assert 8 <= len(skus) <= 12
        combos = {(s["color_code"], s["size"]) for s in skus}
        assert len(combos) == len(skus)
        colors = {s["color_code"] for s in skus}
        sizes = {s["size"] for s in skus}
        assert len(colors) * len(sizes) == len(skus)
        assert len({(s["reference_name"], s["grid_code"]) for s in skus}) == 1
    assert 1 <= len(last) <= 12


def test_a_sku_name_is_its_reference_color_and_size_in_upper_case() -> None:
    sku = next(catalog().expected_skus())
    assert sku["name"] == f"{sku['reference_name']} {sku['color_name']} {sku['size']}".upper()


def test_every_barcode_is_a_valid_ean13() -> None:
    barcodes = [b for s in catalog().expected_skus() for b in s["barcodes"]]
    assert all(is_valid_ean13(b) for b in barcodes)
    assert len(set(barcodes)) == len(barcodes)


def test_ean_tables_agree_with_the_check_digit_rule() -> None:
    ean = Ean13("78123")
    items = [*range(0, 3000), 999_999, 1_000_000, 9_999_999]
    assert [ean(i) for i in items] == [ean13(f"78123{i:07d}") for i in items]
    assert ean.run(998, 5) == [ean(i) for i in range(998, 1003)]


def test_ean13_check_digit_of_a_known_code() -> None:
    assert ean13("789100031550") == "7891000315507"
    assert not is_valid_ean13("7891000315508")


def test_the_catalog_mixes_the_cases_a_mirror_must_handle() -> None:
    built = catalog(skus=5000)
    skus = list(built.expected_skus())
    assert any(not s["is_active"] for s in skus)
    assert any(s["is_blocked"] for s in skus)
    assert any(s["sku"] is None for s in skus)
    assert any(len(s["barcodes"]) == 2 for s in skus)
    assert any(any(c in str(s["name"]) for c in "ÁÂÃÇÉÍÓÚ") for s in skus)
    assert any(p["promotional_price"] is not None for p in built.expected_prices())
    assert all(
        p["promotional_price"] is None or p["promotional_price"] < p["price"]
        for p in built.expected_prices()
    )
    future = list(built.expected_future_stock())
    share = len({f["product_code"] for f in future}) / len(skus)
    assert 0.005 < share < 0.1


def test_a_small_catalog_still_has_a_production_order_and_a_promotion() -> None:
    small = catalog(skus=40)
    assert list(small.expected_future_stock())
    assert any(p["promotional_price"] for p in small.expected_prices())


def test_seeded_rows_are_stamped_over_the_day_up_to_the_base_time_growing_with_the_code() -> None:
    built = catalog(skus=500)
    stamps = [s["changed_at"] for s in built.expected_skus()]
    assert stamps == sorted(stamps)
    assert stamps[-1] == BASE
    assert (BASE - stamps[0]).total_seconds() == pytest.approx(86_400, rel=0.01)
    for entity in (built.expected_colors(), built.expected_sizes()):
        lookups = [row["changed_at"] for row in entity]
        assert lookups == sorted(lookups)
        assert lookups[-1] == BASE
    balances = [b["changed_at"] for b in built.expected_balances()]
    assert balances == stamps


def test_without_a_base_time_seeded_rows_are_a_day_older_than_the_catalog() -> None:
    built = SandboxCatalog(10, clock=FakeClock())
    assert built.base_at == int(START.timestamp()) - 86_400


def test_production_pending_quantity_shows_in_balances() -> None:
    built = catalog(skus=5000)
    pending: Counter[int] = Counter()
    for row in built.expected_future_stock():
        pending[row["product_code"]] += int(row["pending_quantity"])
    progress = {
        b["product_code"]: int(b["production_order_progress"])
        for b in built.expected_balances()
        if b["production_order_progress"]
    }
    assert progress == {code: qty for code, qty in pending.items() if qty}


def test_classifications_cover_the_configured_types() -> None:
    built = catalog(classification_types={1: "CATEGORIA", 2: "MARCA", 7: "LINHA"})
    assert {c["type_code"] for c in built.expected_classifications()} == {1, 2, 7}
    sku = next(built.expected_skus())
    assert [t for t, _ in sku["classifications"]] == [1, 2, 7]


def test_a_million_sku_catalog_is_lazy() -> None:
    big = SandboxCatalog(1_000_000)
    assert 80_000 < big.references < 130_000
    assert big.overlay == {}
    last = big.view(1_000_000)
    assert last.base.product_code == 1_000_000


@pytest.mark.parametrize("bad", [{"colors": 5}, {"branches": ()}, {"promo_rate": 2.0}])
def test_bad_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        SandboxCatalog(10, **bad)  # type: ignore[arg-type]
