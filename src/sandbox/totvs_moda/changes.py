"""What one mutation changed, as returned by the Python API and the admin routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.totvs_moda.times import to_aware


@dataclass(frozen=True, slots=True)
class Changes:
    """``kind`` is the mutation; ``at`` the change timestamp it gave (epoch seconds).

    ``parts`` lists the mutations a ``random`` mix applied; its own code lists are their union.
    """

    kind: str
    at: int
    product_codes: tuple[int, ...] = ()
    reference_codes: tuple[str, ...] = ()
    color_codes: tuple[str, ...] = ()
    parts: tuple[Changes, ...] = ()

    @classmethod
    def mix(cls, at: int, parts: list[Changes]) -> Changes:
        return cls(
            "random",
            at,
            tuple(sorted({c for p in parts for c in p.product_codes})),
            tuple(sorted({c for p in parts for c in p.reference_codes})),
            tuple(sorted({c for p in parts for c in p.color_codes})),
            tuple(parts),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "at": to_aware(self.at).isoformat(),
            "productCodes": list(self.product_codes),
            "referenceCodes": list(self.reference_codes),
            "colorCodes": list(self.color_codes),
            "parts": [p.to_json() for p in self.parts],
        }
