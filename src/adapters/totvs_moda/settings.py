"""Configuration of the TOTVS Moda adapter (built from the environment by the entrypoints)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from adapters.totvs_moda.retry import RetryPolicy
from domain.customers import AddressType, PhoneType
from domain.stock import DEFAULT_AVAILABLE_FORMULA, AvailableStockFormula

_SECRET = ("client_id", "client_secret", "password", "api_key")


@dataclass(frozen=True, slots=True, kw_only=True)
class PageSizes:
    """Rows requested per page; each must stay within the endpoint's maximum."""

    colors: int = 1000
    grid: int = 1000
    classifications: int = 1000
    products: int = 1000
    balances: int = 1000
    prices: int = 1000
    costs: int = 1000
    production_orders: int = 500

    def __post_init__(self) -> None:
        if any(getattr(self, f.name) < 1 for f in fields(self)):
            raise ValueError("page sizes must be positive")


#: ``OrderInDto`` enums (contract §9.1, §9.2).
#: Statuses a B2C order may be created with (contract §9.2: InProgress, Blocked, InAnalysis).
ORDER_STATUSES = frozenset({"InProgress", "Blocked", "InAnalysis"})
EXPERIENCE_TYPES = frozenset(
    {"Ecommerce", "ShipFromStore", "ClickAndCollect", "PickupStore", "InfiniteShelf"}
)
PAYMENT_DOCUMENT_TYPES = frozenset(
    {"InvoiceMarketplace", "Cash", "Billet", "CreditCard", "DebitCard", "RecebimentoPdv"}
    | {"Paypal", "ReceiptCheck", "Credev", "Invoice", "Advance", "Voucher", "Pix", "PicPay"}
)
#: 1 CIF, 2 FOB, 3 third party, 4 none, 5 own/sender, 6 own/recipient.
FREIGHT_TYPES = frozenset(range(1, 7))


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneTypeCodes:
    """The tenant's phone type codes (``GET /person/v2/phone-types``) for Ponte's phone types."""

    mobile: int = 3
    home: int = 1
    work: int = 2

    def of(self, kind: PhoneType) -> int:
        codes = {
            PhoneType.MOBILE: self.mobile,
            PhoneType.HOME: self.home,
            PhoneType.WORK: self.work,
        }
        return codes[kind]


@dataclass(frozen=True, slots=True)
class AddressTypeCode:
    """A tenant address type: its code and the ``addressType`` enum name sent with it."""

    code: int
    name: str

    def __post_init__(self) -> None:
        if self.code < 1 or not self.name.strip():
            raise ValueError("an address type has a positive code and a name")


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressTypeCodes:
    """The tenant's address types for Ponte's address types."""

    home: AddressTypeCode = AddressTypeCode(1, "Residential")
    work: AddressTypeCode = AddressTypeCode(2, "Commercial")
    shipping: AddressTypeCode = AddressTypeCode(3, "Delivery")
    billing: AddressTypeCode = AddressTypeCode(4, "Billing")
    other: AddressTypeCode = AddressTypeCode(1, "Residential")

    def of(self, kind: AddressType) -> AddressTypeCode:
        codes = {
            AddressType.HOME: self.home,
            AddressType.WORK: self.work,
            AddressType.SHIPPING: self.shipping,
            AddressType.BILLING: self.billing,
            AddressType.OTHER: self.other,
        }
        return codes[kind]


