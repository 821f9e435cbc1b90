"""Paths, bodies and admin calls for the persons and sales-order tests."""

from __future__ import annotations

from typing import Any

from tests.integration.sandbox.conftest import Api

INDIVIDUALS = "/person/v2/individuals/search"
LEGAL_ENTITIES = "/person/v2/legal-entities/search"
INDIVIDUAL_CUSTOMERS = "/person/v2/individual-customers"
LEGAL_CUSTOMERS = "/person/v2/legal-customers"
SALES_ORDERS = "/sales-order/v2/orders/search"
B2C_ORDERS = "/sales-order/v2/b2c-orders"
CANCEL = "/sales-order/v2/orders/cancel"
CHANGE_STATUS = "/sales-order/v2/orders/change-status"


def b2c_order(order_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid order of seeded customer 1: 2 × 49.90 + 1 × 19.90 + 10 freight − 5 discount."""
    body: dict[str, Any] = {
        "orderId": order_id,
        "branchCode": 1,
        "orderDate": "2026-04-02T08:30:00-03:00",
        "customerCode": 1,
        "operationCode": 510,
        "statusOrder": "Blocked",
        "experienceType": "Ecommerce",
        "freightType": 1,
        "freightValue": 10,
        "items": [
            {"productCode": 12, "quantity": 2, "price": 49.9, "originalPrice": 59.9},
            {"productCode": 40, "quantity": 1, "price": 19.9},
        ],
        "discounts": [{"typeDiscountCode": 1, "discountValue": 5}],
        "totalAmountOrder": 124.7,
        "payments": [{"documentType": "CreditCard", "installment": 1, "paymentValue": 124.7}],
        "shippingAddress": {
            "address": "Rua Augusta",
            "number": "1500",
            "neighborhood": "Consolação",
            "cityName": "São Paulo",
            "stateAbbreviation": "SP",
            "cep": "01304-001",
        },
    }
    body.update(overrides)
    return body


async def admin(api: Api, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    async with api.http.request(method, f"{api.sandbox.url}/_sandbox{path}", json=body) as r:
        return r.status, await r.json()


async def writes(api: Api, after: int = 0) -> list[dict[str, Any]]:
    status, body = await admin(api, "GET", f"/writes?after={after}")
    assert status == 200
    items: list[dict[str, Any]] = body["items"]
    return items
