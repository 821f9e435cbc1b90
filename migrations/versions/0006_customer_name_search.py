"""Customers: a trigram index for the name filter, where the server has ``pg_trgm``.

``GET /clients?name=`` matches a substring of the folded name (``name_search LIKE '%term%'``),
which only a trigram index can serve. ``pg_trgm`` is a trusted contrib extension on any regular
PostgreSQL; embedded servers (pgserver) ship without contrib, so there the filter scans the
table, which is fine at the sizes a development database holds.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_customers_name_search_trgm"


def upgrade() -> None:
    op.execute(
        f"""
        DO $$
        BEGIN
            IF EXISTS (SELECT FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
                CREATE EXTENSION IF NOT EXISTS pg_trgm;
                CREATE INDEX IF NOT EXISTS {INDEX} ON customers
                    USING gin (name_search gin_trgm_ops);
            END IF;
        END
        $$
        """
    )


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
