"""Customers (``/clients``): storefronts and service clients register and maintain buyers.

Reading and writing needs a signed-in user (any role) or an API key with ``customers:write``;
deleting is for admins only.
"""

from __future__ import annotations

from datetime import date, datetime
from http import HTTPStatus
from typing import Annotated, Any
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath, QueryParameter

from application.customers.data import AddressData, CustomerData, PhoneData
from application.customers.delete_customer import DeleteCustomer, DeleteCustomerCommand
from application.customers.get_customer import GetCustomer, GetCustomerQuery
from application.customers.list_customers import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ListCustomers,
    ListCustomersQuery,
)
from application.customers.register_customer import RegisterCustomer
from application.customers.update_customer import UpdateCustomer, UpdateCustomerCommand
from domain.accounts import ApiScope
from domain.customers import AddressType, Customer, CustomerKind, CustomerOrigin, PhoneType
from entrypoints.http import openapi_examples as docs
from entrypoints.http.auth import admin_only, require_scope
from entrypoints.http.idempotency import IdempotencyKeyHeader, checked_key, create_once
from entrypoints.http.problems import PROBLEM_JSON, TYPE_BASE, Problem

PATH = "/clients"

# Bounds on the wire only (400); the domain judges the values (422 naming the field).
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Document = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=40,
        description="CPF (individuals) or CNPJ (companies), with or without punctuation",
    ),
]
EmailIn = Annotated[str, msgspec.Meta(min_length=1, max_length=320)]


class PhoneIn(msgspec.Struct, forbid_unknown_fields=True):
    type: PhoneType
    number: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=40,
            description="Brazilian number with area code: 10 or 11 digits, optional +55",
        ),
    ]


class AddressIn(msgspec.Struct, forbid_unknown_fields=True):
    type: AddressType
    street: ShortText
    number: ShortText
    district: ShortText
    city: ShortText
    state: Annotated[str, msgspec.Meta(min_length=1, max_length=20, description="UF, e.g. SP")]
    zip_code: Annotated[str, msgspec.Meta(min_length=1, max_length=20, description="CEP")]
    complement: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    country: Annotated[str, msgspec.Meta(min_length=1, max_length=20)] = "BR"


class CustomerIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: CustomerKind
    name: ShortText
    document: Document
    email: EmailIn
    phones: Annotated[list[PhoneIn], msgspec.Meta(max_length=10)] = []
    addresses: Annotated[list[AddressIn], msgspec.Meta(max_length=10)] = []
    birth_date: Annotated[date | None, msgspec.Meta(description="individuals only")] = None


class PhoneOut(msgspec.Struct):
    type: PhoneType
    #: Area code and number, digits only.
    number: str


class AddressOut(msgspec.Struct):
    type: AddressType
    street: str
    number: str
    complement: str | None
    district: str
    city: str
    state: str
    #: The CEP's 8 digits.
    zip_code: str
    country: str


class CustomerOut(msgspec.Struct):
    id: UUID
    kind: CustomerKind
    name: str
    #: Formatted: ``123.456.789-09`` or ``11.222.333/0001-81``; None for ERP customers without.
    document: str | None
    email: str | None
    phones: list[PhoneOut]
    addresses: list[AddressOut]
    birth_date: date | None
    #: ``ponte`` (registered through the API) or ``erp``.
    origin: CustomerOrigin
    created_at: datetime
    updated_at: datetime
    #: The ERP's customer code; null until the customer reached the ERP.
    erp_code: int | None


class CustomerPageOut(msgspec.Struct):
    items: list[CustomerOut]
    #: Pass as ``cursor`` for the next page; None on the last page.
    next_cursor: str | None


def _data(body: CustomerIn) -> CustomerData:
    return CustomerData(
        kind=body.kind,
        name=body.name,
        document=body.document,
        email=body.email,
        phones=tuple(PhoneData(type=p.type, number=p.number) for p in body.phones),
        addresses=tuple(
            AddressData(
                type=a.type,
                street=a.street,
                number=a.number,
                district=a.district,
                city=a.city,
                state=a.state,
                zip_code=a.zip_code,
                complement=a.complement,
                country=a.country,
            )
            for a in body.addresses
        ),
        birth_date=body.birth_date,
    )


