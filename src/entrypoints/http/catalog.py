"""The storefront catalog: browse and show products; admins manage Ponte's own products."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import ResponseHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath, FromQuery, QueryParameter

from application.catalog.queries import ProductQuery, ProductSort
from application.catalog.use_cases import (
    BrowseProducts,
    CreateProduct,
    DeleteProduct,
    ProductChange,
    ShowProduct,
    UpdateProduct,
)
from domain.accounts import ApiScope
from domain.errors import ValidationError
from domain.money import Money
from domain.products import ManagedProduct, WebFields
from entrypoints.http.auth import admin_only, require_scope

JSON = "application/json"
REFERENCE_PATH = "/{reference:str}"
Code = Annotated[str | None, QueryParameter(min_length=1, max_length=60)]


# --- documentation models (the responses themselves are pre-rendered JSON) -----------------------


class CodeName(msgspec.Struct):
    code: str
    name: str | None


class PriceRange(msgspec.Struct):
    min: Decimal
    max: Decimal


class ProductCard(msgspec.Struct):
    reference: str
    name: str
    price: PriceRange
    on_sale: bool
    in_stock: bool
    image: str | None
    colors: list[CodeName]
    sizes: list[str]
    category: CodeName | None
    brand: CodeName | None
    collection: CodeName | None


class ProductList(msgspec.Struct):
    items: list[ProductCard]
    next_cursor: str | None
    total: int | None


class BranchStock(msgspec.Struct):
    branch: int
    available: int


class FutureStock(msgspec.Struct):
    branch: int
    production_order: int
    quantity: Decimal
    expected_date: date | None


class SkuOut(msgspec.Struct):
    product_code: int
    sku: str | None
    color: CodeName | None
    size: str | None
    barcodes: list[str]
    price: Decimal
    promotional_price: Decimal | None
    effective_price: Decimal
    available: int
    stock: list[BranchStock]
    future_stock: list[FutureStock]


class ClassificationOut(msgspec.Struct):
    type: int
    type_name: str | None
    code: str
    name: str | None


class ProductDetail(msgspec.Struct):
    reference: str
    name: str
    description: str | None
    origin: str
    images: list[str]
    expires_on: date | None
    price: PriceRange
    on_sale: bool
    in_stock: bool
    category: CodeName | None
    brand: CodeName | None
    collection: CodeName | None
    classifications: list[ClassificationOut]
    colors: list[CodeName]
    sizes: list[str]
    skus: list[SkuOut]
    updated_at: datetime | None


_CARD_EXAMPLE = {
    "reference": "000123",
    "name": "Camiseta Básica",
    "price": {"min": 59.9, "max": 69.9},
    "on_sale": True,
    "in_stock": True,
    "image": "https://cdn.example.com/000123/1.jpg",
    "colors": [{"code": "001", "name": "Preto"}, {"code": "002", "name": "Branco"}],
    "sizes": ["P", "M", "G"],
    "category": {"code": "001", "name": "Camiseta"},
    "brand": {"code": "002", "name": "Lírio"},
    "collection": {"code": "004", "name": "Verão 2026"},
}
_DETAIL_EXAMPLE = {
    "reference": "000123",
    "name": "Camiseta Básica",
    "description": "Malha 100% algodão.",
    "origin": "erp",
    "images": ["https://cdn.example.com/000123/1.jpg"],
    "expires_on": None,
    "price": {"min": 59.9, "max": 69.9},
    "on_sale": True,
    "in_stock": True,
    "category": {"code": "001", "name": "Camiseta"},
    "brand": {"code": "002", "name": "Lírio"},
    "collection": {"code": "004", "name": "Verão 2026"},
    "classifications": [
        {"type": 1, "type_name": "CATEGORIA", "code": "001", "name": "Camiseta"},
        {"type": 2, "type_name": "MARCA", "code": "002", "name": "Lírio"},
    ],
    "colors": [{"code": "001", "name": "Preto"}],
    "sizes": ["P", "M"],
    "skus": [
        {
            "product_code": 1001,
            "sku": "000123.001.P",
            "color": {"code": "001", "name": "Preto"},
            "size": "P",
            "barcodes": ["7891234567895"],
            "price": 69.9,
            "promotional_price": 59.9,
            "effective_price": 59.9,
            "available": 12,
            "stock": [{"branch": 1, "available": 10}, {"branch": 2, "available": 4}],
            "future_stock": [
                {
                    "branch": 1,
                    "production_order": 5521,
                    "quantity": 40,
                    "expected_date": "2026-12-10",
                }
            ],
        }
    ],
    "updated_at": "2026-11-23T12:00:00Z",
}

_LIST_RESPONSES = {
    200: ResponseSpec(
        data_container=ProductList,
        description="A page of products",
        examples=[
            Example(
                summary="First page",
                value={"items": [_CARD_EXAMPLE], "next_cursor": "WyJuYW1lIiwiQ2Ft", "total": None},
            )
        ],
    )
}
_ETAG_HEADER = ResponseHeader(
    name="ETag", description="Entity tag of the product page", documentation_only=True
)


def _detail_responses(status: int, description: str) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(
            data_container=ProductDetail,
            description=description,
            examples=[Example(summary="A product", value=_DETAIL_EXAMPLE)],
        )
    }


# --- admin input ---------------------------------------------------------------------------------

Text = Annotated[str, msgspec.Meta(max_length=10_000)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Short = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
Url = Annotated[str, msgspec.Meta(max_length=2048)]
Stock = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
Price = Decimal


class ProductIn(msgspec.Struct, forbid_unknown_fields=True):
    reference: Short
    name: Name
    price: Price
    stock: Stock
    description: Text | None = None
    barcode: Short | None = None
    section: Short | None = None
    expires_on: date | None = None
    images: list[Url] = msgspec.field(default_factory=list)


class ProductUpdateIn(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Fields left out are unset. ERP products take only ``description`` and ``images``."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    price: Price | msgspec.UnsetType = msgspec.UNSET
    stock: Stock | msgspec.UnsetType = msgspec.UNSET
    description: Text | msgspec.UnsetType | None = msgspec.UNSET
    barcode: Short | msgspec.UnsetType | None = msgspec.UNSET
    section: Short | msgspec.UnsetType | None = msgspec.UNSET
    expires_on: date | msgspec.UnsetType | None = msgspec.UNSET
    images: list[Url] | msgspec.UnsetType = msgspec.UNSET


_MANAGED_FIELDS = ("name", "price", "stock", "barcode", "section", "expires_on")

_PRODUCT_IN_EXAMPLE = {
    "reference": "VALE-PRESENTE-100",
    "name": "Vale-presente R$ 100",
    "price": "100.00",
    "stock": 500,
    "description": "Vale-presente digital.",
    "barcode": "7891234567895",
    "section": "PRESENTES",
    "expires_on": "2027-12-31",
    "images": ["https://cdn.example.com/vale-100.png"],
}


def _managed(body: ProductIn) -> ManagedProduct:
    return ManagedProduct(
        reference=body.reference,
        name=body.name,
        description=body.description,
        price=_price(body.price),
        barcode=body.barcode,
        section=body.section,
        stock=body.stock,
        expires_on=body.expires_on,
        images=tuple(body.images),
    )


def _price(value: Decimal) -> Money:
    """:raises ValidationError: (field ``price``) on an amount Money refuses."""
    try:
        return Money(value)
    except ValidationError as error:
        raise ValidationError(str(error), field="price") from None


def _unset_to(value: Any, default: Any) -> Any:
    return default if value is msgspec.UNSET else value


def _change(reference: str, body: ProductUpdateIn) -> ProductChange:
    sent = tuple(f for f in _MANAGED_FIELDS if getattr(body, f) is not msgspec.UNSET)
    description = _unset_to(body.description, None)
    images = tuple(_unset_to(body.images, []))
    product = None
    missing = tuple(f for f in ("name", "price", "stock") if getattr(body, f) is msgspec.UNSET)
    if not missing:
        assert not isinstance(body.name, msgspec.UnsetType)
        assert not isinstance(body.price, msgspec.UnsetType)
        assert not isinstance(body.stock, msgspec.UnsetType)
        product = ManagedProduct(
            reference=reference,
            name=body.name,
            description=description,
            price=_price(body.price),
            barcode=_unset_to(body.barcode, None),
            section=_unset_to(body.section, None),
            stock=body.stock,
            expires_on=_unset_to(body.expires_on, None),
            images=images,
        )
    return ProductChange(reference, WebFields(description, images), product, sent, missing)


# --- conditional GET -----------------------------------------------------------------------------


def _quoted(etag: str) -> str:
    return f'"{etag}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: weak comparison against a list of tags, or ``*``."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*":
            return True
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == _quoted(etag):
            return True
    return False


def _page_json(items: list[str], next_cursor: str | None, total: int | None) -> bytes:
    tail = msgspec.json.encode({"next_cursor": next_cursor, "total": total})
    return b"".join((b'{"items":[', ",".join(items).encode(), b"],", tail[1:]))


_CACHE = "private, no-cache"


class CatalogController(Controller):
    path = "/products"
    tags = ["catalog"]

    @get(
        "/",
        summary="Browse products",
        description=(
            "Products the storefront may show: active, not deleted, with at least one active, "
            "unblocked SKU priced in the storefront price table.\n\n"
            "Filters combine with AND: `category`, `brand` and `collection` (ERP classification "
            "codes), `price_min`/`price_max` (effective price, promotions included: a product "
            "matches when any of its SKUs' prices falls in the range), `available` (true: some "
            "SKU available to sell, i.e. ERP available minus open reservations; false: none), "
            "`branch` (ERP stock at that branch), `color`, `size`, `barcode` (EAN), and `q`: "
            "words that must each start a word of the name, reference or description, case and "
            "accents ignored.\n\n"
            "Sort by `name`, `price`, `-price` or `newest`; ties are broken by reference in the "
            "same direction (ascending for `name` and `price`, descending for `-price` and "
            "`newest`). Keyset pagination: pass "
            "`next_cursor` back as `cursor` with the same sort. `total=true` adds the number of "
            "matches (one more query). Listing data may trail writes by up to "
            "`CATALOG_REFRESH_INTERVAL_MS`. Needs a signed-in user or an API key with "
            "`catalog:read`."
        ),
        guards=[require_scope(ApiScope.CATALOG_READ)],
        responses=_LIST_RESPONSES,
        media_type=JSON,
    )
    @inject
    async def browse(
        self,
        browse: FromDishka[BrowseProducts],
        category: Code = None,
        brand: Code = None,
        collection: Code = None,
        price_min: FromQuery[Decimal | None] = None,
        price_max: FromQuery[Decimal | None] = None,
        available: FromQuery[bool | None] = None,
        branch: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        color: Code = None,
        size: Code = None,
        barcode: Code = None,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        sort: FromQuery[ProductSort] = ProductSort.NAME,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 24,
        cursor: Annotated[str | None, QueryParameter(max_length=400)] = None,
        total: FromQuery[bool] = False,
    ) -> Response[bytes]:
        page = await browse(
            ProductQuery(
                category=category,
                brand=brand,
                collection=collection,
                price_min=price_min,
                price_max=price_max,
                available=available,
                branch=branch,
                color=color,
                size=size,
                barcode=barcode,
                search=q,
                sort=sort,
                limit=limit,
                cursor=cursor,
                with_total=total,
            )
        )
        return Response(
            _page_json(page.items, page.next_cursor, page.total),
            media_type=JSON,
            headers={"Cache-Control": _CACHE},
        )

    @get(
        REFERENCE_PATH,
        summary="One product",
        description=(
            "The product page: SKU grid (color × size, sizes in grid order), each SKU's prices, "
            "units available to sell, ERP stock per branch and future stock from production "
            "orders with expected dates; classifications and images. Carries an `ETag`; send it "
            "back in `If-None-Match` to get 304 Not Modified while the product is unchanged. "
            "404 for products the storefront may not show."
        ),
        guards=[require_scope(ApiScope.CATALOG_READ)],
        responses={
            **_detail_responses(200, "The product"),
            304: ResponseSpec(data_container=None, description="Unchanged since that ETag"),
        },
        response_headers=[_ETAG_HEADER],
        media_type=JSON,
    )
    @inject
    async def show(
        self,
        reference: FromPath[str],
        request: Request[Any, Any, Any],
        show: FromDishka[ShowProduct],
    ) -> Response[bytes]:
        document = await show(reference)
        headers = {"ETag": _quoted(document.etag), "Cache-Control": _CACHE}
        if matches(request.headers.get("if-none-match"), document.etag):
            return Response(b"", status_code=304, headers=headers)
        return Response(document.body.encode(), media_type=JSON, headers=headers)

    @post(
        "/",
        summary="Create a Ponte product",
        description=(
            "Admins only. A product the ERP does not own: one SKU with its price (in the "
            "storefront price table), barcode (a valid EAN/GTIN, unique among live products), "
            "section (a category code), initial stock, expiry date and images (https URLs). "
            "The reference must be new (ERP references included) and is never reused: 409 "
            "`product-exists`; a taken barcode: 409 `barcode-taken`. Answers with the product "
            "page, already in the catalog."
        ),
        guards=[admin_only],
        responses=_detail_responses(201, "The created product"),
        media_type=JSON,
    )
    @inject
    async def create(
        self,
        data: Annotated[
            ProductIn,
            Body(examples=[Example(summary="A gift card", value=_PRODUCT_IN_EXAMPLE)]),
        ],
        create: FromDishka[CreateProduct],
        show: FromDishka[ShowProduct],
    ) -> Response[bytes]:
        product = _managed(data)
        await create(product)
        document = await show(product.reference)
        return Response(
            document.body.encode(),
            status_code=201,
            media_type=JSON,
            headers={"ETag": _quoted(document.etag), "Location": f"/products/{product.reference}"},
        )

    @put(
        REFERENCE_PATH,
        summary="Update a product",
        description=(
            "Admins only. For a Ponte product, the whole product is replaced: `name`, `price` "
            "and `stock` are required, other fields left out are cleared. For an ERP product "
            "only the web fields may change: `description` (shown instead of the ERP's) and "
            "`images`, replaced together (a field left out is cleared); any other field → 409 "
            "`erp-owned`."
        ),
        guards=[admin_only],
        responses=_detail_responses(200, "The product after the change"),
        media_type=JSON,
    )
    @inject
    async def update(
        self,
        reference: FromPath[str],
        data: Annotated[
            ProductUpdateIn,
            Body(
                examples=[
                    Example(
                        summary="Web fields of an ERP product",
                        value={
                            "description": "Malha leve, ideal para o verão.",
                            "images": ["https://cdn.example.com/000123/1.jpg"],
                        },
                    )
                ]
            ),
        ],
        update: FromDishka[UpdateProduct],
        show: FromDishka[ShowProduct],
    ) -> Response[bytes]:
        await update(_change(reference, data))
        document = await show(reference)
        return Response(
            document.body.encode(), media_type=JSON, headers={"ETag": _quoted(document.etag)}
        )

    @delete(
        REFERENCE_PATH,
        summary="Delete a Ponte product",
        description=(
            "Admins only. Hides the product and stops its sale; the row stays for the orders "
            "that name its SKU. ERP products cannot be deleted here (409 `erp-owned`): "
            "deactivate them in the ERP."
        ),
        guards=[admin_only],
        status_code=204,
    )
    @inject
    async def remove(self, reference: FromPath[str], delete: FromDishka[DeleteProduct]) -> None:
        await delete(reference)
