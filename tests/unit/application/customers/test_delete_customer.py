"""DeleteCustomer: soft delete erasing personal data; a second delete is NotFound."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from application.customers.delete_customer import DeleteCustomer, DeleteCustomerCommand
from application.customers.register_customer import RegisterCustomer
from domain.customers import ERASED_NAME
from domain.errors import NotFound
from tests.unit.application.customers.fakes import FakeCustomerRepository, FakeUnitOfWork, maria
from tests.unit.application.outbox_fakes import FakeOutbox
from tests.unit.fakes import FixedClock


async def test_erases_personal_data_keeps_the_row_and_frees_the_email(
    customers: FakeCustomerRepository,
    outbox: FakeOutbox,
    uow: FakeUnitOfWork,
    clock: FixedClock,
) -> None:
    register = RegisterCustomer(customers, outbox, uow, clock)
    customer = await register(maria())
    uow.commits = 0
    clock.at += timedelta(hours=1)
    delete = DeleteCustomer(customers, uow, clock)

    await delete(DeleteCustomerCommand(customer_id=customer.id))

    stored = customers.rows[customer.id]
    assert stored.deleted_at == stored.updated_at == clock.now()
    assert stored.name == ERASED_NAME
    assert (stored.document, stored.email, stored.birth_date) == (None, None, None)
    assert (stored.phones, stored.addresses) == ((), ())
    assert stored.created_at == customer.created_at
    assert uow.commits == 1

    with pytest.raises(NotFound):
        await delete(DeleteCustomerCommand(customer_id=customer.id))
    with pytest.raises(NotFound):
        await delete(DeleteCustomerCommand(customer_id=uuid4()))
    assert uow.commits == 1

    again = await register(maria())
    assert again.id != customer.id
