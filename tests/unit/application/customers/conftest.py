from __future__ import annotations

import pytest

from tests.unit.application.customers.fakes import FakeCustomerRepository, FakeUnitOfWork
from tests.unit.application.outbox_fakes import FakeOutbox
from tests.unit.fakes import FixedClock


@pytest.fixture
def customers() -> FakeCustomerRepository:
    return FakeCustomerRepository()


@pytest.fixture
def outbox() -> FakeOutbox:
    return FakeOutbox()


@pytest.fixture
def uow(outbox: FakeOutbox) -> FakeUnitOfWork:
    return FakeUnitOfWork(outbox)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()
