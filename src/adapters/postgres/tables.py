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
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    Sequence,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID

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
    # --- owned by Ponte, never written by the sync ---
    #: ``erp`` (mirrored; read-only but for web fields) or ``ponte`` (managed by admins).
    Column("origin", Text, nullable=False, server_default=text("'erp'")),
    #: Web fields: shown instead of / beside the ERP's data.
    Column("web_description", Text),
    Column("images", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    #: Ponte products only: when the goods expire, if they do.
    Column("expires_on", Date),
    #: When Ponte first saw the product ("newest" sorts on it).
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    #: Ponte products only: deleted by an admin (kept for the orders that name its SKU).
    Column("deleted_at", DateTime(timezone=True)),
)

#: SKUs of Ponte-managed products take negative product codes, so they can never collide with
#: the ERP's (positive) codes in the mirror tables.
ponte_product_codes = Sequence(
    "ponte_product_codes", metadata=metadata, start=-1, increment=-1, minvalue=-(2**62)
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
    Index(None, "color_code"),
)

#: A reference's classification value per classification type, taken from its SKU rows.
product_classifications = Table(
    "product_classifications",
    metadata,
    Column("reference_code", Text, nullable=False),
    Column("type_code", Integer, nullable=False),
    Column("code", Text, nullable=False),
    PrimaryKeyConstraint("reference_code", "type_code"),
    Index(None, "type_code", "code"),
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


# --- storefront catalog read model --------------------------------------------------------------

#: One row per product the storefront may show (active, not deleted), rebuilt from the mirror by
#: the catalog refresher. Listing filters and sorts read only this table; ``card`` and ``body``
#: are the ready-made JSON of a listing item and of the product page. Fill factor 75 (migration
#: 0009): room on each page for the refresher's HOT updates (see ``catalog_refresh``).
catalog_entries = Table(
    "catalog_entries",
    metadata,
    Column("reference_code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    #: Words of the name, reference and descriptions, lower-case and accent-free (see
    #: ``adapters.postgres.folding``), for prefix full-text search.
    Column("search", TSVECTOR, nullable=False),
    #: ``"<type code>:<classification code>"`` per classification of the product.
    Column("classifications", ARRAY(Text), nullable=False),
    #: The storefront's category and brand codes, also in columns: one btree index range per
    #: category or brand page, in each sort order.
    Column("category_code", Text),
    Column("brand_code", Text),
    Column("colors", ARRAY(Text), nullable=False),
    Column("sizes", ARRAY(Text), nullable=False),
    Column("barcodes", ARRAY(Text), nullable=False),
    #: Effective (promotional when set) prices of the storefront price table: each SKU's
    #: (distinct, ascending), and their range.
    Column("prices", ARRAY(Numeric)),
    Column("price_min", Numeric),
    Column("price_max", Numeric),
    #: Branches where some SKU has ERP available stock.
    Column("stock_branches", ARRAY(Integer), nullable=False),
    #: Some SKU is available to sell (ERP available − open reservations > 0).
    Column("in_stock", Boolean, nullable=False),
    Column("listed_at", DateTime(timezone=True), nullable=False),
    Column("card", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("etag", Text, nullable=False),
    Column("refreshed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index(None, "name", "reference_code"),
    Index(None, "price_min", "reference_code"),
    Index(None, "listed_at", "reference_code"),
    #: Whether a product's SKU prices differ, then its top price: a price-sorted page with a lower
    #: price bound reads here the products whose range straddles the bound, and all others from
    #: the bound on (see ``adapters.postgres.catalog_reader``). An expression index rather than a
    #: partial one, so that ANALYZE samples the expression and the planner knows how few such
    #: products there are.
    Index("ix_catalog_entries_price_spread", text("(price_min < price_max)"), "price_max"),
    *(
        Index(None, code, key, "reference_code")
        for code in ("category_code", "brand_code")
        for key in ("name", "price_min", "listed_at")
    ),
    *(
        Index(f"ix_catalog_entries_{c}", c, postgresql_using="gin")
        for c in ("search", "classifications", "colors", "sizes", "barcodes", "stock_branches")
    ),
)

#: References whose catalog entry must be rebuilt (marked by the sync, orders and admin edits):
#: an append-only queue, one row per mark, so writers never wait on each other or on the
#: refresher, and a mark committed while a rebuild runs stays for the next one.
catalog_dirty = Table(
    "catalog_dirty",
    metadata,
    Column("id", BigInteger, Identity(always=False), primary_key=True),
    Column("reference_code", Text, nullable=False),
    Column("marked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    #: Only the stock to sell changed (a reservation taken or released): the refresher may patch
    #: availability into the entry instead of rebuilding it (see ``catalog_refresh``).
    Column("stock_only", Boolean, nullable=False, server_default=text("false")),
    Index(None, "reference_code"),
)

#: Units of each SKU held by open orders that the ERP has not taken into its balances yet.
stock_reservations = Table(
    "stock_reservations",
    metadata,
    Column("product_code", BigInteger, primary_key=True, autoincrement=False),
    Column("reserved", Integer, nullable=False, server_default=text("0")),
    CheckConstraint("reserved >= 0", name="ck_stock_reservations_reserved_not_negative"),
)


# --- customers and orders -----------------------------------------------------------------------

customers = Table(
    "customers",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    #: ``individual`` (CPF) or ``company`` (CNPJ).
    Column("kind", Text, nullable=False),
    Column("name", Text, nullable=False),
    #: lower-case, accent-free name (see ``adapters.postgres.folding``), for substring search.
    Column("name_search", Text, nullable=False),
    #: Digits only. NULL once the customer is deleted (personal data removed).
    Column("document", Text, unique=True),
    Column("email", Text, unique=True),
    Column("phones", JSONB, nullable=False, server_default=text("'[]'")),
    Column("addresses", JSONB, nullable=False, server_default=text("'[]'")),
    Column("birth_date", Date),
    #: ``ponte`` (registered through the API) or ``erp`` (brought in by a sync stream).
    Column("origin", Text, nullable=False, server_default=text("'ponte'")),
    #: The ERP's customer code, once the customer reached the ERP or came from it.
    Column("erp_code", BigInteger),
    #: The ERP's last change of the person (ERP-origin customers), for the persons streams.
    Column("erp_changed_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True)),
    Index(None, "created_at", "id"),
    Index(None, "erp_code", unique=True, postgresql_where=text("erp_code IS NOT NULL")),
)

orders = Table(
    "orders",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("customer_id", UUID(as_uuid=True), ForeignKey("customers.id"), nullable=False),
    Column("status", Text, nullable=False),
    Column("freight", Numeric(14, 2), nullable=False, server_default=text("0")),
    Column("discount", Numeric(14, 2), nullable=False, server_default=text("0")),
    Column("total", Numeric(14, 2), nullable=False),
    Column("shipping_address", JSONB),
    Column("notes", Text),
    #: True while the order's units are held in ``stock_reservations``.
    Column("reservation_open", Boolean, nullable=False),
    Column("origin", Text, nullable=False, server_default=text("'ponte'")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    #: The order's key in the ERP (``branchCode`` + ``orderCode`` in TOTVS Moda), once known.
    Column("erp_branch_code", Integer),
    Column("erp_order_code", BigInteger),
    #: The ERP's own status name, as last read, and when the ERP registered the order.
    Column("erp_status", Text),
    Column("erp_inserted_at", DateTime(timezone=True)),
    #: The ERP's last change of the order, as last applied by the follow-up stream.
    Column("erp_changed_at", DateTime(timezone=True)),
    #: Invoices (NF-e) the ERP issued for the order: number, series, access key, tracking code.
    Column("invoices", JSONB, nullable=False, server_default=text("'[]'")),
    Index(None, "created_at", "id"),
    Index(None, "status", "created_at", "id"),
    Index(None, "customer_id", "created_at", "id"),
    Index(
        None,
        "erp_branch_code",
        "erp_order_code",
        unique=True,
        postgresql_where=text("erp_order_code IS NOT NULL"),
    ),
    #: Open reservations the follow-up stream may release.
    Index(
        "ix_orders_open_reservations", "erp_inserted_at", postgresql_where=text("reservation_open")
    ),
)

order_items = Table(
    "order_items",
    metadata,
    Column("order_id", UUID(as_uuid=True), ForeignKey("orders.id", ondelete="CASCADE")),
    Column("product_code", BigInteger, nullable=False),
    Column("reference_code", Text, nullable=False),
    #: The product's section (category classification) when the order was placed.
    Column("section_code", Text),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Numeric(14, 2), nullable=False),
    #: Units the ERP invoiced (served) and cancelled, as last read by the follow-up stream.
    Column("served_quantity", Integer, nullable=False, server_default=text("0")),
    Column("cancelled_quantity", Integer, nullable=False, server_default=text("0")),
    PrimaryKeyConstraint("order_id", "product_code"),
    Index(None, "section_code", "order_id"),
    Index(None, "product_code"),
)


# --- write-back: outbox, delivery bookkeeping, outside calls, idempotency keys --------------------

#: Messages to deliver to the ERP, written in the transaction of the change they carry.
#: ``pending`` → ``in_flight`` (leased to one worker until ``lease_until``) → ``delivered``, or back
#: to ``pending`` with a later ``next_attempt_at``, or ``failed`` (refused by the ERP: not retried)
#: or ``dead`` (retries exhausted). Messages of one aggregate are delivered in ``id`` order.
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, Identity(always=False), primary_key=True),
    #: What to do: ``customer.upsert``, ``order.create``, ``order.cancel``, ``order.status``.
    Column("kind", Text, nullable=False),
    #: ``customer`` or ``order``; ``aggregate_id`` is that entity's id.
    Column("aggregate_type", Text, nullable=False),
    Column("aggregate_id", UUID(as_uuid=True), nullable=False),
    #: An aggregate that must reach the ERP first (an order's customer): the message waits while
    #: an older message of it is open.
    Column("parent_id", UUID(as_uuid=True)),
    #: What the message needs beyond the aggregate's current state (e.g. a target status).
    Column("payload", JSONB, nullable=False, server_default=text("'{}'")),
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    #: ``attempts`` when an operator last requeued the message: the retry budget counts from it.
    Column("attempt_base", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("lease_until", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("last_error_code", Text),
    #: The ERP's answer that completed the message (e.g. its order key).
    Column("result", JSONB),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    Index(
        "ix_outbox_due",
        "next_attempt_at",
        "id",
        postgresql_where=text("status IN ('pending', 'in_flight')"),
    ),
    Index(
        "ix_outbox_open_aggregate",
        "aggregate_id",
        "id",
        postgresql_where=text("status IN ('pending', 'in_flight')"),
    ),
    Index(None, "status", "created_at", "id"),
    Index(None, "created_at", "id"),
    Index(None, "aggregate_id", "id"),
    Index(None, "delivered_at"),
    CheckConstraint(
        "status IN ('pending', 'in_flight', 'delivered', 'failed', 'dead')",
        name="ck_outbox_status",
    ),
)

#: One row per delivery attempt: when, how it ended, and the error it met.
outbox_attempts = Table(
    "outbox_attempts",
    metadata,
    Column("message_id", BigInteger, ForeignKey("outbox.id", ondelete="CASCADE"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    #: ``delivered``, ``retry``, ``failed``, ``dead``, ``paused`` (auth failure), or NULL while
    #: running (or when the worker died during the attempt).
    Column("outcome", Text),
    Column("error", Text),
    Column("error_code", Text),
    PrimaryKeyConstraint("message_id", "attempt"),
)

#: Deliveries to one ERP connection paused by its circuit breaker (authentication failures).
delivery_pauses = Table(
    "delivery_pauses",
    metadata,
    Column("connection", Text, primary_key=True),
    Column("paused_until", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
    Column("failures", Integer, nullable=False, server_default=text("1")),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

#: Every call Ponte made to an outside system, bodies redacted, kept for a configured time.
outside_calls = Table(
    "outside_calls",
    metadata,
    Column("id", BigInteger, Identity(always=False), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    #: Which outside system (``totvs_moda``…).
    Column("connection", Text, nullable=False),
    Column("method", Text, nullable=False),
    Column("path", Text, nullable=False),
    #: NULL when no answer came (timeout, connection lost).
    Column("status", Integer),
    Column("duration_ms", Numeric(12, 3), nullable=False),
    #: What the call was for: ``outbox:<id>``, ``sync:<run id>``, ``request:<id>``.
    Column("correlation_id", Text),
    Column("request_body", Text),
    Column("response_body", Text),
    Column("error", Text),
    Index(None, "at", "id"),
    Index(None, "correlation_id", "id"),
)

#: ``Idempotency-Key`` of POST requests: the first request's fingerprint and, once answered, its
#: status and body. ``resource_id`` is written in the transaction that created the resource.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    #: Who sent it and to which operation (``<principal> POST /orders``): keys are per client.
    Column("scope", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("resource_id", UUID(as_uuid=True)),
    Column("status_code", Integer),
    Column("response_body", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("scope", "key"),
    Index(None, "created_at"),
    #: A deleted customer's answers are blanked (they hold its personal data).
    Index(None, "resource_id", postgresql_where=text("resource_id IS NOT NULL")),
)
