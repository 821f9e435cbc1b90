"""Catalog mirror and sync bookkeeping.

Revision ID: 0001
Revises:
Create Date: 2025-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _changed_at() -> sa.Column[sa.DateTime]:
    return sa.Column("changed_at", TZ, nullable=True)


def _synced_at() -> sa.Column[sa.DateTime]:
    return sa.Column("synced_at", TZ, nullable=False, server_default=sa.func.now())


def _numeric(name: str, *, nullable: bool = False) -> sa.Column[sa.Numeric]:
    return sa.Column(name, sa.Numeric(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "colors",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("additional_info", sa.Text(), nullable=True),
        _changed_at(),
        _synced_at(),
        sa.PrimaryKeyConstraint("code", name="pk_colors"),
    )
    op.create_table(
        "size_grids",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("grid_type", sa.Text(), nullable=True),
        sa.Column(
            "sizes", postgresql.ARRAY(sa.Text()), nullable=False, server_default=sa.text("'{}'")
        ),
        _changed_at(),
        _synced_at(),
        sa.PrimaryKeyConstraint("code", name="pk_size_grids"),
    )
    op.create_table(
        "classifications",
        sa.Column("type_code", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("type_name", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        _synced_at(),
        sa.PrimaryKeyConstraint("type_code", "code", name="pk_classifications"),
    )
    op.create_table(
        "products",
        sa.Column("reference_code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        _changed_at(),
        _synced_at(),
        sa.PrimaryKeyConstraint("reference_code", name="pk_products"),
    )
    op.create_table(
        "skus",
        sa.Column("product_code", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sku", sa.Text(), nullable=True),
        sa.Column("reference_code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("color_code", sa.Text(), nullable=True),
        sa.Column("color_name", sa.Text(), nullable=True),
        sa.Column("size", sa.Text(), nullable=True),
        sa.Column("grid_code", sa.Text(), nullable=True),
        sa.Column(
            "barcodes", postgresql.ARRAY(sa.Text()), nullable=False, server_default=sa.text("'{}'")
        ),
        sa.Column("ncm", sa.Text(), nullable=True),
        sa.Column("measured_unit", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_blocked", sa.Boolean(), nullable=False),
        _changed_at(),
        _synced_at(),
        sa.PrimaryKeyConstraint("product_code", name="pk_skus"),
    )
    op.create_index("ix_skus_reference_code", "skus", ["reference_code"])
    op.create_table(
        "product_classifications",
        sa.Column("reference_code", sa.Text(), nullable=False),
        sa.Column("type_code", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("reference_code", "type_code", name="pk_product_classifications"),
    )
    op.create_table(
        "stock_balances",
        sa.Column("product_code", sa.BigInteger(), nullable=False),
        sa.Column("branch_code", sa.Integer(), nullable=False),
        sa.Column("stock_code", sa.Integer(), nullable=False),
        _numeric("stock"),
        _numeric("sales_order"),
        _numeric("input_transaction"),
        _numeric("output_transaction"),
        _numeric("production_order_progress"),
        _numeric("production_order_wait_lib"),
        _numeric("available"),
        _changed_at(),
        _synced_at(),
        sa.PrimaryKeyConstraint(
            "product_code", "branch_code", "stock_code", name="pk_stock_balances"
        ),
    )
    op.create_table(
        "prices",
        sa.Column("product_code", sa.BigInteger(), nullable=False),
        sa.Column("branch_code", sa.Integer(), nullable=False),
        sa.Column("price_code", sa.Integer(), nullable=False),
        _numeric("price"),
        _numeric("promotional_price", nullable=True),
        _changed_at(),
        _synced_at(),
        sa.PrimaryKeyConstraint("product_code", "branch_code", "price_code", name="pk_prices"),
    )
    op.create_table(
        "costs",
        sa.Column("product_code", sa.BigInteger(), nullable=False),
        sa.Column("branch_code", sa.Integer(), nullable=False),
        sa.Column("cost_code", sa.Integer(), nullable=False),
        _numeric("cost"),
        _changed_at(),
        _synced_at(),
        sa.PrimaryKeyConstraint("product_code", "branch_code", "cost_code", name="pk_costs"),
    )
    op.create_table(
        "future_stock",
        sa.Column("branch_code", sa.Integer(), nullable=False),
        sa.Column("order_code", sa.BigInteger(), nullable=False),
        sa.Column("product_code", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        _numeric("quantity"),
        _numeric("pending_quantity"),
        sa.Column("expected_date", sa.Date(), nullable=True),
        _changed_at(),
        _synced_at(),
        sa.PrimaryKeyConstraint(
            "branch_code", "order_code", "product_code", name="pk_future_stock"
        ),
    )
    op.create_index("ix_future_stock_product_code", "future_stock", ["product_code"])
    op.create_table(
        "sync_cursors",
        sa.Column("stream", sa.Text(), nullable=False),
        sa.Column("position", TZ, nullable=True),
        sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("stream", name="pk_sync_cursors"),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("stream", sa.Text(), nullable=False),
        sa.Column("mode", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("rows_read", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("rows_inserted", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("rows_updated", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("rows_unchanged", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("rows_rejected", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("cursor_before", TZ, nullable=True),
        sa.Column("cursor_after", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sync_runs"),
    )
    op.create_index("ix_sync_runs_started_at_id", "sync_runs", ["started_at", "id"])
    op.create_index(
        "ix_sync_runs_stream_started_at_id", "sync_runs", ["stream", "started_at", "id"]
    )
    op.create_index(
        "ix_sync_runs_status_started_at_id", "sync_runs", ["status", "started_at", "id"]
    )
    op.create_table(
        "sync_run_rejections",
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sync_runs.id"],
            name="fk_sync_run_rejections_run_id_sync_runs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "seq", name="pk_sync_run_rejections"),
    )


def downgrade() -> None:
    op.drop_table("sync_run_rejections")
    op.drop_table("sync_runs")
    op.drop_table("sync_cursors")
    op.drop_table("future_stock")
    op.drop_table("costs")
    op.drop_table("prices")
    op.drop_table("stock_balances")
    op.drop_table("product_classifications")
    op.drop_table("skus")
    op.drop_table("products")
    op.drop_table("classifications")
    op.drop_table("size_grids")
    op.drop_table("colors")
