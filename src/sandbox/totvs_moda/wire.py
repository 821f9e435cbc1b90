"""Response bodies, field for field as TOTVS Moda sends them (contract §4.2, §7).

Attribute names are the wire keys, including the casing quirks (``ReferenceCode``,
``SalesStartDate``, ``Quantity``). Nested arrays governed by ``expand`` default to ``UNSET`` and are
then left out of the body; ``details`` is the exception and comes back as ``null``, so clients meet
both forms the contract allows.

``barCodes[]`` items are ``{barCode, mainBarCode}``: the 13-digit EAN and whether it is the SKU's
main code (the first one is).
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, Struct, UnsetType


class Envelope(Struct, gc=False):
    count: int
    totalPages: int
    hasNext: bool
    totalItems: int
    items: list[Any]


class BarCode(Struct, gc=False):
    barCode: str
    mainBarCode: bool


class ProductClassification(Struct, gc=False):
    typeCode: int
    typeName: str
    typeNameAux: str | None
    code: str
    name: str
    nameAux: str | None


class Detail(Struct, gc=False):
    typeCode: int
    type: str
    auxiliaryType: str | None
    title: str
    description: str


class Product(Struct, gc=False):
    """A SKU row. Fields with defaults are the same on every seeded row and left to the default
    on the hot path."""

    productCode: int
    productName: str
    productSku: str | None
    maxChangeFilterDate: str
    colorCode: str
    colorName: str
    additionalColorInformation: str | None
    size: str
    gridCode: str
    ReferenceCode: str
    referenceId: int
    referenceName: str
    description: str | None
    ncm: str
    isActive: bool
    isBlocked: bool
    SalesStartDate: str | None
    barCodes: list[BarCode]
    details: list[Detail] | None = None
    classifications: list[ProductClassification] | UnsetType = UNSET
    cest: str | None = None
    isFinishedProduct: bool = True
    isRawMaterial: bool = False
    isBulkMaterial: bool = False
    isOwnProduction: bool = True
    measuredUnit: str = "UN"
    SalesEndDate: str | None = None


class Balance(Struct, gc=False):
    branchCode: int
    stockCode: int
    stockDescription: str
    stock: int
    salesOrder: int
    inputTransaction: int
    outputTransaction: int
    productionPlanning: int
    purchaseOrder: int
    productionOrderProgress: int
    productionOrderWaitLib: int
    stockTemp: int


class Location(Struct, gc=False):
    branchCode: int
    locationCode: str
    description: str


class BalanceItem(Struct, gc=False):
    productCode: int
    productName: str
    productSku: str | None
    referenceCode: str
    colorCode: str
    colorName: str
    sizeName: str
    maxChangeFilterDate: str
    balances: list[Balance]
    locations: list[Location] | UnsetType = UNSET


class PriceEntry(Struct, gc=False):
    branchCode: int
    priceCode: int
    priceName: str
    price: float
    promotionalPrice: float
    promotionalInformation: str | None = None
    informationOtherPromotions: str | None = None


class PriceItem(Struct, gc=False):
    productCode: int
    maxChangeFilterDate: str
    prices: list[PriceEntry]


class CostEntry(Struct, gc=False):
    branchCode: int
    costCode: int
    costName: str
    cost: float


class CostItem(Struct, gc=False):
    productCode: int
    maxChangeFilterDate: str
    costs: list[CostEntry]


class ColorItem(Struct, gc=False):
    colorCode: str
    colorName: str
    additionalColorInformation: str | None
    maxChangeFilterDate: str


class GridItem(Struct, gc=False):
    code: str
    name: str
    type: str
    grid: list[str]
    maxChangeFilterDate: str


class ClassificationItem(Struct, gc=False):
    typeCode: int
    typeName: str
    code: str
    name: str


class OrderItem(Struct, gc=False):
    productCode: int
    productName: str
    colorCode: str
    colorName: str
    sizeCode: int
    sizeName: str
    referenceCode: str
    referenceName: str
    quantity: int
    finishedQuantity: int
    pendingQuantity: int
    isStartMovement: bool


class OrderLocation(Struct, gc=False):
    locationCode: int
    locationName: str
    productCode: int
    Quantity: int
    entryDate: str


class ProductionOrder(Struct, gc=False):
    branchCode: int
    orderCode: int
    quantity: int
    finishedQuantity: int
    pendingQuantity: int
    status: int
    priority: int
    estimatedDeliveryDate: str
    insertDate: str
    lastChangeDate: str
    maxChangeFilterDate: str
    endDate: str | None
    startMovimentDate: str | None
    customerCode: int | None
    customerCpfCnpj: str | None
    customerName: str | None
    cycleCode: int | None
    items: list[OrderItem] | UnsetType = UNSET
    locations: list[OrderLocation] | UnsetType = UNSET


class TokenResponse(Struct):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str


_encoder = msgspec.json.Encoder()


def encode(value: Any) -> bytes:
    return _encoder.encode(value)
