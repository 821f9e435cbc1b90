"""The catalog's state and reads: seeded layout, mutation overlay, and search selections."""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import lru_cache

from sandbox.totvs_moda.config import CatalogConfig
from sandbox.totvs_moda.references import Layout, Ref, reference_code, reference_index
from sandbox.totvs_moda.seeds import OrderBase, RefInfo, Seeds, SkuBase
from sandbox.totvs_moda.selection import CodeList, Family, Run, Selection, Spliced, Window
from sandbox.totvs_moda.state import ColorRow, SkuState, SkuView, StockValues
from sandbox.totvs_moda.tables import (
    GRIDS,
    classification_code,
    classification_values,
    color_code,
    color_name,
)
from sandbox.totvs_moda.times import Clock, SystemClock, to_epoch

_SELECTIONS_KEPT = 32
#: Seeded SKU timestamps spread over this many seconds up to ``base_at``, growing with the code.
SEED_SPREAD = 86_400
#: Seeded colors and grids are this many seconds apart, the last one at ``base_at``.
LOOKUP_STEP = 60


class CatalogCore:
    """Reads of a seeded catalog and its overlay. Product codes run 1..``max_code`` with no gaps."""

    def __init__(
        self,
        config: CatalogConfig,
        *,
        clock: Clock | None = None,
        base_time: datetime | None = None,
    ) -> None:
        self.config = config
        self.clock: Clock = clock or SystemClock()
        #: The latest seeded change timestamp: a day before creation, whole seconds.
        self.base_at = to_epoch(base_time) if base_time else int(self.clock.now()) - 86_400
        self.seeds = Seeds(config)
        self.layout = Layout(config.seed, config.skus, config.colors)
        self.overlay: dict[int, SkuState] = {}
        self.added_refs: list[Ref] = []
        self.added_colors: list[ColorRow] = []
        #: Bumped by every mutation; cached selections are keyed on it.
        self.version = 0
        self._selections: OrderedDict[tuple[object, ...], Selection] = OrderedDict()
        self.seeded_ref = lru_cache(maxsize=4096)(self._seeded_ref)
        self._orders: list[OrderBase] | None = None
        self._order_indexes: frozenset[int] | None = None
        self._order = lru_cache(maxsize=1024)(self._seeded_order)
        self._added_firsts: list[int] = []
        self._palette = [
            ColorRow(
                i,
                color_code(i),
                color_name(i),
                f"Pantone 19-{4000 + i} TCX" if i % 7 == 0 else None,
                self.base_at - (config.colors - 1 - i) * LOOKUP_STEP,
            )
            for i in range(config.colors)
        ]

    # -- references and SKUs ------------------------------------------------------------------

    @property
    def max_code(self) -> int:
        return self.added_refs[-1].last_code if self.added_refs else self.config.skus

    @property
    def references(self) -> int:
        return self.layout.references + len(self.added_refs)

    def _seeded_ref(self, index: int) -> Ref:
        first, count, grid, colors = self.layout.shape(index)
        return Ref(index, reference_code(index), first, count, grid, colors, self.base_at, True)

    def ref(self, index: int) -> Ref | None:
        if 0 <= index < self.layout.references:
            return self.seeded_ref(index)
        added = index - self.layout.references
        return self.added_refs[added] if 0 <= added < len(self.added_refs) else None

    def ref_of(self, product_code: int) -> Ref:
        """The reference of an existing product code."""
        if product_code <= self.config.skus:
            return self.seeded_ref(self.layout.reference_of(product_code))
        return self.added_refs[bisect_right(self._added_firsts, product_code) - 1]

    def append_ref(self, ref: Ref) -> None:
        """Register an added reference; its codes must follow :attr:`max_code`."""
        if ref.first_code != self.max_code + 1 or ref.idx != self.references:
            raise ValueError("an added reference continues the codes and indexes")
        self.added_refs.append(ref)
        self._added_firsts.append(ref.first_code)

    def exists(self, product_code: int) -> bool:
        return 1 <= product_code <= self.max_code

    def view(self, product_code: int) -> SkuView:
        """The current SKU of an existing product code."""
        return next(self.views((product_code,)))

    def views(self, product_codes: Iterable[int]) -> Iterator[SkuView]:
        """The current SKUs of existing, ascending product codes, deriving each reference once."""
        overlay, seeds, seeded_at = self.overlay, self.seeds, self.seeded_at
        last = first = 0
        skus: tuple[SkuBase, ...] = ()
        for code in product_codes:
            if not first <= code <= last:
                ref = self.ref_of(code)
                skus = seeds.reference(ref)[1]
                first, last = ref.first_code, ref.last_code
            state = overlay.get(code)
            if state is None:
                at = seeded_at(code)
                yield SkuView(skus[code - first], None, (at, at, at, at))
            else:
                yield SkuView(skus[code - first], state, state.at)

    def sku_state(self, product_code: int) -> SkuState:
        """The overlay entry of an existing product code, made from its current view if missing."""
        state = self.overlay.get(product_code)
        if state is None:
            view = self.view(product_code)
            state = SkuState(list(view.at), view.is_active, view.is_blocked)
            self.overlay[product_code] = state
        return state

    def move_stock(
        self, branch: int, moves: Iterable[tuple[int, int, int]], at: int
    ) -> tuple[int, ...]:
        """Add ``(productCode, Δstock, ΔsalesOrder)`` moves to the balances at ``branch`` and the
        first configured stock code, stamping each moved SKU's stock family ``at`` (as the stock
        mutation does). Returns the product codes moved.

        Moves of an unknown product code or branch, and empty moves, change nothing.
        ``salesOrder`` never drops below 0 (a stock mutation may have rewritten it); ``stock`` may,
        as in an ERP that lets it go negative.
        """
        if branch not in self.config.branches:
            return ()
        stock_code = self.config.stock_codes[0]
        key = (branch, stock_code)
        moved: list[int] = []
        for code, stock_delta, sales_delta in moves:
            if not (stock_delta or sales_delta) or not self.exists(code):
                continue
            state = self.sku_state(code)
            found = state.stock.get(key)
            stock, sales, inputs, outputs = (
                found if found is not None else self.seeds.stock(code, branch, stock_code)
            )
            state.stock[key] = (stock + stock_delta, max(0, sales + sales_delta), inputs, outputs)
            state.at[Family.STOCK] = at
            moved.append(code)
        if moved:
            self.version += 1
        return tuple(moved)

    def seeded_at(self, product_code: int) -> int:
        """The change timestamp of a seeded SKU that no mutation touched (1..``config.skus``)."""
        skus = self.config.skus
        return self.base_at - (skus - product_code) * SEED_SPREAD // skus

    def _seeded_run(self, window: Window) -> tuple[int, int]:
        """The seeded codes whose seeded timestamp lies in ``window`` (low > high: none)."""
        skus = self.config.skus
        low, high = 1, skus + 1  # first code at or after the start
        while low < high:
            mid = (low + high) // 2
            if window.start is not None and self.seeded_at(mid) < window.start:
                low = mid + 1
            else:
                high = mid
        first = low
        low, high = first, skus + 1  # first code after the end
        while low < high:
            mid = (low + high) // 2
            if window.end is None or self.seeded_at(mid) <= window.end:
                low = mid + 1
            else:
                high = mid
        return first, low - 1

    def info(self, ref: Ref) -> RefInfo:
        return self.seeds.info(ref)

    # -- values per branch and code -------------------------------------------------------------

    def price(self, view: SkuView, branch: int, price_code: int) -> tuple[int, int]:
        """(price, promotionalPrice) in cents; promotionalPrice 0 = no promotion."""
        if view.state is not None:
            found = view.state.prices.get((branch, price_code))
            if found is not None:
                return found
        return self.seeds.price(view.base.info, price_code)

    def cost(self, view: SkuView, branch: int, cost_code: int) -> int:
        if view.state is not None:
            found = view.state.costs.get((branch, cost_code))
            if found is not None:
                return found
        return self.seeds.cost(view.base.info, cost_code)

    def stock(self, view: SkuView, branch: int, stock_code: int) -> StockValues:
        if view.state is not None:
            found = view.state.stock.get((branch, stock_code))
            if found is not None:
                return found
        return self.seeds.stock(view.base.product_code, branch, stock_code)

    def production_pending(self, view: SkuView, branch: int, stock_code: int) -> int:
        """Pending production-order quantity counted in ``productionOrderProgress``.

        It shows on the order's branch and the first configured stock code only.
        """
        ref = view.base.info.ref
        if stock_code != self.config.stock_codes[0] or ref.idx not in self._order_refs():
            return 0
        order = self._order(ref)
        if order.branch_code != branch:
            return 0
        item = order.items[view.base.product_code - ref.first_code]
        return item.quantity - item.finished

    # -- lookups ------------------------------------------------------------------------------

    def colors(self) -> list[ColorRow]:
        """Every color, palette first, then added ones (codes ascending)."""
        return self._palette + self.added_colors

    def color(self, index: int) -> ColorRow:
        palette = len(self._palette)
        return self._palette[index] if index < palette else self.added_colors[index - palette]

    def grids(self) -> list[tuple[str, str, str, tuple[str, ...], int]]:
        """(code, name, type, sizes, changed at) of every grid."""
        last = len(GRIDS) - 1
        return [
            (g.code, g.name, g.type, g.sizes, self.base_at - (last - n) * LOOKUP_STEP)
            for n, g in enumerate(GRIDS)
        ]

    def classifications(
        self, types: Iterable[int] | None = None
    ) -> list[tuple[int, str, str, str]]:
        """(typeCode, typeName, code, name) of every value of the requested (default: all) types."""
        configured = self.config.classification_types
        wanted = sorted(configured) if types is None else sorted(set(types) & set(configured))
        return [
            (t, configured[t], classification_code(i), name)
            for t in wanted
            for i, name in enumerate(classification_values(t))
        ]

    def production_orders(self) -> list[OrderBase]:
        """Seeded production orders in (branchCode, orderCode) order; computed once."""
        if self._orders is None:
            refs = [self.seeded_ref(i) for i in self._order_refs()]
            orders = [self._order(ref) for ref in refs]
            self._orders = sorted(orders, key=lambda o: (o.branch_code, o.order_code))
        return self._orders

    def _seeded_order(self, ref: Ref) -> OrderBase:
        return self.seeds.order(ref, self.seeded_at(ref.first_code))

    def _order_refs(self) -> frozenset[int]:
        """Indexes of the seeded references with a production order; computed once."""
        if self._order_indexes is None:
            count = self.layout.references
            self._order_indexes = frozenset(
                i for i in range(count) if self.seeds.has_order(i, count)
            )
        return self._order_indexes

    # -- selections ---------------------------------------------------------------------------

    def select(
        self,
        window: Window | None,
        product_codes: Iterable[int] | None = None,
        reference_codes: Iterable[str] | None = None,
    ) -> Selection:
        """Codes a search returns, in productCode order; cached until the next mutation."""
        codes = None if product_codes is None else tuple(product_codes)
        refs = None if reference_codes is None else tuple(reference_codes)
        key = (self.version, window, codes, refs)
        found = self._selections.get(key)
        if found is not None:
            self._selections.move_to_end(key)
            return found
        selection = self._build(window, codes, refs)
        self._selections[key] = selection
        if len(self._selections) > _SELECTIONS_KEPT:
            self._selections.popitem(last=False)
        return selection

    def _build(
        self,
        window: Window | None,
        codes: tuple[int, ...] | None,
        refs: tuple[str, ...] | None,
    ) -> Selection:
        if codes is None and refs is None:
            if window is None:
                return Run(1, self.max_code)
            low, high = self._seeded_run(window)
            dropped: list[int] = []
            below: list[int] = []
            above: list[int] = []
            for code, state in self.overlay.items():
                inside = window.contains(window.stamp(state.at))
                if low <= code <= high:
                    if not inside:
                        dropped.append(code)
                elif inside:
                    (below if code < low else above).append(code)
            return Spliced(sorted(below), Run(low, high, sorted(dropped)), sorted(above))
        wanted = {c for c in codes or () if self.exists(c)}
        for text in refs or ():
            index = reference_index(text)
            ref = None if index is None else self.ref(index)
            if ref is not None:
                wanted.update(range(ref.first_code, ref.last_code + 1))
        if window is not None:
            ordered = sorted(wanted)
            views = zip(ordered, self.views(ordered), strict=True)
            wanted = {c for c, view in views if window.contains(window.stamp(view.at))}
        return CodeList(sorted(wanted))
