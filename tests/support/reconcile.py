"""Diff PostgreSQL against the sandbox catalog: what a faithful mirror must hold, field by field.

``await reconcile(conn, catalog)`` returns a :class:`Report` listing, per entity, keys missing from
the database, keys the database has that the ERP does not, and fields that differ. An empty report
means the mirror is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from sandbox.totvs_moda.catalog import SandboxCatalog


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    query: str
    key: tuple[str, ...]
    expected: Callable[[SandboxCatalog], Iterable[dict[str, Any]]]
    #: Expected fields not compared on this entity (they live elsewhere or depend on settings).
    skip: frozenset[str] = frozenset()


@dataclass(slots=True)
class Report:
    missing: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    extra: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    different: dict[str, list[tuple[tuple[Any, ...], str, Any, Any]]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        groups = (self.missing, self.extra, self.different)
        return sum(len(rows) for group in groups for rows in group.values())

    def __str__(self) -> str:
        lines = [f"{self.count} differences"]
        for label, group in (("missing", self.missing), ("extra", self.extra)):
            lines += [f"  {entity} {label}: {rows[:5]}" for entity, rows in group.items() if rows]
        lines += [
            f"  {entity} differs: {rows[:5]}" for entity, rows in self.different.items() if rows
        ]
        return "\n".join(lines)


def _references(catalog: SandboxCatalog) -> Iterator[dict[str, Any]]:
    """Products (references) as the SKU rows describe them."""
    seen: dict[str, dict[str, Any]] = {}
    for sku in catalog.expected_skus():
        ref = seen.setdefault(
            sku["reference_code"],
            {
                "reference_code": sku["reference_code"],
                "name": sku["reference_name"],
                "description": sku["description"],
                "is_active": False,
            },
        )
        ref["is_active"] = ref["is_active"] or sku["is_active"]
    yield from seen.values()


def _product_classifications(catalog: SandboxCatalog) -> Iterator[dict[str, Any]]:
    seen: set[tuple[str, int]] = set()
    for sku in catalog.expected_skus():
        for type_code, code in sku["classifications"]:
            if (sku["reference_code"], type_code) not in seen:
                seen.add((sku["reference_code"], type_code))
                yield {
                    "reference_code": sku["reference_code"],
                    "type_code": type_code,
                    "code": code,
                }


ENTITIES = (
    Entity("colors", "SELECT * FROM colors", ("code",), lambda c: c.expected_colors()),
    Entity("size_grids", "SELECT * FROM size_grids", ("code",), lambda c: c.expected_sizes()),
    Entity(
        "classifications",
        "SELECT * FROM classifications",
        ("type_code", "code"),
        lambda c: c.expected_classifications(),
    ),
    Entity(
        "skus",
        "SELECT * FROM skus",
        ("product_code",),
        lambda c: c.expected_skus(),
        skip=frozenset({"reference_name", "description", "classifications"}),
    ),
    Entity("products", "SELECT * FROM products", ("reference_code",), _references),
    Entity(
        "product_classifications",
        "SELECT * FROM product_classifications",
        ("reference_code", "type_code"),
        _product_classifications,
    ),
    Entity(
        "stock_balances",
        "SELECT * FROM stock_balances",
        ("product_code", "branch_code", "stock_code"),
        lambda c: c.expected_balances(),
    ),
    Entity(
        "prices",
        "SELECT * FROM prices",
        ("product_code", "branch_code", "price_code"),
        lambda c: c.expected_prices(),
    ),
    Entity(
        "costs",
        "SELECT * FROM costs",
        ("product_code", "branch_code", "cost_code"),
        lambda c: c.expected_costs(),
    ),
    Entity(
        "future_stock",
        "SELECT * FROM future_stock",
        ("branch_code", "order_code", "product_code"),
        lambda c: c.expected_future_stock(),
    ),
)


def _normal(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


async def reconcile(
    conn: asyncpg.Connection, catalog: SandboxCatalog, entities: Iterable[str] | None = None
) -> Report:
    wanted = set(entities) if entities is not None else None
    report = Report()
    for entity in ENTITIES:
        if wanted is not None and entity.name not in wanted:
            continue
        actual = {
            tuple(row[k] for k in entity.key): dict(row) for row in await conn.fetch(entity.query)
        }
        missing, different = [], []
        for expected in entity.expected(catalog):
            key = tuple(expected[k] for k in entity.key)
            row = actual.pop(key, None)
            if row is None:
                missing.append(key)
                continue
            for name, value in expected.items():
                if name in entity.skip or name in entity.key:
                    continue
                if _normal(row.get(name)) != _normal(value):
                    different.append((key, name, value, row.get(name)))
        report.missing[entity.name] = missing
        report.extra[entity.name] = list(actual)
        report.different[entity.name] = different
    return report
