"""Catalog marks become an append-only queue: writers never wait and no mark is lost.

With one row per reference, a writer's ``ON CONFLICT DO NOTHING`` on a mark that already existed
took no lock, so the refresher could claim and delete that mark and rebuild the entry before the
writer committed: the writer's change never reached the catalog. Locking the mark instead would
make orders wait for a sync's whole transaction. Each mark is now its own row: a refresher claims
only committed marks (``FOR UPDATE SKIP LOCKED``), and a mark committed later stays for the next
pass.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint("pk_catalog_dirty", "catalog_dirty", type_="primary")
    op.add_column(
        "catalog_dirty",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
    )
    op.create_primary_key("pk_catalog_dirty", "catalog_dirty", ["id"])
    op.create_index("ix_catalog_dirty_reference_code", "catalog_dirty", ["reference_code"])


def downgrade() -> None:
    op.drop_index("ix_catalog_dirty_reference_code", "catalog_dirty")
    op.drop_constraint("pk_catalog_dirty", "catalog_dirty", type_="primary")
    op.execute(
        "DELETE FROM catalog_dirty d USING catalog_dirty o "
        "WHERE o.reference_code = d.reference_code AND o.id < d.id"
    )
    op.drop_column("catalog_dirty", "id")
    op.create_primary_key("pk_catalog_dirty", "catalog_dirty", ["reference_code"])
