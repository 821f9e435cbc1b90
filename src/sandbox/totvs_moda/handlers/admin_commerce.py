"""``/_sandbox/`` routes for persons, sales orders and the write log (no auth, never faulted).

- ``GET  /_sandbox/writes?after=0&limit=1000``: ``{items: [{seq, at, route, orderId?,
  branchCode?, orderCode?, document?, customerCode?, body}], lastSeq, hasNext}``, the accepted
  writes after ``seq`` ``after``, oldest first (``limit`` at most 10000).
- ``POST /_sandbox/writes/reset``: persons and orders back to the seed, the write log emptied
  (``seq`` keeps counting); ``{lastSeq, persons, orders}``.
- ``GET  /_sandbox/orders?orderId=&branchCode=&orderCode=&page=1&pageSize=100``: orders with every
  expand plus ``origin`` (``erp`` | ``api``): ``{page, pageSize, totalItems, hasNext, items}``.
- ``POST /_sandbox/orders/{branchCode}/{orderCode}/advance`` ``{"status": "Attended", "invoice":
  true, "settle": {"<productCode>": qty}}``: move an order as the back office would (see
  ``OrderBook.advance``); answers the order.
- ``GET  /_sandbox/persons?code=&document=&page=&pageSize=``: persons with every expand, ``origin``
  and ``legal``.
- ``POST /_sandbox/persons`` ``{"kind": "individual" | "legal"}``: a new generated ERP person.
- ``POST /_sandbox/store-orders`` ``{"branchCode"?, "customerCode"?, "lines"?}``: a new generated
  store order.

ERP-side changes are stamped now but not written to the log. Store orders added here, like B2C
orders, move the balances (see :mod:`sandbox.totvs_moda.order_stock`): ``advance`` ships what it
settles and gives back what it cancels; ``writes/reset`` gives back what dropped orders held.
Errors: 400 (404 for an unknown order or person) with ``{"error": ...}``.
"""

from __future__ import annotations

from typing import Any

import msgspec
from aiohttp import web

from sandbox.totvs_moda.binding import Query, as_int
from sandbox.totvs_moda.commerce import Commerce
from sandbox.totvs_moda.context import context
from sandbox.totvs_moda.errors import ApiError, NotFound
from sandbox.totvs_moda.persons import Person
from sandbox.totvs_moda.render import ORDER_EXPANDS, PERSON_EXPANDS, render_order, render_person
from sandbox.totvs_moda.responses import json_response
from sandbox.totvs_moda.sales_orders import SalesOrder
from sandbox.totvs_moda.statuses import order_status

MAX_WRITES = 10_000


def _error(error: Exception) -> web.Response:
    status = 404 if isinstance(error, NotFound) else 400
    message = error.message if isinstance(error, ApiError) else str(error)
    return json_response({"error": message}, status=status)


async def _object(request: web.Request) -> dict[str, Any]:
    """The JSON object body; empty is ``{}``. :raises ValueError: anything else."""
    raw = await request.read()
    try:
        body = msgspec.json.decode(raw) if raw.strip() else {}
    except msgspec.DecodeError as e:
        raise ValueError(f"invalid JSON body: {e}") from e
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def _paging(query: Query, default: int) -> tuple[int, int]:
    page = as_int(query.one("page") or 1, "page")
    size = as_int(query.one("pageSize") or default, "pageSize")
    if page < 1 or size < 1:
        raise ValueError("page and pageSize must be 1 or more")
    return page, size


def order_json(commerce: Commerce, order: SalesOrder) -> dict[str, Any]:
    row = render_order(commerce.catalog, order, ORDER_EXPANDS)
    return {**msgspec.structs.asdict(row), "origin": order.origin}


def person_json(commerce: Commerce, person: Person) -> dict[str, Any]:
    row = render_person(commerce.catalog, person, PERSON_EXPANDS)
    return {**msgspec.structs.asdict(row), "origin": person.origin, "legal": person.legal}


async def writes(request: web.Request) -> web.Response:
    log = context(request).commerce.writes
    query = Query(request.query)
    try:
        after = as_int(query.one("after") or 0, "after")
        limit = min(MAX_WRITES, as_int(query.one("limit") or 1000, "limit"))
    except ApiError as e:
        return _error(e)
    items = log.after(after, max(0, limit))
    last = items[-1].seq if items else max(after, 0)
    return json_response({"items": items, "lastSeq": log.last_seq, "hasNext": last < log.last_seq})


