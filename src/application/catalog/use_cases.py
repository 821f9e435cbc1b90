"""Storefront catalog use cases: browse, show, and the admin's product management."""

from __future__ import annotations

from dataclasses import dataclass

from application.catalog.ports import (
    CatalogReader,
    CatalogRefresher,
    ProductStore,
    RefreshResult,
)
from application.catalog.queries import ProductDocument, ProductPage, ProductQuery
from domain.errors import Conflict, NotFound, ValidationError
from domain.products import ManagedProduct, WebFields


class BrowseProducts:
    def __init__(self, reader: CatalogReader) -> None:
        self._reader = reader

    async def __call__(self, query: ProductQuery) -> ProductPage:
        return await self._reader.page(query)


class ShowProduct:
    def __init__(self, reader: CatalogReader) -> None:
        self._reader = reader

    async def __call__(self, reference: str) -> ProductDocument:
        """:raises NotFound: unknown, inactive, unpriced or deleted product."""
        document = await self._reader.document(reference)
        if document is None:
            raise NotFound("product", reference)
        return document


class RefreshCatalog:
    """Rebuild stale catalog entries (run in a loop by the API, or once by ``ponte``).

    Batches are small (200 entries, about a quarter of a second): a batch holds its marks until
    it commits, and an order marking one of them waits that long.
    """

    def __init__(self, refresher: CatalogRefresher) -> None:
        self._refresher = refresher

    async def __call__(self, batch: int = 200) -> RefreshResult:
        claimed = written = removed = 0
        while True:
            result = await self._refresher.refresh_marked(batch)
            claimed += result.claimed
            written += result.written
            removed += result.removed
            if result.claimed < batch:
                return RefreshResult(claimed, written, removed)


class _Managing:
    def __init__(self, store: ProductStore, refresher: CatalogRefresher) -> None:
        self._store = store
        self._refresher = refresher

    async def _publish(self, reference: str) -> None:
        """Commit, then rebuild the entry at once so the admin sees the change."""
        await self._store.commit()
        await self._refresher.refresh([reference])


class CreateProduct(_Managing):
    async def __call__(self, product: ManagedProduct) -> None:
        """:raises Conflict: the reference exists (ERP or Ponte) or the barcode is taken."""
        await self._store.add(product)
        await self._publish(product.reference)


@dataclass(frozen=True, slots=True)
class ProductChange:
    """A ``PUT``: the whole managed product, or only the web fields of an ERP product.

    ``managed_fields`` names the non-web fields the client sent (refused for ERP products);
    ``missing`` the required fields of a whole product it left out (``product`` is then None).
    """

    reference: str
    web: WebFields
    product: ManagedProduct | None
    managed_fields: tuple[str, ...]
    missing: tuple[str, ...] = ()


class UpdateProduct(_Managing):
    async def __call__(self, change: ProductChange) -> str:
        """Returns the product's origin.

        :raises NotFound: no such product (or deleted).
        :raises Conflict: (``erp-owned``) non-web fields sent for an ERP product; or a barcode
            taken by another product.
        :raises ValidationError: a Ponte product without name, price or stock.
        """
        found = await self._store.find(change.reference)
        if found is None or found.deleted:
            raise NotFound("product", change.reference)
        if found.origin == "erp":
            if change.managed_fields:
                field = change.managed_fields[0]
                raise Conflict(
                    f"{change.reference} is owned by the ERP: only description and images "
                    f"can be changed here, not {', '.join(change.managed_fields)}",
                    slug="erp-owned",
                    field=field,
                )
            await self._store.set_web_fields(change.reference, change.web)
        else:
            if change.product is None:
                raise ValidationError(
                    "a Ponte product is replaced whole: name, price and stock are required",
                    field=change.missing[0] if change.missing else "name",
                )
            await self._store.replace(change.product)
        await self._publish(change.reference)
        return found.origin


class DeleteProduct(_Managing):
    async def __call__(self, reference: str) -> None:
        """Soft delete: hidden from the catalog, kept for the orders that name its SKU.

        :raises NotFound: no such product (or already deleted).
        :raises Conflict: (``erp-owned``) the ERP owns it: deactivate it there.
        """
        found = await self._store.find(reference)
        if found is None or found.deleted:
            raise NotFound("product", reference)
        if found.origin == "erp":
            raise Conflict(
                f"{reference} is owned by the ERP: deactivate it there",
                slug="erp-owned",
                field="reference",
            )
        await self._store.delete(reference)
        await self._publish(reference)
