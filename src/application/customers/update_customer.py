"""Replace a customer's editable fields."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.accounts.storage import UnitOfWork
from application.clock import Clock
from application.customers.data import CustomerData, profile_of
from application.customers.ports import CustomerRepository
from application.outbox.ports import Outbox
from domain.customers import Customer
from domain.errors import Conflict, NotFound
from domain.outbox import MessageKind


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateCustomerCommand:
    customer_id: UUID
    data: CustomerData


class UpdateCustomer:
    """Full replacement: a field left out takes its default (no phones, no addresses, no birth
    date). Id, origin and creation time never change. The new state is queued for the ERP."""

    def __init__(
        self, customers: CustomerRepository, outbox: Outbox, uow: UnitOfWork, clock: Clock
    ) -> None:
        self._customers, self._outbox = customers, outbox
        self._uow, self._clock = uow, clock

    async def __call__(self, command: UpdateCustomerCommand) -> Customer:
        """:raises NotFound: unknown or deleted. :raises ValidationError: a field breaks a rule.
        :raises CustomerExists: the e-mail or document belongs to another customer.
        :raises Conflict: (``document-in-erp``) a new document for a customer the ERP knows."""
        now = self._clock.now()
        profile = profile_of(command.data, today=now.date())
        customer = await self._customers.get(command.customer_id, for_update=True)
        if customer is None:
            raise NotFound("customer", command.customer_id)
        if customer.erp_code is not None and profile.document != customer.document:
            # The ERP keys persons by document: a new one would make a second person there.
            raise Conflict(
                "the document of a customer known to the ERP cannot change",
                slug="document-in-erp",
                field="document",
            )
        customer.revise(profile, at=now)
        await self._customers.save(customer)
        await self._outbox.add(MessageKind.CUSTOMER_UPSERT, customer.id)
        await self._uow.commit()
        return customer
