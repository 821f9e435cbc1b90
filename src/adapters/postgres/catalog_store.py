"""Products admins manage in Ponte: written into the same mirror tables the sync fills.

A Ponte product is a ``products`` row (``origin = 'ponte'``) with one SKU, whose product code
comes from the descending ``ponte_product_codes`` sequence (negative, so never an ERP code), one
price in the storefront table, one stock balance at the storefront stock branch and code, and its
section as a classification of the category type. The sync never writes negative codes, and it
leaves ``origin``, the web fields, ``expires_on`` and ``deleted_at`` alone.

Admin writes take one transaction-scoped advisory lock, so the reference and barcode checks
cannot race each other.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.catalog_refresh import CatalogView
from application.catalog.ports import StoredProduct
from domain.errors import Conflict
from domain.products import ManagedProduct, WebFields

_LOCK = "SELECT pg_advisory_xact_lock(hashtext('ponte:managed-products'))"
_MARK = "INSERT INTO catalog_dirty (reference_code) VALUES (:reference)"


class PostgresProductStore:
    """Implements :class:`application.catalog.ports.ProductStore` on the request connection."""

    def __init__(self, connection: AsyncConnection, view: CatalogView) -> None:
        self._connection = connection
        self._view = view

    async def _run(self, sql: str, **params: Any) -> Any:
        return await self._connection.execute(text(sql), params)

    async def find(self, reference: str) -> StoredProduct | None:
        if "\x00" in reference:  # PostgreSQL holds no NUL: no such product
            return None
        row = (
            await self._run(
                "SELECT origin, deleted_at IS NOT NULL AS deleted FROM products "
                "WHERE reference_code = :reference",
                reference=reference,
            )
        ).first()
        return StoredProduct(reference, row.origin, row.deleted) if row else None

    async def _check_barcode(self, product: ManagedProduct) -> None:
        if product.barcode is None:
            return
        taken = (
            await self._run(
                "SELECT k.reference_code FROM skus k JOIN products p USING (reference_code) "
                "WHERE k.barcodes @> ARRAY[CAST(:barcode AS text)] "
                "AND k.reference_code <> :reference AND p.deleted_at IS NULL LIMIT 1",
                barcode=product.barcode,
                reference=product.reference,
            )
        ).scalar()
        if taken is not None:
            raise Conflict(
                f"barcode {product.barcode} belongs to product {taken}",
                slug="barcode-taken",
                field="barcode",
            )

    async def add(self, product: ManagedProduct) -> None:
        await self._run(_LOCK)
        if (await self.find(product.reference)) is not None:
            raise Conflict(
                f"product {product.reference} already exists",
                slug="product-exists",
                field="reference",
            )
        await self._check_barcode(product)
        await self._run(
            "INSERT INTO products (reference_code, name, description, is_active, changed_at, "
            "origin, images, expires_on) VALUES (:reference, :name, :description, true, now(), "
            "'ponte', :images, :expires_on)",
            **_product_values(product),
        )
        code = (await self._run("SELECT nextval('ponte_product_codes')")).scalar_one()
        v = self._view
        await self._run(
            "INSERT INTO skus (product_code, sku, reference_code, name, barcodes, measured_unit, "
            "is_active, is_blocked, changed_at) VALUES (:code, :reference, :reference, :name, "
            ":barcodes, 'UN', true, false, now())",
            code=code,
            reference=product.reference,
            name=product.name,
            barcodes=_barcodes(product),
        )
        await self._run(
            "INSERT INTO prices (product_code, branch_code, price_code, price, changed_at) "
            "VALUES (:code, :branch, :price_code, :price, now())",
            code=code,
            branch=v.price_branch,
            price_code=v.price_code,
            price=product.price.amount,
        )
        await self._run(
            "INSERT INTO stock_balances (product_code, branch_code, stock_code, stock, "
            "sales_order, input_transaction, output_transaction, production_order_progress, "
            "production_order_wait_lib, available, changed_at) "
            "VALUES (:code, :branch, :stock_code, :stock, 0, 0, 0, 0, 0, :stock, now())",
            code=code,
            branch=v.stock_branch,
            stock_code=v.stock_code,
            stock=product.stock,
        )
        await self._set_section(product)
        await self._run(_MARK, reference=product.reference)

    async def replace(self, product: ManagedProduct) -> None:
        await self._run(_LOCK)
        await self._check_barcode(product)
        await self._run(
            "UPDATE products SET name = :name, description = :description, images = :images, "
            "expires_on = :expires_on, web_description = NULL, changed_at = now() "
            "WHERE reference_code = :reference",
            **_product_values(product),
        )
        code = (
            await self._run(
                "UPDATE skus SET name = :name, barcodes = :barcodes, changed_at = now() "
                "WHERE reference_code = :reference RETURNING product_code",
                reference=product.reference,
                name=product.name,
                barcodes=_barcodes(product),
            )
        ).scalar_one()
        await self._run(
            "UPDATE prices SET price = :price, changed_at = now() WHERE product_code = :code",
            code=code,
            price=product.price.amount,
        )
        await self._run(
            "UPDATE stock_balances SET stock = :stock, available = :stock, changed_at = now() "
            "WHERE product_code = :code",
            code=code,
            stock=product.stock,
        )
        await self._set_section(product)
        await self._run(_MARK, reference=product.reference)

    async def set_web_fields(self, reference: str, fields: WebFields) -> None:
        await self._run(
            "UPDATE products SET web_description = :description, images = :images "
            "WHERE reference_code = :reference",
            reference=reference,
            description=fields.description,
            images=list(fields.images),
        )
        await self._run(_MARK, reference=reference)

    async def delete(self, reference: str) -> None:
        await self._run(
            "UPDATE products SET deleted_at = now() WHERE reference_code = :reference",
            reference=reference,
        )
        await self._run(
            "UPDATE skus SET is_active = false, changed_at = now() "
            "WHERE reference_code = :reference",
            reference=reference,
        )
        await self._run(_MARK, reference=reference)

    async def commit(self) -> None:
        await self._connection.commit()

    async def _set_section(self, product: ManagedProduct) -> None:
        params = {"reference": product.reference, "type": self._view.category_type}
        if product.section is None:
            await self._run(
                "DELETE FROM product_classifications "
                "WHERE reference_code = :reference AND type_code = :type",
                **params,
            )
            return
        await self._run(
            "INSERT INTO product_classifications (reference_code, type_code, code) "
            "VALUES (:reference, :type, :code) "
            "ON CONFLICT (reference_code, type_code) DO UPDATE SET code = EXCLUDED.code",
            code=product.section,
            **params,
        )


def _product_values(product: ManagedProduct) -> dict[str, Any]:
    return {
        "reference": product.reference,
        "name": product.name,
        "description": product.description,
        "images": list(product.images),
        "expires_on": product.expires_on,
    }


def _barcodes(product: ManagedProduct) -> list[str]:
    return [product.barcode] if product.barcode else []
