"""Catalog rows and customers for the order tests, inserted straight into the tables."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg

#: The storefront price table and branch of the test settings (price code 1 at branch 1), and
#: the category classification type.
PRICE_CODE, PRICE_BRANCH, CATEGORY_TYPE = 1, 1, 1


async def product(
    conn: asyncpg.Connection, reference: str, *, section: str | None = None, deleted: bool = False
) -> None:
    await conn.execute(
        "INSERT INTO products (reference_code, name, is_active, deleted_at) "
        "VALUES ($1, $2, true, $3)",
        reference,
        f"Product {reference}",
        datetime.now(UTC) if deleted else None,
    )
    if section is not None:
        await conn.execute(
            "INSERT INTO product_classifications (reference_code, type_code, code) "
            "VALUES ($1, $2, $3)",
            reference,
            CATEGORY_TYPE,
            section,
        )
    # A classification of another type is never taken for the section.
    await conn.execute(
        "INSERT INTO product_classifications (reference_code, type_code, code) "
        "VALUES ($1, 2, 'BR')",
        reference,
    )


async def sku(
    conn: asyncpg.Connection,
    code: int,
    reference: str,
    *,
    price: str | None = "10.00",
    promotional: str | None = None,
    stock: tuple[str, ...] = ("10",),
    active: bool = True,
    blocked: bool = False,
    price_code: int = PRICE_CODE,
) -> None:
    """A SKU with one price row and one balance row per ``stock`` figure (branches 1, 2, …)."""
    await conn.execute(
        "INSERT INTO skus (product_code, reference_code, name, is_active, is_blocked) "
        "VALUES ($1, $2, $3, $4, $5)",
        code,
        reference,
        f"SKU {code}",
        active,
        blocked,
    )
    if price is not None:
        await conn.execute(
            "INSERT INTO prices (product_code, branch_code, price_code, price, promotional_price) "
            "VALUES ($1, $2, $3, $4, $5)",
            code,
            PRICE_BRANCH,
            price_code,
            Decimal(price),
            None if promotional is None else Decimal(promotional),
        )
    for branch, available in enumerate(stock, start=1):
        await conn.execute(
            "INSERT INTO stock_balances (product_code, branch_code, stock_code, stock, sales_order,"
            " input_transaction, output_transaction, production_order_progress,"
            " production_order_wait_lib, available) VALUES ($1, $2, 1, $3, 0, 0, 0, 0, 0, $3)",
            code,
            branch,
            Decimal(available),
        )


async def customer(conn: asyncpg.Connection, *, deleted: bool = False) -> uuid.UUID:
    customer_id = uuid.uuid4()
    now = datetime.now(UTC)
    await conn.execute(
        "INSERT INTO customers (id, kind, name, name_search, document, created_at, updated_at, "
        "deleted_at) VALUES ($1, 'individual', 'Ana', 'ana', $2, $3, $3, $4)",
        customer_id,
        None if deleted else customer_id.hex[:11],
        now,
        now if deleted else None,
    )
    return customer_id


async def reserved(conn: asyncpg.Connection) -> dict[int, int]:
    rows = await conn.fetch("SELECT product_code, reserved FROM stock_reservations")
    return {row["product_code"]: row["reserved"] for row in rows}


async def dirty(conn: asyncpg.Connection) -> set[str]:
    return {
        r["reference_code"] for r in await conn.fetch("SELECT reference_code FROM catalog_dirty")
    }
