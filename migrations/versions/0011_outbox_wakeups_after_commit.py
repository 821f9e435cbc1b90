"""The outbox no longer notifies from inside the writer's transaction.

The statement trigger of 0008 ran ``NOTIFY ponte_outbox`` in every transaction that queued a
message. PostgreSQL then takes one database-wide lock when such a transaction commits and holds it
through the commit's WAL flush, so every order's commit waited for every other's. The writer's
request now wakes the listeners itself once it has committed (``adapters.postgres.outbox_waker``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DROP TRIGGER outbox_notify ON outbox")
    op.execute("DROP FUNCTION ponte_outbox_notify()")


def downgrade() -> None:
    op.execute(
        "CREATE FUNCTION ponte_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_notify('ponte_outbox', ''); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox "
        "FOR EACH STATEMENT EXECUTE FUNCTION ponte_outbox_notify()"
    )
