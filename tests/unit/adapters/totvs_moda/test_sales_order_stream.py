"""The sales orders stream: request, statuses by name or number, items, invoices, address."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from adapters.totvs_moda.dates import SAO_PAULO
from adapters.totvs_moda.decoding import PageDecoder
from adapters.totvs_moda.settings import ORDER_STATUSES
from adapters.totvs_moda.stream_spec import ChangeWindow
from adapters.totvs_moda.streams.sales_orders import SalesOrdersSpec
from application.sync.ports import Page
from domain.customers import Address, AddressType, CustomerKind
from domain.documents import Cnpj, Cpf
from domain.erp_orders import ErpInvoice, ErpOrder, ErpOrderItem, ErpOrderProgress
from tests.unit.adapters.totvs_moda.conftest import envelope

SINCE = ChangeWindow("2026-04-18T00:00:00", "2026-04-20T10:00:00", full=False)
SPEC = SalesOrdersSpec(500, (1, 2))
KEY = "35260411222333000181550010001000011000000010"


def decode(items: list[Any]) -> Page:
    return PageDecoder(SPEC).decode(1, msgspec.json.encode(envelope(items))).page


def order(**fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "branchCode": 1,
        "orderCode": 42,
        "orderId": "5b0f6d0e-5c1e-4c57-9d55-8a8f3c0b8e01",
        "customerCode": 7,
        "customerCpfCnpj": "529.982.247-25",
        "customerName": "  Ana   Souza ",
        "statusOrder": "Attended",
        "insertDate": "2026-04-19T09:00:00",
        "orderDate": "2026-04-19T08:59:00",
        "maxChangeFilterDate": "2026-04-19T12:00:00",
        "freightValue": 15.0,
        "discountValue": 7.0,
        "netValue": 98.0,
        "totalAmountOrder": 113.0,
        "items": [
            {
                "productCode": 1001,
                "referenceCode": "REF-A",
                "quantity": 2,
                "settledQuantity": 2,
                "canceledQuantity": 0,
                "price": 39.9,
            },
            {
                "productCode": 1002,
                "referenceCode": "REF-A",
                "quantity": 1,
                "settledQuantity": 0,
                "canceledQuantity": 1,
                "price": 25.2,
            },
        ],
        "invoices": [
            {
                "code": 100001,
                "serial": "1",
                "issueDate": "2026-04-19T11:00:00",
                "status": "Issued",
                "trackingCode": "OP123456789BR",
                "electronic": {"accessKey": KEY, "electronicInvoiceStatus": "Authorized"},
            }
        ],
        "shippingAddress": {
            "address": "Rua das Flores",
            "number": "10",
            "complement": "ap 3",
            "neighborhood": "Centro",
            "cityName": "São Paulo",
            "stateAbbreviation": "SP",
            "cep": "01310-100",
        },
    }
    row.update(fields)
    return row


def test_requests_the_configured_branches_with_items_invoices_and_address() -> None:
    request = SPEC.request(3, SINCE)

    assert (request.method, request.path) == ("POST", "sales-order/v2/orders/search")
    assert request.json == {
        "filter": {
            "branchCodeList": [1, 2],
            "change": {"startDate": SINCE.start, "endDate": SINCE.end},
        },
        "expand": "items,invoices,shippingAddress",
        "order": "branchCode,orderCode",
        "page": 3,
        "pageSize": 500,
    }


def test_a_full_read_keeps_to_the_orders_of_the_history_days() -> None:
    spec = SalesOrdersSpec(500, (1,), history_days=30)
    read_at = datetime(2026, 4, 20, 13, 0, tzinfo=UTC)
    full = ChangeWindow("1900-01-01T00:00:00", "2026-04-21T10:00:00", full=True, read_at=read_at)
    since = SINCE._replace(read_at=read_at)

    filter_ = spec.request(1, full).json["filter"]
    incremental = spec.request(1, since).json["filter"]

    # 30 days before 13:00 UTC is 10:00 in Sao Paulo, as a naive local time.
    assert filter_["startOrderDate"] == "2026-03-21T10:00:00"
    assert filter_["change"] == {"startDate": full.start, "endDate": full.end}
    assert incremental == {
        "branchCodeList": [1],
        "change": {"startDate": SINCE.start, "endDate": SINCE.end},
    }


@pytest.mark.parametrize(
    ("document", "kind", "expected"),
    [
        ("11.222.333/0001-81", CustomerKind.COMPANY, Cnpj("11222333000181")),
        (11222333000181, CustomerKind.COMPANY, Cnpj("11222333000181")),
        (1234567890, CustomerKind.INDIVIDUAL, Cpf("01234567890")),
        ("11222333000182", CustomerKind.COMPANY, None),
        ("52998224726", CustomerKind.INDIVIDUAL, None),
        ("123", CustomerKind.INDIVIDUAL, None),
        (None, CustomerKind.INDIVIDUAL, None),
    ],
)
def test_the_customer_document_is_kept_when_valid_and_gives_the_kind_by_its_length(
    document: str | int | None, kind: CustomerKind, expected: Cpf | Cnpj | None
) -> None:
    [record] = decode([order(customerCpfCnpj=document)]).records

    assert (record.customer_kind, record.customer_document) == (kind, expected)


@pytest.mark.parametrize("name", [None, "   ", "x" * 201, "Ana\x00"])
def test_an_unusable_customer_name_is_left_out_and_the_order_arrives(name: str | None) -> None:
    [record] = decode([order(customerName=name)]).records

    assert record.customer_name is None
    customer = record.named_customer()
    assert customer is not None
    assert (customer.erp_code, customer.name) == (7, "Cliente 7")


def test_an_order_becomes_an_erp_order() -> None:
    page = decode([order()])

    assert page.rejections == []
    assert page.records == [
        ErpOrder(
            branch_code=1,
            order_code=42,
            client_id="5b0f6d0e-5c1e-4c57-9d55-8a8f3c0b8e01",
            customer_code=7,
            customer_kind=CustomerKind.INDIVIDUAL,
            customer_document=Cpf("52998224725"),
            customer_name="Ana Souza",
            status_name="Attended",
            progress=ErpOrderProgress.SERVED,
            ordered_at=datetime(2026, 4, 19, 8, 59, tzinfo=SAO_PAULO),
            inserted_at=datetime(2026, 4, 19, 9, 0, tzinfo=SAO_PAULO),
            changed_at=datetime(2026, 4, 19, 12, 0, tzinfo=SAO_PAULO),
            items=(
                ErpOrderItem(
                    product_code=1001,
                    reference_code="REF-A",
                    quantity=2,
                    served=2,
                    cancelled=0,
                    unit_price=Decimal("39.90"),
                ),
                ErpOrderItem(
                    product_code=1002,
                    reference_code="REF-A",
                    quantity=1,
                    served=0,
                    cancelled=1,
                    unit_price=Decimal("25.20"),
                ),
            ),
            invoices=(
                ErpInvoice(
                    number="100001",
                    series="1",
                    access_key=KEY,
                    issued_at=datetime(2026, 4, 19, 11, 0, tzinfo=SAO_PAULO),
                    tracking_code="OP123456789BR",
                    status="Issued",
                ),
            ),
            freight=Decimal("15.00"),
            # 2 × 39.90 + 25.20 + 15.00 = 120.00, the ERP's total is 113.00
            discount=Decimal("7.00"),
            total=Decimal("113.00"),
            shipping_address=Address(
                type=AddressType.SHIPPING,
                street="Rua das Flores",
                number="10",
                complement="ap 3",
                district="Centro",
                city="São Paulo",
                state="SP",
                zip_code="01310100",
            ),
        )
    ]


@pytest.mark.parametrize(
    ("status", "name", "progress"),
    [
        ("InProgress", "InProgress", ErpOrderProgress.RECEIVED),
        (1, "InProgress", ErpOrderProgress.RECEIVED),
        ("billingreleased", "BillingReleased", ErpOrderProgress.ACCEPTED),
        (2, "BillingReleased", ErpOrderProgress.ACCEPTED),
        (3, "PartiallyAnswered", ErpOrderProgress.PARTIALLY_SERVED),
        (4, "Attended", ErpOrderProgress.SERVED),
        ("5", "Blocked", ErpOrderProgress.RECEIVED),
        (6, "Canceled", ErpOrderProgress.CANCELLED),
        (7, "InComposition", ErpOrderProgress.RECEIVED),
        ("InAnalysis", "InAnalysis", ErpOrderProgress.RECEIVED),
    ],
)
def test_status_comes_as_a_name_or_as_its_number(
    status: str | int, name: str, progress: ErpOrderProgress
) -> None:
    [record] = decode([order(statusOrder=status)]).records

    assert (record.status_name, record.progress) == (name, progress)


@pytest.mark.parametrize("status", sorted(ORDER_STATUSES))
def test_an_order_as_ponte_creates_it_is_received_not_yet_accepted(status: str) -> None:
    """Only the back office's BillingReleased (what confirming sends) confirms an order."""
    [record] = decode([order(statusOrder=status, invoices=[])]).records

    assert record.progress is ErpOrderProgress.RECEIVED


