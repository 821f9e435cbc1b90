"""Storefront: web fields and Ponte-managed products, the catalog read model, stock
reservations, customers and orders.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)
TEXTS = postgresql.ARRAY(sa.Text())


def _products() -> None:
    op.add_column("products", sa.Column("origin", sa.Text(), server_default="erp", nullable=False))
    op.add_column("products", sa.Column("web_description", sa.Text(), nullable=True))
    op.add_column(
        "products", sa.Column("images", TEXTS, server_default=sa.text("'{}'"), nullable=False)
    )
    op.add_column("products", sa.Column("expires_on", sa.Date(), nullable=True))
    op.add_column(
        "products", sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False)
    )
    op.add_column("products", sa.Column("deleted_at", TZ, nullable=True))
    op.execute(
        "CREATE SEQUENCE ponte_product_codes INCREMENT BY -1 MINVALUE -4611686018427387904 "
        "MAXVALUE -1 START WITH -1"
    )
    # The refresher finds the products of a color's or a classification's SKUs.
    op.create_index("ix_skus_color_code", "skus", ["color_code"])
    op.create_index(
        "ix_product_classifications_type_code_code",
        "product_classifications",
        ["type_code", "code"],
    )


def _catalog() -> None:
    op.create_table(
        "catalog_entries",
        sa.Column("reference_code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("search", postgresql.TSVECTOR(), nullable=False),
        sa.Column("classifications", TEXTS, nullable=False),
        sa.Column("colors", TEXTS, nullable=False),
        sa.Column("sizes", TEXTS, nullable=False),
        sa.Column("barcodes", TEXTS, nullable=False),
        sa.Column("price_min", sa.Numeric(), nullable=True),
        sa.Column("price_max", sa.Numeric(), nullable=True),
        sa.Column("stock_branches", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("in_stock", sa.Boolean(), nullable=False),
        sa.Column("listed_at", TZ, nullable=False),
        sa.Column("card", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=False),
        sa.Column("refreshed_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("reference_code", name="pk_catalog_entries"),
    )
    # Sorts (keyset on the sort key, then the reference).
    op.create_index(
        "ix_catalog_entries_name_reference_code", "catalog_entries", ["name", "reference_code"]
    )
    op.create_index(
        "ix_catalog_entries_price_min_reference_code",
        "catalog_entries",
        ["price_min", "reference_code"],
    )
    op.create_index(
        "ix_catalog_entries_listed_at_reference_code",
        "catalog_entries",
        ["listed_at", "reference_code"],
    )
    # Filters: array containment and full-text search.
    for column in ("search", "classifications", "colors", "sizes", "barcodes", "stock_branches"):
        op.create_index(
            f"ix_catalog_entries_{column}",
            "catalog_entries",
            [column],
            postgresql_using="gin",
        )
    op.create_table(
        "catalog_dirty",
        sa.Column("reference_code", sa.Text(), nullable=False),
        sa.Column("marked_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("reference_code", name="pk_catalog_dirty"),
    )
    op.create_table(
        "stock_reservations",
        sa.Column("product_code", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("reserved", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("reserved >= 0", name="ck_stock_reservations_reserved_not_negative"),
        sa.PrimaryKeyConstraint("product_code", name="pk_stock_reservations"),
    )


def _customers_and_orders() -> None:
    op.create_table(
        "customers",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_search", sa.Text(), nullable=False),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("phones", postgresql.JSONB(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column("addresses", postgresql.JSONB(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("origin", sa.Text(), server_default="ponte", nullable=False),
        sa.Column("erp_code", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("deleted_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
        sa.UniqueConstraint("document", name="uq_customers_document"),
        sa.UniqueConstraint("email", name="uq_customers_email"),
    )
    op.create_index("ix_customers_created_at_id", "customers", ["created_at", "id"])
    op.create_table(
        "orders",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("freight", sa.Numeric(14, 2), server_default=sa.text("0"), nullable=False),
        sa.Column("discount", sa.Numeric(14, 2), server_default=sa.text("0"), nullable=False),
        sa.Column("total", sa.Numeric(14, 2), nullable=False),
        sa.Column("shipping_address", postgresql.JSONB(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("reservation_open", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.Text(), server_default="ponte", nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_orders_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
    )
    op.create_index("ix_orders_created_at_id", "orders", ["created_at", "id"])
    op.create_index("ix_orders_status_created_at_id", "orders", ["status", "created_at", "id"])
    op.create_index(
        "ix_orders_customer_id_created_at_id", "orders", ["customer_id", "created_at", "id"]
    )
    op.create_table(
        "order_items",
        sa.Column("order_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("product_code", sa.BigInteger(), nullable=False),
        sa.Column("reference_code", sa.Text(), nullable=False),
        sa.Column("section_code", sa.Text(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(14, 2), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_order_items_order_id_orders", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("order_id", "product_code", name="pk_order_items"),
    )
    op.create_index(
        "ix_order_items_section_code_order_id", "order_items", ["section_code", "order_id"]
    )
    op.create_index("ix_order_items_product_code", "order_items", ["product_code"])


def upgrade() -> None:
    _products()
    _catalog()
    _customers_and_orders()
    # Every product the mirror already holds needs a catalog entry.
    op.execute("INSERT INTO catalog_dirty (reference_code) SELECT reference_code FROM products")


def downgrade() -> None:
    for table in ("order_items", "orders", "customers"):
        op.drop_table(table)
    for table in ("stock_reservations", "catalog_dirty", "catalog_entries"):
        op.drop_table(table)
    op.drop_index("ix_product_classifications_type_code_code", "product_classifications")
    op.drop_index("ix_skus_color_code", "skus")
    op.execute("DROP SEQUENCE ponte_product_codes")
    for column in ("deleted_at", "created_at", "expires_on", "images", "web_description", "origin"):
        op.drop_column("products", column)
