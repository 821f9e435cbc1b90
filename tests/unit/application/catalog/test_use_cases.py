"""Catalog use cases with hand-written fakes of their ports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from application.catalog.ports import RefreshResult, StoredProduct
from application.catalog.queries import ProductDocument, ProductPage, ProductQuery
from application.catalog.use_cases import (
    BrowseProducts,
    CreateProduct,
    DeleteProduct,
    ProductChange,
    RefreshCatalog,
    ShowProduct,
    UpdateProduct,
)
from domain.errors import Conflict, NotFound, ValidationError
from domain.money import Money
from domain.products import ManagedProduct, WebFields

PRODUCT = ManagedProduct(
    reference="VALE-100",
    name="Vale-presente",
    description=None,
    price=Money(Decimal("100.00")),
    barcode="7891234567895",
    section=None,
    stock=5,
    expires_on=date(2027, 12, 31),
    images=(),
)
WEB = WebFields("Nova descrição", ("https://cdn.example.com/1.jpg",))


class FakeReader:
    def __init__(self, documents: dict[str, ProductDocument] | None = None) -> None:
        self.documents = documents or {}
        self.queries: list[ProductQuery] = []
        self.page_to_return = ProductPage(['{"reference":"1"}'], "next", 7)

    async def page(self, query: ProductQuery) -> ProductPage:
        self.queries.append(query)
        return self.page_to_return

    async def document(self, reference: str) -> ProductDocument | None:
        return self.documents.get(reference)


class FakeRefresher:
    """Hands out ``claims`` marks per call (then none); records what it rebuilt."""

    def __init__(self, journal: list[str], claims: Sequence[int] = ()) -> None:
        self.journal = journal
        self.claims = list(claims)
        self.batches: list[int] = []

    async def refresh_marked(self, batch: int) -> RefreshResult:
        self.batches.append(batch)
        claimed = self.claims.pop(0) if self.claims else 0
        return RefreshResult(claimed, claimed // 2, claimed % 2)

    async def refresh(self, references: Sequence[str]) -> RefreshResult:
        self.journal.append(f"refresh {','.join(references)}")
        return RefreshResult(len(references), len(references), 0)


class FakeStore:
    """A dict-backed store; writes are journaled and only ``commit`` makes them count."""

    def __init__(self, journal: list[str], *products: StoredProduct) -> None:
        self.journal = journal
        self.products = {p.reference: p for p in products}
        self.committed = False
        self.refuse: Conflict | None = None

    async def find(self, reference: str) -> StoredProduct | None:
        return self.products.get(reference)

    async def add(self, product: ManagedProduct) -> None:
        if self.refuse:
            raise self.refuse
        self.journal.append(f"add {product.reference}")

    async def replace(self, product: ManagedProduct) -> None:
        if self.refuse:
            raise self.refuse
        self.journal.append(f"replace {product.reference} {product.price}")

    async def set_web_fields(self, reference: str, fields: WebFields) -> None:
        self.journal.append(f"web {reference} {fields.description}")

    async def delete(self, reference: str) -> None:
        self.journal.append(f"delete {reference}")

    async def commit(self) -> None:
        self.journal.append("commit")
        self.committed = True


ERP = StoredProduct("000123", "erp", deleted=False)
MINE = StoredProduct("VALE-100", "ponte", deleted=False)
GONE = StoredProduct("VALE-50", "ponte", deleted=True)


@pytest.fixture
def journal() -> list[str]:
    return []


@pytest.fixture
def store(journal: list[str]) -> FakeStore:
    return FakeStore(journal, ERP, MINE, GONE)


@pytest.fixture
def refresher(journal: list[str]) -> FakeRefresher:
    return FakeRefresher(journal)


# --- reading -------------------------------------------------------------------------------------


async def test_browse_hands_the_query_to_the_reader() -> None:
    reader = FakeReader()
    query = ProductQuery(category="001", limit=5)

    page = await BrowseProducts(reader)(query)

    assert page is reader.page_to_return
    assert reader.queries == [query]


async def test_show_returns_the_document() -> None:
    document = ProductDocument("000123", "abc", "{}")

    assert await ShowProduct(FakeReader({"000123": document}))("000123") is document


async def test_show_of_a_product_not_in_the_catalog_is_not_found() -> None:
    with pytest.raises(NotFound) as raised:
        await ShowProduct(FakeReader())("000999")
    assert raised.value.key == "000999"


# --- refreshing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "calls"),
    [([], 1), ([3], 1), ([10, 10, 4], 3), ([10, 10, 0], 3), ([10, 9], 2)],
)
async def test_refresh_loops_until_a_batch_comes_back_short(
    journal: list[str], claims: list[int], calls: int
) -> None:
    refresher = FakeRefresher(journal, claims)

    result = await RefreshCatalog(refresher)(batch=10)

    assert refresher.batches == [10] * calls
    claimed = sum(claims[:calls])
    written = sum(c // 2 for c in claims[:calls])
    removed = sum(c % 2 for c in claims[:calls])
    assert result == RefreshResult(claimed, written, removed)


async def test_refresh_uses_batches_of_200_by_default(journal: list[str]) -> None:
    refresher = FakeRefresher(journal, [200, 1])

    result = await RefreshCatalog(refresher)()

    assert refresher.batches == [200, 200]
    assert result.claimed == 201


# --- creating ------------------------------------------------------------------------------------


async def test_create_adds_commits_then_rebuilds_the_entry(
    store: FakeStore, refresher: FakeRefresher, journal: list[str]
) -> None:
    await CreateProduct(store, refresher)(PRODUCT)

    assert journal == ["add VALE-100", "commit", "refresh VALE-100"]


async def test_a_refused_create_commits_and_rebuilds_nothing(
    store: FakeStore, refresher: FakeRefresher, journal: list[str]
) -> None:
    store.refuse = Conflict("taken", slug="product-exists", field="reference")

    with pytest.raises(Conflict) as raised:
        await CreateProduct(store, refresher)(PRODUCT)

    assert raised.value.slug == "product-exists"
    assert journal == []
    assert not store.committed


# --- updating ------------------------------------------------------------------------------------


def _change(
    reference: str,
    *,
    product: ManagedProduct | None = None,
    managed: tuple[str, ...] = (),
    missing: tuple[str, ...] = (),
) -> ProductChange:
    return ProductChange(reference, WEB, product, managed, missing)


async def test_web_fields_of_an_erp_product_are_set(
    store: FakeStore, refresher: FakeRefresher, journal: list[str]
) -> None:
    origin = await UpdateProduct(store, refresher)(_change("000123"))

    assert origin == "erp"
    assert journal == ["web 000123 Nova descrição", "commit", "refresh 000123"]


@pytest.mark.parametrize("managed", [("price",), ("name", "price", "stock"), ("expires_on",)])
async def test_managed_fields_of_an_erp_product_are_a_conflict(
    store: FakeStore, refresher: FakeRefresher, journal: list[str], managed: tuple[str, ...]
) -> None:
    product = replace(PRODUCT, reference="000123")

    with pytest.raises(Conflict) as raised:
        await UpdateProduct(store, refresher)(_change("000123", product=product, managed=managed))

    assert raised.value.slug == "erp-owned"
    assert raised.value.field == managed[0]
    for name in managed:
        assert name in str(raised.value)
    assert journal == []


async def test_a_ponte_product_is_replaced_whole(
    store: FakeStore, refresher: FakeRefresher, journal: list[str]
) -> None:
    product = replace(PRODUCT, price=Money(Decimal("120.00")))

    origin = await UpdateProduct(store, refresher)(
        _change("VALE-100", product=product, managed=("name", "price", "stock"))
    )

    assert origin == "ponte"
    assert journal == ["replace VALE-100 120.00", "commit", "refresh VALE-100"]


@pytest.mark.parametrize(
    ("missing", "field"), [(("price",), "price"), (("stock", "name"), "stock"), ((), "name")]
)
async def test_a_ponte_product_without_its_required_fields_is_invalid(
    store: FakeStore,
    refresher: FakeRefresher,
    journal: list[str],
    missing: tuple[str, ...],
    field: str,
) -> None:
    with pytest.raises(ValidationError) as raised:
        await UpdateProduct(store, refresher)(_change("VALE-100", missing=missing))

    assert raised.value.field == field
    assert journal == []


async def test_a_refused_replace_commits_nothing(
    store: FakeStore, refresher: FakeRefresher, journal: list[str]
) -> None:
    store.refuse = Conflict("taken", slug="barcode-taken", field="barcode")

    with pytest.raises(Conflict):
        await UpdateProduct(store, refresher)(_change("VALE-100", product=PRODUCT))

    assert not store.committed
    assert journal == []


@pytest.mark.parametrize("reference", ["NADA", "VALE-50"])
async def test_updating_a_missing_or_deleted_product_is_not_found(
    store: FakeStore, refresher: FakeRefresher, journal: list[str], reference: str
) -> None:
    with pytest.raises(NotFound) as raised:
        await UpdateProduct(store, refresher)(_change(reference))

    assert raised.value.key == reference
    assert journal == []


# --- deleting ------------------------------------------------------------------------------------


async def test_a_ponte_product_is_deleted_then_rebuilt_out_of_the_catalog(
    store: FakeStore, refresher: FakeRefresher, journal: list[str]
) -> None:
    await DeleteProduct(store, refresher)("VALE-100")

    assert journal == ["delete VALE-100", "commit", "refresh VALE-100"]


async def test_an_erp_product_cannot_be_deleted_here(
    store: FakeStore, refresher: FakeRefresher, journal: list[str]
) -> None:
    with pytest.raises(Conflict) as raised:
        await DeleteProduct(store, refresher)("000123")

    assert raised.value.slug == "erp-owned"
    assert raised.value.field == "reference"
    assert journal == []


@pytest.mark.parametrize("reference", ["NADA", "VALE-50"])
async def test_deleting_a_missing_or_deleted_product_is_not_found(
    store: FakeStore, refresher: FakeRefresher, journal: list[str], reference: str
) -> None:
    with pytest.raises(NotFound):
        await DeleteProduct(store, refresher)(reference)

    assert journal == []
