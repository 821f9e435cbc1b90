"""The catalog mirror and sync bookkeeping schema.

Catalog tables mirror the ERP and carry no foreign keys between each other: balances, prices,
costs and future stock may arrive before the SKU they name (streams run concurrently, pages in any
order, and an ERP may keep rows for SKUs it no longer lists), so a mirror must accept them as given.

Every catalog row has ``synced_at``: when Ponte last wrote it. Rows the sync found unchanged keep
their old ``synced_at`` (they are not rewritten).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _changed_at() -> Column[object]:
    return Column("changed_at", DateTime(timezone=True), nullable=True)


def _synced_at() -> Column[object]:
    return Column("synced_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def _quantity(name: str, *, nullable: bool = False) -> Column[object]:
    return Column(name, Numeric, nullable=nullable)


colors = Table(
    "colors",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("additional_info", Text),
    _changed_at(),
    _synced_at(),
)

size_grids = Table(
    "size_grids",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("grid_type", Text),
    Column("sizes", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    _changed_at(),
    _synced_at(),
)

classifications = Table(
    "classifications",
    metadata,
    Column("type_code", Integer, nullable=False),
    Column("code", Text, nullable=False),
    Column("type_name", Text, nullable=False),
    Column("name", Text, nullable=False),
    _synced_at(),
    PrimaryKeyConstraint("type_code", "code"),
)

#: A product is an ERP reference; its SKUs are the sellable variants.
products = Table(
    "products",
    metadata,
    Column("reference_code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text),
    # True when any of the reference's SKUs is active.
    Column("is_active", Boolean, nullable=False),
    # The latest change among the reference's SKUs.
    _changed_at(),
    _synced_at(),
)

skus = Table(
    "skus",
    metadata,
    Column("product_code", BigInteger, primary_key=True, autoincrement=False),
    Column("sku", Text),
    Column("reference_code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("color_code", Text),
    Column("color_name", Text),
    Column("size", Text),
    Column("grid_code", Text),
    Column("barcodes", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("ncm", Text),
    Column("measured_unit", Text),
    Column("is_active", Boolean, nullable=False),
    Column("is_blocked", Boolean, nullable=False),
    _changed_at(),
    _synced_at(),
    Index(None, "reference_code"),
)

#: A reference's classification value per classification type, taken from its SKU rows.
product_classifications = Table(
    "product_classifications",
    metadata,
    Column("reference_code", Text, nullable=False),
    Column("type_code", Integer, nullable=False),
    Column("code", Text, nullable=False),
    PrimaryKeyConstraint("reference_code", "type_code"),
)

stock_balances = Table(
    "stock_balances",
    metadata,
    Column("product_code", BigInteger, nullable=False),
    Column("branch_code", Integer, nullable=False),
    Column("stock_code", Integer, nullable=False),
    _quantity("stock"),
    _quantity("sales_order"),
    _quantity("input_transaction"),
    _quantity("output_transaction"),
    _quantity("production_order_progress"),
    _quantity("production_order_wait_lib"),
    _quantity("available"),
    _changed_at(),
    _synced_at(),
    PrimaryKeyConstraint("product_code", "branch_code", "stock_code"),
)

prices = Table(
    "prices",
    metadata,
    Column("product_code", BigInteger, nullable=False),
    Column("branch_code", Integer, nullable=False),
    Column("price_code", Integer, nullable=False),
    _quantity("price"),
    _quantity("promotional_price", nullable=True),
    _changed_at(),
    _synced_at(),
    PrimaryKeyConstraint("product_code", "branch_code", "price_code"),
)

costs = Table(
    "costs",
    metadata,
    Column("product_code", BigInteger, nullable=False),
    Column("branch_code", Integer, nullable=False),
    Column("cost_code", Integer, nullable=False),
    _quantity("cost"),
    _changed_at(),
    _synced_at(),
    PrimaryKeyConstraint("product_code", "branch_code", "cost_code"),
)

future_stock = Table(
    "future_stock",
    metadata,
    Column("branch_code", Integer, nullable=False),
    Column("order_code", BigInteger, nullable=False),
    Column("product_code", BigInteger, nullable=False),
    Column("status", Integer, nullable=False),
    _quantity("quantity"),
    _quantity("pending_quantity"),
    Column("expected_date", Date),
    _changed_at(),
    _synced_at(),
    PrimaryKeyConstraint("branch_code", "order_code", "product_code"),
    Index(None, "product_code"),
)

sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("stream", Text, primary_key=True),
    Column("position", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("stream", Text, nullable=False),
    Column("mode", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("pages", Integer, nullable=False, server_default=text("0")),
    Column("rows_read", BigInteger, nullable=False, server_default=text("0")),
    Column("rows_inserted", BigInteger, nullable=False, server_default=text("0")),
    Column("rows_updated", BigInteger, nullable=False, server_default=text("0")),
    Column("rows_unchanged", BigInteger, nullable=False, server_default=text("0")),
    Column("rows_rejected", BigInteger, nullable=False, server_default=text("0")),
    Column("error", Text),
    Column("cursor_before", DateTime(timezone=True)),
    Column("cursor_after", DateTime(timezone=True)),
    # Listing is newest first, optionally narrowed by stream or status (keyset on started_at, id).
    Index(None, "started_at", "id"),
    Index(None, "stream", "started_at", "id"),
    Index(None, "status", "started_at", "id"),
)

sync_run_rejections = Table(
    "sync_run_rejections",
    metadata,
    Column(
        "run_id",
        BigInteger,
        ForeignKey("sync_runs.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("seq", Integer, nullable=False),
    Column("key", Text),
    Column("reason", Text, nullable=False),
    PrimaryKeyConstraint("run_id", "seq"),
)


# --- accounts ------------------------------------------------------------------------------------

users = Table(
    "users",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    #: Stored as the ``Email`` value object normalises it (trimmed, lower-case).
    Column("email", Text, nullable=False, unique=True),
    Column("role", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    #: SHA-256 of the secret; the secret itself is never stored.
    Column("digest", Text, primary_key=True),
    Column("family_id", UUID(as_uuid=True), nullable=False),
    Column(
        "user_id",
        UUID(as_uuid=True),
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("rotated_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Index(None, "family_id"),
    Index(None, "user_id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False),
    #: SHA-256 of the key; the key itself is never stored.
    Column("digest", Text, nullable=False, unique=True),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)
