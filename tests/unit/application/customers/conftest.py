from __future__ import annotations

import pytest

from tests.unit.application.customers.fakes import FakeCustomerRepository, FakeUnitOfWork
from tests.unit.fakes import FixedClock


@pytest.fixture
def customers() -> FakeCustomerRepository:
    return FakeCustomerRepository()


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()
