"""The port through which Ponte writes customers and orders into an ERP. It names no ERP:
TOTVS Moda implements it now, Protheus next."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from application.orders.model import Order
from domain.customers import Customer
from domain.errors import PonteError
from domain.orders import OrderStatus

#: What an outside call is done for (``outbox:<id>``, ``sync:<run>``…); adapters log it.
correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)


class ErpWriteError(PonteError):
    """An ERP write failed. Carries the ERP's status and code/message, never credentials."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class ErpUnavailable(ErpWriteError):
    """Transient: no answer, a timeout, a 5xx or 429. The write may or may not have happened."""


class ErpRejected(ErpWriteError):
    """Permanent: the ERP refused the write by a business rule (4xx); retrying cannot help."""


class ErpUnauthorized(ErpWriteError):
    """The ERP refused Ponte's credentials (even after getting a fresh token)."""


@dataclass(frozen=True, slots=True)
class ErpOrderKey:
    """The order's key in the ERP (TOTVS Moda: ``branchCode`` + ``orderCode``)."""

    branch_code: int
    order_code: int


class ErpWriter(Protocol):
    """Writes into the ERP. Every method is safe to call again after an :class:`ErpUnavailable`
    once its ``find_*`` twin said the first call did not take effect."""

    async def upsert_customer(self, customer: Customer) -> int:
        """Create or update the customer, keyed by its document; returns the ERP customer code.

        :raises ErpRejected: | ErpUnavailable | ErpUnauthorized
        """
        ...

    async def find_customer(self, customer: Customer) -> int | None:
        """The ERP customer code of the customer's document, None when the ERP has none."""
        ...

    async def create_order(
        self, order: Order, customer: Customer, customer_code: int
    ) -> ErpOrderKey:
        """Create the order, with ``order.id`` as the ERP's idempotency id (``orderId``).

        Never retried inside: a create whose answer was lost must be looked up with
        :meth:`find_order` before it is sent again.

        :raises ErpRejected: | ErpUnavailable | ErpUnauthorized
        """
        ...

    async def find_order(self, order_id: UUID) -> ErpOrderKey | None:
        """The ERP key of the order created with ``order_id``; None when the ERP has none."""
        ...

    async def cancel_order(self, order_id: UUID, key: ErpOrderKey, reason: str) -> None:
        """Cancel the order in the ERP. :raises ErpRejected: e.g. already accepted by the back
        office."""
        ...

    async def change_order_status(
        self, order_id: UUID, key: ErpOrderKey, status: OrderStatus
    ) -> None:
        """Tell the ERP the order moved to Ponte's ``status`` (``confirmed``: released for
        billing); the adapter maps it to the ERP's own status."""
        ...