def _out(customer: Customer) -> CustomerOut:
    return CustomerOut(
        id=customer.id,
        kind=customer.kind,
        name=customer.name,
        document=customer.document.formatted if customer.document else None,
        email=customer.email.address if customer.email else None,
        phones=[PhoneOut(type=p.type, number=p.number) for p in customer.phones],
        addresses=[
            AddressOut(
                type=a.type,
                street=a.street,
                number=a.number,
                complement=a.complement,
                district=a.district,
                city=a.city,
                state=a.state,
                zip_code=a.zip_code,
                country=a.country,
            )
            for a in customer.addresses
        ],
        birth_date=customer.birth_date,
        origin=customer.origin,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
        erp_code=customer.erp_code,
    )


# --- OpenAPI examples ---------------------------------------------------------------------------

_EXAMPLE_ID = "0b6f3c1e-4d2a-4f7b-9a51-6c1d2e3f4a5b"
_INDIVIDUAL_IN: dict[str, Any] = {
    "kind": "individual",
    "name": "Maria José da Silva",
    "document": "123.456.789-09",
    "email": "maria.silva@example.com",
    "phones": [{"type": "mobile", "number": "+55 (11) 98765-4321"}],
    "addresses": [
        {
            "type": "shipping",
            "street": "Avenida Paulista",
            "number": "1578",
            "complement": "apto 12",
            "district": "Bela Vista",
            "city": "São Paulo",
            "state": "SP",
            "zip_code": "01310-200",
        }
    ],
    "birth_date": "1990-05-17",
}
_COMPANY_IN: dict[str, Any] = {
    "kind": "company",
    "name": "Loja Exemplo Ltda",
    "document": "11222333000181",
    "email": "compras@lojaexemplo.com.br",
    "phones": [{"type": "work", "number": "(21) 3456-7890"}],
    "addresses": [
        {
            "type": "billing",
            "street": "Rua do Ouvidor",
            "number": "50",
            "district": "Centro",
            "city": "Rio de Janeiro",
            "state": "RJ",
            "zip_code": "20040-030",
            "country": "BR",
        }
    ],
}
_INDIVIDUAL_OUT: dict[str, Any] = {
    "id": _EXAMPLE_ID,
    "kind": "individual",
    "name": "Maria José da Silva",
    "document": "123.456.789-09",
    "email": "maria.silva@example.com",
    "phones": [{"type": "mobile", "number": "11987654321"}],
    "addresses": [
        {
            "type": "shipping",
            "street": "Avenida Paulista",
            "number": "1578",
            "complement": "apto 12",
            "district": "Bela Vista",
            "city": "São Paulo",
            "state": "SP",
            "zip_code": "01310200",
            "country": "BR",
        }
    ],
    "birth_date": "1990-05-17",
    "origin": "ponte",
    "created_at": "2026-11-23T12:00:00Z",
    "updated_at": "2026-11-23T12:00:00Z",
    "erp_code": 1042,
}

_BODY = Body(
    description="Every editable field; `phones`, `addresses` and `birth_date` may be left out.",
    examples=[
        Example(summary="An individual (CPF)", value=_INDIVIDUAL_IN),
        Example(summary="A company (CNPJ)", value=_COMPANY_IN),
    ],
)


def _customer_spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=CustomerOut,
        description=description,
        examples=[Example(summary="A customer", value=_INDIVIDUAL_OUT)],
    )


def _problem(status: int, slug: str, detail: str, **extra: Any) -> ResponseSpec:
    value = {
        "type": TYPE_BASE + slug,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": PATH,
        **extra,
    }
    return ResponseSpec(
        data_container=Problem,
        description=detail,
        media_type=PROBLEM_JSON,
        examples=[Example(summary=slug, value=value)],
    )


def _field(field: str, message: str) -> dict[str, Any]:
    return {"errors": [{"field": field, "message": message}]}


_BAD_REQUEST = _problem(
    400,
    "validation",
    "The request is invalid.",
    **_field("data", "Object contains unknown field `nickname`"),
)
_UNAUTHENTICATED = _problem(401, "unauthenticated", "A valid bearer access token is required.")
_NOT_FOUND = _problem(404, "not-found", f"customer {_EXAMPLE_ID} not found")
_INVALID = _problem(
    422,
    "domain-validation",
    "an individual's document is a CPF",
    **_field("document", "an individual's document is a CPF"),
)
_EXISTS = _problem(
    409,
    "customer-exists",
    "a customer with this e-mail address already exists",
    **_field("email", "a customer with this e-mail address already exists"),
)


_DOCUMENT_IN_ERP = _problem(
    409,
    "document-in-erp",
    "the document of a customer known to the ERP cannot change",
    **_field("document", "the document of a customer known to the ERP cannot change"),
)


