"""Customers from the ERP on real PostgreSQL: insert, link by document, follow, refuse."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.customers import PostgresCustomerRepository
from adapters.postgres.sync_session import PostgresSyncTransactions
from application.customers.ports import CustomerFilter
from application.sync.ports import MergeResult
from domain.customers import Address, AddressType, CustomerKind, CustomerOrigin, Phone, PhoneType
from domain.documents import Cnpj, Cpf, Email
from domain.erp_customers import ErpCustomer
from domain.sync import Rejection, Stream
from tests.integration.postgres.db import fetch, sync

pytestmark = pytest.mark.integration

T0 = datetime(2026, 4, 19, 10, 0, tzinfo=UTC)
CPFS = ("52998224725", "11144477735", "12345678909", "98765432100")
CNPJ = "11222333000181"
ADDRESS = Address(
    type=AddressType.SHIPPING,
    street="Rua das Flores",
    number="10",
    district="Centro",
    city="São Paulo",
    state="SP",
    zip_code="01310100",
)


def person(code: int, cpf: str | None, *, minutes: int = 0, **fields: Any) -> ErpCustomer:
    values: dict[str, Any] = {
        "erp_code": code,
        "kind": CustomerKind.INDIVIDUAL,
        "name": f"Pessoa Número {code}",
        "document": None if cpf is None else Cpf(cpf),
        "email": Email(f"p{code}@example.com"),
        "phones": (Phone(PhoneType.MOBILE, "11987654321"),),
        "addresses": (ADDRESS,),
        "birth_date": None,
        "changed_at": T0 + timedelta(minutes=minutes),
    }
    values.update(fields)
    return ErpCustomer(**values)


@pytest.fixture
def transactions(engine: AsyncEngine) -> PostgresSyncTransactions:
    return PostgresSyncTransactions(engine)


async def ponte_customer(
    engine: AsyncEngine,
    document: str,
    *,
    email: str,
    erp_code: int | None = None,
    deleted: bool = False,
) -> uuid.UUID:
    customer_id = uuid.uuid4()
    await execute(
        engine,
        "INSERT INTO customers (id, kind, name, name_search, document, email, origin, erp_code,"
        " created_at, updated_at, deleted_at) VALUES (:id, 'individual', 'Ana Ponte',"
        " 'ana ponte', :document, :email, 'ponte', :erp_code, now(), now(), :deleted)",
        id=customer_id,
        document=None if deleted else document,
        email=None if deleted else email,
        erp_code=erp_code,
        deleted=T0 if deleted else None,
    )
    return customer_id


async def execute(engine: AsyncEngine, sql: str, **params: Any) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(sql), params)


async def stored(engine: AsyncEngine) -> dict[int | None, dict[str, Any]]:
    rows = await fetch(engine, "SELECT xmin::text AS xmin, * FROM customers")
    return {row["erp_code"]: row for row in rows}


async def test_new_persons_become_erp_customers_listed_with_the_others(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    ana = person(1, CPFS[0], birth_date=datetime(1990, 5, 12).date())
    acme = person(2, None, kind=CustomerKind.COMPANY, name="ÁCME Ltda", document=Cnpj(CNPJ))

    result = await sync(transactions, Stream.INDIVIDUALS, [ana, acme])

    assert result == MergeResult(inserted=2, updated=0, unchanged=0)
    rows = await stored(engine)
    assert rows[1]["origin"] == "erp"
    assert (rows[1]["document"], rows[1]["email"]) == (CPFS[0], "p1@example.com")
    assert rows[1]["erp_changed_at"] == T0
    assert rows[2]["name_search"] == "acme ltda"
    async with engine.connect() as connection:
        page = await PostgresCustomerRepository(connection).page(
            CustomerFilter(name="acme"), limit=10, after=None
        )
    [listed] = page.items
    assert (listed.origin, listed.document, listed.addresses) == (
        CustomerOrigin.ERP,
        Cnpj(CNPJ),
        (ADDRESS,),
    )


async def test_a_ponte_customer_with_the_document_is_linked_and_keeps_its_data(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    mine = await ponte_customer(engine, CPFS[0], email="ana@ponte.example")

    result = await sync(transactions, Stream.INDIVIDUALS, [person(5, CPFS[0])])

    assert result == MergeResult(inserted=0, updated=1, unchanged=0)
    rows = await stored(engine)
    assert rows.keys() == {5}
    assert rows[5]["id"] == mine
    assert (rows[5]["origin"], rows[5]["name"], rows[5]["email"]) == (
        "ponte",
        "Ana Ponte",
        "ana@ponte.example",
    )
    assert (rows[5]["phones"], rows[5]["erp_changed_at"]) == ([], T0)

    later = await sync(transactions, Stream.INDIVIDUALS, [person(5, CPFS[0], minutes=5)])

    assert later == MergeResult(inserted=0, updated=1, unchanged=0)
    after = (await stored(engine))[5]
    assert after["erp_changed_at"] == T0 + timedelta(minutes=5)
    assert (after["name"], after["email"]) == ("Ana Ponte", "ana@ponte.example")


async def test_erp_customers_follow_the_erp_and_a_rerun_changes_nothing(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    await sync(transactions, Stream.INDIVIDUALS, [person(1, CPFS[0]), person(2, CPFS[1])])
    renamed = person(1, CPFS[0], minutes=3, name="Ana Renomeada", phones=(), addresses=())

    result = await sync(transactions, Stream.INDIVIDUALS, [renamed, person(2, CPFS[1])])

    assert result == MergeResult(inserted=0, updated=1, unchanged=1)
    rows = await stored(engine)
    assert (rows[1]["name"], rows[1]["phones"], rows[1]["addresses"]) == ("Ana Renomeada", [], [])
    again = await sync(transactions, Stream.INDIVIDUALS, [renamed, person(2, CPFS[1])])
    assert again == MergeResult(inserted=0, updated=0, unchanged=2)
    assert {k: r["xmin"] for k, r in (await stored(engine)).items()} == {
        k: r["xmin"] for k, r in rows.items()
    }


async def test_an_e_mail_another_customer_has_is_stored_as_none(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    await ponte_customer(engine, CPFS[3], email="p1@example.com")
    shared = Email("shared@example.com")

    result = await sync(
        transactions,
        Stream.INDIVIDUALS,
        [person(1, CPFS[0]), person(2, CPFS[1], email=shared), person(3, CPFS[2], email=shared)],
    )

    assert (result.inserted, result.updated, result.unchanged, result.rejected) == (3, 0, 0, ())
    assert sorted(result.notices, key=lambda r: r.key or "") == [
        Rejection("1", "stored without its e-mail: another customer has it"),
        Rejection("3", "stored without its e-mail: another customer has it"),
    ]
    rows = await stored(engine)
    assert (rows[1]["email"], rows[2]["email"], rows[3]["email"]) == (
        None,
        "shared@example.com",
        None,
    )


async def test_a_customer_keeps_its_e_mail_when_another_person_claims_it(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    await sync(transactions, Stream.INDIVIDUALS, [person(9, CPFS[0])])
    keeper = person(9, CPFS[0], minutes=1, name="Still Mine")
    claimer = person(2, CPFS[1], email=Email("p9@example.com"))

    await sync(transactions, Stream.INDIVIDUALS, [claimer, keeper])

    rows = await stored(engine)
    assert (rows[9]["email"], rows[9]["name"], rows[2]["email"]) == (
        "p9@example.com",
        "Still Mine",
        None,
    )


async def test_documents_of_someone_else_are_refused(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    await ponte_customer(engine, CPFS[0], email="x@ponte.example", erp_code=77)

    result = await sync(
        transactions,
        Stream.INDIVIDUALS,
        [person(1, CPFS[0]), person(2, CPFS[1]), person(3, CPFS[1])],
    )

    assert (result.inserted, result.updated, result.unchanged) == (1, 0, 0)
    assert sorted(result.rejected, key=lambda r: r.key or "") == [
        Rejection("1", "its document belongs to the customer of ERP code 77"),
        Rejection("3", "another ERP person of this run has the same document"),
    ]
    assert (await stored(engine)).keys() == {77, 2}


async def test_a_customer_deleted_in_ponte_is_never_revived(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    await ponte_customer(engine, CPFS[0], email="gone@ponte.example", erp_code=4, deleted=True)

    result = await sync(transactions, Stream.INDIVIDUALS, [person(4, CPFS[0], minutes=9)])

    assert result == MergeResult(inserted=0, updated=0, unchanged=1)
    row = (await stored(engine))[4]
    assert (row["document"], row["email"], row["deleted_at"]) == (None, None, T0)


async def test_an_erp_customer_whose_new_document_is_taken_keeps_its_own(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    await ponte_customer(engine, CPFS[1], email="other@ponte.example")
    await sync(transactions, Stream.INDIVIDUALS, [person(1, CPFS[0])])
    moved = dataclasses.replace(person(1, CPFS[1], minutes=2), name="Moved")

    result = await sync(transactions, Stream.INDIVIDUALS, [moved])

    assert result.updated == 1
    row = (await stored(engine))[1]
    assert (row["document"], row["name"]) == (CPFS[0], "Moved")
