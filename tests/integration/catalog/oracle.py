"""An independent oracle of the storefront catalog, computed in Python from the mirror tables.

It reads plain rows (``SELECT *``) of products, SKUs, prices, balances, reservations, future stock,
classifications, colors and size grids, and applies the rules the catalog documents
(``adapters.postgres.catalog_refresh`` and the endpoint descriptions) in Python, so the read
model's SQL is checked against a second implementation rather than against itself.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import asyncpg

# The storefront view of the integration settings (StorefrontSettings defaults).
PRICE_CODE = 1
PRICE_BRANCH = 1
CATEGORY, BRAND, COLLECTION = 1, 2, 3

_ACCENTS = str.maketrans(
    "áàâãäåéèêëíìîïóòôõöúùûüçñýÿÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑÝŸ",
    "aaaaaaeeeeiiiiooooouuuucnyyaaaaaaeeeeiiiiooooouuuucnyy",
)


def plain(text: str) -> str:
    """Lower-case, accent-free text (written here independently of ``adapters...folding``)."""
    return text.translate(_ACCENTS).lower()


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", plain(text)))


def money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


@dataclass
class SkuView:
    product_code: int
    sku: str | None
    color_code: str | None
    color_name: str | None
    size: str | None
    size_rank: int
    barcodes: list[str]
    price: Decimal
    promotional_price: Decimal | None
    available: int
    stock: list[dict[str, Any]]
    future_stock: list[dict[str, Any]]

    @property
    def effective(self) -> Decimal:
        promo = self.promotional_price
        if promo is not None and 0 < promo < self.price:
            return promo
        return self.price

    def branch_available(self, branch: int) -> int:
        return next((s["available"] for s in self.stock if s["branch"] == branch), 0)

    def document(self) -> dict[str, Any]:
        color = None
        if self.color_code is not None:
            color = {"code": self.color_code, "name": self.color_name}
        return {
            "product_code": self.product_code,
            "sku": self.sku,
            "color": color,
            "size": self.size,
            "barcodes": self.barcodes,
            "price": money(self.price),
            "promotional_price": money(self.promotional_price),
            "effective_price": money(self.effective),
            "available": self.available,
            "stock": self.stock,
            "future_stock": self.future_stock,
        }


@dataclass
class ProductView:
    reference: str
    name: str
    description: str | None
    erp_description: str | None
    web_description: str | None
    origin: str
    images: list[str]
    expires_on: date | None
    listed_at: datetime
    changed_at: datetime | None
    #: type code -> {"type", "type_name", "code", "name"}
    classifications: dict[int, dict[str, Any]]
    skus: list[SkuView] = field(default_factory=list)

    # -- derived --------------------------------------------------------------------------------

    @property
    def price_min(self) -> Decimal:
        return min(k.effective for k in self.skus)

    @property
    def price_max(self) -> Decimal:
        return max(k.effective for k in self.skus)

    @property
    def on_sale(self) -> bool:
        return any(k.effective < k.price for k in self.skus)

    @property
    def in_stock(self) -> bool:
        return any(k.available > 0 for k in self.skus)

    @property
    def colors(self) -> list[dict[str, Any]]:
        pairs = {(k.color_code, k.color_name) for k in self.skus if k.color_code is not None}
        return [{"code": c, "name": n} for c, n in sorted(pairs, key=lambda p: p[0] or "")]

    @property
    def sizes(self) -> list[str]:
        ranks: dict[str, int] = {}
        for k in self.skus:
            if k.size is not None:
                ranks[k.size] = min(ranks.get(k.size, k.size_rank), k.size_rank)
        return sorted(ranks, key=lambda s: (ranks[s], s))

    def _named(self, type_code: int) -> dict[str, Any] | None:
        c = self.classifications.get(type_code)
        return None if c is None else {"code": c["code"], "name": c["name"]}

    def card(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "name": self.name,
            "price": {"min": money(self.price_min), "max": money(self.price_max)},
            "on_sale": self.on_sale,
            "in_stock": self.in_stock,
            "image": self.images[0] if self.images else None,
            "colors": self.colors,
            "sizes": self.sizes,
            "category": self._named(CATEGORY),
            "brand": self._named(BRAND),
            "collection": self._named(COLLECTION),
        }

    def document(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in self.card().items() if k != "image"},
            "description": self.description,
            "origin": self.origin,
            "images": self.images,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "classifications": [self.classifications[t] for t in sorted(self.classifications)],
            "skus": [k.document() for k in self.skus],
            "updated_at": self.changed_at,
        }

    # -- filters, as documented -------------------------------------------------------------------

    def matches(self, **filters: Any) -> bool:
        for name, value in filters.items():
            if value is None:
                continue
            if name in ("category", "brand", "collection"):
                type_code = {"category": CATEGORY, "brand": BRAND, "collection": COLLECTION}[name]
                c = self.classifications.get(type_code)
                if c is None or c["code"] != value:
                    return False
            elif name == "color":
                if all(k.color_code != value for k in self.skus):
                    return False
            elif name == "size":
                if all(k.size != value for k in self.skus):
                    return False
            elif name == "barcode":
                if all(value not in k.barcodes for k in self.skus):
                    return False
            elif name == "branch":
                if all(k.branch_available(int(value)) < 1 for k in self.skus):
                    return False
            elif name == "available":
                if self.in_stock != value:
                    return False
            elif name == "price_min":
                if all(k.effective < Decimal(value) for k in self.skus):
                    return False
            elif name == "price_max":
                if all(k.effective > Decimal(value) for k in self.skus):
                    return False
            elif name == "price_range":
                low, high = (Decimal(v) for v in value)
                if all(not low <= k.effective <= high for k in self.skus):
                    return False
            elif name == "q":
                if not self.found_by(value):
                    return False
            else:
                raise AssertionError(f"the oracle knows no filter {name!r}")
        return True

    def found_by(self, q: str) -> bool:
        """Every word of ``q`` starts a word of the name, reference or descriptions."""
        text = " ".join(
            t for t in (self.name, self.reference, self.erp_description, self.web_description) if t
        )
        tokens = _tokens(text)
        words = [w for w in re.findall(r"\w+", q) if w != "_"][:8]
        return all(any(t.startswith(plain(w)) for t in tokens) for w in words)


class Oracle:
    def __init__(self, products: Mapping[str, ProductView]) -> None:
        #: Every product the storefront may show, by reference.
        self.products = dict(products)

    def shown(self, **filters: Any) -> set[str]:
        return {r for r, p in self.products.items() if p.matches(**filters)}

    def __getitem__(self, reference: str) -> ProductView:
        return self.products[reference]


async def load_oracle(conn: asyncpg.Connection) -> Oracle:
    """The storefront catalog the mirror tables call for, computed in Python."""
    products = await conn.fetch("SELECT * FROM products")
    skus = await conn.fetch("SELECT * FROM skus")
    prices = {
        r["product_code"]: r
        for r in await conn.fetch(
            "SELECT * FROM prices WHERE price_code = $1 AND branch_code = $2",
            PRICE_CODE,
            PRICE_BRANCH,
        )
    }
    balances: dict[int, list[Any]] = defaultdict(list)
    for r in await conn.fetch("SELECT * FROM stock_balances"):
        balances[r["product_code"]].append(r)
    reserved = {
        r["product_code"]: r["reserved"]
        for r in await conn.fetch("SELECT * FROM stock_reservations")
    }
    future: dict[int, list[Any]] = defaultdict(list)
    for r in await conn.fetch("SELECT * FROM future_stock"):
        future[r["product_code"]].append(r)
    colors = {r["code"]: r["name"] for r in await conn.fetch("SELECT * FROM colors")}
    grids = {r["code"]: list(r["sizes"]) for r in await conn.fetch("SELECT * FROM size_grids")}
    names = {
        (r["type_code"], r["code"]): r for r in await conn.fetch("SELECT * FROM classifications")
    }
    classified: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for r in await conn.fetch("SELECT * FROM product_classifications"):
        known = names.get((r["type_code"], r["code"]))
        classified[r["reference_code"]][r["type_code"]] = {
            "type": r["type_code"],
            "type_name": known["type_name"] if known else None,
            "code": r["code"],
            "name": known["name"] if known else None,
        }

    views: dict[str, ProductView] = {}
    for p in products:
        if not p["is_active"] or p["deleted_at"] is not None:
            continue
        views[p["reference_code"]] = ProductView(
            reference=p["reference_code"],
            name=p["name"],
            description=p["web_description"]
            if p["web_description"] is not None
            else p["description"],
            erp_description=p["description"],
            web_description=p["web_description"],
            origin=p["origin"],
            images=list(p["images"]),
            expires_on=p["expires_on"],
            listed_at=p["created_at"],
            changed_at=p["changed_at"],
            classifications=classified.get(p["reference_code"], {}),
        )
    for k in skus:
        product = views.get(k["reference_code"])
        price = prices.get(k["product_code"])
        if (
            product is None
            or not k["is_active"]
            or k["is_blocked"]
            or price is None
            or price["price"] is None
            or price["price"] <= 0  # orders refuse a SKU without a positive price
        ):
            continue
        code = k["product_code"]
        per_branch: dict[int, Decimal] = defaultdict(Decimal)
        for b in balances[code]:
            per_branch[b["branch_code"]] += b["available"]
        total = sum((b["available"] for b in balances[code]), Decimal(0))
        grid = grids.get(k["grid_code"], [])
        product.skus.append(
            SkuView(
                product_code=code,
                sku=k["sku"],
                color_code=k["color_code"],
                color_name=colors.get(k["color_code"], k["color_name"]),
                size=k["size"],
                size_rank=grid.index(k["size"]) + 1 if k["size"] in grid else 2**31 - 1,
                barcodes=list(k["barcodes"]),
                price=price["price"],
                promotional_price=price["promotional_price"],
                available=max(0, math.floor(total - reserved.get(code, 0))),
                stock=[
                    {"branch": b, "available": max(0, math.floor(a))}
                    for b, a in sorted(per_branch.items())
                ],
                future_stock=[
                    {
                        "branch": f["branch_code"],
                        "production_order": f["order_code"],
                        "quantity": f["pending_quantity"],
                        "expected_date": f["expected_date"].isoformat()
                        if f["expected_date"]
                        else None,
                    }
                    for f in sorted(
                        (f for f in future[code] if f["pending_quantity"] > 0),
                        key=lambda f: (
                            f["expected_date"] is None,
                            f["expected_date"] or date.min,
                            f["branch_code"],
                            f["order_code"],
                        ),
                    )
                ],
            )
        )
    for product in views.values():
        product.skus.sort(
            key=lambda k: (
                k.color_code is None,
                k.color_code or "",
                k.size_rank,
                k.size or "",
                k.product_code,
            )
        )
    return Oracle({r: p for r, p in views.items() if p.skus})


async def collation_ranks(conn: asyncpg.Connection, values: Iterable[str]) -> dict[str, int]:
    """Each value's position under the database's default collation: the order ``ORDER BY`` on
    a text column gives, whatever the server's locale."""
    ordered = await conn.fetchval(
        "SELECT array_agg(v ORDER BY v) FROM (SELECT DISTINCT unnest($1::text[]) AS v) s",
        sorted(set(values)),
    )
    return {v: i for i, v in enumerate(ordered or [])}


_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)")


def normalise(value: Any) -> Any:
    """JSON from the API made comparable with the oracle: ISO timestamps become datetimes."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, str) and _TIMESTAMP.fullmatch(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value
