"""OpenAPI examples of the ``/orders`` endpoints."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example

from entrypoints.http.problems import PROBLEM_JSON, TYPE_BASE, Problem

ORDER_ID = "0193a5e4-7c1f-7d2a-9b51-3f0c2a6e8d14"
CUSTOMER_ID = "0193a5e0-11aa-7bcd-8e0f-1234567890ab"

ADDRESS: dict[str, Any] = {
    "street": "Rua Augusta",
    "number": "1500",
    "complement": "apto 42",
    "district": "Consolação",
    "city": "São Paulo",
    "state": "SP",
    "zip_code": "01304-001",
}

PLACE_BODY: dict[str, Any] = {
    "customer_id": CUSTOMER_ID,
    "items": [
        {"product_code": 100123, "quantity": 2},
        {"product_code": 100124, "quantity": 1},
        {"product_code": 100123, "quantity": 1},
    ],
    "freight": "19.90",
    "discount": 10,
    "shipping_address": ADDRESS,
    "notes": "Entregar na portaria",
}

ORDER: dict[str, Any] = {
    "id": ORDER_ID,
    "customer_id": CUSTOMER_ID,
    "status": "pending",
    "items": [
        {
            "product_code": 100123,
            "reference_code": "CAM-0042",
            "section_code": "12",
            "quantity": 3,
            "unit_price": "89.90",
            "total": "269.70",
            "served_quantity": 0,
            "cancelled_quantity": 0,
        },
        {
            "product_code": 100124,
            "reference_code": "CAM-0042",
            "section_code": "12",
            "quantity": 1,
            "unit_price": "79.90",
            "total": "79.90",
            "served_quantity": 0,
            "cancelled_quantity": 0,
        },
    ],
    "subtotal": "349.60",
    "freight": "19.90",
    "discount": "10.00",
    "total": "359.50",
    "shipping_address": {**ADDRESS, "zip_code": "01304001", "country": "BR", "type": "shipping"},
    "notes": "Entregar na portaria",
    "reservation_open": True,
    "created_at": "2026-11-23T14:05:09.120000Z",
    "updated_at": "2026-11-23T14:05:09.120000Z",
    "origin": "ponte",
    "erp": {
        "branch_code": 1,
        "order_code": 90412,
        "status": "InProgress",
        "invoices": [],
    },
    "erp_delivery": {"status": "delivered", "error": None},
}

CANCELLED_ORDER: dict[str, Any] = {
    **ORDER,
    "status": "cancelled",
    "reservation_open": False,
    "updated_at": "2026-11-23T15:30:00.000000Z",
}


def example(summary: str, value: Any) -> list[Example]:
    return [Example(summary=summary, value=value)]


def problem(status: int, slug: str, detail: str, field: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": "/orders",
    }
    if field is not None:
        body["errors"] = [{"field": field, "message": detail}]
    return body


def problems(description: str, *bodies: dict[str, Any]) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        description=description,
        media_type=PROBLEM_JSON,
        examples=[
            Example(summary=body["type"].removeprefix(TYPE_BASE), value=body) for body in bodies
        ],
    )


NOT_FOUND = problems(
    "No order has this id", problem(404, "not-found", f"order {ORDER_ID} not found")
)
INSUFFICIENT = problem(
    409, "insufficient-stock", "product 100123: 3 requested, 2 available to sell", "items"
)
UNSELLABLE = problem(
    422,
    "domain-validation",
    "not sellable (unknown, inactive, blocked or without a price): 999999",
    "items[0].product_code",
)
INVALID_MOVE = problem(
    409, "invalid-transition", "an order cannot go from invoiced to cancelled", "status"
)
ADMINS_ONLY = problems(
    "Signed in, but not an admin (API keys never change a status)",
    problem(403, "forbidden", "Only admins may change an order's status."),
)
