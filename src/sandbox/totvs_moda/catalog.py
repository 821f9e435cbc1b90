"""The sandbox catalog: a seeded TOTVS Moda catalog of any size that changes the way an ERP does.

Seeded rows are derived from ``(seed, index)`` on demand. Their change timestamps spread over the
day before :attr:`base_at` and grow with the product code (:meth:`seeded_at`; SKU N is stamped
``base_at``), so an incremental read from a cursor re-reads only the last seeded rows. Each mutation
stamps what it touches with the clock's current second, in the family it changed (product, stock,
price or cost), and keeps only that in the overlay.
Mutations pick their SKUs with a generator seeded by the catalog seed and a mutation counter, so
the same sequence of calls on the same catalog changes the same SKUs.

``expected_*`` give the state a faithful mirror must hold (see :mod:`sandbox.totvs_moda.expected`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from random import Random
from typing import Any

from sandbox.totvs_moda import expected
from sandbox.totvs_moda.changes import Changes
from sandbox.totvs_moda.config import CatalogConfig
from sandbox.totvs_moda.core import CatalogCore
from sandbox.totvs_moda.references import Ref, reference_code
from sandbox.totvs_moda.selection import Family
from sandbox.totvs_moda.state import ColorRow, SkuState
from sandbox.totvs_moda.tables import GRIDS, SHAPES, color_code, color_name
from sandbox.totvs_moda.times import Clock


def _ninety(cents: int) -> int:
    """Round to a price ending in ,90 (at least 9,90)."""
    return max(990, (cents // 100) * 100 + 90)


class SandboxCatalog(CatalogCore):
    def __init__(
        self,
        skus: int = 200,
        seed: int = 1,
        branches: tuple[int, ...] = (1,),
        stock_codes: tuple[int, ...] = (1,),
        price_codes: tuple[int, ...] = (1, 2),
        cost_codes: tuple[int, ...] = (1,),
        *,
        clock: Clock | None = None,
        base_time: datetime | None = None,
        **settings: Any,
    ) -> None:
        """``settings`` are the other :class:`CatalogConfig` fields (rates, palette size…)."""
        config = CatalogConfig(
            skus=skus,
            seed=seed,
            branches=tuple(branches),
            stock_codes=tuple(stock_codes),
            price_codes=tuple(price_codes),
            cost_codes=tuple(cost_codes),
            **settings,
        )
        super().__init__(config, clock=clock, base_time=base_time)
        self._mutations = 0

    # -- mutations ----------------------------------------------------------------------------

    def change_prices(
        self, count: int | None = None, *, fraction: float | None = None, promo_rate: float = 0.3
    ) -> Changes:
        """New prices for every branch and price code of the picked SKUs.

        With probability ``promo_rate`` per SKU the retail promotion flips: added where there was
        none, removed where there was one.
        """
        rng, at, codes = self._begin(count, fraction)
        for code in codes:
            view, state = self.view(code), self.sku_state(code)
            flip = rng.random() < promo_rate
            for branch in self.config.branches:
                for price_code in self.config.price_codes:
                    old, promo = self.price(view, branch, price_code)
                    factor = rng.choice((rng.uniform(0.8, 0.95), rng.uniform(1.05, 1.25)))
                    new = _ninety(int(old * factor))
                    new = new if new != old else new + 100
                    if flip and price_code == self.config.price_codes[0]:
                        promo = 0 if promo else _ninety(new * 8 // 10)
                    if promo >= new:
                        promo = 0
                    state.prices[branch, price_code] = (new, promo)
            state.at[Family.PRICE] = at
        return Changes("prices", at, tuple(codes))

    def change_stock(self, count: int | None = None, *, fraction: float | None = None) -> Changes:
        """New balances for every branch and stock code of the picked SKUs."""
        rng, at, codes = self._begin(count, fraction)
        for code in codes:
            view, state = self.view(code), self.sku_state(code)
            for branch in self.config.branches:
                for stock_code in self.config.stock_codes:
                    stock, *_ = self.stock(view, branch, stock_code)
                    new = max(0, stock + rng.choice((-1, 1)) * rng.randint(1, 20))
                    new = new if new != stock else stock + 1
                    state.stock[branch, stock_code] = (
                        new,
                        rng.randint(0, 5),
                        rng.randint(0, 3),
                        rng.randint(0, 3),
                    )
            state.at[Family.STOCK] = at
        return Changes("stock", at, tuple(codes))

    def change_costs(self, count: int | None = None, *, fraction: float | None = None) -> Changes:
        rng, at, codes = self._begin(count, fraction)
        for code in codes:
            view, state = self.view(code), self.sku_state(code)
            for branch in self.config.branches:
                for cost_code in self.config.cost_codes:
                    old = self.cost(view, branch, cost_code)
                    state.costs[branch, cost_code] = old + rng.choice((-1, 1)) * rng.randint(
                        10, max(11, old // 10)
                    )
            state.at[Family.COST] = at
        return Changes("costs", at, tuple(codes))

    def deactivate(self, count: int | None = None, *, fraction: float | None = None) -> Changes:
        """Mark active SKUs inactive (already inactive picks are skipped)."""
        return self._flag("deactivate", count, fraction, "is_active", False)

    def activate(self, count: int | None = None, *, fraction: float | None = None) -> Changes:
        return self._flag("activate", count, fraction, "is_active", True)

    def block(self, count: int | None = None, *, fraction: float | None = None) -> Changes:
        return self._flag("block", count, fraction, "is_blocked", True)

    def unblock(self, count: int | None = None, *, fraction: float | None = None) -> Changes:
        return self._flag("unblock", count, fraction, "is_blocked", False)

    def add_colors(self, count: int = 1) -> Changes:
        at = self._tick()
        added = [self._new_color(at) for _ in range(count)]
        return Changes("colors", at, color_codes=tuple(c.code for c in added))

    def add_products(self, references: int = 1, *, new_color_rate: float = 0.5) -> Changes:
        """New references with all their SKUs (codes after the current last one).

        With probability ``new_color_rate`` a reference gets a color that did not exist before.
        """
        rng = self._rng()
        at = self._tick()
        codes: list[int] = []
        refs: list[str] = []
        colors: list[str] = []
        for _ in range(references):
            grid, count = SHAPES[rng.randrange(len(SHAPES))]
            palette = self.config.colors + len(self.added_colors)
            picked = set(rng.sample(range(palette), min(count, palette)))
            if rng.random() < new_color_rate:
                color = self._new_color(at)
                colors.append(color.code)
                picked.discard(max(picked))
                picked.add(color.idx)
            ref = Ref(
                idx=self.references,
                code=reference_code(self.references),
                first_code=self.max_code + 1,
                sku_count=len(picked) * len(GRIDS[grid].sizes),
                grid=grid,
                colors=tuple(sorted(picked)),
                at=at,
                seeded=False,
            )
            self.append_ref(ref)
            refs.append(ref.code)
            for code in range(ref.first_code, ref.last_code + 1):
                base = self.seeds.sku(self.seeds.info(ref), code)
                self.overlay[code] = SkuState([at] * 4, base.is_active, base.is_blocked)
                codes.append(code)
        return Changes("products", at, tuple(codes), tuple(refs), tuple(colors))

    def random(self, changes: int = 10) -> Changes:
        """A mix of the other mutations touching about ``changes`` SKUs in all."""
        rng = self._rng()
        parts: list[Changes] = []
        left = max(1, changes)
        while left > 0:
            kind = rng.choices(
                ("prices", "stock", "costs", "deactivate", "block", "products", "colors"),
                weights=(30, 35, 10, 8, 5, 10, 2),
            )[0]
            size = min(left, rng.randint(1, max(1, changes // 3)))
            if kind == "products":
                part = self.add_products(1)
            elif kind == "colors":
                part = self.add_colors(1)
            else:
                part = self.mutate(kind, count=size)
            parts.append(part)
            left -= max(1, len(part.product_codes))
        return Changes.mix(max(p.at for p in parts), parts)

    def mutate(self, kind: str, **params: Any) -> Changes:
        """Apply the mutation named ``kind`` (the admin route's name) with its keyword params.

        :raises ValueError: on an unknown kind; :raises TypeError: on unknown params.
        """
        methods = {
            "prices": self.change_prices,
            "stock": self.change_stock,
            "costs": self.change_costs,
            "deactivate": self.deactivate,
            "activate": self.activate,
            "block": self.block,
            "unblock": self.unblock,
            "colors": self.add_colors,
            "products": self.add_products,
            "random": self.random,
        }
        if kind not in methods:
            raise ValueError(f"unknown mutation {kind!r}; choose from {', '.join(methods)}")
        method: Any = methods[kind]
        result: Changes = method(**params)
        return result

    # -- expected state -------------------------------------------------------------------------

    def expected_colors(self) -> Iterator[dict[str, Any]]:
        return expected.colors(self)

    def expected_sizes(self) -> Iterator[dict[str, Any]]:
        return expected.sizes(self)

    def expected_classifications(self) -> Iterator[dict[str, Any]]:
        return expected.classifications(self)

    def expected_skus(self, first_code: int = 1) -> Iterator[dict[str, Any]]:
        return expected.skus(self, first_code)

    def expected_balances(self, first_code: int = 1) -> Iterator[dict[str, Any]]:
        return expected.balances(self, first_code)

    def expected_prices(self, first_code: int = 1) -> Iterator[dict[str, Any]]:
        return expected.prices(self, first_code)

    def expected_costs(self, first_code: int = 1) -> Iterator[dict[str, Any]]:
        return expected.costs(self, first_code)

    def expected_future_stock(self) -> Iterator[dict[str, Any]]:
        return expected.future_stock(self)

    # -- helpers ------------------------------------------------------------------------------

    def _rng(self) -> Random:
        self._mutations += 1
        return Random(f"{self.config.seed}:{self._mutations}")

    def _tick(self) -> int:
        self.version += 1
        return int(self.clock.now())

    def _begin(self, count: int | None, fraction: float | None) -> tuple[Random, int, list[int]]:
        if (count is None) == (fraction is None):
            raise ValueError("give exactly one of count or fraction")
        total = self.max_code
        wanted = count if count is not None else round(total * float(fraction or 0))
        if wanted < 0:
            raise ValueError("count and fraction must not be negative")
        rng = self._rng()
        codes = sorted(rng.sample(range(1, total + 1), min(wanted, total)))
        return rng, self._tick(), codes

    def _flag(
        self, kind: str, count: int | None, fraction: float | None, name: str, value: bool
    ) -> Changes:
        _, at, codes = self._begin(count, fraction)
        changed = []
        for code in codes:
            if getattr(self.view(code), name) == value:
                continue
            state = self.sku_state(code)
            setattr(state, name, value)
            state.at[Family.PRODUCT] = at
            changed.append(code)
        return Changes(kind, at, tuple(changed))

    def _new_color(self, at: int) -> ColorRow:
        index = self.config.colors + len(self.added_colors)
        color = ColorRow(index, color_code(index), color_name(index), "Cor nova", at)
        self.added_colors.append(color)
        return color
