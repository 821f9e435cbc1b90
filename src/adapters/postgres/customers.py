"""Customers on the request's connection; nothing is durable before ``commit()``.

Uniqueness of e-mail and document is left to the ``uq_customers_*`` constraints (deleted
customers hold NULLs, so they never clash), each write inside a SAVEPOINT: a concurrent twin
loses with :class:`CustomerExists` and the request's transaction stays usable.

Saving a deleted customer also forgets the answers its idempotency keys stored (they hold the
personal data the deletion erased); a replay of such a key renders the customer anew, which is
then not found.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Insert, Update, insert, literal, select, tuple_, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.addresses import address_from_json, address_json
from adapters.postgres.folding import fold
from adapters.postgres.page_cursors import decode_cursor, encode_cursor
from adapters.postgres.tables import customers, idempotency_keys
from application.customers.ports import CustomerFilter, CustomerPage
from domain.customers import (
    Customer,
    CustomerExists,
    CustomerKind,
    CustomerOrigin,
    Phone,
    PhoneType,
)
from domain.documents import Cnpj, Cpf, Email, TaxId

#: The unique constraint behind each field the API names in a 409.
_UNIQUE_FIELDS = {"uq_customers_email": "email", "uq_customers_document": "document"}
# Years a cursor's creation time may fall in, in UTC: what Python and asyncpg handle.


class PostgresCustomerRepository:
    """Implements :class:`application.customers.ports.CustomerRepository`."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, customer: Customer) -> None:
        await self._write(insert(customers).values(id=customer.id, **_values(customer)))

    async def get(self, customer_id: UUID, *, for_update: bool = False) -> Customer | None:
        query = select(customers).where(
            customers.c.id == customer_id, customers.c.deleted_at.is_(None)
        )
        if for_update:
            query = query.with_for_update()
        row = (await self._connection.execute(query)).mappings().first()
        return customer_from_row(row) if row else None

    async def save(self, customer: Customer) -> None:
        await self._write(
            update(customers).where(customers.c.id == customer.id).values(**_values(customer))
        )
        if customer.deleted_at is not None:
            await self._connection.execute(
                update(idempotency_keys)
                .where(idempotency_keys.c.resource_id == customer.id)
                .values(status_code=None, response_body=None)
            )

    async def page(
        self, customer_filter: CustomerFilter, *, limit: int, after: str | None
    ) -> CustomerPage:
        """:raises ValueError: when ``limit`` < 1."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        query = select(customers).where(customers.c.deleted_at.is_(None))
        if customer_filter.name is not None:
            term = fold(customer_filter.name)
            query = query.where(customers.c.name_search.contains(term, autoescape=True))
        if customer_filter.email is not None:
            query = query.where(customers.c.email == customer_filter.email.address)
        position = tuple_(customers.c.created_at, customers.c.id)
        if after is not None:
            query = query.where(position > tuple_(*map(literal, decode_cursor(after))))
        query = query.order_by(customers.c.created_at, customers.c.id).limit(limit + 1)
        rows = (await self._connection.execute(query)).mappings().all()
        items = [customer_from_row(row) for row in rows[:limit]]
        if len(rows) <= limit:
            return CustomerPage(items, None)
        last = items[-1]
        return CustomerPage(items, encode_cursor(last.created_at, last.id))

    async def _write(self, statement: Insert | Update) -> None:
        """:raises CustomerExists: naming the field whose unique constraint failed."""
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(statement)
        except IntegrityError as e:
            field = _UNIQUE_FIELDS.get(_constraint(e) or "")
            if field is None:
                raise
            raise CustomerExists(field) from e


def _constraint(error: IntegrityError) -> str | None:
    """The violated constraint's name, from asyncpg's error under SQLAlchemy's wrapper."""
    name = getattr(getattr(error.orig, "__cause__", None), "constraint_name", None)
    return name if isinstance(name, str) else None


def _values(customer: Customer) -> dict[str, Any]:
    """Every stored column but ``id`` (and ``erp_code``, which the ERP side owns)."""
    return {
        "kind": customer.kind.value,
        "name": customer.name,
        "name_search": fold(customer.name),
        "document": customer.document.digits if customer.document else None,
        "email": customer.email.address if customer.email else None,
        "phones": [{"type": p.type.value, "number": p.number} for p in customer.phones],
        "addresses": [address_json(a) for a in customer.addresses],
        "birth_date": customer.birth_date,
        "origin": customer.origin.value,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
        "deleted_at": customer.deleted_at,
    }


def _document(kind: CustomerKind, digits: str | None) -> TaxId | None:
    if digits is None:
        return None
    return Cpf(digits) if kind is CustomerKind.INDIVIDUAL else Cnpj(digits)


def customer_from_row(row: RowMapping) -> Customer:
    kind = CustomerKind(row["kind"])
    return Customer(
        id=row["id"],
        kind=kind,
        name=row["name"],
        document=_document(kind, row["document"]),
        email=Email(row["email"]) if row["email"] is not None else None,
        phones=tuple(Phone(PhoneType(p["type"]), p["number"]) for p in row["phones"]),
        addresses=tuple(address_from_json(a) for a in row["addresses"]),
        birth_date=row["birth_date"],
        origin=CustomerOrigin(row["origin"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        deleted_at=row["deleted_at"],
        erp_code=row["erp_code"],
    )
