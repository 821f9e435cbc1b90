"""Write-back to the ERP: the outbox, delivery attempts and pauses, outside-call log,
idempotency keys, and the ERP's keys and follow-up fields on customers and orders.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = sa.text("status IN ('pending', 'in_flight')")


def upgrade() -> None:
    op.add_column("customers", sa.Column("erp_changed_at", sa.DateTime(timezone=True)))
    op.create_index(
        "ix_customers_erp_code",
        "customers",
        ["erp_code"],
        unique=True,
        postgresql_where=sa.text("erp_code IS NOT NULL"),
    )
    op.add_column("orders", sa.Column("erp_branch_code", sa.Integer()))
    op.add_column("orders", sa.Column("erp_order_code", sa.BigInteger()))
    op.add_column("orders", sa.Column("erp_status", sa.Text()))
    op.add_column("orders", sa.Column("erp_inserted_at", sa.DateTime(timezone=True)))
    op.add_column("orders", sa.Column("erp_changed_at", sa.DateTime(timezone=True)))
    op.add_column(
        "orders",
        sa.Column("invoices", postgresql.JSONB(), nullable=False, server_default=sa.text("'[]'")),
    )
    op.create_index(
        "ix_orders_erp_branch_code_erp_order_code",
        "orders",
        ["erp_branch_code", "erp_order_code"],
        unique=True,
        postgresql_where=sa.text("erp_order_code IS NOT NULL"),
    )
    op.create_index(
        "ix_orders_open_reservations",
        "orders",
        ["erp_inserted_at"],
        postgresql_where=sa.text("reservation_open"),
    )
    for column in ("served_quantity", "cancelled_quantity"):
        op.add_column(
            "order_items",
            sa.Column(column, sa.Integer(), nullable=False, server_default=sa.text("0")),
        )

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("aggregate_type", sa.Text(), nullable=False),
        sa.Column("aggregate_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("parent_id", postgresql.UUID(as_uuid=True)),
        sa.Column("payload", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("status", sa.Text(), nullable=False, server_default=sa.text("'pending'")),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("attempt_base", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text()),
        sa.Column("last_error_code", sa.Text()),
        sa.Column("result", postgresql.JSONB()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "status IN ('pending', 'in_flight', 'delivered', 'failed', 'dead')",
            name="ck_outbox_status",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_due", "outbox", ["next_attempt_at", "id"], postgresql_where=_OPEN)
    op.create_index(
        "ix_outbox_open_aggregate", "outbox", ["aggregate_id", "id"], postgresql_where=_OPEN
    )
    op.create_index("ix_outbox_status_created_at_id", "outbox", ["status", "created_at", "id"])
    op.create_index("ix_outbox_created_at_id", "outbox", ["created_at", "id"])
    op.create_index("ix_outbox_aggregate_id_id", "outbox", ["aggregate_id", "id"])
    op.create_index("ix_outbox_delivered_at", "outbox", ["delivered_at"])
    # Wake listening workers when (and only when) a transaction that queued messages commits.
    op.execute(
        "CREATE FUNCTION ponte_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_notify('ponte_outbox', ''); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox "
        "FOR EACH STATEMENT EXECUTE FUNCTION ponte_outbox_notify()"
    )
    # What Ponte took in before the outbox existed still has to reach the ERP.
    op.execute(
        "INSERT INTO outbox (kind, aggregate_type, aggregate_id, next_attempt_at, created_at,"
        " updated_at)"
        " SELECT 'customer.upsert', 'customer', id, now(), now(), now() FROM customers"
        "  WHERE origin = 'ponte' AND deleted_at IS NULL AND erp_code IS NULL"
        "  ORDER BY created_at, id"
    )
    op.execute(
        "INSERT INTO outbox (kind, aggregate_type, aggregate_id, parent_id, next_attempt_at,"
        " created_at, updated_at)"
        " SELECT 'order.create', 'order', id, customer_id, now(), now(), now() FROM orders"
        # Orders already invoiced or later were fulfilled without the ERP hearing of them
        # through Ponte (keyed in by hand): sending them now would book them twice.
        "  WHERE origin = 'ponte' AND status IN ('pending', 'confirmed') AND reservation_open"
        "  ORDER BY created_at, id"
    )

    op.create_table(
        "outbox_attempts",
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.Text()),
        sa.Column("error", sa.Text()),
        sa.Column("error_code", sa.Text()),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox.id"],
            name="fk_outbox_attempts_message_id_outbox",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", "attempt", name="pk_outbox_attempts"),
    )
    op.create_table(
        "delivery_pauses",
        sa.Column("connection", sa.Text(), nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("connection", name="pk_delivery_pauses"),
    )
    op.create_table(
        "outside_calls",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("connection", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer()),
        sa.Column("duration_ms", sa.Numeric(12, 3), nullable=False),
        sa.Column("correlation_id", sa.Text()),
        sa.Column("request_body", sa.Text()),
        sa.Column("response_body", sa.Text()),
        sa.Column("error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_outside_calls"),
    )
    op.create_index("ix_outside_calls_at_id", "outside_calls", ["at", "id"])
    op.create_index("ix_outside_calls_correlation_id_id", "outside_calls", ["correlation_id", "id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("resource_id", postgresql.UUID(as_uuid=True)),
        sa.Column("status_code", sa.Integer()),
        sa.Column("response_body", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    op.create_index(
        "ix_idempotency_keys_resource_id",
        "idempotency_keys",
        ["resource_id"],
        postgresql_where=sa.text("resource_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("outside_calls")
    op.drop_table("delivery_pauses")
    op.drop_table("outbox_attempts")
    op.drop_table("outbox")
    op.execute("DROP FUNCTION ponte_outbox_notify()")
    for column in ("served_quantity", "cancelled_quantity"):
        op.drop_column("order_items", column)
    op.drop_index("ix_orders_open_reservations", "orders")
    op.drop_index("ix_orders_erp_branch_code_erp_order_code", "orders")
    for column in (
        "invoices",
        "erp_changed_at",
        "erp_inserted_at",
        "erp_status",
        "erp_order_code",
        "erp_branch_code",
    ):
        op.drop_column("orders", column)
    op.drop_index("ix_customers_erp_code", "customers")
    op.drop_column("customers", "erp_changed_at")
