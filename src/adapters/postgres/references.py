"""What one page of SKU rows says about their references (products).

Per page and reference, one row for the product (from its latest-changed SKU) and one set of
classifications (from its latest-changed SKU that carries any): staging grows with references,
not with SKUs, and the merge sorts far fewer rows. Rows carry the page's number, so across pages
the latest change wins and, among equal changes, the last page staged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.catalog import Sku

REFERENCE_STAGE = "stage_references"
REFERENCE_COLUMNS = ("page", "reference_code", "name", "description", "changed_at")
CREATE_REFERENCE_STAGE = f"""
    CREATE TEMP TABLE {REFERENCE_STAGE} (
        page integer, reference_code text, name text, description text, changed_at timestamptz
    ) ON COMMIT DROP
"""

#: One row per classification set: parallel arrays of type codes and codes.
CLASSIFICATION_STAGE = "stage_reference_classifications"
CLASSIFICATION_COLUMNS = ("page", "reference_code", "type_codes", "codes", "changed_at")
CREATE_CLASSIFICATION_STAGE = f"""
    CREATE TEMP TABLE {CLASSIFICATION_STAGE} (
        page integer, reference_code text, type_codes integer[], codes text[],
        changed_at timestamptz
    ) ON COMMIT DROP
"""

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PageReferences:
    """COPY rows for :data:`REFERENCE_STAGE` and :data:`CLASSIFICATION_STAGE`."""

    references: list[tuple[Any, ...]]
    classifications: list[tuple[Any, ...]]


def page_references(records: Sequence[Sku], page: int) -> PageReferences:
    """The references of one page. Within a set, a type listed twice keeps its last code."""
    latest: dict[str, Sku] = {}
    classified: dict[str, Sku] = {}
    for sku in records:
        ref, when = sku.reference_code, sku.changed_at or _NEVER
        held = latest.get(ref)
        if held is None or when >= (held.changed_at or _NEVER):
            latest[ref] = sku
        if sku.classifications:
            held = classified.get(ref)
            if held is None or when >= (held.changed_at or _NEVER):
                classified[ref] = sku
    sets = []
    for ref, sku in classified.items():
        codes = dict(sku.classifications)
        sets.append((page, ref, tuple(codes), tuple(codes.values()), sku.changed_at))
    return PageReferences(
        [(page, ref, s.reference_name, s.description, s.changed_at) for ref, s in latest.items()],
        sets,
    )