def test_the_access_key_and_the_address_number_come_under_either_name() -> None:
    invoice = {"code": "9", "serial": 2, "accessKey": KEY, "electronic": None}
    address = {
        "address": "Rua B",
        "addressNumber": 77,
        "neighborhood": "Centro",
        "cityName": "Recife",
        "stateAbbreviation": "PE",
        "cep": 50030000,
    }

    [record] = decode([order(invoices=[invoice], shippingAddress=address)]).records

    assert record.invoices == (ErpInvoice(number="9", series="2", access_key=KEY),)
    assert record.shipping_address is not None
    assert (record.shipping_address.number, record.shipping_address.zip_code) == (
        "77",
        "50030000",
    )


def test_lines_of_one_sku_are_summed_and_empty_lines_dropped() -> None:
    items = [
        {"productCode": 5, "quantity": 1, "settledQuantity": 1, "price": 10},
        {"productCode": 5, "quantity": 3.000, "canceledQuantity": 1, "price": 12},
        {"productCode": 6, "quantity": 0, "price": 99},
    ]

    [record] = decode([order(items=items, totalAmountOrder=None, netValue=None)]).records

    assert record.items == (
        ErpOrderItem(
            product_code=5,
            reference_code=None,
            quantity=4,
            served=1,
            cancelled=1,
            unit_price=Decimal("11.50"),
        ),
    )
    # Without the ERP's total: lines + freight.
    assert (record.total, record.discount) == (Decimal("61.00"), Decimal("0.00"))


