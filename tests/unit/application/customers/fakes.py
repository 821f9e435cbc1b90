"""Hand-written fakes of the customer ports."""

from __future__ import annotations

import copy
from uuid import UUID

from application.customers.data import AddressData, CustomerData, PhoneData
from application.customers.ports import CustomerFilter, CustomerPage
from application.sync.status import InvalidPageCursor
from domain.customers import AddressType, Customer, CustomerExists, CustomerKind, PhoneType
from tests.unit.application.outbox_fakes import FakeOutbox


class FakeCustomerRepository:
    """Dict-backed; keeps copies, so only ``add``/``save`` change what is stored. Enforces the
    unique e-mail and document like the database's constraints (deleted customers hold None)."""

    def __init__(self) -> None:
        self.rows: dict[UUID, Customer] = {}
        self.locked: list[UUID] = []

    async def add(self, customer: Customer) -> None:
        self._check_unique(customer)
        self.rows[customer.id] = copy.deepcopy(customer)

    async def get(self, customer_id: UUID, *, for_update: bool = False) -> Customer | None:
        found = self.rows.get(customer_id)
        if found is None or found.is_deleted:
            return None
        if for_update:
            self.locked.append(customer_id)
        return copy.deepcopy(found)

    async def save(self, customer: Customer) -> None:
        assert customer.id in self.locked, "save() needs a customer read with for_update"
        self._check_unique(customer)
        self.rows[customer.id] = copy.deepcopy(customer)

    async def page(
        self, customer_filter: CustomerFilter, *, limit: int, after: str | None
    ) -> CustomerPage:
        live = sorted(
            (c for c in self.rows.values() if not c.is_deleted),
            key=lambda c: (c.created_at, c.id),
        )
        if customer_filter.name is not None:
            live = [c for c in live if customer_filter.name.lower() in c.name.lower()]
        if customer_filter.email is not None:
            live = [c for c in live if c.email == customer_filter.email]
        start = 0
        if after is not None:
            ids = [str(c.id) for c in live]
            if after not in ids:
                raise InvalidPageCursor(after)
            start = ids.index(after) + 1
        items = [copy.deepcopy(c) for c in live[start : start + limit]]
        more = len(live) > start + limit
        return CustomerPage(items, str(items[-1].id) if more else None)

    def _check_unique(self, customer: Customer) -> None:
        for other in self.rows.values():
            if other.id == customer.id:
                continue
            if customer.email is not None and other.email == customer.email:
                raise CustomerExists("email")
            if customer.document is not None and other.document == customer.document:
                raise CustomerExists("document")


class FakeUnitOfWork:
    """Counts commits; a commit also publishes ``outbox``'s messages, when given."""

    def __init__(self, outbox: FakeOutbox | None = None) -> None:
        self.commits = 0
        self._outbox = outbox

    @property
    def committed(self) -> bool:
        return self.commits > 0

    async def commit(self) -> None:
        self.commits += 1
        if self._outbox is not None:
            self._outbox.commit()


def maria(**changes: object) -> CustomerData:
    """A valid individual, with ``changes`` applied."""
    values: dict[str, object] = {
        "kind": CustomerKind.INDIVIDUAL,
        "name": "Maria José da Silva",
        "document": "123.456.789-09",
        "email": "maria@example.com",
        "phones": (PhoneData(type=PhoneType.MOBILE, number="(11) 98765-4321"),),
        "addresses": (
            AddressData(
                type=AddressType.SHIPPING,
                street="Avenida Paulista",
                number="1578",
                district="Bela Vista",
                city="São Paulo",
                state="SP",
                zip_code="01310-200",
            ),
        ),
    } | changes
    return CustomerData(**values)  # type: ignore[arg-type]


def acme(**changes: object) -> CustomerData:
    """A valid company, with ``changes`` applied."""
    values: dict[str, object] = {
        "kind": CustomerKind.COMPANY,
        "name": "Acme Comércio Ltda",
        "document": "11.222.333/0001-81",
        "email": "compras@acme.com.br",
    } | changes
    return CustomerData(**values)  # type: ignore[arg-type]
