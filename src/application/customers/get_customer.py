"""Read one customer."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.customers.ports import CustomerRepository
from domain.customers import Customer
from domain.errors import NotFound


@dataclass(frozen=True, slots=True, kw_only=True)
class GetCustomerQuery:
    customer_id: UUID


class GetCustomer:
    def __init__(self, customers: CustomerRepository) -> None:
        self._customers = customers

    async def __call__(self, query: GetCustomerQuery) -> Customer:
        """:raises NotFound: unknown or deleted."""
        customer = await self._customers.get(query.customer_id)
        if customer is None:
            raise NotFound("customer", query.customer_id)
        return customer
