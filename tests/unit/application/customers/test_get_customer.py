"""GetCustomer: live customers only."""

from __future__ import annotations

from uuid import uuid4

import pytest

from application.customers.get_customer import GetCustomer, GetCustomerQuery
from application.customers.register_customer import RegisterCustomer
from domain.errors import NotFound
from tests.unit.application.customers.fakes import FakeCustomerRepository, FakeUnitOfWork, maria
from tests.unit.application.outbox_fakes import FakeOutbox
from tests.unit.fakes import FixedClock


async def test_reads_a_live_customer_and_not_a_deleted_or_unknown_one(
    customers: FakeCustomerRepository,
    outbox: FakeOutbox,
    uow: FakeUnitOfWork,
    clock: FixedClock,
) -> None:
    created = await RegisterCustomer(customers, outbox, uow, clock)(maria())
    get = GetCustomer(customers)
    found = await get(GetCustomerQuery(customer_id=created.id))
    assert (found.id, found.name) == (created.id, created.name)

    with pytest.raises(NotFound):
        await get(GetCustomerQuery(customer_id=uuid4()))
    customers.rows[created.id].erase(at=clock.now())
    with pytest.raises(NotFound):
        await get(GetCustomerQuery(customer_id=created.id))