@dataclass(frozen=True, slots=True, kw_only=True)
class TotvsModaOrderDefaults:
    """What Ponte's customers and orders are written with: tenant codes Ponte has no data for.

    ``branch_code`` None means ``branch_codes[0]``. ``seller_code``, ``representative_code`` and
    ``shipping_company_code`` are sent only when set; ``classification`` is a
    ``(classificationTypeCode, classificationCode)`` pair added to every order.
    """

    branch_code: int | None = None
    operation_code: int = 510
    payment_condition_code: int = 1
    seller_code: int | None = None
    representative_code: int | None = None
    status_order: str = "InProgress"
    experience_type: str = "Ecommerce"
    freight_type: int = 1
    shipping_company_code: int | None = None
    classification: tuple[int, str] | None = None
    discount_type_code: int = 1
    payment_document_type: str = "CreditCard"
    cancel_reason_code: int = 1
    email_type_code: int = 1
    phone_types: PhoneTypeCodes = field(default_factory=PhoneTypeCodes)
    address_types: AddressTypeCodes = field(default_factory=AddressTypeCodes)

    def __post_init__(self) -> None:
        """:raises ValueError: on a code that is not positive or a name the ERP does not know."""
        codes = [
            self.operation_code,
            self.payment_condition_code,
            self.discount_type_code,
            self.cancel_reason_code,
            self.email_type_code,
            self.phone_types.mobile,
            self.phone_types.home,
            self.phone_types.work,
        ]
        optional = (
            self.branch_code,
            self.seller_code,
            self.representative_code,
            self.shipping_company_code,
        )
        codes += [code for code in optional if code is not None]
        if any(code < 1 for code in codes):
            raise ValueError("order and person codes must be positive")
        if self.status_order not in ORDER_STATUSES:
            raise ValueError(
                f"an order is created InProgress, Blocked or InAnalysis, not {self.status_order!r}"
            )
        if self.experience_type not in EXPERIENCE_TYPES:
            raise ValueError(f"unknown experienceType {self.experience_type!r}")
        if self.payment_document_type not in PAYMENT_DOCUMENT_TYPES:
            raise ValueError(f"unknown payment documentType {self.payment_document_type!r}")
        if self.freight_type not in FREIGHT_TYPES:
            raise ValueError("freightType is 1 to 6")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class TotvsModaSettings:
    """Where and how to reach TOTVS Moda, and which branches/codes to mirror.

    ``branch_codes[0]`` is the branch whose product data (``option.branchInfoCode``) is read.
    ``concurrency`` bounds the requests in flight per stream read. ``max_pages`` stops a runaway
    read with an error instead of truncating it. ``timeout`` is the total seconds per call.
    ``orders_history_days``: a full read of sales orders keeps to those ordered in the last so
    many days.
    """

    base_url: str
    client_id: str
    client_secret: str
    username: str
    password: str
    branch: int | str | None = None
    branch_codes: tuple[int, ...] = (1,)
    stock_codes: tuple[int, ...] = (1,)
    price_codes: tuple[int, ...] = (1,)
    cost_codes: tuple[int, ...] = (1,)
    classification_type_codes: tuple[int, ...] = (1, 2, 3)
    available_formula: str = DEFAULT_AVAILABLE_FORMULA
    page_sizes: PageSizes = field(default_factory=PageSizes)
    concurrency: int = 4
    max_pages: int = 100_000
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    verify_tls: bool = True
    api_key: str | None = None
    path_prefix: str = "/api/totvsmoda"
    orders: TotvsModaOrderDefaults = field(default_factory=TotvsModaOrderDefaults)
    orders_history_days: int = 90

    def __post_init__(self) -> None:
        """:raises ValueError: on an unusable value (``ValidationError`` for the stock formula)."""
        if not self.branch_codes:
            raise ValueError("branch_codes must name at least one branch")
        if self.concurrency < 1 or self.max_pages < 1 or self.timeout <= 0:
            raise ValueError("concurrency, max_pages and timeout must be positive")
        if self.orders_history_days < 1:
            raise ValueError("orders_history_days must be positive")
        AvailableStockFormula.parse(self.available_formula)

    @property
    def order_branch(self) -> int:
        """The branch customers and orders are written to."""
        return self.orders.branch_code or self.branch_codes[0]

    @property
    def formula(self) -> AvailableStockFormula:
        return AvailableStockFormula.parse(self.available_formula)

    def url(self, path: str) -> str:
        """``path`` is ``{module}/v2/{resource}``."""
        prefix = "/" + self.path_prefix.strip("/") if self.path_prefix.strip("/") else ""
        return f"{self.base_url.rstrip('/')}{prefix}/{path.lstrip('/')}"

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in an error message or log line."""
        values = (getattr(self, name) for name in _SECRET)
        return tuple(v for v in values if v)

    def __repr__(self) -> str:
        def show(name: str) -> str:
            value = getattr(self, name)
            return "'***'" if name in _SECRET and value else repr(value)

        return f"TotvsModaSettings({', '.join(f'{f.name}={show(f.name)}' for f in fields(self))})"

    __str__ = __repr__
