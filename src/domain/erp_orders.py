"""Sales orders as an ERP reports them, and how a Ponte order follows the ERP's progress.

ERP-neutral: each ERP adapter maps its own statuses to :class:`ErpOrderProgress`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.customers import Address, CustomerKind
from domain.documents import TaxId
from domain.erp_customers import ErpCustomer
from domain.orders import OrderStatus


class ErpOrderProgress(enum.StrEnum):
    """How far the ERP has taken an order."""

    #: Registered, not yet accepted by the back office (as created, blocked, in analysis, being
    #: composed).
    RECEIVED = "received"
    #: Accepted: released for billing.
    ACCEPTED = "accepted"
    #: Part of it invoiced, the rest still to serve.
    PARTIALLY_SERVED = "partially_served"
    #: Closed: everything invoiced or cancelled (all cancelled when nothing was served).
    SERVED = "served"
    CANCELLED = "cancelled"


#: Where Ponte's statuses sit on the way to delivery (cancelled is off that line).
_RANK = {
    OrderStatus.PENDING: 0,
    OrderStatus.CONFIRMED: 1,
    OrderStatus.INVOICED: 2,
    OrderStatus.SHIPPED: 3,
    OrderStatus.DELIVERED: 4,
}
_LINE = tuple(sorted(_RANK, key=_RANK.__getitem__))


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What following the ERP does to a Ponte order: ``steps`` are the transitions to make, in
    order (empty when nothing moves); ``ignored`` says why the ERP's progress could not be
    followed, when it could not."""

    steps: tuple[OrderStatus, ...] = ()
    ignored: str | None = None

    def status(self, current: OrderStatus) -> OrderStatus:
        """The status after the steps."""
        return self.steps[-1] if self.steps else current


def erp_target(progress: ErpOrderProgress, *, invoiced: bool, served: int) -> OrderStatus:
    """The Ponte status matching the ERP's progress; ``invoiced``: the ERP issued an invoice;
    ``served``: units the ERP served, all lines together.

    Served with nothing served nor invoiced means every line was cancelled: cancelled.
    """
    if progress is ErpOrderProgress.CANCELLED:
        return OrderStatus.CANCELLED
    if progress is ErpOrderProgress.RECEIVED:
        return OrderStatus.PENDING
    if progress is ErpOrderProgress.SERVED:
        if invoiced:
            return OrderStatus.INVOICED
        if served == 0:
            return OrderStatus.CANCELLED
    return OrderStatus.CONFIRMED


def follow_erp(
    current: OrderStatus, progress: ErpOrderProgress, *, invoiced: bool, served: int
) -> FollowUp:
    """The transitions that take an order from ``current`` towards the ERP's progress (see
    :func:`erp_target` for ``invoiced`` and ``served``).

    Orders only move forwards (pending → confirmed → invoiced), and never out of delivered or
    cancelled. An order already past the ERP (say, shipped while the ERP says served) stays where
    it is: that is not a conflict. A move the state machine forbids (the ERP cancelled an invoiced
    order; the ERP moved on an order Ponte cancelled) is ignored and explained, never raised.
    """
    target = erp_target(progress, invoiced=invoiced, served=served)
    if target is current:
        return FollowUp()
    if current is OrderStatus.CANCELLED:
        return FollowUp(ignored=f"cancelled in Ponte; the ERP has it {progress.value}")
    if target is OrderStatus.CANCELLED:
        if current in (OrderStatus.PENDING, OrderStatus.CONFIRMED):
            return FollowUp((OrderStatus.CANCELLED,))
        return FollowUp(ignored=f"cancelled in the ERP; {current.value} in Ponte cannot be")
    if _RANK[target] < _RANK[current]:
        return FollowUp()  # Ponte is ahead: never backwards
    return FollowUp(_LINE[_RANK[current] + 1 : _RANK[target] + 1])


def new_order_status(progress: ErpOrderProgress, *, invoiced: bool, served: int) -> OrderStatus:
    """The status of an order Ponte first hears of from the ERP (as if it had followed it)."""
    pending = OrderStatus.PENDING
    return follow_erp(pending, progress, invoiced=invoiced, served=served).status(pending)


@dataclass(frozen=True, slots=True, kw_only=True)
class ErpInvoice:
    """A fiscal invoice (NF-e) the ERP issued for an order."""

    number: str
    series: str | None = None
    #: The NF-e's 44-digit access key, when the invoice is electronic.
    access_key: str | None = None
    issued_at: datetime | None = None
    tracking_code: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ErpOrderItem:
    """One SKU of an ERP order: units ordered, invoiced (served) and cancelled, unit price."""

    product_code: int
    reference_code: str | None
    quantity: int
    served: int
    cancelled: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class ErpOrder:
    """A sales order as the ERP reports it.

    ``key`` is the ERP's own key (branch and order code); ``client_id`` is the id the creating
    client gave it (Ponte's order id for orders Ponte sent). ``status_name`` is the ERP's own
    status, ``progress`` its meaning. Items hold one line per SKU. ``customer_kind``,
    ``customer_document`` (None when absent or invalid) and ``customer_name`` are what the order
    says of its customer: enough to register one Ponte does not know yet.
    """

    branch_code: int
    order_code: int
    client_id: str | None
    customer_code: int | None
    status_name: str
    progress: ErpOrderProgress
    ordered_at: datetime | None
    inserted_at: datetime | None
    changed_at: datetime | None
    items: tuple[ErpOrderItem, ...]
    invoices: tuple[ErpInvoice, ...]
    freight: Decimal
    discount: Decimal
    total: Decimal
    shipping_address: Address | None = None
    customer_kind: CustomerKind = CustomerKind.INDIVIDUAL
    customer_document: TaxId | None = None
    customer_name: str | None = None

    @property
    def key(self) -> tuple[int, int]:
        return self.branch_code, self.order_code

    @property
    def label(self) -> str:
        """The key as operators read it: ``branch/code``."""
        return f"{self.branch_code}/{self.order_code}"

    @property
    def served(self) -> int:
        """Units served (invoiced), all items together."""
        return sum(item.served for item in self.items)

    def named_customer(self) -> ErpCustomer | None:
        """The customer as the order names it, to register when Ponte does not know it (None
        without a customer code). Its ``changed_at`` is None: the persons streams complete it."""
        if self.customer_code is None:
            return None
        return ErpCustomer(
            erp_code=self.customer_code,
            kind=self.customer_kind,
            name=self.customer_name or f"Cliente {self.customer_code}",
            document=self.customer_document,
            email=None,
            phones=(),
            addresses=(),
            birth_date=None,
            changed_at=None,
        )
