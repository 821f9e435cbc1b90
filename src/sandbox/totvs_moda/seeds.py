"""Seeded attributes: what reference *r* and its SKUs look like before anything mutates them.

Everything here is a pure function of the :class:`CatalogConfig` and an index. A reference and all
its SKUs are derived together and cached, because SKU pages walk references in order: a full read
of a million SKUs derives each reference once. Money is in integer cents.
"""

from __future__ import annotations

import random
from typing import NamedTuple

import msgspec

from sandbox.totvs_moda.config import CatalogConfig
from sandbox.totvs_moda.hashing import Ean13, mix, mix32
from sandbox.totvs_moda.references import Ref
from sandbox.totvs_moda.tables import (
    CATEGORIES,
    PRODUCTION_STATUSES,
    STYLES,
    classification_code,
    classification_values,
    color_name,
)
from sandbox.totvs_moda.times import local_midnight

_PER = 1_000_000
_CACHED_REFERENCES = 4096
_DRAWS = 1 << 12
_DRAW_MASK = _DRAWS - 1
_SHARED_KEPT = 100_000
SALT_REF, SALT_SKU, SALT_STOCK, SALT_OP, SALT_OP_ITEM = 2, 3, 4, 5, 6
SALT_CLASSIFICATION = 8


class RefInfo(msgspec.Struct, frozen=True, gc=False):
    """Attributes shared by every SKU of a reference."""

    ref: Ref
    name: str
    #: The name as SKU names spell it (upper case).
    label: str
    #: The root ``description``: often null while ``details`` has the text.
    description: str | None
    details: str
    #: (typeCode, typeName, code, name) per configured classification type.
    classifications: tuple[tuple[int, str, str, str], ...]
    ncm: str
    sales_start: int | None
    price_cents: int
    #: Retail promotional price, 0 = no promotion (as TOTVS sends it).
    promo_cents: int
    cost_cents: int
    #: Mixed into each SKU's product code to pick its draws (:func:`_sku_draws`).
    sku_bits: int


class SkuBase(msgspec.Struct, frozen=True, gc=False):
    """Seeded attributes of one SKU (a Struct: built a million times per full read, and a
    Struct is much cheaper to build than a NamedTuple)."""

    product_code: int
    info: RefInfo
    color: int
    size: str
    size_index: int
    #: The SKU name: reference, color and size in upper case.
    name: str
    sku: str | None
    barcodes: tuple[str, ...]
    is_active: bool
    is_blocked: bool


class OrderItemBase(NamedTuple):
    product_code: int
    quantity: int
    finished: int


class OrderBase(NamedTuple):
    """A seeded production order: one per chosen reference, covering all its SKUs."""

    order_code: int
    branch_code: int
    status: int
    delivery_day: int  # days after the catalog's base date
    ref: Ref
    items: tuple[OrderItemBase, ...]
    #: Last change (epoch seconds).
    at: int


#: Per-SKU draws: (no productSku, a second barcode, active, blocked).
SkuDraw = tuple[bool, bool, bool, bool]


def _sku_draws(config: CatalogConfig) -> list[SkuDraw]:
    """A table of per-SKU draws; SKU ``c`` of a reference with bits ``b`` takes entry
    ``(c ^ b) % len(table)``. About 1 % of SKUs have no ``productSku``, 3 % a second barcode,
    and ``inactive_rate`` / ``blocked_rate`` of them are inactive / blocked."""
    rng = random.Random(mix(config.seed, 0, SALT_SKU))
    table = []
    for _ in range(_DRAWS):
        barcode = rng.random()
        table.append(
            (
                barcode < 0.01,
                0.01 <= barcode < 0.04,
                rng.random() >= config.inactive_rate,
                rng.random() < config.blocked_rate,
            )
        )
    return table


def _names_category(type_code: int, values: tuple[str, ...]) -> bool:
    """Type 1 with the seeded categories takes the category the reference name starts with."""
    return type_code == 1 and len(values) == len(CATEGORIES)


