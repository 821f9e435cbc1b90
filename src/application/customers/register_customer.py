"""Register a customer through the API."""

from __future__ import annotations

from uuid import UUID, uuid4

from application.accounts.storage import UnitOfWork
from application.clock import Clock
from application.customers.data import CustomerData, profile_of
from application.customers.ports import CustomerRepository
from application.outbox.ports import Outbox
from domain.customers import Customer
from domain.outbox import MessageKind


class RegisterCustomer:
    """A new customer (origin ``ponte``) with a fresh id (or ``customer_id``). E-mail and
    document are unique among live customers. The customer is queued for the ERP in the same
    transaction."""

    def __init__(
        self, customers: CustomerRepository, outbox: Outbox, uow: UnitOfWork, clock: Clock
    ) -> None:
        self._customers, self._outbox = customers, outbox
        self._uow, self._clock = uow, clock

    async def __call__(self, data: CustomerData, *, customer_id: UUID | None = None) -> Customer:
        """:raises ValidationError: a field breaks a rule (named).
        :raises CustomerExists: the e-mail or document is taken (named)."""
        now = self._clock.now()
        new_id = uuid4() if customer_id is None else customer_id
        customer = Customer.register(new_id, profile_of(data, today=now.date()), at=now)
        await self._customers.add(customer)
        await self._outbox.add(MessageKind.CUSTOMER_UPSERT, customer.id)
        await self._uow.commit()
        return customer
