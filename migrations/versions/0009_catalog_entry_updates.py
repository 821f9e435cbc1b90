"""Catalog entries: an index for price-sorted pages, and room on each page for HOT updates.

**Price spread.** A price-sorted listing with a lower price bound used to read, in its category
or brand, every product priced below the bound just to find the few whose range straddles it.
The listing now reads those from this index (products whose SKU prices differ are usually few)
and everything else from the bound on. It indexes the expression ``price_min < price_max`` (not
a partial index with that predicate) so that ANALYZE samples the expression: the planner then
knows how few products straddle anything and picks this index.

**Fill factor 75.** After an order the refresher rewrites the entries of the products it
touched; only availability changes (the JSON and ``in_stock``, none of them indexed), so the new
row version can stay on its page without touching the table's 17 indexes (a HOT update) — when
the page has room for it. Pages are now filled to 75 %; existing pages make room as their rows
move.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE catalog_entries SET (fillfactor = 75)")
    op.create_index(
        "ix_catalog_entries_price_spread",
        "catalog_entries",
        [sa.text("(price_min < price_max)"), "price_max"],
    )


def downgrade() -> None:
    op.execute("ALTER TABLE catalog_entries RESET (fillfactor)")
    op.drop_index("ix_catalog_entries_price_spread", "catalog_entries")
