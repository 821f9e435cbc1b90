"""SQL that stages a stream's records and merges them into its mirror table.

Identifiers come from :mod:`adapters.postgres.tables` only, never from input.
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters.postgres.mirrors import Mirror


def create_stage(mirror: Mirror) -> str:
    """A transaction-local staging table; ``seq`` numbers rows in the order they were staged."""
    columns = ", ".join(f"{c} {mirror.sql_type(c)}" for c in mirror.stage_columns)
    return (
        f"CREATE TEMP TABLE {mirror.stage_table} "
        f"(seq bigint GENERATED ALWAYS AS IDENTITY, {columns}) ON COMMIT DROP"
    )


def latest_staged(mirror: Mirror) -> str:
    """One staged row per key (the latest change, then the last staged), in the table's types."""
    keys = ", ".join(mirror.key)
    order = (
        [*mirror.key, "changed_at DESC NULLS LAST"] if mirror.ordered_by_change else [*mirror.key]
    )
    order.append("seq DESC")
    columns = ", ".join(mirror.cast(c) for c in (*mirror.key, *mirror.values))
    return (
        f"SELECT DISTINCT ON ({keys}) {columns} "  # noqa: S608
        f"FROM {mirror.stage_table} ORDER BY {', '.join(order)}"
    )


def apply_changes(
    table: str,
    key: Sequence[str],
    values: Sequence[str],
    *,
    stamp: bool = True,
    target_empty: bool = False,
) -> str:
    """CTEs ``changed``, ``updated`` and ``inserted`` that apply the rows of a CTE ``s``.

    ``s`` holds one row per key. The join keeps only new keys and rows whose values differ, so
    unchanged rows are neither rewritten nor locked. New keys go through a plain INSERT, which
    costs about half of ``INSERT ... ON CONFLICT``; that is safe because one stream's tables have
    one writer at a time (the stream's advisory lock), and a stray concurrent writer would make
    the run fail on the primary key rather than lose a row. ``stamp`` sets ``synced_at = now()``.

    ``target_empty`` (the first backfill) skips the join: every row of ``s`` is new.
    """
    columns = [*key, *values]
    insert = f"""
        inserted AS (
            INSERT INTO {table} ({", ".join(columns)}{", synced_at" if stamp else ""})
            SELECT {", ".join(f"c.{c}" for c in columns)}{", now()" if stamp else ""}
            FROM {"s c" if target_empty else "changed c WHERE NOT c.found"}
            RETURNING 1
        )
    """  # noqa: S608
    if target_empty:
        return f"updated AS (SELECT 1 WHERE false), {insert}"
    matches = " AND ".join(f"o.{k} = s.{k}" for k in key)
    old = ", ".join(f"o.{v}" for v in values)
    new = ", ".join(f"s.{v}" for v in values)
    sets = [f"{v} = c.{v}" for v in values] + (["synced_at = now()"] if stamp else [])
    return f"""
        changed AS MATERIALIZED (
            SELECT s.*, o.{key[0]} IS NOT NULL AS found
            FROM s LEFT JOIN {table} o ON {matches}
            WHERE o.{key[0]} IS NULL OR ({old}) IS DISTINCT FROM ({new})
        ),
        updated AS (
            UPDATE {table} t SET {", ".join(sets)}
            FROM changed c
            WHERE c.found AND {" AND ".join(f"t.{k} = c.{k}" for k in key)}
            RETURNING 1
        ),
        {insert}
    """  # noqa: S608


def changed_rows(mirror: Mirror, *, target_empty: bool = False) -> str:
    """CTEs ``s`` (one staged row per key) and ``changed``: the staged rows the merge will write
    (new keys, or values that differ), judged exactly as :func:`apply_changes` judges them. Into
    an empty table every staged row is new: ``changed`` is then the stage itself, inlined where
    it is read (materialized, a backfill's whole stage would be copied once more, every column of
    it: 1.2 s instead of 0.36 s for the marks of 600,000 staged prices)."""
    if target_empty:
        return f"changed AS NOT MATERIALIZED (SELECT * FROM {mirror.stage_table})"  # noqa: S608
    key = mirror.key
    matches = " AND ".join(f"o.{k} = s.{k}" for k in key)
    old = ", ".join(f"o.{v}" for v in mirror.values)
    new = ", ".join(f"s.{v}" for v in mirror.values)
    return f"""
        s AS ({latest_staged(mirror)}),
        changed AS MATERIALIZED (
            SELECT s.* FROM s LEFT JOIN {mirror.table.name} o ON {matches}
            WHERE o.{key[0]} IS NULL OR ({old}) IS DISTINCT FROM ({new})
        )
    """  # noqa: S608


def merge(mirror: Mirror, *, target_empty: bool) -> str:
    """Apply a stream's staged rows; returns ``(staged, inserted, updated)``.

    ``staged`` counts distinct keys, so ``staged - inserted - updated`` rows were unchanged. It is
    counted on the key columns alone rather than by keeping the whole of ``s`` around.
    """
    keys = ", ".join(mirror.key)
    # Into an empty table every distinct staged key is inserted.
    staged = (
        "SELECT count(*) FROM inserted"
        if target_empty
        else f"SELECT count(*) FROM (SELECT DISTINCT {keys} FROM {mirror.stage_table}) k"  # noqa: S608
    )
    return f"""
        WITH s AS ({latest_staged(mirror)}),
        {apply_changes(mirror.table.name, mirror.key, mirror.values, target_empty=target_empty)}
        SELECT ({staged}) AS staged,
               (SELECT count(*) FROM inserted) AS inserted,
               (SELECT count(*) FROM updated) AS updated
    """  # noqa: S608
