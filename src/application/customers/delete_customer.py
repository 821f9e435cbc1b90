"""Delete a customer: the row stays for its orders, the personal data goes."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.accounts.storage import UnitOfWork
from application.clock import Clock
from application.customers.ports import CustomerRepository
from domain.errors import NotFound


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteCustomerCommand:
    customer_id: UUID


class DeleteCustomer:
    """Soft delete (see :meth:`domain.customers.Customer.erase`); the e-mail and document become
    free for a new customer. Deleting a deleted customer is NotFound."""

    def __init__(self, customers: CustomerRepository, uow: UnitOfWork, clock: Clock) -> None:
        self._customers, self._uow, self._clock = customers, uow, clock

    async def __call__(self, command: DeleteCustomerCommand) -> None:
        """:raises NotFound: unknown or already deleted."""
        customer = await self._customers.get(command.customer_id, for_update=True)
        if customer is None:
            raise NotFound("customer", command.customer_id)
        customer.erase(at=self._clock.now())
        await self._customers.save(customer)
        await self._uow.commit()