def _rate(value: int, rate: float) -> bool:
    return value % _PER < rate * _PER


class Seeds:
    def __init__(self, config: CatalogConfig) -> None:
        self.config = config
        self._seed = config.seed
        self._classifications = [
            (code, name, classification_values(code))
            for code, name in sorted(config.classification_types.items())
        ]
        company = 100 + config.seed % 900
        self._main_ean = Ean13(f"78{company}")
        self._extra_ean = Ean13(f"79{company}")
        self._draws = _sku_draws(config)
        self._promo = round(config.promo_rate * _PER)
        self._pick_space = 1
        for type_code, _, values in self._classifications:
            if not _names_category(type_code, values):
                self._pick_space *= len(values)
        self._shared: dict[
            tuple[int, int, int], tuple[str, str, str, tuple[tuple[int, str, str, str], ...], str]
        ] = {}
        self._midnights: dict[int, int] = {}
        self._stock_salts: dict[tuple[int, int], int] = {}
        self._labels: dict[int, str] = {}
        self._cache: dict[int, tuple[RefInfo, tuple[SkuBase, ...]]] = {}

    def info(self, ref: Ref) -> RefInfo:
        return self.reference(ref)[0]

    def sku(self, info: RefInfo, product_code: int) -> SkuBase:
        return self.reference(info.ref)[1][product_code - info.ref.first_code]

    def reference(self, ref: Ref) -> tuple[RefInfo, tuple[SkuBase, ...]]:
        """A reference's shared attributes and its SKUs, cached by reference index."""
        found = self._cache.get(ref.idx)
        if found is None:
            if len(self._cache) >= _CACHED_REFERENCES:
                self._cache.clear()
            info = self._info(ref)
            found = self._cache[ref.idx] = (info, self._skus(info))
        return found

    def _info(self, ref: Ref) -> RefInfo:
        """Bits of one hash pick category, style, price, promotion, sales start and whether the
        root description is set; a second hash picks classification values and the SKU draws."""
        h = mix(self._seed, ref.idx, SALT_REF)
        category = h % len(CATEGORIES)
        picks = mix(self._seed, ref.idx, SALT_CLASSIFICATION)
        key = (category, (h >> 8) % len(STYLES), picks % self._pick_space)
        shared = self._shared.get(key)
        if shared is None:
            if len(self._shared) >= _SHARED_KEPT:
                self._shared.clear()
            shared = self._shared[key] = self._shared_info(*key)
        name, label, details, classifications, ncm = shared
        price = ((h >> 16) % 39 + 2) * 1000 - 10  # 19,90 .. 399,90
        promoted = (h >> 24) % _PER < self._promo or (ref.idx == 0 and self._promo > 0)
        midnight = self._midnights.get(ref.at)
        if midnight is None:
            midnight = self._midnights[ref.at] = local_midnight(ref.at)
        return RefInfo(
            ref,
            name,
            label,
            details if (h >> 57) % 10 < 3 else None,
            details,
            classifications,
            ncm,
            None if (h >> 44) % 10 == 0 else midnight - ((h >> 48) % 365) * 86_400,
            price,
            (price * 8 // 1000) * 100 - 10 if promoted else 0,
            price * 2 // 5,
            picks >> 40,
        )

    def _shared_info(
        self, category: int, style: int, picks: int
    ) -> tuple[str, str, str, tuple[tuple[int, str, str, str], ...], str]:
        """(name, label, details, classifications, ncm): values many references share."""
        category_name, ncm = CATEGORIES[category]
        name = f"{category_name} {STYLES[style]}"
        classifications = []
        for type_code, type_name, values in self._classifications:
            if _names_category(type_code, values):
                value = category
            else:
                picks, value = divmod(picks, len(values))
            classifications.append(
                (type_code, type_name, classification_code(value), values[value])
            )
        collection = classifications[-1][3] if classifications else "única"
        details = (
            f"{name} confeccionada em tecido de alta qualidade, com acabamento à mão e "
            f"caimento perfeito. Coleção {collection}."
        )
        return name, name.upper(), details, tuple(classifications), ncm

    def _skus(self, info: RefInfo) -> tuple[SkuBase, ...]:
        """The hottest seeded code: a full read of a million SKUs runs the inner loop a million
        times, so per-SKU draws come from a table (:func:`_sku_draws`), not from a hash."""
        ref = info.ref
        draws, extra_ean, ref_bits = self._draws, self._extra_ean, info.sku_bits
        first, last = ref.first_code, ref.last_code
        eans = self._main_ean.run(first, ref.sku_count)
        out: list[SkuBase] = []
        code = first
        for color in ref.colors:
            name = f"{info.label} {self._label(color)} "
            sku = f"{ref.code}.{color + 1:03d}."
            for size_index, size in enumerate(ref.sizes):
                if code > last:
                    break
                no_sku, extra, active, blocked = draws[(code ^ ref_bits) & _DRAW_MASK]
                main = eans[code - first]
                out.append(
                    SkuBase(
                        code,
                        info,
                        color,
                        size,
                        size_index,
                        name + size,
                        None if no_sku else sku + size,
                        (main, extra_ean(code)) if extra else (main,),
                        active,
                        blocked,
                    )
                )
                code += 1
        return tuple(out)

    def _label(self, color: int) -> str:
        label = self._labels.get(color)
        if label is None:
            label = self._labels[color] = color_name(color).upper()
        return label

    def price(self, info: RefInfo, price_code: int) -> tuple[int, int]:
        """(price, promotional price) in cents for a price code; the promotion is retail-only."""
        if price_code == 1:
            return info.price_cents, info.promo_cents
        if price_code == 2:
            return (info.price_cents * 55 // 10000) * 100 - 10, 0
        return info.price_cents - 100 * (price_code - 2), 0

    def cost(self, info: RefInfo, cost_code: int) -> int:
        return info.cost_cents + 50 * (cost_code - 1)

    def stock(self, product_code: int, branch: int, stock_code: int) -> tuple[int, int, int, int]:
        """(stock, salesOrder, inputTransaction, outputTransaction)."""
        salt = self._stock_salts.get((branch, stock_code))
        if salt is None:
            key = SALT_STOCK * 1_000_003 + branch * 1009 + stock_code
            salt = self._stock_salts[branch, stock_code] = mix(self._seed, 0, key) & 0xFFFFFFFF
        h = mix32(salt, product_code)
        return max(0, h % 64 - 5), (h >> 8) % 4, (h >> 16) % 3, (h >> 24) % 3

    def has_order(self, index: int, references: int) -> bool:
        """Whether seeded reference ``index`` of ``references`` has a production order.

        With a non-zero rate the middle reference always has one, so small catalogs have some.
        """
        rate = self.config.production_order_rate
        if rate == 0:
            return False
        return index == references // 2 or _rate(mix(self._seed, index, SALT_OP), rate)

    def order(self, ref: Ref, at: int) -> OrderBase:
        """The production order of a reference for which :meth:`has_order` holds."""
        h = mix(self._seed, ref.idx, SALT_OP + 100)
        items = []
        for code in range(ref.first_code, ref.last_code + 1):
            q = mix(self._seed, code, SALT_OP_ITEM)
            quantity = 10 + q % 51
            items.append(OrderItemBase(code, quantity, (q >> 8) % (quantity // 2 + 1)))
        branches = self.config.branches
        return OrderBase(
            order_code=10_000 + ref.idx,
            branch_code=branches[h % len(branches)],
            status=PRODUCTION_STATUSES[(h >> 8) % len(PRODUCTION_STATUSES)],
            delivery_day=15 + (h >> 16) % 76,
            ref=ref,
            items=tuple(items),
            at=at,
        )
