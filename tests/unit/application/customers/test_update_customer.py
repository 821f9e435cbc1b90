"""UpdateCustomer: full replacement of a live customer's editable fields."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from application.customers.register_customer import RegisterCustomer
from application.customers.update_customer import UpdateCustomer, UpdateCustomerCommand
from domain.customers import Customer, CustomerExists, CustomerKind, CustomerOrigin
from domain.errors import Conflict, NotFound, ValidationError
from domain.outbox import MessageKind, MessageStatus
from tests.unit.application.customers.fakes import (
    FakeCustomerRepository,
    FakeUnitOfWork,
    acme,
    maria,
)
from tests.unit.application.outbox_fakes import FakeOutbox
from tests.unit.fakes import FixedClock


@pytest.fixture
async def existing(
    customers: FakeCustomerRepository,
    outbox: FakeOutbox,
    uow: FakeUnitOfWork,
    clock: FixedClock,
) -> Customer:
    customer = await RegisterCustomer(customers, outbox, uow, clock)(
        maria(birth_date=date(1990, 5, 17))
    )
    uow.commits = 0
    return customer


@pytest.fixture
def update(
    customers: FakeCustomerRepository,
    outbox: FakeOutbox,
    uow: FakeUnitOfWork,
    clock: FixedClock,
) -> UpdateCustomer:
    return UpdateCustomer(customers, outbox, uow, clock)


async def test_replaces_every_editable_field(
    update: UpdateCustomer,
    existing: Customer,
    customers: FakeCustomerRepository,
    outbox: FakeOutbox,
    uow: FakeUnitOfWork,
    clock: FixedClock,
) -> None:
    clock.at += timedelta(minutes=5)
    command = UpdateCustomerCommand(customer_id=existing.id, data=acme())
    updated = await update(command)
    stored = customers.rows[existing.id]
    assert stored.kind is CustomerKind.COMPANY
    assert stored.name == "Acme Comércio Ltda"
    assert (stored.phones, stored.addresses, stored.birth_date) == ((), (), None)
    assert stored.origin is CustomerOrigin.PONTE
    assert (stored.created_at, stored.updated_at) == (existing.created_at, clock.now())
    assert updated.updated_at == clock.now()
    assert uow.commits == 1
    # The registration's upsert, then the update's: both committed, neither sent yet.
    assert outbox.of(existing.id) == [
        (MessageKind.CUSTOMER_UPSERT, MessageStatus.PENDING),
        (MessageKind.CUSTOMER_UPSERT, MessageStatus.PENDING),
    ]


async def test_keeping_its_own_email_is_fine_taking_anothers_is_not(
    update: UpdateCustomer,
    existing: Customer,
    customers: FakeCustomerRepository,
    outbox: FakeOutbox,
    uow: FakeUnitOfWork,
    clock: FixedClock,
) -> None:
    await update(UpdateCustomerCommand(customer_id=existing.id, data=maria(name="Maria S.")))
    other = await RegisterCustomer(customers, outbox, uow, clock)(acme())
    uow.commits = 0
    with pytest.raises(CustomerExists) as error:
        await update(
            UpdateCustomerCommand(customer_id=other.id, data=acme(email=str(existing.email)))
        )
    assert error.value.field == "email"
    assert customers.rows[other.id].email == other.email
    assert not uow.committed
    assert len(outbox.of(other.id)) == 1  # the registration's only


async def test_unknown_deleted_or_invalid_changes_nothing(
    update: UpdateCustomer,
    existing: Customer,
    customers: FakeCustomerRepository,
    outbox: FakeOutbox,
    uow: FakeUnitOfWork,
    clock: FixedClock,
) -> None:
    with pytest.raises(NotFound):
        await update(UpdateCustomerCommand(customer_id=uuid4(), data=maria()))
    with pytest.raises(ValidationError) as error:
        await update(
            UpdateCustomerCommand(customer_id=existing.id, data=maria(kind=CustomerKind.COMPANY))
        )
    assert error.value.field == "document"
    assert customers.rows[existing.id].kind is CustomerKind.INDIVIDUAL
    customers.rows[existing.id].erase(at=clock.now())
    with pytest.raises(NotFound):
        await update(UpdateCustomerCommand(customer_id=existing.id, data=maria()))
    assert not uow.committed
    assert len(outbox.messages) == 1  # the registration's only


async def test_a_customer_known_to_the_erp_keeps_its_document(
    update: UpdateCustomer,
    existing: Customer,
    customers: FakeCustomerRepository,
    outbox: FakeOutbox,
    uow: FakeUnitOfWork,
) -> None:
    customers.rows[existing.id].erp_code = 1042

    with pytest.raises(Conflict) as error:
        await update(UpdateCustomerCommand(customer_id=existing.id, data=acme()))

    assert (error.value.slug, error.value.field) == ("document-in-erp", "document")
    assert not uow.committed
    assert len(outbox.of(existing.id)) == 1  # the registration's only
    # Anything else still changes.
    await update(UpdateCustomerCommand(customer_id=existing.id, data=maria(name="Maria S.")))
    assert customers.rows[existing.id].name == "Maria S."