def test_orders_of_other_branches_are_skipped() -> None:
    page = decode([order(branchCode=9)])

    assert (page.records, page.rejections) == ([], [])


def test_bad_orders_are_rejected_with_their_reason_and_the_rest_arrives() -> None:
    page = decode(
        [
            order(orderCode=1),
            order(orderCode=2, statusOrder="Shipped"),
            order(orderCode=3, items=[{"productCode": 1, "quantity": 1.5, "price": 1}]),
            order(orderCode=4, totalAmountOrder=-1),
            order(orderCode=5, insertDate="19/04/2026 09:00:00"),
        ]
    )

    assert [r.order_code for r in page.records] == [1, 5]
    assert page.records[1].inserted_at == datetime(2026, 4, 19, 9, 0, tzinfo=SAO_PAULO)
    reasons = {r.key: r.reason for r in page.rejections}
    assert reasons == {
        "1/2": "unknown statusOrder 'Shipped'",
        "1/3": "quantity 1.5 is not a whole number of units",
        "1/4": "totalAmountOrder -1 is not an amount Ponte can hold",
    }


@pytest.mark.parametrize("value", ["²", "٣", " ¹ "])
def test_unicode_digits_are_a_bad_row_not_a_crash(value: str) -> None:
    from adapters.totvs_moda.stream_spec import RowError
    from adapters.totvs_moda.streams.sales_orders import status_name
    from adapters.totvs_moda.streams.values import int_of

    assert int_of(value) is None
    with pytest.raises(RowError):
        status_name(value)
