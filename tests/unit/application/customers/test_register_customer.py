"""RegisterCustomer: validated, unique e-mail and document, committed once."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from application.customers.data import PhoneData
from application.customers.register_customer import RegisterCustomer
from domain.customers import CustomerExists, CustomerOrigin, PhoneType
from domain.documents import Cpf
from domain.errors import ValidationError
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
def register(
    customers: FakeCustomerRepository,
    outbox: FakeOutbox,
    uow: FakeUnitOfWork,
    clock: FixedClock,
) -> RegisterCustomer:
    return RegisterCustomer(customers, outbox, uow, clock)


async def test_registers_and_commits(
    register: RegisterCustomer,
    customers: FakeCustomerRepository,
    uow: FakeUnitOfWork,
    clock: FixedClock,
) -> None:
    customer = await register(maria(email=" Maria@Example.COM "))
    assert customers.rows[customer.id].email is not None
    assert str(customers.rows[customer.id].email) == "maria@example.com"
    assert customers.rows[customer.id].document == Cpf("12345678909")
    assert customer.origin is CustomerOrigin.PONTE
    assert customer.created_at == customer.updated_at == clock.now()
    assert uow.commits == 1
    other = await register(acme())
    assert other.id != customer.id


async def test_the_new_customer_is_queued_for_the_erp_in_its_transaction(
    register: RegisterCustomer, outbox: FakeOutbox, uow: FakeUnitOfWork
) -> None:
    customer = await register(maria())

    assert outbox.of(customer.id) == [(MessageKind.CUSTOMER_UPSERT, MessageStatus.PENDING)]
    (message,) = outbox.committed
    assert (message.parent_id, message.payload) == (None, {})
    assert uow.commits == 1


async def test_the_callers_id_is_kept(register: RegisterCustomer, outbox: FakeOutbox) -> None:
    wanted = uuid4()
    customer = await register(maria(), customer_id=wanted)
    assert customer.id == wanted
    assert [m.aggregate_id for m in outbox.committed] == [wanted]


async def test_a_taken_email_or_document_is_a_conflict_naming_it(
    register: RegisterCustomer,
    customers: FakeCustomerRepository,
    outbox: FakeOutbox,
    uow: FakeUnitOfWork,
) -> None:
    await register(maria())
    with pytest.raises(CustomerExists) as error:
        await register(maria(document="529.982.247-25", email="MARIA@example.com"))
    assert error.value.field == "email"
    with pytest.raises(CustomerExists) as error:
        await register(maria(document="12345678909", email="other@example.com"))
    assert error.value.field == "document"
    assert len(customers.rows) == 1
    assert uow.commits == 1
    assert len(outbox.messages) == 1


async def test_invalid_data_stores_nothing(
    register: RegisterCustomer,
    customers: FakeCustomerRepository,
    outbox: FakeOutbox,
    uow: FakeUnitOfWork,
) -> None:
    bad_phone = (
        PhoneData(type=PhoneType.MOBILE, number="(11) 98765-4321"),
        PhoneData(type=PhoneType.HOME, number="12"),
    )
    with pytest.raises(ValidationError) as error:
        await register(maria(phones=bad_phone))
    assert error.value.field == "phones[1].number"
    with pytest.raises(ValidationError) as error:
        await register(acme(document="123.456.789-09"))
    assert error.value.field == "document"
    assert customers.rows == {}
    assert not uow.committed
    assert outbox.messages == []


async def test_birth_dates_are_judged_against_the_clock(
    register: RegisterCustomer, clock: FixedClock
) -> None:
    today = clock.now().date()
    assert (await register(maria(birth_date=today))).birth_date == today
    with pytest.raises(ValidationError) as error:
        await register(
            maria(
                birth_date=today + timedelta(days=1),
                email="b@example.com",
                document="529.982.247-25",
            )
        )
    assert error.value.field == "birth_date"
