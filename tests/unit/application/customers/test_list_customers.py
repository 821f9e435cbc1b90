"""ListCustomers: filters are normalised and checked; paging is the repository's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.customers.list_customers import ListCustomers, ListCustomersQuery
from application.customers.register_customer import RegisterCustomer
from application.sync.status import InvalidPageCursor
from domain.errors import ValidationError
from tests.unit.application.customers.fakes import (
    FakeCustomerRepository,
    FakeUnitOfWork,
    acme,
    maria,
)
from tests.unit.application.outbox_fakes import FakeOutbox
from tests.unit.fakes import FixedClock

DOCUMENTS = ["123.456.789-09", "529.982.247-25", "111.444.777-35"]


@pytest.fixture
async def three(
    customers: FakeCustomerRepository,
    outbox: FakeOutbox,
    uow: FakeUnitOfWork,
    clock: FixedClock,
) -> list[str]:
    register = RegisterCustomer(customers, outbox, uow, clock)
    names = []
    for i, document in enumerate(DOCUMENTS):
        clock.at += timedelta(seconds=1)
        customer = await register(
            maria(name=f"Cliente {i}", document=document, email=f"c{i}@example.com")
        )
        names.append(customer.name)
    return names


async def test_pages_through_live_customers(
    customers: FakeCustomerRepository, three: list[str]
) -> None:
    list_customers = ListCustomers(customers)
    first = await list_customers(ListCustomersQuery(limit=2))
    assert [c.name for c in first.items] == three[:2]
    assert first.next_cursor is not None
    second = await list_customers(ListCustomersQuery(limit=2, cursor=first.next_cursor))
    assert [c.name for c in second.items] == three[2:]
    assert second.next_cursor is None


async def test_filters_are_normalised(customers: FakeCustomerRepository, three: list[str]) -> None:
    list_customers = ListCustomers(customers)
    by_email = await list_customers(ListCustomersQuery(email="  C1@Example.com "))
    assert [c.name for c in by_email.items] == [three[1]]
    by_name = await list_customers(ListCustomersQuery(name="  cliente   2 "))
    assert [c.name for c in by_name.items] == [three[2]]
    blank = await list_customers(ListCustomersQuery(name="   ", email=""))
    assert len(blank.items) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (ListCustomersQuery(limit=0), "limit"),
        (ListCustomersQuery(limit=101), "limit"),
        (ListCustomersQuery(email="nope"), "email"),
        (ListCustomersQuery(name="a\x00b"), "name"),
    ],
)
async def test_bad_filters_name_the_field(
    customers: FakeCustomerRepository, query: ListCustomersQuery, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        await ListCustomers(customers)(query)
    assert error.value.field == field


async def test_a_foreign_cursor_is_refused(customers: FakeCustomerRepository) -> None:
    with pytest.raises(InvalidPageCursor):
        await ListCustomers(customers)(ListCustomersQuery(cursor="made-up"))


async def test_a_company_is_listed_like_anyone(
    customers: FakeCustomerRepository,
    outbox: FakeOutbox,
    uow: FakeUnitOfWork,
    clock: FixedClock,
) -> None:
    await RegisterCustomer(customers, outbox, uow, clock)(acme())
    page = await ListCustomers(customers)(ListCustomersQuery(name="COMÉRCIO"))
    assert [c.name for c in page.items] == ["Acme Comércio Ltda"]
