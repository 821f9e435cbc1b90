"""What a sandbox catalog looks like: its size, seed, tenant codes and seeded rates."""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.totvs_moda.tables import CLASSIFICATION_TYPES


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogConfig:
    """Seeded catalog settings. The same config gives the same catalog, attribute for attribute.

    ``colors`` is the seeded palette size (at least 10: a reference can have 10 colors). Rates are
    fractions of references (promotions, production orders) or of SKUs (inactive, blocked).

    The tenant also holds ``persons`` individuals and ``legal_entities`` legal entities, and
    ``store_orders`` sales orders made in its stores (see :mod:`sandbox.totvs_moda.commerce`);
    ``bare_enum_rate`` of persons and sales orders answer their status as a bare number.
    """

    skus: int = 200
    seed: int = 1
    branches: tuple[int, ...] = (1,)
    stock_codes: tuple[int, ...] = (1,)
    price_codes: tuple[int, ...] = (1, 2)
    cost_codes: tuple[int, ...] = (1,)
    colors: int = 40
    classification_types: dict[int, str] = field(default_factory=lambda: dict(CLASSIFICATION_TYPES))
    promo_rate: float = 0.1
    production_order_rate: float = 0.03
    inactive_rate: float = 0.03
    blocked_rate: float = 0.01
    persons: int = 20
    legal_entities: int = 5
    store_orders: int = 6
    bare_enum_rate: float = 0.03

    def __post_init__(self) -> None:
        for name in ("skus", "persons", "legal_entities", "store_orders"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        if self.colors < 10:
            raise ValueError("colors must be >= 10 (a reference can have 10 colors)")
        for name in ("branches", "stock_codes", "price_codes", "cost_codes"):
            codes = getattr(self, name)
            if not codes or len(set(codes)) != len(codes) or min(codes) < 1:
                raise ValueError(f"{name} must be distinct positive integers, got {codes!r}")
        rates = ("promo_rate", "production_order_rate", "inactive_rate", "blocked_rate")
        for name in (*rates, "bare_enum_rate"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be within 0..1")
