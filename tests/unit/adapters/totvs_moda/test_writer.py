"""TotvsModaErpWriter over a mocked ERP: one attempt per create, errors mapped to the port's."""

from __future__ import annotations

import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import msgspec
import pytest
from aioresponses import aioresponses
from yarl import URL

from adapters.totvs_moda import TotvsModaErpWriter
from adapters.totvs_moda.settings import TotvsModaOrderDefaults
from application.ops.calls import OutsideCall
from application.outbox.erp import (
    ErpOrderKey,
    ErpRejected,
    ErpUnauthorized,
    ErpUnavailable,
    ErpWriteError,
)
from domain.documents import Cnpj
from domain.orders import OrderStatus
from tests.unit.adapters.totvs_moda.conftest import (
    SECRETS,
    TOKEN_URL,
    Sleeps,
    api,
    envelope,
    make_settings,
    token_body,
)
from tests.unit.adapters.totvs_moda.records import (
    CNPJ,
    CPF,
    ORDER_ID,
    customer,
    item,
    order,
)

CREATE = api("sales-order/v2/b2c-orders")
SEARCH_ORDERS = api("sales-order/v2/orders/search")
CANCEL = api("sales-order/v2/orders/cancel")
CHANGE_STATUS = api("sales-order/v2/orders/change-status")
UPSERT_PF = api("person/v2/individual-customers")
UPSERT_PJ = api("person/v2/legal-customers")
SEARCH_PF = api("person/v2/individuals/search")
SEARCH_PJ = api("person/v2/legal-entities/search")
CREATED = {"branchCode": 1, "orderCode": 90001, "orderId": str(ORDER_ID)}
ECHOES_EVERYTHING = (
    b'[{"code":"X","message":"bad Bearer tok-SECRET-1 (refresh ref-SECRET-1),'
    b' you sent cid-S3CRET, pw-S3CRET, csecret-S3CRET and apikey-S3CRET"}]'
)


@pytest.fixture
async def writer(sleeps: Sleeps) -> AsyncIterator[TotvsModaErpWriter]:
    async with TotvsModaErpWriter(make_settings(), sleep=sleeps) as client:
        yield client


@pytest.fixture
def erp(mocked: aioresponses) -> aioresponses:
    """The mocked ERP, with logins that succeed."""
    mocked.post(TOKEN_URL, payload=token_body("tok-SECRET-1", refresh="ref-SECRET-1"), repeat=True)
    return mocked


def posts(mocked: aioresponses, url: str) -> list[Any]:
    return list(mocked.requests.get(("POST", URL(url)), []))


def sent(mocked: aioresponses, url: str, index: int = 0) -> Any:
    return msgspec.json.decode(posts(mocked, url)[index].kwargs["data"])


def everything_said_about(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)) + repr(error) + repr(error.args)


async def create(writer: TotvsModaErpWriter) -> ErpOrderKey:
    return await writer.create_order(order(), customer(), 4711)


# --- create_order --------------------------------------------------------------------------------


async def test_create_returns_the_erp_key(writer: TotvsModaErpWriter, erp: aioresponses) -> None:
    erp.post(CREATE, status=201, payload=CREATED)

    key = await writer.create_order(
        order(items=[item(1001, 2, "10.50")], freight="5.10"), customer(), 4711
    )

    assert key == ErpOrderKey(1, 90001)
    call = posts(erp, CREATE)[0]
    assert call.kwargs["headers"]["Authorization"] == "Bearer tok-SECRET-1"
    raw = call.kwargs["data"]
    assert b'"totalAmountOrder":26.10' in raw  # amounts are JSON numbers, not strings
    assert b'"freightValue":5.10' in raw
    body = msgspec.json.decode(raw)
    assert (body["orderId"], body["customerCode"], body["branchCode"]) == (str(ORDER_ID), 4711, 1)


@pytest.mark.parametrize(
    "answer",
    [
        {"branchCode": 1, "orderId": str(ORDER_ID)},
        {"branchCode": 1, "orderCode": 0, "orderId": str(ORDER_ID)},
        {"branchCode": 1, "orderCode": 5, "orderId": "another-order"},
    ],
)
async def test_a_created_answer_without_our_order_code_is_a_failure(
    writer: TotvsModaErpWriter, erp: aioresponses, sleeps: Sleeps, answer: dict[str, Any]
) -> None:
    erp.post(CREATE, status=201, payload=answer, repeat=True)

    with pytest.raises(ErpUnavailable) as caught:
        await create(writer)

    assert len(posts(erp, CREATE)) == 1
    assert sleeps.calls == []
    assert caught.value.status == 201


