"""Catalog navigation: category and brand pages read one btree index in the requested order;
the SKU prices of each entry, for price-range filters; search words split at every non-alphanumeric.

A storefront's most common listing is a category (or brand) page, in stock, sorted by name,
price or newest, 24 at a time. With the category only inside the ``classifications`` array, each
such page was a GIN bitmap of the whole category plus a sort; with the codes in columns and an
index per (code, sort key), the page is the first rows of one index range.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SORT_KEYS = ("name", "price_min", "listed_at")


def upgrade() -> None:
    op.add_column("catalog_entries", sa.Column("category_code", sa.Text(), nullable=True))
    op.add_column("catalog_entries", sa.Column("brand_code", sa.Text(), nullable=True))
    # A product matches a price range when one of its SKUs' prices is inside it.
    op.add_column("catalog_entries", sa.Column("prices", postgresql.ARRAY(sa.Numeric())))
    for code in ("category_code", "brand_code"):
        for key in SORT_KEYS:
            op.create_index(
                f"ix_catalog_entries_{code}_{key}_reference_code",
                "catalog_entries",
                [code, key, "reference_code"],
            )
    # Entries are rebuilt from the mirror: mark them all so the refresher fills the new columns.
    op.execute(
        "INSERT INTO catalog_dirty (reference_code) SELECT reference_code FROM products "
        "ON CONFLICT DO NOTHING"
    )


def downgrade() -> None:
    for code in ("category_code", "brand_code"):
        for key in SORT_KEYS:
            op.drop_index(f"ix_catalog_entries_{code}_{key}_reference_code", "catalog_entries")
    op.drop_column("catalog_entries", "prices")
    op.drop_column("catalog_entries", "brand_code")
    op.drop_column("catalog_entries", "category_code")
