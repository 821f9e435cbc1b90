"""The B2C order body: exclusive pairs, reconciled totals, one line per SKU, local order date."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from adapters.totvs_moda import TotvsModaOrderDefaults
from adapters.totvs_moda.order_payload import (
    MAX_OBSERVATION,
    OrderIn,
    PaymentIn,
    order_payload,
    reconcile,
)
from application.orders.model import Order
from application.outbox.erp import ErpRejected
from tests.unit.adapters.totvs_moda.conftest import make_settings
from tests.unit.adapters.totvs_moda.records import ORDER_ID, address, item, order, wire

DEFAULTS = TotvsModaOrderDefaults()


def build(an_order: Order, defaults: TotvsModaOrderDefaults = DEFAULTS) -> OrderIn:
    return order_payload(an_order, customer_code=4711, branch_code=7, defaults=defaults)


def test_a_plain_order_becomes_the_contract_body() -> None:
    body = wire(
        build(
            order(
                items=[item(1001, 2, "10.50"), item(1002, 1, "3.00")],
                freight="5.00",
                notes="deixar na portaria",
                shipping=address(),
            )
        )
    )

    assert body == {
        "orderId": str(ORDER_ID),
        "branchCode": 7,
        "orderDate": "2026-04-20T10:00:05",
        "customerCode": 4711,
        "operationCode": 510,
        "paymentConditionCode": 1,
        "statusOrder": "InProgress",
        "experienceType": "Ecommerce",
        "freightType": 1,
        "freightValue": Decimal("5.00"),
        "totalAmountOrder": Decimal("29.00"),
        "items": [
            {
                "productCode": 1001,
                "quantity": 2,
                "price": Decimal("10.50"),
                "originalPrice": Decimal("10.50"),
            },
            {
                "productCode": 1002,
                "quantity": 1,
                "price": Decimal("3.00"),
                "originalPrice": Decimal("3.00"),
            },
        ],
        "payments": [
            {
                "documentType": "CreditCard",
                "installment": 1,
                "paymentValue": Decimal("29.00"),
                "paymentType": "Normal",
            }
        ],
        "observations": [{"observation": "deixar na portaria"}],
        "shippingAddress": {
            "address": "Av. Paulista",
            "number": "1000",
            "complement": "ap 12",
            "neighborhood": "Bela Vista",
            "cityName": "São Paulo",
            "stateAbbreviation": "SP",
            "cep": "01310100",
        },
    }


def test_exactly_one_member_of_each_exclusive_pair_is_sent() -> None:
    defaults = TotvsModaOrderDefaults(
        seller_code=12, representative_code=34, shipping_company_code=56
    )
    body = wire(build(order(), defaults))

    assert (body["customerCode"], body["sellerCode"]) == (4711, 12)
    assert (body["representativeCode"], body["shippingCompanyCode"]) == (34, 56)
    for pair in ("customer", "representative", "shippingCompany"):
        assert f"{pair}CpfCnpj" not in body
    unset = wire(build(order()))
    for key in ("sellerCode", "representativeCode", "shippingCompanyCode"):
        assert key not in unset


def test_totals_reconcile_with_freight_and_discount() -> None:
    body = wire(build(order(items=[item(1001, 3, "19.90")], freight="12.35", discount="7.25")))

    assert body["discounts"] == [{"typeDiscountCode": 1, "discountValue": Decimal("7.25")}]
    assert body["totalAmountOrder"] == Decimal("64.80")  # 59.70 + 12.35 - 7.25
    assert [p["paymentValue"] for p in body["payments"]] == [Decimal("64.80")]


def test_no_discount_means_no_discounts_list() -> None:
    assert "discounts" not in wire(build(order(discount="0.00")))


def test_an_order_whose_total_does_not_add_up_is_never_built() -> None:
    with pytest.raises(ErpRejected) as caught:
        build(order(items=[item(1001, 1, "10.00")], freight="1.00", total="12.00"))

    assert caught.value.code == "TotalMismatch"
    assert "11.00" in str(caught.value)


def test_reconcile_checks_payments_against_the_total() -> None:
    payload = build(order(items=[item(1001, 1, "10.00")]))
    payload.payments = [
        PaymentIn(
            document_type="Pix", installment=1, payment_value=Decimal("9.99"), payment_type="Normal"
        )
    ]

    with pytest.raises(ErpRejected) as caught:
        reconcile(payload)

    assert caught.value.code == "TotalMismatch"


def test_repeated_products_are_merged_into_one_line() -> None:
    payload = build(
        order(items=[item(1001, 1, "10.00"), item(1002, 1, "5.00"), item(1001, 2, "10.00")])
    )

    assert [(i.product_code, i.quantity) for i in payload.items] == [(1001, 3), (1002, 1)]
    assert payload.total_amount_order == Decimal("35.00")


def test_one_product_at_two_prices_is_rejected() -> None:
    with pytest.raises(ErpRejected) as caught:
        build(order(items=[item(1001, 1, "10.00"), item(1001, 1, "9.00")], total="19.00"))

    assert caught.value.code == "RepeatedValue"


def test_a_product_only_ponte_knows_is_rejected() -> None:
    with pytest.raises(ErpRejected) as caught:
        build(order(items=[item(-3, 1, "10.00")]))

    assert caught.value.code == "NotInErp"


@pytest.mark.parametrize(
    ("created_at", "sent"),
    [
        (datetime(2026, 1, 2, 2, 30, tzinfo=UTC), "2026-01-01T23:30:00"),
        (datetime(2026, 1, 2, 9, 0, tzinfo=timezone(timedelta(hours=2))), "2026-01-02T04:00:00"),
        (datetime(2026, 1, 2, 9, 0, 59, 999_999, tzinfo=UTC), "2026-01-02T06:00:59"),
    ],
)
def test_the_order_date_is_naive_sao_paulo_time(created_at: datetime, sent: str) -> None:
    assert build(order(created_at=created_at)).order_date == sent


def test_long_notes_are_cut_to_the_observation_limit() -> None:
    observation = wire(build(order(notes="x" * 2000)))["observations"][0]["observation"]

    assert len(observation) == MAX_OBSERVATION
    assert observation.endswith("...")
    assert "observations" not in wire(build(order(notes="  \n ")))


def test_no_shipping_address_and_no_complement_are_left_out() -> None:
    assert "shippingAddress" not in wire(build(order(shipping=None)))
    sent = wire(build(order(shipping=address(complement=None))))["shippingAddress"]
    assert "complement" not in sent


def test_a_free_order_carries_no_payment() -> None:
    body = wire(build(order(items=[item(1001, 1, "0.00")])))

    assert body["totalAmountOrder"] == Decimal("0.00")
    assert "payments" not in body


def test_configured_codes_are_sent() -> None:
    defaults = TotvsModaOrderDefaults(
        operation_code=520,
        payment_condition_code=3,
        status_order="Blocked",
        experience_type="ShipFromStore",
        freight_type=2,
        classification=(9, "ECOM"),
        discount_type_code=4,
        payment_document_type="Pix",
    )
    body = wire(build(order(discount="1.00"), defaults))

    assert (body["operationCode"], body["paymentConditionCode"]) == (520, 3)
    assert (body["statusOrder"], body["experienceType"], body["freightType"]) == (
        "Blocked",
        "ShipFromStore",
        2,
    )
    assert body["classifications"] == [{"classificationTypeCode": 9, "classificationCode": "ECOM"}]
    assert body["discounts"][0]["typeDiscountCode"] == 4
    assert body["payments"][0]["documentType"] == "Pix"


def test_the_order_branch_defaults_to_the_first_mirrored_branch() -> None:
    assert make_settings(branch_codes=(5, 6)).order_branch == 5
    settings = make_settings(branch_codes=(5,), orders=TotvsModaOrderDefaults(branch_code=9))
    assert settings.order_branch == 9


@pytest.mark.parametrize(
    "change",
    [
        {"operation_code": 0},
        {"seller_code": -1},
        {"status_order": "Andamento"},
        {"experience_type": "Shop"},
        {"payment_document_type": "Boleto"},
        {"freight_type": 7},
    ],
)
def test_unusable_order_defaults_are_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        replace(DEFAULTS, **change)