@pytest.mark.parametrize(
    "failure",
    [
        {"exception": TimeoutError()},
        {"exception": aiohttp.ClientConnectionError("reset by peer")},
        {"status": 500},
        {"status": 503, "body": "<html>down</html>"},
        {"status": 429, "headers": {"Retry-After": "1"}},
        {"status": 201, "body": '{"orderCode": 9'},
    ],
)
async def test_a_failed_create_is_sent_exactly_once(
    writer: TotvsModaErpWriter, erp: aioresponses, sleeps: Sleeps, failure: dict[str, Any]
) -> None:
    erp.post(CREATE, repeat=True, **failure)

    with pytest.raises(ErpUnavailable) as caught:
        await create(writer)

    assert len(posts(erp, CREATE)) == 1
    assert sleeps.calls == []
    assert "after 1 try" in str(caught.value)


async def test_a_business_error_is_a_rejection_with_the_erp_code_and_message(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    erp.post(
        CREATE,
        status=400,
        body=b'[{"code":"RepeatedValue","message":"ProductCode 1001 repeated"},'
        b'{"code":"Other","message":"and more"}]',
    )

    with pytest.raises(ErpRejected) as caught:
        await create(writer)

    assert (caught.value.status, caught.value.code) == (400, "RepeatedValue")
    assert "ProductCode 1001 repeated; and more" in str(caught.value)


async def test_a_refused_token_is_renewed_and_the_create_resent_once(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    erp.post(CREATE, status=401)
    erp.post(CREATE, status=201, payload=CREATED)

    assert await create(writer) == ErpOrderKey(1, 90001)
    assert len(posts(erp, CREATE)) == 2


async def test_a_second_401_is_unauthorized(writer: TotvsModaErpWriter, erp: aioresponses) -> None:
    erp.post(CREATE, status=401, repeat=True)

    with pytest.raises(ErpUnauthorized) as caught:
        await create(writer)

    assert caught.value.status == 401
    assert len(posts(erp, CREATE)) == 2
    assert len(posts(erp, TOKEN_URL)) == 2


@pytest.mark.parametrize("status", [400, 401])
async def test_refused_credentials_are_unauthorized(
    writer: TotvsModaErpWriter, mocked: aioresponses, status: int
) -> None:
    mocked.post(TOKEN_URL, status=status, payload={"error": "invalid_grant"}, repeat=True)

    with pytest.raises(ErpUnauthorized) as caught:
        await create(writer)

    assert caught.value.status == status
    assert posts(mocked, CREATE) == []


async def test_an_order_that_does_not_add_up_is_never_sent(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    with pytest.raises(ErpRejected) as caught:
        await writer.create_order(order(total="99.00"), customer(), 4711)

    assert caught.value.code == "TotalMismatch"
    assert erp.requests == {}


# --- find_order ----------------------------------------------------------------------------------


async def test_find_order_searches_the_branch_by_order_id(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    erp.post(SEARCH_ORDERS, payload=envelope([{"branchCode": 1, "orderCode": 77, "orderId": "x"}]))
    erp.post(SEARCH_ORDERS, payload=envelope([{**CREATED, "orderId": str(ORDER_ID).upper()}]))

    assert await writer.find_order(ORDER_ID) is None  # an order of someone else is not ours
    assert await writer.find_order(ORDER_ID) == ErpOrderKey(1, 90001)
    assert sent(erp, SEARCH_ORDERS)["filter"] == {
        "branchCodeList": [1],
        "orderIdList": [str(ORDER_ID)],
    }


async def test_find_order_searches_every_branch_the_order_could_have_been_sent_to(
    sleeps: Sleeps, erp: aioresponses
) -> None:
    settings = make_settings(branch_codes=(3, 1), orders=TotvsModaOrderDefaults(branch_code=2))
    erp.post(SEARCH_ORDERS, payload=envelope([{**CREATED, "branchCode": 3}]))

    async with TotvsModaErpWriter(settings, sleep=sleeps) as writer:
        assert await writer.find_order(ORDER_ID) == ErpOrderKey(3, 90001)

    assert sent(erp, SEARCH_ORDERS)["filter"]["branchCodeList"] == [1, 2, 3]


@pytest.mark.parametrize(
    "items",
    [
        [{"branchCode": 1, "orderCode": 77}],
        [{"branchCode": 1, "orderCode": 77, "orderId": None}],
        [{"branchCode": 1, "orderCode": 5, "orderId": "another"}, {"orderCode": 77}],
    ],
)
async def test_find_order_never_takes_an_order_that_does_not_say_its_id_for_ours(
    writer: TotvsModaErpWriter, erp: aioresponses, items: list[dict[str, Any]]
) -> None:
    erp.post(SEARCH_ORDERS, payload=envelope(items))

    with pytest.raises(ErpUnavailable, match="does not say which order it is"):
        await writer.find_order(ORDER_ID)


async def test_find_order_takes_ours_among_orders_that_do_not_say_their_id(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    erp.post(SEARCH_ORDERS, payload=envelope([{"branchCode": 1, "orderCode": 77}, CREATED]))

    assert await writer.find_order(ORDER_ID) == ErpOrderKey(1, 90001)


@pytest.mark.parametrize(
    ("branches", "answer"),
    [
        ((1,), {"branchCode": 1, "orderId": str(ORDER_ID)}),  # ours, but which order code?
        ((1, 2), {"orderCode": 90001, "orderId": str(ORDER_ID)}),  # ours, but in which branch?
    ],
)
async def test_find_order_never_says_none_when_ours_comes_without_its_key(
    sleeps: Sleeps, erp: aioresponses, branches: tuple[int, ...], answer: dict[str, Any]
) -> None:
    erp.post(SEARCH_ORDERS, payload=envelope([answer]))

    async with TotvsModaErpWriter(make_settings(branch_codes=branches), sleep=sleeps) as writer:
        with pytest.raises(ErpUnavailable, match="does not say which order it is"):
            await writer.find_order(ORDER_ID)


async def test_find_order_in_a_single_branch_takes_that_branch_when_the_erp_omits_it(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    erp.post(SEARCH_ORDERS, payload=envelope([{"orderCode": 90001, "orderId": str(ORDER_ID)}]))

    assert await writer.find_order(ORDER_ID) == ErpOrderKey(1, 90001)


@pytest.mark.parametrize("answer", [envelope([]), {"items": None, "hasNext": False}])
async def test_find_order_says_none_when_the_erp_has_none(
    writer: TotvsModaErpWriter, erp: aioresponses, answer: dict[str, Any]
) -> None:
    erp.post(SEARCH_ORDERS, payload=answer)

    assert await writer.find_order(ORDER_ID) is None


async def test_find_order_retries_and_never_takes_a_strange_answer_for_none(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    erp.post(SEARCH_ORDERS, status=503)
    erp.post(SEARCH_ORDERS, payload=envelope([CREATED]))
    erp.post(SEARCH_ORDERS, payload={"message": "maintenance"}, repeat=True)

    assert await writer.find_order(ORDER_ID) == ErpOrderKey(1, 90001)
    with pytest.raises(ErpUnavailable):
        await writer.find_order(ORDER_ID)
    assert len(posts(erp, SEARCH_ORDERS)) == 2 + 3


# --- customers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["customerCode", "code", "personCode", "CustomerCode"])
async def test_upsert_returns_the_customer_code(
    writer: TotvsModaErpWriter, erp: aioresponses, key: str
) -> None:
    erp.post(UPSERT_PF, payload={key: 321})

    assert await writer.upsert_customer(customer()) == 321
    assert sent(erp, UPSERT_PF)["cpf"] == CPF


async def test_a_company_is_upserted_as_a_legal_customer(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    erp.post(UPSERT_PJ, payload={"customerCode": "654"})

    assert await writer.upsert_customer(customer(document=Cnpj(CNPJ))) == 654
    assert sent(erp, UPSERT_PJ)["cnpj"] == CNPJ


async def test_an_upsert_answer_without_code_is_unavailable_after_retries(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    erp.post(UPSERT_PF, payload={"name": "Maria"}, repeat=True)

    with pytest.raises(ErpUnavailable) as caught:
        await writer.upsert_customer(customer())

    assert "answer without customerCode" in str(caught.value)
    assert len(posts(erp, UPSERT_PF)) == 3  # idempotent: retried like a read


async def test_an_upsert_refused_by_a_tenant_rule_is_rejected(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    erp.post(
        UPSERT_PF,
        status=400,
        payload={"messages": [{"code": "parameterValueField", "message": "limits off"}]},
    )

    with pytest.raises(ErpRejected) as caught:
        await writer.upsert_customer(customer())

    assert caught.value.code == "parameterValueField"


async def test_find_customer_returns_the_code_of_the_matching_person(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    stranger = {"code": 1, "cpf": "11144477735"}
    erp.post(SEARCH_PF, payload=envelope([stranger, {"code": 42, "cpf": "529.982.247-25"}]))
    erp.post(SEARCH_PF, payload=envelope([stranger]))
    erp.post(SEARCH_PJ, payload=envelope([{"code": 43, "CNPJ": int(CNPJ)}]))

    assert await writer.find_customer(customer()) == 42
    assert sent(erp, SEARCH_PF)["filter"] == {"cpfList": [CPF]}
    assert await writer.find_customer(customer()) is None
    assert await writer.find_customer(customer(document=Cnpj(CNPJ))) == 43
    erased = customer()
    erased.document = None
    assert await writer.find_customer(erased) is None


@pytest.mark.parametrize(
    ("document", "items"),
    [
        (None, [{"code": 42}]),
        (None, [{"code": 42, "cpf": None}]),
        (None, [{"code": 1, "cpf": "11144477735"}, {"code": 42}]),
        (Cnpj(CNPJ), [{"code": 43, "cpf": CNPJ}]),  # a CNPJ person says its document as cnpj
    ],
)
async def test_find_customer_never_takes_a_person_that_does_not_say_its_document_for_ours(
    writer: TotvsModaErpWriter,
    erp: aioresponses,
    document: Cnpj | None,
    items: list[dict[str, Any]],
) -> None:
    erp.post(SEARCH_PF, payload=envelope(items))
    erp.post(SEARCH_PJ, payload=envelope(items))

    with pytest.raises(ErpUnavailable, match="does not say which person it is"):
        await writer.find_customer(customer(document=document))


async def test_find_customer_takes_ours_among_persons_that_do_not_say_their_document(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    erp.post(SEARCH_PF, payload=envelope([{"code": 1}, {"code": 42, "cpf": CPF}]))

    assert await writer.find_customer(customer()) == 42


async def test_the_logged_person_search_keeps_no_document(
    sleeps: Sleeps, erp: aioresponses
) -> None:
    calls: list[OutsideCall] = []

    class Recorder:
        def record(self, call: OutsideCall) -> None:
            calls.append(call)

    erp.post(SEARCH_PF, payload=envelope([{"code": 42, "cpf": CPF}]))
    async with TotvsModaErpWriter(make_settings(), sleep=sleeps, recorder=Recorder()) as writer:
        assert await writer.find_customer(customer()) == 42

    [search] = [c for c in calls if c.path.startswith("person/")]
    assert search.request_body is not None
    assert search.response_body is not None
    assert msgspec.json.decode(search.request_body)["filter"] == {"cpfList": ["***25"]}
    assert CPF not in search.request_body + search.response_body


# --- follow-ups ----------------------------------------------------------------------------------


async def test_cancel_sends_the_key_reason_code_and_a_short_description(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    erp.post(CANCEL, status=200, body=b"")

    await writer.cancel_order(ORDER_ID, ErpOrderKey(2, 90001), "  customer\n asked " + "x" * 200)

    body = sent(erp, CANCEL)
    description = body.pop("ReasonCancellationDescription")
    assert body == {"branchCode": 2, "orderCode": 90001, "reasonCancellationCode": 1}
    assert len(description) == 80
    assert description.startswith("customer asked xxx")


async def test_a_cancel_the_back_office_refuses_is_rejected(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    erp.post(CANCEL, status=400, payload={"code": "NotAllowed", "message": "already accepted"})
    erp.post(SEARCH_ORDERS, payload=envelope([order_row("BillingReleased")]))

    with pytest.raises(ErpRejected) as caught:
        await writer.cancel_order(ORDER_ID, ErpOrderKey(2, 90001), "")

    assert caught.value.code == "NotAllowed"
    assert sent(erp, CANCEL)["ReasonCancellationDescription"] == "Cancelado no Ponte"
    assert sent(erp, SEARCH_ORDERS)["filter"] == {
        "branchCodeList": [2],
        "orderCodeList": [90001],
    }


def order_row(status: str | int | None, **fields: Any) -> dict[str, Any]:
    """An ``orders/search`` item for the order ``2/90001``."""
    return {
        "branchCode": 2,
        "orderCode": 90001,
        "orderId": str(ORDER_ID),
        "statusOrder": status,
        **fields,
    }


async def cancel(writer: TotvsModaErpWriter) -> None:
    await writer.cancel_order(ORDER_ID, ErpOrderKey(2, 90001), "customer asked")


async def release(writer: TotvsModaErpWriter) -> None:
    await writer.change_order_status(ORDER_ID, ErpOrderKey(2, 90001), OrderStatus.CONFIRMED)


FOLLOW_UPS = [
    pytest.param(CANCEL, cancel, id="cancel"),
    pytest.param(CHANGE_STATUS, release, id="change-status"),
]


@pytest.mark.parametrize(("url", "send"), FOLLOW_UPS)
@pytest.mark.parametrize(
    "failure",
    [
        {"exception": TimeoutError()},
        {"exception": aiohttp.ClientConnectionError("reset by peer")},
        {"status": 503},
        {"status": 429, "headers": {"Retry-After": "1"}},
    ],
)
async def test_a_follow_up_whose_reply_is_lost_is_sent_once_and_left_to_the_outbox(
    writer: TotvsModaErpWriter,
    erp: aioresponses,
    sleeps: Sleeps,
    url: str,
    send: Callable[[TotvsModaErpWriter], Awaitable[None]],
    failure: dict[str, Any],
) -> None:
    erp.post(url, repeat=True, **failure)

    with pytest.raises(ErpUnavailable):
        await send(writer)

    assert len(posts(erp, url)) == 1
    assert sleeps.calls == []
    assert posts(erp, SEARCH_ORDERS) == []


@pytest.mark.parametrize("status", ["Canceled", "canceled", 6, "6"])
async def test_a_refused_cancel_of_an_order_the_erp_has_cancelled_is_done(
    writer: TotvsModaErpWriter, erp: aioresponses, status: str | int
) -> None:
    erp.post(CANCEL, status=400, payload={"message": "order 2/90001 is Canceled"})
    other = {**order_row("InProgress"), "orderCode": 5}  # not ours: ignored
    erp.post(SEARCH_ORDERS, payload=envelope([other, order_row(status)]))

    await cancel(writer)

    assert len(posts(erp, CANCEL)) == 1


@pytest.mark.parametrize(
    "items",
    [
        [order_row("InProgress")],
        [order_row("Attended")],
        [order_row(4)],
        [order_row("Canceled", orderCode=5)],  # another order is cancelled, not ours
        [order_row("Canceled", branchCode=1)],
        [order_row("Canceled", orderCode=None)],  # which order is cancelled is not said
        [order_row("Canceled", orderId="someone-else")],
        [order_row("Cancelled-ish")],
        [order_row(None)],
        [],
    ],
)
async def test_a_refused_cancel_stays_refused_unless_the_order_is_cancelled(
    writer: TotvsModaErpWriter, erp: aioresponses, items: list[dict[str, Any]]
) -> None:
    erp.post(CANCEL, status=400, payload={"code": "NotAllowed", "message": "already accepted"})
    erp.post(SEARCH_ORDERS, payload=envelope(items))

    with pytest.raises(ErpRejected) as caught:
        await cancel(writer)

    assert caught.value.code == "NotAllowed"


@pytest.mark.parametrize(("url", "send"), FOLLOW_UPS)
@pytest.mark.parametrize(
    "read_back",
    [
        {"status": 503},
        {"status": 400, "payload": {"code": "BadFilter", "message": "no"}},
        {"status": 200, "payload": {"message": "maintenance"}},
    ],
)
async def test_a_refused_follow_up_stays_refused_when_the_order_cannot_be_read_back(
    writer: TotvsModaErpWriter,
    erp: aioresponses,
    url: str,
    send: Callable[[TotvsModaErpWriter], Awaitable[None]],
    read_back: dict[str, Any],
) -> None:
    erp.post(url, status=400, payload={"code": "NotAllowed", "message": "no"})
    erp.post(SEARCH_ORDERS, repeat=True, **read_back)

    with pytest.raises(ErpRejected) as caught:
        await send(writer)

    assert caught.value.code == "NotAllowed"
    assert posts(erp, SEARCH_ORDERS)  # it did try


@pytest.mark.parametrize(
    "status", ["BillingReleased", 2, "PartiallyAnswered", "3", "Attended", "ATTENDED"]
)
async def test_a_refused_release_of_an_order_at_or_past_billing_released_is_done(
    writer: TotvsModaErpWriter, erp: aioresponses, status: str | int
) -> None:
    erp.post(CHANGE_STATUS, status=400, payload={"message": "no"})
    erp.post(SEARCH_ORDERS, payload=envelope([order_row(status)]))

    await release(writer)

    assert sent(erp, SEARCH_ORDERS)["filter"] == {
        "branchCodeList": [2],
        "orderCodeList": [90001],
    }


@pytest.mark.parametrize("status", ["InProgress", "Blocked", "Canceled", 6, "InAnalysis", 1])
async def test_a_refused_release_stays_refused_for_an_order_short_of_it_or_cancelled(
    writer: TotvsModaErpWriter, erp: aioresponses, status: str | int
) -> None:
    erp.post(CHANGE_STATUS, status=400, payload={"code": "Closed", "message": "no"})
    erp.post(SEARCH_ORDERS, payload=envelope([order_row(status)]))

    with pytest.raises(ErpRejected) as caught:
        await release(writer)

    assert caught.value.code == "Closed"


async def test_a_confirmed_order_is_released_for_billing(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    erp.post(CHANGE_STATUS, payload={"ok": True})

    await writer.change_order_status(ORDER_ID, ErpOrderKey(2, 90001), OrderStatus.CONFIRMED)

    assert sent(erp, CHANGE_STATUS) == {
        "branchCode": 2,
        "orderCode": 90001,
        "statusOrder": "BillingReleased",
    }


async def test_a_status_without_a_twin_is_refused_unsent(
    writer: TotvsModaErpWriter, erp: aioresponses
) -> None:
    with pytest.raises(ErpRejected) as caught:
        await writer.change_order_status(ORDER_ID, ErpOrderKey(2, 90001), OrderStatus.SHIPPED)

    assert caught.value.code == "StatusNotWritable"
    assert not erp.requests


# --- secrets -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token_failure", "failure"),
    [
        (None, {"status": 400, "body": ECHOES_EVERYTHING}),
        (None, {"status": 401, "body": ECHOES_EVERYTHING}),
        (None, {"status": 500, "body": ECHOES_EVERYTHING}),
        ({"status": 400, "body": ECHOES_EVERYTHING}, None),
        ({"status": 401, "body": ECHOES_EVERYTHING}, None),
    ],
)
async def test_errors_never_carry_credentials_or_tokens(
    writer: TotvsModaErpWriter,
    mocked: aioresponses,
    token_failure: dict[str, Any] | None,
    failure: dict[str, Any] | None,
) -> None:
    if token_failure is None:
        mocked.post(TOKEN_URL, payload=token_body("tok-SECRET-1", refresh="ref-SECRET-1"))
        mocked.post(TOKEN_URL, payload=token_body("tok-SECRET-1", refresh="ref-SECRET-1"))
    else:
        mocked.post(TOKEN_URL, repeat=True, **token_failure)
    if failure is not None:
        mocked.post(CREATE, repeat=True, **failure)

    with pytest.raises(ErpWriteError) as caught:
        await create(writer)

    said = everything_said_about(caught.value)
    # tokens are secrets once issued: a refused login issued none, so only credentials can leak
    issued = ("tok-SECRET-1", "ref-SECRET-1") if token_failure is None else ()
    for secret in (*SECRETS, *issued):
        assert secret not in said