def _problems(description: str, *specs_or_bodies: ResponseSpec | dict[str, Any]) -> ResponseSpec:
    """One problem response documenting every cause: the examples of ``ResponseSpec``s and
    problem bodies."""
    examples: list[Example] = []
    for item in specs_or_bodies:
        if isinstance(item, ResponseSpec):
            examples.extend(item.examples or [])
        else:
            examples.append(Example(summary=item["type"].removeprefix(TYPE_BASE), value=item))
    return ResponseSpec(
        data_container=Problem, description=description, media_type=PROBLEM_JSON, examples=examples
    )


_WRITE_ERRORS: dict[int, ResponseSpec] = {
    400: _BAD_REQUEST,
    401: _UNAUTHENTICATED,
    409: _EXISTS,
    422: _INVALID,
}

_BODY_RULES = (
    "`kind` is `individual` (the `document` is a CPF) or `company` (a CNPJ); CPF and CNPJ are "
    "accepted with or without punctuation and checked by their check digits. `email` is "
    "trimmed and lower-cased. Phones are Brazilian numbers with area code (10 or 11 digits, "
    "optional +55; mobiles start with 9). Addresses are Brazilian: `state` one of the 27 UFs, "
    "`zip_code` an 8-digit CEP (`01310-100` or `01310100`), `country` `BR`. Only individuals "
    "have a `birth_date` (1900-01-01 to today). E-mail and document are unique among live "
    "customers: 409 `customer-exists` naming the field. A rule broken is 422 naming the field "
    "(`addresses[0].zip_code`); a malformed body or an unknown field is 400."
)

_IDEMPOTENCY = (
    "**Retries**: send an `Idempotency-Key` (1–255 printable ASCII characters, e.g. a UUID) to "
    "make the registration safe to retry. The same key with the same body answers the first "
    "201 again — same body, same `Location` — with `Idempotent-Replayed: true`, and never "
    "registers twice; the same key with another body is 422 `idempotency-key-reused`; while "
    "the first request is still running, 409 `idempotency-key-in-flight` (retry after "
    "`Retry-After`). A request that fails (400, 409, 422) keeps nothing: the key stays free. "
    "Keys are per caller (user or API key) and kept at least 24 hours. Deleting the customer "
    "forgets the stored answer: its key then answers 404 `not-found`."
)


def _location(customer_id: UUID) -> str:
    return f"{PATH}/{customer_id}"


