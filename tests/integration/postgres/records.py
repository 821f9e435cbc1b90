"""Domain records for the PostgreSQL tests: ``make(stream, key, version)`` builds one record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from domain.catalog import (
    Classification,
    ClassificationRef,
    Color,
    Cost,
    FutureStock,
    Price,
    SizeGrid,
    Sku,
    StockBalance,
)
from domain.sync import Stream

T0 = datetime(2025, 3, 1, 9, 30, tzinfo=ZoneInfo("America/Sao_Paulo"))


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def sku(
    code: int,
    version: int = 0,
    *,
    reference: str = "REF1",
    active: bool = True,
    classifications: tuple[tuple[int, str], ...] = ((1, "CAMISETA"), (2, "VERAO")),
    changed: int | None = None,
) -> Sku:
    return Sku(
        product_code=code,
        sku=f"SKU-{code}",
        name=f"Camiseta {code} v{version}",
        reference_code=reference,
        reference_name=f"Camiseta {reference} v{version}",
        description=None if version == 0 else f"Descrição v{version}",
        color_code="001",
        color_name="Preto",
        size=("P", "M", "G")[code % 3],
        grid_code="G1",
        barcodes=(f"789{code:010d}",) + ((f"790{code:010d}",) if version else ()),
        ncm="61091000",
        measured_unit="UN",
        is_active=active,
        is_blocked=False,
        classifications=tuple(ClassificationRef(t, c) for t, c in classifications),
        changed_at=at(version if changed is None else changed),
    )


def _color(key: int, version: int) -> Color:
    return Color(
        f"{key:03d}", f"Cor {key} v{version}", None if version == 0 else "fosco", at(version)
    )


def _size_grid(key: int, version: int) -> SizeGrid:
    sizes = ("P", "M", "G") + (("GG",) if version else ())
    return SizeGrid(f"G{key}", f"Grade {key} v{version}", "letras", sizes, at(version))


def _classification(key: int, version: int) -> Classification:
    return Classification(1, "Categoria", f"{key:04d}", f"Categoria {key} v{version}")


def _balance(key: int, version: int) -> StockBalance:
    stock = Decimal(10 + version)
    return StockBalance(
        key, 1, 1, stock, Decimal(2), Decimal("0.5"), Decimal(1), Decimal(0), Decimal(3),
        stock + Decimal("0.5") - Decimal(1) - Decimal(2), at(version),
    )  # fmt: skip


def _price(key: int, version: int) -> Price:
    promotional = None if version == 0 else Decimal("79.90")
    return Price(key, 1, 1, Decimal("99.90") + version, promotional, at(version))


def _cost(key: int, version: int) -> Cost:
    return Cost(key, 1, 2, Decimal("41.2500") + version, at(version))


def _future_stock(key: int, version: int) -> FutureStock:
    expected = date(2025, 4, 1) + timedelta(days=version)
    return FutureStock(
        1, 500 + key, key, 5, Decimal(12), Decimal(12 - version), expected, at(version)
    )


MAKERS: dict[Stream, Callable[[int, int], Any]] = {
    Stream.COLORS: _color,
    Stream.SIZES: _size_grid,
    Stream.CLASSIFICATIONS: _classification,
    Stream.PRODUCTS: lambda key, version: sku(key, version),
    Stream.BALANCES: _balance,
    Stream.PRICES: _price,
    Stream.COSTS: _cost,
    Stream.PRODUCTION_ORDERS: _future_stock,
}


def make(stream: Stream, key: int, version: int = 0) -> Any:
    return MAKERS[stream](key, version)
