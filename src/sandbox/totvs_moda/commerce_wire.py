"""Person and sales-order bodies, field for field as TOTVS Moda sends them (contract §8.1, §9.1).

Casing quirks kept: ``phones[].Sequence`` next to ``emails[].sequence``. ``expand`` decides the
nested collections: persons leave ``phones``, ``addresses`` and ``classifications`` out and send
``emails: null``; orders leave ``items`` and ``invoices`` out and send ``shippingAddress: null``,
so clients meet both forms the contract allows.
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET, Struct, UnsetType


class PersonPhone(Struct, gc=False):
    Sequence: int
    typeCode: int
    typeName: str | None
    number: str
    branchLine: str | None
    isDefault: bool


class PersonEmail(Struct, gc=False):
    sequence: int
    typeCode: int
    typeName: str | None
    email: str
    isDefault: bool


class PersonAddress(Struct, gc=False):
    sequenceCode: int
    addressTypeCode: int
    addressType: str | None
    publicPlace: str | None
    address: str
    addressNumber: str | None
    complement: str | None
    neighborhood: str | None
    ibgeCityCode: int | None
    cityName: str | None
    stateAbbreviation: str | None
    cep: str
    bcbCountryCode: int
    countryName: str
    postOfficeBox: str | None
    reference: str | None


class PersonClassification(Struct, gc=False):
    typeCode: int
    typeName: str
    code: str
    name: str


class PersonBase(Struct, kw_only=True, gc=False):
    code: int
    name: str
    isInactive: bool
    customerStatus: str
    status: str | int
    branchInsertCode: int
    insertDate: str
    maxChangeFilterDate: str
    isCustomer: bool
    isSupplier: bool
    isRepresentative: bool
    isPurchasingGuide: bool
    isShippingCompany: bool
    phones: list[PersonPhone] | UnsetType = UNSET
    addresses: list[PersonAddress] | UnsetType = UNSET
    emails: list[PersonEmail] | None = None
    classifications: list[PersonClassification] | UnsetType = UNSET


class Individual(PersonBase, kw_only=True, gc=False):
    cpf: str
    rg: str | None
    birthDate: str | None
    gender: str | None
    isEmployee: bool
    isBloqued: bool
    registrationStatus: str = "Normal"


class LegalEntity(PersonBase, kw_only=True, gc=False):
    cnpj: str
    fantasyName: str | None
    uf: str | None
    numberStateRegistration: str | None
    #: ``dd/MM/yyyy HH:mm:ss``, as the real sample has it.
    dateFoundation: str | None


class SalesOrderItem(Struct, gc=False):
    productCode: int
    productSku: str | None
    name: str
    referenceCode: str
    referenceName: str
    colorCode: str
    colorName: str
    sizeName: str
    quantity: int
    toSettleQuantity: int
    settledQuantity: int
    canceledQuantity: int
    extraQuantity: int
    pendingQuantity: int
    originalPrice: float
    price: float
    discountPercentage: float
    insertDate: str
    lastChangeDate: str
    billingForecastDate: str | None
    billingLimitDate: str | None
    lastBillingDate: str | None


class ElectronicInvoice(Struct, gc=False):
    accessKey: str
    electronicInvoiceStatus: str
    receipt: str
    receivementDate: str


class OrderInvoice(Struct, gc=False):
    code: int
    serial: str
    accessKey: str
    issueDate: str
    status: str
    shippingCompanyName: str | None
    packageNumber: int
    grossWeight: float
    netWeight: float
    trackingCode: str
    quantity: int
    productValue: float
    shippingValue: float
    ipiValue: float
    totalValue: float
    transactionBranchCode: int
    transactionDate: str
    transactionCode: int
    electronic: ElectronicInvoice


class SalesOrderRow(Struct, kw_only=True, gc=False):
    branchCode: int
    orderCode: int
    orderId: str | None
    customerOrderCode: str | None
    integrationCode: str | None
    insertDate: str
    orderDate: str
    maxChangeFilterDate: str
    arrivalDate: str | None
    billingForecastDate: str | None
    customerCode: int
    customerCpfCnpj: str
    customerName: str
    sellerCode: int | None
    sellerCpfCnpj: str | None = None
    representativeCode: int | None
    representativeName: str | None = None
    operationCode: int | None
    operationName: str | None
    paymentConditionCode: int | None
    paymentConditionName: str | None = None
    priceTableCode: int | None
    quantity: int
    grossValue: float
    discountValue: float
    netValue: float
    totalAmountOrder: float
    freightType: int | None
    freightValue: float
    shippingCompanyCode: int | None
    shippingCompanyCpfCnpj: str | None
    shippingCompanyName: str | None = None
    shippingService: str | None
    shippingServiceName: str | None
    statusOrder: str | int
    reasonBlockingCode: int | None
    reasonBlockingDescription: str | None
    hasPdvTransaction: bool
    hasFinancialProcessed: bool
    items: list[SalesOrderItem] | UnsetType = UNSET
    invoices: list[OrderInvoice] | UnsetType = UNSET
    shippingAddress: dict[str, Any] | None = None


class OrderOut(Struct, gc=False):
    """``OrderOutDto``: what ``b2c-orders`` (201), cancel and change-status (200) answer."""

    branchCode: int
    orderCode: int
    orderId: str | None
