"""PostgreSQL: the catalog mirror, the sync's transactions, run log and status queries."""

from adapters.postgres.engine import asyncpg_url, create_engine
from adapters.postgres.migrations import current_revision, head_revision, upgrade_to_head
from adapters.postgres.sync_runs import PostgresSyncRunLog
from adapters.postgres.sync_session import PostgresSyncSession, PostgresSyncTransactions
from adapters.postgres.sync_status import PostgresSyncStatusReader

__all__ = [
    "PostgresSyncRunLog",
    "PostgresSyncSession",
    "PostgresSyncStatusReader",
    "PostgresSyncTransactions",
    "asyncpg_url",
    "create_engine",
    "current_revision",
    "head_revision",
    "upgrade_to_head",
]
