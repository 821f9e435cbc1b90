"""Sales orders of the sandbox ERP: store orders it seeds and B2C orders clients create (§9).

The book indexes orders by ``(branchCode, orderCode)`` and by ``orderId`` (several orders may share
one: the ERP does not deduplicate), allocates order codes per branch, and keeps a
:class:`Timeline` of ``maxChangeFilterDate``. Status rules live on :class:`SalesOrder`:

- ``cancel``: only while the back office has not accepted the order (``InProgress``, ``Blocked``,
  ``InAnalysis``, ``InComposition``); every pending quantity becomes canceled.
- ``change_status``: only to ``InProgress``, ``BillingReleased``, ``Blocked``, ``InComposition``
  or ``InAnalysis``, and never out of ``Attended`` or ``Canceled``.
- :meth:`OrderBook.advance` moves an order as the back office would (admin API): settling
  quantities, issuing an invoice, closing or canceling it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from sandbox.totvs_moda.documents import make_cnpj, nfe_access_key
from sandbox.totvs_moda.errors import BadRequest, NotFound
from sandbox.totvs_moda.hashing import mix
from sandbox.totvs_moda.money import ZERO, cents
from sandbox.totvs_moda.order_input import NewOrder, OrderTerms
from sandbox.totvs_moda.statuses import CANCELLABLE, FINAL, SETTABLE
from sandbox.totvs_moda.timeline import Timeline
from sandbox.totvs_moda.times import to_aware

OrderKey = tuple[int, int]
SALT_BRANCH_CNPJ, SALT_INVOICE = 30, 31
MAX_DESCRIPTION = 80
FIRST_INVOICE = 100_001


@dataclass(slots=True)
class OrderLine:
    product_code: int
    quantity: int
    price: Decimal
    original_price: Decimal
    discount_percentage: Decimal
    insert_at: int
    changed_at: int
    billing_forecast_at: int | None = None
    settled: int = 0
    canceled: int = 0
    last_billing_at: int | None = None

    @property
    def pending(self) -> int:
        return self.quantity - self.settled - self.canceled


@dataclass(frozen=True, slots=True)
class Invoice:
    code: int
    serial: str
    access_key: str
    issue_at: int
    tracking_code: str
    receipt: str
    #: productCode -> quantity invoiced.
    quantities: tuple[tuple[int, int], ...]
    product_value: Decimal
    shipping_value: Decimal
    transaction_code: int

    @property
    def quantity(self) -> int:
        return sum(q for _, q in self.quantities)


@dataclass(slots=True)
class SalesOrder:
    branch_code: int
    order_code: int
    order_id: str | None
    #: ``erp`` (a store order) or ``api`` (created through ``b2c-orders``).
    origin: str
    customer_code: int
    customer_document: str
    customer_name: str
    status: str
    order_at: int
    insert_at: int
    #: ``maxChangeFilterDate`` (epoch seconds).
    at: int
    lines: list[OrderLine]
    freight_value: Decimal
    #: Order-level discounts (line prices are already net).
    discount_value: Decimal
    total: Decimal
    terms: OrderTerms = field(default_factory=OrderTerms)
    reason_blocking_code: int | None = None
    reason_blocking_description: str | None = None
    reason_cancellation_code: int | None = None
    reason_cancellation_description: str | None = None
    invoices: list[Invoice] = field(default_factory=list)

    @property
    def key(self) -> OrderKey:
        return self.branch_code, self.order_code

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def gross_value(self) -> Decimal:
        return cents(sum((line.original_price * line.quantity for line in self.lines), ZERO))

    @property
    def net_value(self) -> Decimal:
        """Σ(quantity × price) − order discounts; ``totalAmountOrder`` adds the freight."""
        items = sum((line.price * line.quantity for line in self.lines), ZERO)
        return cents(items - self.discount_value)

    def line(self, product_code: int) -> OrderLine | None:
        return next((line for line in self.lines if line.product_code == product_code), None)

    def cancel(self, reason_code: int | None, description: str | None, at: int) -> None:
        """:raises BadRequest: once the back office accepted it, or a description over 80."""
        if description is not None and len(description) > MAX_DESCRIPTION:
            raise BadRequest(f"reasonCancellationDescription is longer than {MAX_DESCRIPTION}")
        if self.status not in CANCELLABLE:
            raise BadRequest(
                f"order {self.branch_code}/{self.order_code} is {self.status} and cannot be "
                "canceled"
            )
        self.reason_cancellation_code = reason_code
        self.reason_cancellation_description = description
        self.cancel_pending(at)
        self.status = "Canceled"

    def change_status(self, status: str, reason_code: int | None, description: str | None) -> None:
        """:raises BadRequest: a target outside the allowed set, or a closed order."""
        if status not in SETTABLE:
            raise BadRequest(f"statusOrder {status} cannot be set through change-status")
        if self.status in FINAL:
            raise BadRequest(f"order {self.branch_code}/{self.order_code} is {self.status}")
        self.status = status
        if status == "Blocked":
            self.reason_blocking_code = reason_code
            self.reason_blocking_description = description
        else:
            self.reason_blocking_code = self.reason_blocking_description = None

    def cancel_pending(self, at: int) -> None:
        for line in self.lines:
            if line.pending:
                line.canceled += line.pending
                line.changed_at = at

    def settle(self, quantities: dict[int, int], at: int) -> None:
        """Mark quantities billed. :raises BadRequest: an unknown product or more than pending."""
        for code, quantity in quantities.items():
            line = self.line(code)
            if line is None:
                raise BadRequest(f"product {code} is not in the order")
            if not 0 <= quantity <= line.pending:
                raise BadRequest(f"product {code}: settle 0..{line.pending}, not {quantity}")
        for code, quantity in quantities.items():
            line = self.line(code)
            if line is not None and quantity:
                line.settled += quantity
                line.changed_at = line.last_billing_at = at


class OrderBook:
    def __init__(self, seed: int, branches: tuple[int, ...]) -> None:
        self.seed = seed
        self.orders: dict[OrderKey, SalesOrder] = {}
        self._by_id: dict[str, list[OrderKey]] = {}
        self._next_code = dict.fromkeys(branches, 1)
        self._next_invoice = dict.fromkeys(branches, FIRST_INVOICE)
        self.timeline: Timeline[OrderKey] = Timeline()

    def __len__(self) -> int:
        return len(self.orders)

    def allocate(self, branch: int) -> int:
        code = self._next_code.get(branch, 1)
        self._next_code[branch] = code + 1
        return code

    def add(self, order: SalesOrder) -> None:
        """:raises ValueError: when its key is taken."""
        if order.key in self.orders:
            raise ValueError(f"order {order.key} already exists")
        self.orders[order.key] = order
        if order.order_id is not None:
            self._by_id.setdefault(order.order_id, []).append(order.key)
        self._next_code[order.branch_code] = max(
            self._next_code.get(order.branch_code, 1), order.order_code + 1
        )
        order.at = self.timeline.touch(order.key, order.at)

    def touch(self, order: SalesOrder, at: int) -> None:
        order.at = self.timeline.touch(order.key, at)

    def with_id(self, order_id: str) -> list[SalesOrder]:
        """Every order created with ``order_id``, oldest first."""
        return [self.orders[key] for key in self._by_id.get(order_id, ())]

    def find(
        self, order_id: str | None, branch_code: int | None, order_code: int | None
    ) -> SalesOrder:
        """The order named by ``orderId`` (the first one created with it) or by branch and code.

        :raises BadRequest: when neither is given; :raises NotFound: when there is no such order
        (or the branch and code given next to an ``orderId`` name another one).
        """
        if order_id is not None:
            found = self.with_id(order_id)
            if not found or any(
                given is not None and given != actual
                for given, actual in (
                    (branch_code, found[0].branch_code),
                    (order_code, found[0].order_code),
                )
            ):
                raise NotFound(f"Order with orderId {order_id} not found")
            return found[0]
        if branch_code is None or order_code is None:
            raise BadRequest("inform orderId, or branchCode and orderCode")
        order = self.orders.get((branch_code, order_code))
        if order is None:
            raise NotFound(f"Order {order_code} of branch {branch_code} not found")
        return order

    def create(self, new: NewOrder, at: int, origin: str = "api") -> SalesOrder:
        """Store a validated B2C order under the next code of its branch."""
        order = SalesOrder(
            branch_code=new.branch_code,
            order_code=self.allocate(new.branch_code),
            order_id=new.order_id,
            origin=origin,
            customer_code=new.customer.code,
            customer_document=new.customer.document,
            customer_name=new.customer.name,
            status=new.status,
            order_at=at if new.order_at is None else new.order_at,
            insert_at=at,
            at=at,
            lines=[
                OrderLine(
                    product_code=line.product_code,
                    quantity=line.quantity,
                    price=line.price,
                    original_price=line.original_price,
                    discount_percentage=line.discount_percentage,
                    insert_at=at,
                    changed_at=at,
                    billing_forecast_at=line.billing_forecast_at,
                )
                for line in new.lines
            ],
            freight_value=new.freight_value,
            discount_value=new.discount_value,
            total=new.total,
            terms=new.terms,
        )
        self.add(order)
        return order

    def advance(
        self,
        order: SalesOrder,
        status: str,
        at: int,
        *,
        invoice: bool | None = None,
        settle: dict[int, int] | None = None,
    ) -> SalesOrder:
        """Move ``order`` as the back office would.

        ``Attended`` settles ``settle`` (default: everything pending) and cancels what is left;
        ``PartiallyAnswered`` settles ``settle`` (default: half, at least one, of the first pending
        line). Both issue an invoice for what they settled unless ``invoice`` is false.
        ``Canceled`` cancels every pending quantity; other statuses only change the status.

        :raises BadRequest: on a closed order or a bad ``settle``.
        """
        if order.status in FINAL:
            raise BadRequest(f"order {order.branch_code}/{order.order_code} is {order.status}")
        if status == "Canceled":
            order.cancel_pending(at)
        elif status in ("Attended", "PartiallyAnswered"):
            quantities = settle if settle is not None else _default_settle(order, status)
            order.settle(quantities, at)
            if status == "Attended":
                order.cancel_pending(at)
            billed = tuple((code, q) for code, q in quantities.items() if q)
            if billed and invoice is not False:
                order.invoices.append(self._invoice(order, billed, at))
        order.status = status
        self.touch(order, at)
        return order

    def _invoice(self, order: SalesOrder, billed: tuple[tuple[int, int], ...], at: int) -> Invoice:
        number = self._next_invoice.get(order.branch_code, FIRST_INVOICE)
        self._next_invoice[order.branch_code] = number + 1
        h = mix(self.seed, order.branch_code * 1_000_000_000 + number, SALT_INVOICE)
        prices = {line.product_code: line.price for line in order.lines}
        return Invoice(
            code=number,
            serial="1",
            access_key=nfe_access_key(
                state=35,
                yymm=to_aware(at).strftime("%y%m"),
                cnpj=branch_cnpj(self.seed, order.branch_code),
                serial=1,
                number=number,
                code=h,
            ),
            issue_at=at,
            tracking_code=f"OP{h % 1_000_000_000:09d}BR",
            receipt=f"135{to_aware(at).strftime('%y')}{(h >> 32) % 10**10:010d}",
            quantities=billed,
            product_value=cents(sum((prices[c] * q for c, q in billed), ZERO)),
            shipping_value=order.freight_value if not order.invoices else ZERO,
            transaction_code=(h >> 40) % 900_000 + 100_000,
        )

    def search(self, wanted: OrderMatcher) -> list[SalesOrder]:
        """Matching orders in no particular order (callers sort)."""
        return [o for o in self._candidates(wanted) if wanted.matches(o)]

    def _candidates(self, wanted: OrderMatcher) -> Iterable[SalesOrder]:
        if wanted.order_ids:
            return (self.orders[k] for i in wanted.order_ids for k in self._by_id.get(i, ()))
        if wanted.order_codes:
            keys = ((b, c) for b in wanted.branches for c in wanted.order_codes)
            return (o for o in map(self.orders.get, keys) if o is not None)
        if wanted.window_start is not None or wanted.window_end is not None:
            return self._changed(wanted.window_start, wanted.window_end)
        return self.orders.values()

    def _changed(self, start: float | None, end: float | None) -> Iterator[SalesOrder]:
        for key in self.timeline.within(start, end):
            yield self.orders[key]


class OrderMatcher(Protocol):
    """What :meth:`OrderBook.search` needs from a filter (see :mod:`order_search`)."""

    @property
    def branches(self) -> frozenset[int]: ...
    @property
    def order_ids(self) -> frozenset[str] | None: ...
    @property
    def order_codes(self) -> frozenset[int] | None: ...
    @property
    def window_start(self) -> float | None: ...
    @property
    def window_end(self) -> float | None: ...

    def matches(self, order: SalesOrder) -> bool: ...


def _default_settle(order: SalesOrder, status: str) -> dict[int, int]:
    pending = [line for line in order.lines if line.pending]
    if status == "Attended":
        return {line.product_code: line.pending for line in pending}
    if not pending:
        return {}
    return {pending[0].product_code: max(1, pending[0].pending // 2)}


def branch_cnpj(seed: int, branch: int) -> str:
    """The tenant's CNPJ for a branch: one root, the branch as establishment number."""
    return make_cnpj(mix(seed, 0, SALT_BRANCH_CNPJ), branch)