class CustomersController(Controller):
    path = PATH
    tags = ["customers"]

    @get(
        "/",
        guards=[require_scope(ApiScope.CUSTOMERS_WRITE)],
        summary="List customers",
        description=(
            "Live customers, oldest first (creation time, then id); deleted ones never appear. "
            "`name` matches any part of the name, ignoring case and accents (`jose` finds "
            "`José`); `email` matches the whole address, ignoring case. Keyset pagination: "
            "pass the previous page's `next_cursor` as `cursor` (400 for a cursor this API "
            "did not hand out); `limit` is 1 to 100, default 20. Signed-in users or API keys "
            "with `customers:write`."
        ),
        responses={
            200: ResponseSpec(
                data_container=CustomerPageOut,
                description="A page of customers",
                examples=[
                    Example(
                        summary="The last page",
                        value={"items": [_INDIVIDUAL_OUT], "next_cursor": None},
                    )
                ],
            ),
            400: _problem(
                400, "validation", "The request is invalid.", **_field("cursor", "not a cursor")
            ),
            401: _UNAUTHENTICATED,
        },
    )
    @inject
    async def list_customers(
        self,
        list_customers: FromDishka[ListCustomers],
        name: Annotated[
            str | None, QueryParameter(max_length=200, description="part of the name")
        ] = None,
        email: Annotated[
            str | None, QueryParameter(max_length=320, description="the exact e-mail address")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
        cursor: Annotated[str | None, QueryParameter(max_length=300)] = None,
    ) -> CustomerPageOut:
        """Pages of live customers, filtered by name piece or exact e-mail."""
        query = ListCustomersQuery(name=name, email=email, limit=limit, cursor=cursor)
        page = await list_customers(query)
        return CustomerPageOut(items=[_out(c) for c in page.items], next_cursor=page.next_cursor)

    @post(
        "/",
        status_code=201,
        guards=[require_scope(ApiScope.CUSTOMERS_WRITE)],
        summary="Register a customer",
        description=(
            "201 with the customer and its URL in `Location`. "
            + _BODY_RULES
            + " Signed-in users or API keys with `customers:write`.\n\n"
            + _IDEMPOTENCY
        ),
        responses={
            201: _customer_spec("Created (or replayed); `Location` is its URL"),
            **_WRITE_ERRORS,
            404: _problems("The key's customer was deleted since", _NOT_FOUND),
            400: _problems(
                "A malformed body or unknown field, or a bad `Idempotency-Key`",
                _BAD_REQUEST,
                docs.bad_key(PATH),
            ),
            409: _problems(
                "The e-mail or document is taken, or a request with the key is still running",
                _EXISTS,
                docs.key_in_flight(PATH),
            ),
            422: _problems(
                "A field breaks a rule, or the key was used with another body",
                _INVALID,
                docs.key_reused(PATH),
            ),
        },
    )
    @inject
    async def register(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[CustomerIn, _BODY],
        register: FromDishka[RegisterCustomer],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[Any]:
        """Register a customer (origin ``ponte``), once per ``Idempotency-Key``."""
        key = checked_key(idempotency_key)
        customer_data = _data(data)
        if key is None:
            customer = await register(customer_data)
            return Response(
                _out(customer), status_code=201, headers={"Location": _location(customer.id)}
            )

        async def create(customer_id: UUID) -> CustomerOut:
            return _out(await register(customer_data, customer_id=customer_id))

        async def render(customer_id: UUID) -> CustomerOut:
            get_customer = await request.state.dishka_container.get(GetCustomer)
            return _out(await get_customer(GetCustomerQuery(customer_id=customer_id)))

        return await create_once(
            request,
            key,
            operation=f"POST {PATH}",
            scope=ApiScope.CUSTOMERS_WRITE,
            create=create,
            render=render,
            location=_location,
        )

    @get(
        "/{customer_id:uuid}",
        guards=[require_scope(ApiScope.CUSTOMERS_WRITE)],
        summary="One customer",
        description=(
            "404 for an unknown or deleted customer. Signed-in users or API keys with "
            "`customers:write`."
        ),
        responses={200: _customer_spec("The customer"), 401: _UNAUTHENTICATED, 404: _NOT_FOUND},
    )
    @inject
    async def get_customer(
        self, customer_id: FromPath[UUID], get_customer: FromDishka[GetCustomer]
    ) -> CustomerOut:
        """One live customer."""
        return _out(await get_customer(GetCustomerQuery(customer_id=customer_id)))

    @put(
        "/{customer_id:uuid}",
        guards=[require_scope(ApiScope.CUSTOMERS_WRITE)],
        summary="Replace a customer",
        description=(
            "Full replacement of the editable fields: a field left out takes its default (no "
            "phones, no addresses, no birth date); id, origin and `created_at` never change. "
            "404 for an unknown or deleted customer. Once the customer is in the ERP "
            "(`erp_code` set) its document cannot change: 409 `document-in-erp` (the ERP keys "
            "persons by document). "
            + _BODY_RULES
            + " Signed-in users or API keys with `customers:write`."
        ),
        responses={
            200: _customer_spec("The customer as stored"),
            404: _NOT_FOUND,
            **_WRITE_ERRORS,
            409: _problems(
                "The e-mail or document is taken, or the document of a customer in the ERP "
                "would change",
                _EXISTS,
                _DOCUMENT_IN_ERP,
            ),
        },
    )
    @inject
    async def replace(
        self,
        customer_id: FromPath[UUID],
        data: Annotated[CustomerIn, _BODY],
        update: FromDishka[UpdateCustomer],
    ) -> CustomerOut:
        """Replace every editable field of a live customer."""
        command = UpdateCustomerCommand(customer_id=customer_id, data=_data(data))
        return _out(await update(command))

    @delete(
        "/{customer_id:uuid}",
        status_code=204,
        guards=[admin_only],
        summary="Delete a customer",
        description=(
            "Admins only (403 for other users; API keys cannot delete). Soft delete: the "
            "customer disappears from the API and its personal data is erased (name replaced, "
            "document, e-mail, phones, addresses and birth date removed), while its orders stay "
            "intact. The e-mail and document become free for a new customer. 404 for an unknown "
            "or already deleted customer."
        ),
        responses={
            401: _UNAUTHENTICATED,
            403: _problem(403, "forbidden", "This resource is for admins only."),
            404: _NOT_FOUND,
        },
    )
    @inject
    async def delete_customer(
        self, customer_id: FromPath[UUID], delete_customer: FromDishka[DeleteCustomer]
    ) -> None:
        """Soft-delete a customer, erasing personal data."""
        await delete_customer(DeleteCustomerCommand(customer_id=customer_id))