async def reset_writes(request: web.Request) -> web.Response:
    commerce = context(request).commerce
    commerce.reset()
    return json_response(
        {
            "lastSeq": commerce.writes.last_seq,
            "persons": len(commerce.persons),
            "orders": len(commerce.orders),
        }
    )


async def list_orders(request: web.Request) -> web.Response:
    commerce = context(request).commerce
    query = Query(request.query)
    try:
        page, size = _paging(query, 100)
        order_id, branch, code = (
            query.one("orderId"),
            query.one("branchCode"),
            query.one("orderCode"),
        )
        if order_id is not None:
            orders = commerce.orders.with_id(order_id)
        else:
            orders = sorted(commerce.orders.orders.values(), key=lambda o: o.key)
        if branch is not None:
            orders = [o for o in orders if o.branch_code == as_int(branch, "branchCode")]
        if code is not None:
            orders = [o for o in orders if o.order_code == as_int(code, "orderCode")]
    except (ApiError, ValueError) as e:
        return _error(e)
    start = (page - 1) * size
    rows = [order_json(commerce, o) for o in orders[start : start + size]]
    return _paged_slice(rows, len(orders), page, size)


def _paged_slice(rows: list[Any], total: int, page: int, size: int) -> web.Response:
    return json_response(
        {
            "page": page,
            "pageSize": size,
            "totalItems": total,
            "hasNext": page * size < total,
            "items": rows,
        }
    )


async def advance_order(request: web.Request) -> web.Response:
    commerce = context(request).commerce
    try:
        body = await _object(request)
        branch = as_int(request.match_info["branchCode"], "branchCode")
        code = as_int(request.match_info["orderCode"], "orderCode")
        if body.get("status") is None:
            raise ValueError("status is required")
        settle = body.get("settle")
        if settle is not None and not isinstance(settle, dict):
            raise ValueError('settle must be an object {"<productCode>": quantity}')
        invoice = body.get("invoice")
        if invoice is not None and not isinstance(invoice, bool):
            raise ValueError("invoice must be true or false")
        order = commerce.advance(
            branch,
            code,
            order_status(body["status"], "status"),
            invoice=invoice,
            settle=None
            if settle is None
            else {as_int(k, "settle"): as_int(v, "settle") for k, v in settle.items()},
        )
    except (ApiError, ValueError) as e:
        return _error(e)
    return json_response(order_json(commerce, order))


async def list_persons(request: web.Request) -> web.Response:
    commerce = context(request).commerce
    query = Query(request.query)
    try:
        page, size = _paging(query, 100)
        code, document = query.one("code"), query.one("document")
        persons: list[Person]
        if code is not None:
            found = commerce.persons.by_code.get(as_int(code, "code"))
            persons = [found] if found else []
        elif document is not None:
            by_document = commerce.persons.by_document(document)
            persons = [by_document] if by_document else []
        else:
            persons = sorted(commerce.persons.by_code.values(), key=lambda p: p.code)
    except (ApiError, ValueError) as e:
        return _error(e)
    start = (page - 1) * size
    rows = [person_json(commerce, p) for p in persons[start : start + size]]
    return _paged_slice(rows, len(persons), page, size)


async def add_person(request: web.Request) -> web.Response:
    commerce = context(request).commerce
    try:
        body = await _object(request)
        kind = body.get("kind", "individual")
        if kind not in ("individual", "legal"):
            raise ValueError('kind must be "individual" or "legal"')
    except ValueError as e:
        return _error(e)
    return json_response(person_json(commerce, commerce.add_person(legal=kind == "legal")))


async def add_store_order(request: web.Request) -> web.Response:
    commerce = context(request).commerce
    try:
        body = await _object(request)
        order = commerce.add_store_order(
            branch=_optional(body, "branchCode"),
            customer_code=_optional(body, "customerCode"),
            lines=_optional(body, "lines"),
        )
    except (ApiError, ValueError) as e:
        return _error(e)
    return json_response(order_json(commerce, order))


def _optional(body: dict[str, Any], key: str) -> int | None:
    value = body.get(key)
    return None if value is None else as_int(value, key)
