"""What a storefront may ask of the catalog, validated before it reaches storage."""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import ValidationError

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 24
MAX_SEARCH_LENGTH = 100
MAX_SEARCH_WORDS = 8
#: No price is this high; larger bounds are refused rather than sent to the database.
MAX_PRICE = Decimal(10) ** 12
_CENT = Decimal("0.01")
#: Words: runs of letters and digits (so ``VALE-100`` is ``VALE`` and ``100``).
_WORD = re.compile(r"[^\W_]+")


class ProductSort(enum.StrEnum):
    """Listing orders; ties are broken by reference."""

    NAME = "name"
    PRICE = "price"
    PRICE_DESC = "-price"
    NEWEST = "newest"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductQuery:
    """Filters, order and page of ``GET /products``.

    :raises ValidationError: naming the field, on an empty or over-long search, a page size out of
        1..100, a negative or absurd price bound, a minimum above the maximum, or a NUL character
        in any text (PostgreSQL cannot hold one, so nothing could match it).
    """

    category: str | None = None
    brand: str | None = None
    collection: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    #: True: some SKU available to sell; False: none. ``branch`` narrows to ERP stock there.
    available: bool | None = None
    branch: int | None = None
    color: str | None = None
    size: str | None = None
    barcode: str | None = None
    search: str | None = None
    sort: ProductSort = ProductSort.NAME
    limit: int = DEFAULT_PAGE_SIZE
    cursor: str | None = None
    with_total: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise ValidationError(f"must be 1 to {MAX_PAGE_SIZE}", field="limit")
        for name in ("price_min", "price_max"):
            value: Decimal | None = getattr(self, name)
            if value is not None and (
                not value.is_finite()
                or not 0 <= value <= MAX_PRICE
                or value != value.quantize(_CENT)
            ):
                raise ValidationError(
                    f"must be an amount from 0 to {MAX_PRICE:,} with at most 2 decimal places",
                    field=name,
                )
        for name in ("category", "brand", "collection", "color", "size", "barcode", "search"):
            text: str | None = getattr(self, name)
            if text is not None and "\x00" in text:
                raise ValidationError("must not contain NUL characters", field=name)
        if (
            self.price_min is not None
            and self.price_max is not None
            and self.price_min > self.price_max
        ):
            raise ValidationError("price_min is above price_max", field="price_min")
        if self.branch is not None and self.branch < 1:
            raise ValidationError("must be a positive branch code", field="branch")
        if self.search is not None:
            if len(self.search) > MAX_SEARCH_LENGTH:
                raise ValidationError(f"at most {MAX_SEARCH_LENGTH} characters", field="search")
            if not self.words:
                raise ValidationError("needs at least one letter or digit", field="search")

    @property
    def words(self) -> tuple[str, ...]:
        """Search words (letters and digits), at most :data:`MAX_SEARCH_WORDS`; every one must
        prefix a word of the product (case and accents ignored)."""
        if not self.search:
            return ()
        # NFC first: an accent typed as a combining mark would otherwise split its word.
        text = unicodedata.normalize("NFC", self.search)
        return tuple(_WORD.findall(text))[:MAX_SEARCH_WORDS]


@dataclass(frozen=True, slots=True)
class ProductPage:
    """Listing items as ready JSON objects (the read model keeps them rendered)."""

    items: list[str]
    next_cursor: str | None
    total: int | None


@dataclass(frozen=True, slots=True)
class ProductDocument:
    """A product page as ready JSON, with its entity tag."""

    reference: str
    etag: str
    body: str
