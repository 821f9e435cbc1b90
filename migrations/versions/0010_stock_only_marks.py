"""Catalog marks say when only the stock to sell changed.

Orders take and release reservations, and the sync releases those the ERP has taken over: the
only change to the product's catalog entry is then the units available to sell (and whether it
is in stock). Such marks are flagged ``stock_only`` so that the refresher can patch those figures
into the entry instead of rebuilding the whole product page (see ``catalog_refresh``). Marks
written before this revision are full ones.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "catalog_dirty",
        sa.Column("stock_only", sa.Boolean(), nullable=False, server_default=sa.text("false")),
    )


def downgrade() -> None:
    op.drop_column("catalog_dirty", "stock_only")
