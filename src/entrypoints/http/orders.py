"""Storefront orders: place, read, list, edit and cancel, holding stock while they are open."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.openapi import ResponseSpec
from litestar.params import Body, FromPath, QueryParameter

from application.orders.cancel_order import CancelOrder, CancelOrderCommand
from application.orders.get_order import GetOrder, GetOrderQuery
from application.orders.list_orders import MAX_PAGE_SIZE, ListOrders, ListOrdersQuery
from application.orders.model import OrderFilter
from application.orders.place_order import PlaceOrder, PlaceOrderCommand
from application.orders.update_order import UpdateOrder, UpdateOrderCommand
from domain.accounts import ApiScope, Role
from domain.orders import OrderStatus
from entrypoints.http import openapi_examples as docs
from entrypoints.http import order_examples as ex
from entrypoints.http.auth import API_KEY_HEADER, admin_only, bearer_claims, require_scope
from entrypoints.http.idempotency import IdempotencyKeyHeader, checked_key, create_once
from entrypoints.http.order_wire import (
    OrderChangeIn,
    OrderIn,
    OrderOut,
    OrdersOut,
    aware,
    bad_request,
    item_requests,
    order_out,
    shipping_address,
)
from entrypoints.http.problems import ProblemError


async def _require_admin(request: Request[Any, Any, Any]) -> None:
    """Only a signed-in admin changes a status; a request made with an API key never does.

    :raises ProblemError: 403 otherwise (401 without a valid bearer token).
    """
    detail = "Only admins may change an order's status."
    if request.headers.get(API_KEY_HEADER) is not None:
        raise ProblemError(403, "forbidden", detail + " API keys cannot.")
    claims = await bearer_claims(request)
    if claims.role != Role.ADMIN.value:
        raise ProblemError(403, "forbidden", detail)


ORDERS_WRITE = require_scope(ApiScope.ORDERS_WRITE)
OrderId = FromPath[UUID]
AWARE = "ISO 8601 date-time with a UTC offset, e.g. 2026-11-23T12:00:00Z"


class OrdersController(Controller):
    path = "/orders"
    tags = ["orders"]

    @post(
        "/",
        status_code=201,
        guards=[ORDERS_WRITE],
        summary="Place an order",
        description=(
            "Creates a `pending` order and reserves its stock, all in one transaction.\n\n"
            "- **Prices come from the catalog, never the client**: each SKU's unit price is its "
            "storefront price — the promotional price when set, positive and below the price, "
            "else the price — of the storefront price table and branch "
            "(`STOREFRONT_PRICE_CODE`/`STOREFRONT_PRICE_BRANCH`), rounded to cents.\n"
            "- `product_code` is the SKU's ERP code. Repeated SKUs are merged into one item "
            "(quantities summed); items come back in ascending `product_code` order.\n"
            "- A SKU is **sellable** when it exists, is active and not blocked, its product is "
            "not deleted and it has a positive storefront price; otherwise 422 "
            "`domain-validation` naming `items[i].product_code` of the first offender (the "
            "detail lists every unsellable code).\n"
            "- The customer must exist and not be deleted (else 422, field `customer_id`).\n"
            "- **Stock**: every unit is reserved at once. Available to sell = ERP available "
            "(summed over every branch and stock code) − units held by open orders, in whole "
            "units. A SKU short of units fails the whole order with 409 `insufficient-stock`; "
            "concurrent orders never sell more than is available.\n"
            "- `total` = Σ items + `freight` − `discount`; amounts have at most two decimals, "
            "are never negative, and a discount above items + freight is 422 (`discount`).\n"
            "- The products ordered are queued for a catalog rebuild (their stock changed).\n"
            "- **Retries**: send an `Idempotency-Key` (1–255 printable ASCII characters, e.g. a "
            "UUID) to make placing safe to retry. The same key with the same body answers the "
            "first 201 again, byte for byte, with `Idempotent-Replayed: true`, and never places "
            "(or reserves) twice; the same key with another body is 422 "
            "`idempotency-key-reused`; while the first request is still running, 409 "
            "`idempotency-key-in-flight` (retry after `Retry-After`). A request that fails "
            "(400, 409 `insufficient-stock`, 422) keeps nothing: the key stays free. Keys are "
            "per caller (user or API key) and kept at least 24 hours.\n\n"
            "Auth: an API key with `orders:write`, or any signed-in user."
        ),
        responses={
            201: ResponseSpec(
                data_container=OrderOut,
                description="The order, pending, with its stock reserved (or replayed)",
                examples=ex.example("A pending order", ex.ORDER),
            ),
            400: ex.problems(
                "A malformed body or unknown field, or a bad `Idempotency-Key`",
                ex.problem(400, "validation", "The request is invalid.", "items"),
                docs.bad_key("/orders"),
            ),
            409: ex.problems(
                "A SKU is short of units, or a request with the key is still running",
                ex.INSUFFICIENT,
                docs.key_in_flight("/orders"),
            ),
            422: ex.problems(
                "A SKU cannot be sold, the customer is unknown or deleted, an amount breaks "
                "a rule, or the key was used with another body",
                ex.UNSELLABLE,
                ex.problem(
                    422,
                    "domain-validation",
                    f"customer {ex.CUSTOMER_ID} does not exist or was deleted",
                    "customer_id",
                ),
                docs.key_reused("/orders"),
            ),
        },
    )
    @inject
    async def place(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[
            OrderIn,
            Body(examples=ex.example("Two SKUs, one of them repeated", ex.PLACE_BODY)),
        ],
        place: FromDishka[PlaceOrder],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[Any]:
        key = checked_key(idempotency_key)
        command = PlaceOrderCommand(
            customer_id=data.customer_id,
            items=item_requests(data.items),
            freight=data.freight,
            discount=data.discount,
            shipping_address=shipping_address(data.shipping_address),
            notes=data.notes,
        )
        if key is None:
            return Response(order_out(await place(command)), status_code=201)

        async def create(order_id: UUID) -> OrderOut:
            return order_out(await place(replace(command, order_id=order_id)))

        async def render(order_id: UUID) -> OrderOut:
            get_order = await request.state.dishka_container.get(GetOrder)
            return order_out(await get_order(GetOrderQuery(order_id)))

        return await create_once(
            request,
            key,
            operation="POST /orders",
            scope=ApiScope.ORDERS_WRITE,
            create=create,
            render=render,
        )

    @get(
        "/",
        guards=[ORDERS_WRITE],
        summary="List orders",
        description=(
            "Orders newest first (`created_at`, then `id`, descending) with their items.\n\n"
            "Filters combine: `created_from` ≤ created_at < `created_to` (ISO 8601 with an "
            "offset), `section` (an item of that category code, as recorded when the item was "
            "priced), `id`, `status`, `customer_id`. Keyset pagination: `limit` (1–100, default "
            "20) and the previous page's `next_cursor` as `cursor` (null on the last page).\n\n"
            "Auth: an API key with `orders:write`, or any signed-in user."
        ),
        responses={
            200: ResponseSpec(
                data_container=OrdersOut,
                description="One page of orders",
                examples=ex.example(
                    "A page with more to come",
                    {
                        "items": [ex.ORDER],
                        "next_cursor": "MjAyNi0xMS0yM1QxNDowNTowOS4xMiswMDowMHww",
                    },
                ),
            ),
        },
    )
    @inject
    async def list_orders(
        self,
        list_orders: FromDishka[ListOrders],
        created_from: Annotated[datetime | None, QueryParameter(description=AWARE)] = None,
        created_to: Annotated[datetime | None, QueryParameter(description=AWARE)] = None,
        section: Annotated[str | None, QueryParameter(min_length=1, max_length=64)] = None,
        order_id: Annotated[UUID | None, QueryParameter(name="id")] = None,
        status: Annotated[OrderStatus | None, QueryParameter()] = None,
        customer_id: Annotated[UUID | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = 20,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> OrdersOut:
        if section is not None and not section.isprintable():
            raise bad_request("section", "holds unprintable characters")
        order_filter = OrderFilter(
            order_id=order_id,
            customer_id=customer_id,
            status=status,
            section=section,
            created_from=aware("created_from", created_from),
            created_to=aware("created_to", created_to),
        )
        page = await list_orders(ListOrdersQuery(filter=order_filter, limit=limit, after=cursor))
        return OrdersOut(items=[order_out(o) for o in page.items], next_cursor=page.next_cursor)

    @get(
        "/{order_id:uuid}",
        guards=[ORDERS_WRITE],
        summary="One order",
        description=(
            "The order with its items, totals and status. 404 for an unknown id.\n\n"
            "Auth: an API key with `orders:write`, or any signed-in user."
        ),
        responses={
            200: ResponseSpec(
                data_container=OrderOut,
                description="The order",
                examples=ex.example("A pending order", ex.ORDER),
            ),
            404: ex.NOT_FOUND,
        },
    )
    @inject
    async def one(self, order_id: OrderId, get_order: FromDishka[GetOrder]) -> OrderOut:
        return order_out(await get_order(GetOrderQuery(order_id)))

    @put(
        "/{order_id:uuid}",
        guards=[ORDERS_WRITE],
        summary="Change an order",
        description=(
            "Replace the item list and/or move the status; give at least one (400 otherwise). "
            "One transaction.\n\n"
            "- **`items`** replace the whole list, priced anew at the current storefront prices "
            "(same rules as placing; freight and discount stay). Only while the order is "
            "`pending`, else 409 `order-not-editable`. The reservation follows: units no longer "
            "ordered are released, extra units must be available to sell (409 "
            "`insufficient-stock`, nothing changes).\n"
            "- **`status`** moves through the order state machine: pending → confirmed | "
            "cancelled; confirmed → invoiced | cancelled; invoiced → shipped → delivered. "
            "Anything else (staying put included) is 409 `invalid-transition`. **Admins only** "
            "(403 for other users and for every API key). Cancelling releases the reservation "
            "(`reservation_open` false); invoiced, shipped and delivered keep it until the ERP "
            "takes the order into its balances.\n\n"
            "Auth: an API key with `orders:write` or any signed-in user for items; an admin for "
            "status."
        ),
        responses={
            200: ResponseSpec(
                data_container=OrderOut,
                description="The changed order",
                examples=ex.example("Cancelled by an admin", ex.CANCELLED_ORDER),
            ),
            403: ex.ADMINS_ONLY,
            404: ex.NOT_FOUND,
            409: ex.problems(
                "Not editable, an invalid move, or a SKU short of units",
                ex.problem(
                    409,
                    "order-not-editable",
                    "an order's items can change only while it is pending; this one is confirmed",
                    "items",
                ),
                ex.INVALID_MOVE,
                ex.INSUFFICIENT,
            ),
            422: ex.problems("A new item's SKU cannot be sold", ex.UNSELLABLE),
        },
    )
    @inject
    async def change(
        self,
        request: Request[Any, Any, Any],
        order_id: OrderId,
        data: Annotated[
            OrderChangeIn,
            Body(
                examples=[
                    *ex.example(
                        "New items",
                        {"items": [{"product_code": 100123, "quantity": 1}]},
                    ),
                    *ex.example("Confirm (admins)", {"status": "confirmed"}),
                ]
            ),
        ],
        update: FromDishka[UpdateOrder],
    ) -> OrderOut:
        if data.items is None and data.status is None:
            raise bad_request("body", "give items, a status, or both")
        if data.status is not None:
            await _require_admin(request)
        command = UpdateOrderCommand(
            order_id=order_id,
            items=None if data.items is None else item_requests(data.items),
            status=data.status,
        )
        return order_out(await update(command))

    @delete(
        "/{order_id:uuid}",
        status_code=200,
        guards=[admin_only],
        summary="Cancel an order",
        description=(
            "Same as moving the status to `cancelled`: releases every unit the order holds "
            "and answers with the cancelled order. Possible while pending or confirmed; an "
            "invoiced (or later) or already cancelled order is 409 `invalid-transition`. "
            "Admins only."
        ),
        responses={
            200: ResponseSpec(
                data_container=OrderOut,
                description="The cancelled order",
                examples=ex.example("Cancelled", ex.CANCELLED_ORDER),
            ),
            404: ex.NOT_FOUND,
            409: ex.problems("The order can no longer be cancelled", ex.INVALID_MOVE),
        },
    )
    @inject
    async def cancel(self, order_id: OrderId, cancel: FromDishka[CancelOrder]) -> OrderOut:
        return order_out(await cancel(CancelOrderCommand(order_id)))
