"""Ports of the storefront catalog."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from application.catalog.queries import ProductDocument, ProductPage, ProductQuery
from domain.products import ManagedProduct, WebFields


class CatalogReader(Protocol):
    async def page(self, query: ProductQuery) -> ProductPage:
        """:raises application.sync.status.InvalidPageCursor: on a cursor it did not hand out."""
        ...

    async def document(self, reference: str) -> ProductDocument | None: ...


@dataclass(frozen=True, slots=True)
class RefreshResult:
    #: Marks claimed (a product marked by several writers counts once per mark).
    claimed: int
    #: Entries rewritten (unchanged ones are not) and removed (no longer shown).
    written: int
    removed: int


class CatalogRefresher(Protocol):
    async def refresh_marked(self, batch: int) -> RefreshResult:
        """Rebuild up to ``batch`` entries marked stale; safe to run in several processes."""
        ...

    async def refresh(self, references: Sequence[str]) -> RefreshResult:
        """Rebuild these entries now (and clear their marks)."""
        ...


@dataclass(frozen=True, slots=True)
class StoredProduct:
    reference: str
    origin: str
    deleted: bool


class ProductStore(Protocol):
    """Writes products that admins manage; all in one transaction until ``commit``."""

    async def find(self, reference: str) -> StoredProduct | None: ...

    async def add(self, product: ManagedProduct) -> None:
        """:raises domain.errors.Conflict: the reference or barcode is taken."""
        ...

    async def replace(self, product: ManagedProduct) -> None:
        """:raises domain.errors.Conflict: the barcode is taken by another product."""
        ...

    async def set_web_fields(self, reference: str, fields: WebFields) -> None: ...

    async def delete(self, reference: str) -> None: ...

    async def commit(self) -> None: ...
