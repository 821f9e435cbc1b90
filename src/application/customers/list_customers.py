"""List live customers, a page at a time, optionally filtered by name or e-mail."""

from __future__ import annotations

from dataclasses import dataclass

from application.customers.ports import CustomerFilter, CustomerPage, CustomerRepository
from domain.customers import MAX_NAME_LENGTH, clean_text
from domain.documents import Email
from domain.errors import ValidationError

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class ListCustomersQuery:
    #: A piece of the name: case, accents and extra whitespace do not matter; blank means any.
    name: str | None = None
    #: The exact address (trimmed, case-insensitive); blank means any.
    email: str | None = None
    limit: int = DEFAULT_PAGE_SIZE
    #: ``next_cursor`` of the previous page.
    cursor: str | None = None


class ListCustomers:
    """Oldest first (creation time, then id); deleted customers never appear."""

    def __init__(self, customers: CustomerRepository) -> None:
        self._customers = customers

    async def __call__(self, query: ListCustomersQuery) -> CustomerPage:
        """:raises ValidationError: (``limit``, ``name`` or ``email``) a bad filter.
        :raises InvalidPageCursor: a cursor this API did not hand out."""
        if not 1 <= query.limit <= MAX_PAGE_SIZE:
            raise ValidationError(f"a page has 1 to {MAX_PAGE_SIZE} items", field="limit")
        name = None
        if query.name is not None and query.name.split():
            name = clean_text(query.name, field="name", max_length=MAX_NAME_LENGTH)
        email = Email(query.email) if query.email is not None and query.email.strip() else None
        return await self._customers.page(
            CustomerFilter(name=name, email=email), limit=query.limit, after=query.cursor
        )
