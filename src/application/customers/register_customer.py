"""Register a customer through the API."""

from __future__ import annotations

from uuid import uuid4

from application.accounts.storage import UnitOfWork
from application.clock import Clock
from application.customers.data import CustomerData, profile_of
from application.customers.ports import CustomerRepository
from domain.customers import Customer


class RegisterCustomer:
    """A new customer (origin ``ponte``) with a fresh id. E-mail and document are unique among
    live customers."""

    def __init__(self, customers: CustomerRepository, uow: UnitOfWork, clock: Clock) -> None:
        self._customers, self._uow, self._clock = customers, uow, clock

    async def __call__(self, data: CustomerData) -> Customer:
        """:raises ValidationError: a field breaks a rule (named).
        :raises CustomerExists: the e-mail or document is taken (named)."""
        now = self._clock.now()
        customer = Customer.register(uuid4(), profile_of(data, today=now.date()), at=now)
        await self._customers.add(customer)
        await self._uow.commit()
        return customer
