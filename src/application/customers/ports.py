"""Storage port of the customer use cases. Writes become durable only on ``UnitOfWork.commit()``
(the accounts' unit of work: one request, one transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from domain.customers import Customer
from domain.documents import Email


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerFilter:
    #: Case- and accent-insensitive substring of the name.
    name: str | None = None
    email: Email | None = None


@dataclass(frozen=True, slots=True)
class CustomerPage:
    items: list[Customer]
    #: Opaque position of the next page; None on the last page.
    next_cursor: str | None


class CustomerRepository(Protocol):
    async def add(self, customer: Customer) -> None:
        """:raises CustomerExists: a live customer has the e-mail or document (also when a
        concurrent add won)."""
        ...

    async def get(self, customer_id: UUID, *, for_update: bool = False) -> Customer | None:
        """The live customer with ``customer_id``; None when unknown or deleted. ``for_update``
        locks it until commit, so concurrent changes are judged one after the other."""
        ...

    async def save(self, customer: Customer) -> None:
        """Store every field of a customer read with ``for_update``.

        :raises CustomerExists: its new e-mail or document belongs to another live customer.
        """
        ...

    async def page(
        self, customer_filter: CustomerFilter, *, limit: int, after: str | None
    ) -> CustomerPage:
        """Live customers oldest first (by creation time, then id), at most ``limit``.

        :raises InvalidPageCursor: when ``after`` is not a cursor this returned.
        """
        ...
