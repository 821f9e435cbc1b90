"""Products (ERP references) and their classifications, merged after the SKUs of a run.

Rules:

- A product's ``name`` and ``description`` come from its latest-changed staged SKU row;
  ``is_active`` is true when any of its SKUs in the mirror is active and ``changed_at`` is the
  latest change among them, both computed after the run's SKUs are merged.
- A reference's classifications are the set carried by its latest-changed staged SKU row that
  carries any. Types missing from that set are deleted; a reference whose staged SKU rows carry
  no classification keeps what it had, since a delta proves nothing by omission.
- Known limit: when a SKU moves to another reference, the old reference's ``is_active`` and
  ``changed_at`` are recomputed only when one of its own SKUs is synced again.
"""

from __future__ import annotations

from adapters.postgres.merge_sql import apply_changes
from adapters.postgres.references import CLASSIFICATION_STAGE, REFERENCE_STAGE


def merge_products(*, target_empty: bool) -> str:
    values = ("name", "description", "is_active", "changed_at")
    return f"""
        WITH r AS MATERIALIZED (
            SELECT DISTINCT ON (reference_code) reference_code, name, description
            FROM {REFERENCE_STAGE} ORDER BY reference_code, changed_at DESC NULLS LAST, page DESC
        ),
        a AS (
            -- Per staged reference through the skus(reference_code) index: a join + GROUP BY
            -- here made the planner scan every SKU even for a handful of references.
            SELECT r.reference_code, x.is_active, x.changed_at
            FROM r CROSS JOIN LATERAL (
                SELECT bool_or(k.is_active) AS is_active, max(k.changed_at) AS changed_at
                FROM skus k WHERE k.reference_code = r.reference_code
            ) x
            WHERE x.is_active IS NOT NULL
        ),
        s AS (
            SELECT r.reference_code, r.name, r.description, a.is_active, a.changed_at
            FROM r JOIN a ON a.reference_code = r.reference_code
        ),
        {apply_changes("products", ("reference_code",), values, target_empty=target_empty)}
        SELECT (SELECT count(*) FROM inserted) AS inserted,
               (SELECT count(*) FROM updated) AS updated
    """  # noqa: S608


def merge_classifications(*, target_empty: bool) -> str:
    """Replace each staged reference's classifications by its winning set.

    One full join of the winning sets with the current rows of the same references finds what
    to insert, update and delete; unchanged rows are not touched.
    """
    winners = f"""
        s AS {"" if target_empty else "MATERIALIZED"} (
            SELECT w.reference_code, c.type_code, c.code
            FROM (
                SELECT DISTINCT ON (reference_code) reference_code, type_codes, codes
                FROM {CLASSIFICATION_STAGE}
                ORDER BY reference_code, changed_at DESC NULLS LAST, page DESC
            ) w, unnest(w.type_codes, w.codes) AS c(type_code, code)
        )
    """  # noqa: S608
    if target_empty:
        return f"""
            WITH {winners}
            INSERT INTO product_classifications (reference_code, type_code, code)
            SELECT reference_code, type_code, code FROM s
        """  # noqa: S608
    return f"""
        WITH {winners},
        diff AS MATERIALIZED (
            SELECT coalesce(s.reference_code, o.reference_code) AS reference_code,
                   coalesce(s.type_code, o.type_code) AS type_code,
                   s.code, o.reference_code IS NOT NULL AS found, s.reference_code IS NULL AS gone
            FROM s FULL JOIN (
                SELECT * FROM product_classifications
                WHERE reference_code IN (SELECT reference_code FROM s)
            ) o ON o.reference_code = s.reference_code AND o.type_code = s.type_code
            WHERE s.reference_code IS NULL OR o.reference_code IS NULL
               OR o.code IS DISTINCT FROM s.code
        ),
        updated AS (
            UPDATE product_classifications t SET code = d.code FROM diff d
            WHERE d.found AND NOT d.gone
              AND t.reference_code = d.reference_code AND t.type_code = d.type_code
        ),
        inserted AS (
            INSERT INTO product_classifications (reference_code, type_code, code)
            SELECT reference_code, type_code, code FROM diff WHERE NOT found
        )
        DELETE FROM product_classifications t USING diff d
        WHERE d.gone AND t.reference_code = d.reference_code AND t.type_code = d.type_code
    """  # noqa: S608
