"""Fresh planner statistics after bulk writes."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.postgres.raw import RawConnection

#: A write that changed at least this many rows, and at least a tenth of its table, re-samples
#: the table's statistics: the planner must not plan the API's queries on a bulk-loaded table
#: as if it were empty, and autovacuum may be off (it is on some servers) or minutes late.
ANALYZE_MIN_ROWS = 1000
ANALYZE_FRACTION = 0.1


async def refresh_statistics(
    raw: RawConnection, tables: Sequence[str], *, changed: int, command: str = "ANALYZE"
) -> bool:
    """``ANALYZE`` ``tables`` when ``changed`` rows reshaped the first one; True when it did.

    ``command`` may be ``VACUUM (ANALYZE)`` (outside any transaction) for a table whose rows are
    rewritten in place: it also clears the dead row versions and the GIN indexes' pending lists,
    which every search otherwise scans.
    """
    if changed < ANALYZE_MIN_ROWS:
        return False
    estimate = await raw.fetchval(
        "SELECT reltuples FROM pg_class WHERE oid = $1::regclass", tables[0]
    )
    if estimate is not None and estimate >= 0 and changed < ANALYZE_FRACTION * estimate:
        return False
    for table in tables:
        await raw.execute(f"{command} {table}")
    return True
