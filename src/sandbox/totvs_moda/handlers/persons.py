"""Persons: PF/PJ searches and customer upserts (contract §8).

Searches: ``filter.personCodeList``, ``cpfList`` (PF) / ``cnpjList`` (PJ) (digits only, exact),
``change {startDate, endDate}`` on ``maxChangeFilterDate`` (``in*`` flags accepted, every change
counts), ``isCustomer``, ``personIsInactive``, ``startPersonCode`` / ``endPersonCode``; ``order``
by ``personCode`` (default) or ``maxChangeFilterDate``; ``expand`` ``phones``, ``addresses``,
``emails``, ``classifications``. Upserts answer 200 ``{"customerCode": N}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from sandbox.totvs_moda.binding import (
    as_bool,
    expand_set,
    int_list,
    json_body,
    optional_int,
    section,
    str_list,
)
from sandbox.totvs_moda.context import context
from sandbox.totvs_moda.handlers.bodies import write_body
from sandbox.totvs_moda.ordering import sort_rows
from sandbox.totvs_moda.persons import Person, PersonFilter
from sandbox.totvs_moda.render import render_person
from sandbox.totvs_moda.responses import json_response
from sandbox.totvs_moda.search import change_window

PERSON_ORDER: dict[str, Callable[[Person], Any]] = {
    "personcode": lambda p: p.code,
    "code": lambda p: p.code,
    "maxchangefilterdate": lambda p: p.at,
    "name": lambda p: p.name,
    "insertdate": lambda p: p.insert_at,
}


async def search_individuals(request: web.Request) -> web.Response:
    return await _search(request, legal=False, endpoint="individuals")


async def search_legal_entities(request: web.Request) -> web.Response:
    return await _search(request, legal=True, endpoint="legal_entities")


async def upsert_individual(request: web.Request) -> web.Response:
    return await _upsert(request, legal=False)


async def upsert_legal(request: web.Request) -> web.Response:
    return await _upsert(request, legal=True)


async def _search(request: web.Request, *, legal: bool, endpoint: str) -> web.Response:
    ctx = context(request)
    body = json_body(await request.read())
    wanted = person_filter(section(body, "filter"), legal=legal)
    page, size = ctx.policy.window(endpoint, body.get("page"), body.get("pagesize"))
    expand = expand_set(body.get("expand"))
    rows = ctx.commerce.persons.search(legal, wanted)
    sort_rows(rows, body.get("order"), PERSON_ORDER, ("personcode",))
    start = (page - 1) * size
    items = [render_person(ctx.catalog, p, expand) for p in rows[start : start + size]]
    return json_response(ctx.policy.envelope(items, len(rows), page, size))


def person_filter(filter_: dict[str, Any], *, legal: bool) -> PersonFilter:
    """:raises BadRequest: on values of the wrong type or an inverted change window."""
    change = section(filter_, "change")
    codes = int_list(filter_.get("personcodelist"), "personCodeList")
    documents = str_list(filter_.get("cnpjlist" if legal else "cpflist"), "cpfList/cnpjList")
    return PersonFilter(
        codes=frozenset(codes) if codes else None,
        documents=frozenset(documents) if documents else None,
        window=change_window(change) if change else None,
        is_customer=_tristate(filter_.get("iscustomer"), "isCustomer"),
        is_inactive=_tristate(filter_.get("personisinactive"), "personIsInactive"),
        start_code=optional_int(filter_.get("startpersoncode"), "startPersonCode"),
        end_code=optional_int(filter_.get("endpersoncode"), "endPersonCode"),
    )


def _tristate(value: Any, name: str) -> bool | None:
    return None if value is None else as_bool(value, name)


async def _upsert(request: web.Request, *, legal: bool) -> web.Response:
    ctx = context(request)
    sent, body = write_body(await request.read())
    person = ctx.commerce.upsert_customer(body, sent, legal=legal)
    return json_response({"customerCode": person.code})
