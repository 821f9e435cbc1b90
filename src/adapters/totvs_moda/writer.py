"""TOTVS Moda as Ponte's :class:`ErpWriter`: person upserts and B2C orders."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar
from uuid import UUID

import aiohttp
import msgspec

from adapters.totvs_moda.http import AuthenticationRefused, MalformedBody, Request, TotvsHttp
from adapters.totvs_moda.normalise import lookup
from adapters.totvs_moda.order_payload import order_payload
from adapters.totvs_moda.person_payload import (
    customer_payload,
    document_of,
    search_request,
    upsert_path,
)
from adapters.totvs_moda.settings import TotvsModaSettings
from adapters.totvs_moda.stream_spec import RowError
from adapters.totvs_moda.streams.sales_orders import status_name
from application.ops.calls import CallRecorder
from application.orders.model import Order
from application.outbox.erp import (
    ErpOrderKey,
    ErpRejected,
    ErpUnauthorized,
    ErpUnavailable,
    ErpWriteError,
)
from application.sync.ports import SourceError, SourceRejected
from domain.customers import Customer
from domain.documents import Cpf
from domain.orders import OrderStatus

T = TypeVar("T")
B2C_ORDERS = "sales-order/v2/b2c-orders"
ORDERS_SEARCH = "sales-order/v2/orders/search"
CANCEL_ORDER = "sales-order/v2/orders/cancel"
CHANGE_ORDER_STATUS = "sales-order/v2/orders/change-status"
#: ``ReasonCancellationDescription`` is at most 80 characters.
MAX_CANCEL_DESCRIPTION = 80
DEFAULT_CANCEL_DESCRIPTION = "Cancelado no Ponte"
ORDERS_SEARCH_PAGE_SIZE = 10
#: Amounts go out as JSON numbers (``10.50``), never as strings.
_ENCODER = msgspec.json.Encoder(decimal_format="number")


#: Ponte statuses an order may be moved to in TOTVS Moda (``orders/change-status``).
_ERP_STATUS_OF = {OrderStatus.CONFIRMED: "BillingReleased"}
#: The ``statusOrder`` names at which a change to the key's status has taken effect.
_REACHED = {"BillingReleased": frozenset({"BillingReleased", "PartiallyAnswered", "Attended"})}
_CANCELED = frozenset({"Canceled"})


class TotvsModaErpWriter:
    """Writes customers and orders into TOTVS Moda REST v2.

    Reads and upserts are retried on transient failures. Creates, cancels and status changes are
    sent once (a resend could create a second order, or be refused because the first took
    effect), except that a 401 is resent once with a fresh token; a refused cancel or status
    change is read back, and done when the order already is where it was sent. Search answers are
    re-checked locally (the ERP ignores filters it does not know): an item that does not say which
    order or person it is never counts as the one looked for.
    Close with :meth:`aclose` or use as an async context manager.
    """

    def __init__(
        self,
        settings: TotvsModaSettings,
        *,
        session: aiohttp.ClientSession | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        recorder: CallRecorder | None = None,
    ) -> None:
        self._defaults = settings.orders
        self._branch = settings.order_branch
        #: Every branch an order may have been created in (the order branch may have changed).
        self._order_branches = sorted({settings.order_branch, *settings.branch_codes})
        self._http = TotvsHttp(
            settings, session=session, sleep=sleep, monotonic=monotonic, recorder=recorder
        )

    async def upsert_customer(self, customer: Customer) -> int:
        """:raises ErpRejected: | ErpUnavailable | ErpUnauthorized"""
        document = document_of(customer)
        body = customer_payload(customer, branch_code=self._branch, defaults=self._defaults)
        return await self._call(_post(upsert_path(document), body), _customer_code)

    async def find_customer(self, customer: Customer) -> int | None:
        """None also for a customer without a document (the ERP cannot hold one).

        :raises ErpUnavailable: when no person of the answer has our document and some do not say
            theirs (one of them may be ours). | ErpRejected | ErpUnauthorized
        """
        document = customer.document
        if document is None:
            return None
        path, body = search_request(document)
        field = "cpf" if isinstance(document, Cpf) else "cnpj"
        unnamed = False
        for item in await self._call(_post(path, body), _search_items):
            sent = lookup(item, field)
            if _blank(sent):
                unnamed = True
            elif _digits(str(sent)) == document.digits:
                code = _positive_int(lookup(item, "code"))
                if code is not None:
                    return code
        if unnamed:
            raise ErpUnavailable("the ERP's answer does not say which person it is")
        return None

    async def create_order(
        self, order: Order, customer: Customer, customer_code: int
    ) -> ErpOrderKey:
        """One HTTP attempt. :raises ErpRejected: | ErpUnavailable | ErpUnauthorized"""
        if customer.id != order.customer_id:
            raise ErpRejected(
                f"order {order.id} belongs to customer {order.customer_id}, not {customer.id}",
                code="CustomerMismatch",
            )
        payload = order_payload(
            order, customer_code=customer_code, branch_code=self._branch, defaults=self._defaults
        )
        parse = _created_order(payload.order_id, self._branch)
        return await self._call(_post(B2C_ORDERS, payload), parse, retry=False)

    async def find_order(self, order_id: UUID) -> ErpOrderKey | None:
        """Searched in every branch the order may have been sent to.

        :raises ErpUnavailable: when the answer holds our order without its key, or no order of it
            is ours and some do not say their ``orderId``. | ErpRejected | ErpUnauthorized
        """
        branches = self._order_branches
        body = {
            "filter": {"branchCodeList": branches, "orderIdList": [str(order_id)]},
            "page": 1,
            "pageSize": ORDERS_SEARCH_PAGE_SIZE,
        }
        # An order without branchCode is in the branch searched, when only one was.
        default_branch = branches[0] if len(branches) == 1 else None
        unnamed = False
        for item in await self._call(_post(ORDERS_SEARCH, body), _search_items):
            sent = lookup(item, "orderId")
            if _blank(sent):
                unnamed = True
            elif str(sent).strip().lower() == str(order_id):
                key = _order_key(item, default_branch)
                if key is None:
                    unnamed = True
                else:
                    return key
        if unnamed:
            raise ErpUnavailable("the ERP's answer does not say which order it is")
        return None

    async def cancel_order(self, order_id: UUID, key: ErpOrderKey, reason: str) -> None:
        """Sent once. A refusal of an order the ERP shows as ``Canceled`` is success (the reply to
        an earlier cancel was lost).

        :raises ErpUnavailable: on a transient failure, the cancel may have taken effect.
            | ErpRejected | ErpUnauthorized
        """
        description = " ".join(reason.split())[:MAX_CANCEL_DESCRIPTION].rstrip()
        body = {
            "branchCode": key.branch_code,
            "orderCode": key.order_code,
            "reasonCancellationCode": self._defaults.cancel_reason_code,
            "ReasonCancellationDescription": description or DEFAULT_CANCEL_DESCRIPTION,
        }
        await self._send_once(_post(CANCEL_ORDER, body), order_id, key, _CANCELED)

    async def change_order_status(
        self, order_id: UUID, key: ErpOrderKey, status: OrderStatus
    ) -> None:
        """Only ``confirmed`` has a TOTVS Moda twin: the order is released for billing.

        Sent once, like a cancel; a refusal of an order the ERP shows at ``BillingReleased`` or
        further along (``PartiallyAnswered``, ``Attended``) is success.

        :raises ErpRejected: for any other status (code ``StatusNotWritable``), unsent; when the
            ERP refuses. :raises ErpUnavailable: on a transient failure. | ErpUnauthorized
        """
        erp_status = _ERP_STATUS_OF.get(status)
        if erp_status is None:
            raise ErpRejected(
                f"TOTVS Moda takes no order status for Ponte's {status.value!r}",
                code="StatusNotWritable",
            )
        body = {
            "branchCode": key.branch_code,
            "orderCode": key.order_code,
            "statusOrder": erp_status,
        }
        await self._send_once(
            _post(CHANGE_ORDER_STATUS, body),
            order_id,
            key,
            _REACHED.get(erp_status, frozenset({erp_status})),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> TotvsModaErpWriter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _send_once(
        self, request: Request, order_id: UUID, key: ErpOrderKey, done: frozenset[str]
    ) -> None:
        """Send a follow-up without retries; when the ERP refuses it, return anyway if the order
        already has one of the ``done`` statuses, else raise the refusal."""
        try:
            await self._call(request, _ignore, retry=False)
        except ErpRejected:
            if await self._order_status(order_id, key) not in done:
                raise

    async def _order_status(self, order_id: UUID, key: ErpOrderKey) -> str | None:
        """The ``statusOrder`` name of the order at ``key``; None when the ERP's answer does not
        say it, or the order cannot be read."""
        body = {
            "filter": {"branchCodeList": [key.branch_code], "orderCodeList": [key.order_code]},
            "page": 1,
            "pageSize": ORDERS_SEARCH_PAGE_SIZE,
        }
        try:
            items = await self._call(_post(ORDERS_SEARCH, body), _search_items)
        except ErpWriteError:
            return None
        for item in items:
            sent = lookup(item, "orderId")
            if _order_key(item, key.branch_code) != key or (
                not _blank(sent) and str(sent).strip().lower() != str(order_id)
            ):
                continue
            try:
                return status_name(lookup(item, "statusOrder"))
            except RowError:
                return None
        return None

    async def _call(
        self, request: Request, parse: Callable[[bytes], T], *, retry: bool = True
    ) -> T:
        try:
            return await self._http.call(request, parse, retry=retry)
        except SourceError as error:
            raise erp_error(error) from error


def erp_error(error: SourceError) -> ErpWriteError:
    """The port's error for one of :class:`TotvsHttp`'s (already free of secrets).

    A refused token grant, a 401 after the fresh-token retry and a 403 are
    :class:`ErpUnauthorized`; other 4xx :class:`ErpRejected`; the rest :class:`ErpUnavailable`.
    """
    message, status, code = str(error), error.status, error.code
    if isinstance(error, AuthenticationRefused) or (
        isinstance(error, SourceRejected) and status in (401, 403)
    ):
        return ErpUnauthorized(message, status=status, code=code)
    if isinstance(error, SourceRejected):
        return ErpRejected(message, status=status, code=code)
    return ErpUnavailable(message, status=status, code=code)


def _post(path: str, body: Any) -> Request:
    return Request("POST", path, msgspec.Raw(_ENCODER.encode(body)))


def _json(body: bytes) -> Any:
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError as error:
        raise MalformedBody(str(error)) from error


def _customer_code(body: bytes) -> int:
    data = _json(body)
    for key in ("customerCode", "code", "personCode"):
        code = _positive_int(lookup(data, key))
        if code is not None:
            return code
    raise MalformedBody("answer without customerCode")


def _created_order(order_id: str, branch: int) -> Callable[[bytes], ErpOrderKey]:
    """Parses the create answer. A 2xx without ``orderCode``, or for another ``orderId``, is a
    failure: whether the order exists is for :meth:`TotvsModaErpWriter.find_order` to say."""

    def parse(body: bytes) -> ErpOrderKey:
        data = _json(body)
        key = _order_key(data, branch)
        if key is None:
            raise MalformedBody("answer without orderCode")
        echoed = lookup(data, "orderId")
        if echoed is not None and str(echoed).strip().lower() != order_id:
            raise MalformedBody(f"answer for another orderId {str(echoed)[:40]!r}")
        return key

    return parse


def _order_key(data: Any, branch: int | None) -> ErpOrderKey | None:
    """The key of an order; ``branch`` stands in for a missing ``branchCode`` (None: no key)."""
    code = _positive_int(lookup(data, "orderCode"))
    branch = _positive_int(lookup(data, "branchCode")) or branch
    return None if code is None or branch is None else ErpOrderKey(branch, code)


def _search_items(body: bytes) -> list[Any]:
    """The ``items`` of a search envelope (null = none). An answer that is not an envelope is
    malformed, never "nothing found": a wrong None would have the order created twice."""
    data = _json(body)
    if isinstance(data, list):
        return data
    if not isinstance(data, dict) or not any(str(k).lower() == "items" for k in data):
        raise MalformedBody("search answer without items")
    items = lookup(data, "items")
    if items is None:
        return []
    if not isinstance(items, list):
        raise MalformedBody("search items are not an array")
    return items


def _ignore(body: bytes) -> None:
    """Cancel and change-status answers carry nothing Ponte needs."""


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    return value if isinstance(value, int) and value > 0 else None


def _blank(value: Any) -> bool:
    """A field the answer leaves out, null or empty: it says nothing."""
    return value is None or (isinstance(value, str) and not value.strip())


def _digits(text: str) -> str:
    return "".join(c for c in text if c in "0123456789")
