"""Orders from the ERP on real PostgreSQL: following Ponte's orders, importing the others,
releasing reservations."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.orders import PostgresOrderRepository
from adapters.postgres.sync_session import PostgresSyncTransactions
from application.orders.model import OrderFilter
from application.sync.ports import MergeResult
from domain.customers import Address, AddressType, CustomerKind
from domain.documents import Cnpj, Cpf, Email, TaxId
from domain.erp_customers import ErpCustomer
from domain.erp_orders import ErpInvoice, ErpOrder, ErpOrderItem, ErpOrderProgress
from domain.orders import OrderStatus
from domain.sync import Cursor, Rejection, Stream
from tests.integration.postgres.db import fetch, sync

pytestmark = pytest.mark.integration

T0 = datetime(2026, 4, 19, 12, 0, tzinfo=UTC)
CPF, OTHER_CPF, CNPJ = "52998224725", "11144477735", "11222333000181"
KEY = "35260411222333000181550010001000011000000010"
INVOICE = ErpInvoice(
    number="100001",
    series="1",
    access_key=KEY,
    issued_at=T0 + timedelta(minutes=30),
    tracking_code="OP123456789BR",
    status="Issued",
)
STATUS = {
    ErpOrderProgress.RECEIVED: "Blocked",
    ErpOrderProgress.ACCEPTED: "BillingReleased",
    ErpOrderProgress.PARTIALLY_SERVED: "PartiallyAnswered",
    ErpOrderProgress.SERVED: "Attended",
    ErpOrderProgress.CANCELLED: "Canceled",
}


def item(code: int, quantity: int, *, served: int = 0, cancelled: int = 0) -> ErpOrderItem:
    return ErpOrderItem(
        product_code=code,
        reference_code=f"REF-{code}",
        quantity=quantity,
        served=served,
        cancelled=cancelled,
        unit_price=Decimal("10.00"),
    )


def erp_order(
    code: int,
    progress: ErpOrderProgress = ErpOrderProgress.ACCEPTED,
    *,
    client_id: uuid.UUID | str | None = None,
    customer: int | None = 7,
    minutes: int = 0,
    items: tuple[ErpOrderItem, ...] = (),
    invoices: tuple[ErpInvoice, ...] = (),
    customer_document: TaxId | None = None,
    customer_name: str | None = None,
) -> ErpOrder:
    items = items or (item(1001, 2),)
    subtotal = sum((i.unit_price * i.quantity for i in items), Decimal(0))
    return ErpOrder(
        branch_code=1,
        order_code=code,
        client_id=None if client_id is None else str(client_id),
        customer_code=customer,
        status_name=STATUS[progress],
        progress=progress,
        ordered_at=T0 - timedelta(hours=1),
        inserted_at=T0,
        changed_at=T0 + timedelta(minutes=minutes),
        items=items,
        invoices=invoices,
        freight=Decimal("5.00"),
        discount=Decimal("0.00"),
        total=subtotal + Decimal("5.00"),
        shipping_address=Address(
            type=AddressType.SHIPPING,
            street="Rua A",
            number="1",
            district="Centro",
            city="Recife",
            state="PE",
            zip_code="50030000",
        ),
        customer_kind=CustomerKind.COMPANY
        if isinstance(customer_document, Cnpj)
        else CustomerKind.INDIVIDUAL,
        customer_document=customer_document,
        customer_name=customer_name,
    )


async def execute(engine: AsyncEngine, sql: str, **params: Any) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(sql), params)


@pytest.fixture
def transactions(engine: AsyncEngine) -> PostgresSyncTransactions:
    return PostgresSyncTransactions(engine)


@pytest.fixture
async def customer(engine: AsyncEngine) -> uuid.UUID:
    """The customer of ERP code 7, with SKUs 1001 (REF-1001) and 1002 (REF-1002) mirrored."""
    customer_id = uuid.uuid4()
    await execute(
        engine,
        "INSERT INTO customers (id, kind, name, name_search, erp_code, origin, created_at,"
        " updated_at) VALUES (:id, 'individual', 'Ana', 'ana', 7, 'erp', now(), now())",
        id=customer_id,
    )
    for code in (1001, 1002):
        await execute(
            engine,
            "INSERT INTO skus (product_code, reference_code, name, is_active, is_blocked)"
            " VALUES (:code, :ref, 'SKU', true, false)",
            code=code,
            ref=f"REF-{code}",
        )
    return customer_id


async def ponte_order(
    engine: AsyncEngine,
    customer: uuid.UUID,
    *,
    status: OrderStatus = OrderStatus.PENDING,
    erp_key: tuple[int, int] | None = None,
    units: dict[int, int] | None = None,
) -> uuid.UUID:
    """A Ponte order holding ``units`` (default 2 of 1001 and 1 of 1002) in the reservations."""
    units = units or {1001: 2, 1002: 1}
    order_id = uuid.uuid4()
    branch, code = erp_key or (None, None)
    await execute(
        engine,
        "INSERT INTO orders (id, customer_id, status, total, reservation_open, created_at,"
        " updated_at, erp_branch_code, erp_order_code) VALUES (:id, :customer, :status, 30,"
        " true, now(), now(), :branch, :code)",
        id=order_id,
        customer=customer,
        status=status.value,
        branch=branch,
        code=code,
    )
    for product, quantity in units.items():
        await execute(
            engine,
            "INSERT INTO order_items (order_id, product_code, reference_code, quantity,"
            " unit_price) VALUES (:id, :code, :ref, :quantity, 10)",
            id=order_id,
            code=product,
            ref=f"REF-{product}",
            quantity=quantity,
        )
        await execute(
            engine,
            "INSERT INTO stock_reservations AS r (product_code, reserved) VALUES (:code, :q)"
            " ON CONFLICT (product_code) DO UPDATE SET reserved = r.reserved + :q",
            code=product,
            q=quantity,
        )
    return order_id


async def order_row(engine: AsyncEngine, order_id: uuid.UUID) -> dict[str, Any]:
    [row] = await fetch(
        engine, "SELECT xmin::text AS xmin, * FROM orders WHERE id = :id", id=order_id
    )
    return row


async def reserved(engine: AsyncEngine) -> dict[int, int]:
    rows = await fetch(engine, "SELECT product_code, reserved FROM stock_reservations")
    return {r["product_code"]: r["reserved"] for r in rows}


async def marked(engine: AsyncEngine) -> list[str]:
    rows = await fetch(engine, "SELECT reference_code FROM catalog_dirty ORDER BY reference_code")
    return [r["reference_code"] for r in rows]


async def balances_at(transactions: PostgresSyncTransactions, position: datetime) -> None:
    await sync(transactions, Stream.BALANCES, cursor=Cursor(Stream.BALANCES, position))


async def test_a_ponte_order_follows_the_erp_to_invoiced_with_its_invoice(
    engine: AsyncEngine, transactions: PostgresSyncTransactions, customer: uuid.UUID
) -> None:
    mine = await ponte_order(engine, customer)
    served = erp_order(
        42,
        ErpOrderProgress.SERVED,
        client_id=mine,
        items=(item(1001, 2, served=2), item(1002, 1, cancelled=1)),
        invoices=(INVOICE,),
    )

    result = await sync(transactions, Stream.ORDERS, [served])

    assert result == MergeResult(inserted=0, updated=1, unchanged=0)
    row = await order_row(engine, mine)
    assert (row["status"], row["erp_branch_code"], row["erp_order_code"]) == ("invoiced", 1, 42)
    assert (row["erp_status"], row["erp_inserted_at"], row["erp_changed_at"]) == (
        "Attended",
        T0,
        T0,
    )
    assert row["invoices"] == [
        {
            "number": "100001",
            "series": "1",
            "access_key": KEY,
            "issued_at": (T0 + timedelta(minutes=30)).isoformat(),
            "tracking_code": "OP123456789BR",
            "status": "Issued",
        }
    ]
    assert (row["origin"], row["total"], row["shipping_address"]) == ("ponte", 30, None)
    items = await fetch(
        engine,
        "SELECT product_code, quantity, served_quantity, cancelled_quantity FROM order_items"
        " WHERE order_id = :id ORDER BY product_code",
        id=mine,
    )
    assert [tuple(i.values()) for i in items] == [(1001, 2, 2, 0), (1002, 1, 0, 1)]
    # Invoiced is not cancelled: the reservation waits for the ERP's balances.
    assert row["reservation_open"] is True
    assert await reserved(engine) == {1001: 2, 1002: 1}

    again = await sync(transactions, Stream.ORDERS, [served])

    assert again == MergeResult(inserted=0, updated=0, unchanged=1)
    assert (await order_row(engine, mine))["xmin"] == row["xmin"]


async def test_an_order_the_erp_cancels_is_cancelled_and_its_units_released(
    engine: AsyncEngine, transactions: PostgresSyncTransactions, customer: uuid.UUID
) -> None:
    mine = await ponte_order(engine, customer, erp_key=(1, 42))
    other = await ponte_order(engine, customer, units={1001: 1})

    result = await sync(
        transactions, Stream.ORDERS, [erp_order(42, ErpOrderProgress.CANCELLED, minutes=1)]
    )

    assert result.updated == 1
    row = await order_row(engine, mine)
    assert (row["status"], row["reservation_open"], row["erp_status"]) == (
        "cancelled",
        False,
        "Canceled",
    )
    assert await reserved(engine) == {1001: 1, 1002: 0}
    assert await marked(engine) == ["REF-1001", "REF-1002"]
    assert (await order_row(engine, other))["reservation_open"] is True


async def test_an_order_the_erp_closes_with_every_line_cancelled_is_cancelled(
    engine: AsyncEngine, transactions: PostgresSyncTransactions, customer: uuid.UUID
) -> None:
    mine = await ponte_order(engine, customer, status=OrderStatus.CONFIRMED, erp_key=(1, 42))
    nothing_served = (item(1001, 2, cancelled=2), item(1002, 1, cancelled=1))
    closed = erp_order(42, ErpOrderProgress.SERVED, minutes=1, items=nothing_served)
    store = erp_order(50, ErpOrderProgress.SERVED, items=(item(1001, 1, cancelled=1),))

    result = await sync(transactions, Stream.ORDERS, [closed, store])

    assert result == MergeResult(inserted=1, updated=1, unchanged=0)
    row = await order_row(engine, mine)
    assert (row["status"], row["reservation_open"], row["erp_status"]) == (
        "cancelled",
        False,
        "Attended",
    )
    assert await reserved(engine) == {1001: 0, 1002: 0}
    imported = await fetch(engine, "SELECT status FROM orders WHERE erp_order_code = 50")
    assert [r["status"] for r in imported] == ["cancelled"]


async def test_a_move_the_state_machine_forbids_is_left_out_and_noticed(
    engine: AsyncEngine, transactions: PostgresSyncTransactions, customer: uuid.UUID
) -> None:
    mine = await ponte_order(engine, customer, status=OrderStatus.INVOICED, erp_key=(1, 42))

    result = await sync(transactions, Stream.ORDERS, [erp_order(42, ErpOrderProgress.CANCELLED)])

    assert result.notices == (
        Rejection("1/42", "status not followed: cancelled in the ERP; invoiced in Ponte cannot be"),
    )
    row = await order_row(engine, mine)
    assert (row["status"], row["erp_status"], row["reservation_open"]) == (
        "invoiced",
        "Canceled",
        True,
    )


async def test_other_erp_orders_are_imported_for_their_customer_without_reservation(
    engine: AsyncEngine, transactions: PostgresSyncTransactions, customer: uuid.UUID
) -> None:
    store = erp_order(
        50,
        ErpOrderProgress.SERVED,
        items=(item(1001, 3, served=3),),
        invoices=(INVOICE,),
        client_id="not-a-uuid",
    )
    anonymous = erp_order(51, customer=None)

    result = await sync(transactions, Stream.ORDERS, [store, anonymous])

    assert (result.inserted, result.updated, result.unchanged) == (1, 0, 0)
    assert result.rejected == (Rejection("1/51", "the ERP names no customer (customerCode)"),)
    [row] = await fetch(engine, "SELECT * FROM orders")
    assert (row["origin"], row["status"], row["customer_id"]) == ("erp", "invoiced", customer)
    assert (row["reservation_open"], row["erp_order_code"], row["total"]) == (False, 50, 35)
    assert row["created_at"] == T0 - timedelta(hours=1)
    assert await reserved(engine) == {}
    async with engine.connect() as connection:
        page = await PostgresOrderRepository(connection).page(OrderFilter(), limit=10, after=None)
    [listed] = page.items
    assert (listed.id, listed.status, [i.quantity for i in listed.items]) == (
        row["id"],
        OrderStatus.INVOICED,
        [3],
    )
    assert listed.shipping_address == store.shipping_address

    changed = erp_order(50, ErpOrderProgress.SERVED, minutes=5, items=(item(1002, 1, served=1),))
    later = await sync(transactions, Stream.ORDERS, [store, changed])

    assert later == MergeResult(inserted=0, updated=1, unchanged=1)
    items = await fetch(engine, "SELECT product_code, quantity FROM order_items")
    assert [tuple(i.values()) for i in items] == [(1002, 1)]
    assert (await fetch(engine, "SELECT total FROM orders"))[0]["total"] == 15


async def test_reservations_are_released_once_the_balances_cursor_passes_the_erp_insert(
    engine: AsyncEngine, transactions: PostgresSyncTransactions, customer: uuid.UUID
) -> None:
    mine = await ponte_order(engine, customer)
    accepted = erp_order(42, client_id=mine)
    await balances_at(transactions, T0 - timedelta(seconds=1))

    await sync(transactions, Stream.ORDERS, [accepted])

    assert (await order_row(engine, mine))["reservation_open"] is True
    assert await reserved(engine) == {1001: 2, 1002: 1}

    # Balances of the order's own second may predate it (the ERP stamps whole seconds).
    await balances_at(transactions, T0)
    await sync(transactions, Stream.ORDERS)

    assert (await order_row(engine, mine))["reservation_open"] is True

    await balances_at(transactions, T0 + timedelta(seconds=1))
    result = await sync(transactions, Stream.ORDERS)

    assert result == MergeResult(0, 0, 0)
    row = await order_row(engine, mine)
    assert (row["reservation_open"], row["status"]) == (False, "confirmed")
    assert await reserved(engine) == {1001: 0, 1002: 0}
    assert await marked(engine) == ["REF-1001", "REF-1002"]

    await sync(transactions, Stream.ORDERS, [accepted])

    assert await reserved(engine) == {1001: 0, 1002: 0}
    assert (await order_row(engine, mine))["xmin"] == row["xmin"]


async def test_an_erp_duplicate_of_a_ponte_order_is_refused(
    engine: AsyncEngine, transactions: PostgresSyncTransactions, customer: uuid.UUID
) -> None:
    mine = await ponte_order(engine, customer)

    result = await sync(
        transactions,
        Stream.ORDERS,
        [erp_order(43, client_id=mine), erp_order(42, client_id=mine)],
    )

    assert (result.inserted, result.updated) == (0, 1)
    [refused] = result.rejected
    assert refused.key == "1/43"
    assert "duplicate in the ERP" in refused.reason
    assert (await order_row(engine, mine))["erp_order_code"] == 42


async def test_an_older_change_read_after_a_newer_one_changes_nothing(
    engine: AsyncEngine, transactions: PostgresSyncTransactions, customer: uuid.UUID
) -> None:
    mine = await ponte_order(engine, customer, erp_key=(1, 42))
    newer = erp_order(42, ErpOrderProgress.CANCELLED, minutes=5)
    older = erp_order(42, ErpOrderProgress.ACCEPTED, minutes=1)

    async with transactions.begin() as session:
        await session.stage(Stream.ORDERS, [newer])
        await session.stage(Stream.ORDERS, [older])
        result = await session.merge(Stream.ORDERS)
        await session.commit()

    assert result == MergeResult(inserted=0, updated=1, unchanged=1)
    row = await order_row(engine, mine)
    assert (row["status"], row["erp_status"]) == ("cancelled", "Canceled")


async def customers_by_code(engine: AsyncEngine) -> dict[int | None, dict[str, Any]]:
    rows = await fetch(engine, "SELECT * FROM customers")
    return {row["erp_code"]: row for row in rows}


async def order_customers(engine: AsyncEngine) -> dict[int, uuid.UUID]:
    rows = await fetch(engine, "SELECT erp_order_code, customer_id FROM orders")
    return {row["erp_order_code"]: row["customer_id"] for row in rows}


async def test_an_order_of_an_unknown_customer_arrives_with_a_minimal_customer(
    engine: AsyncEngine, transactions: PostgresSyncTransactions, customer: uuid.UUID
) -> None:
    orders = [
        erp_order(60, customer=900, customer_document=Cpf(CPF), customer_name="Bia Souza"),
        erp_order(61, customer=900, customer_document=Cpf(CPF), customer_name="Bia Souza"),
        erp_order(62, customer=901, customer_document=Cnpj(CNPJ), customer_name="ACME Ltda"),
        erp_order(63, customer=902),
        erp_order(64, customer=7),
    ]

    result = await sync(transactions, Stream.ORDERS, orders)

    assert (result.inserted, result.rejected) == (5, ())
    assert sorted(result.notices, key=lambda r: r.key or "") == [
        Rejection(
            f"1/{order}",
            f"customer {code} was not in Ponte: registered from this order;"
            " the customers streams complete it",
        )
        for order, code in ((60, 900), (62, 901), (63, 902))
    ]
    rows = await customers_by_code(engine)
    assert rows.keys() == {7, 900, 901, 902}
    minimal = {
        code: (r["origin"], r["kind"], r["name"], r["name_search"], r["document"], r["email"])
        for code, r in rows.items()
        if code != 7
    }
    assert minimal == {
        900: ("erp", "individual", "Bia Souza", "bia souza", CPF, None),
        901: ("erp", "company", "ACME Ltda", "acme ltda", CNPJ, None),
        902: ("erp", "individual", "Cliente 902", "cliente 902", None, None),
    }
    assert {r["erp_changed_at"] for code, r in rows.items() if code != 7} == {None}
    assert await order_customers(engine) == {
        60: rows[900]["id"],
        61: rows[900]["id"],
        62: rows[901]["id"],
        63: rows[902]["id"],
        64: customer,
    }

    again = await sync(transactions, Stream.ORDERS, orders)

    assert (again.inserted, again.updated, again.unchanged, again.notices) == (0, 0, 5, ())
    assert (await customers_by_code(engine)).keys() == {7, 900, 901, 902}


async def test_a_later_persons_pass_completes_the_customer_an_order_registered(
    engine: AsyncEngine, transactions: PostgresSyncTransactions, customer: uuid.UUID
) -> None:
    await sync(
        transactions,
        Stream.ORDERS,
        [erp_order(60, customer=900, customer_document=Cpf(CPF), customer_name="Bia")],
    )
    [registered] = [r for r in await fetch(engine, "SELECT * FROM customers") if r["name"] == "Bia"]
    person = ErpCustomer(
        erp_code=900,
        kind=CustomerKind.INDIVIDUAL,
        name="Beatriz Souza",
        document=Cpf(CPF),
        email=Email("bia@example.com"),
        phones=(),
        addresses=(),
        birth_date=None,
        changed_at=T0,
    )

    result = await sync(transactions, Stream.INDIVIDUALS, [person])

    assert result == MergeResult(inserted=0, updated=1, unchanged=0)
    rows = await customers_by_code(engine)
    assert rows.keys() == {7, 900}
    completed = rows[900]
    assert completed["id"] == registered["id"]
    assert (completed["origin"], completed["name"], completed["document"]) == (
        "erp",
        "Beatriz Souza",
        CPF,
    )
    assert (completed["email"], completed["erp_changed_at"]) == ("bia@example.com", T0)
    assert await order_customers(engine) == {60: registered["id"]}


async def test_a_document_another_customer_holds_is_left_out_or_links_a_ponte_customer(
    engine: AsyncEngine, transactions: PostgresSyncTransactions, customer: uuid.UUID
) -> None:
    await execute(
        engine, "UPDATE customers SET document = :cpf WHERE id = :id", cpf=CPF, id=customer
    )
    mine = uuid.uuid4()
    await execute(
        engine,
        "INSERT INTO customers (id, kind, name, name_search, document, origin, created_at,"
        " updated_at) VALUES (:id, 'company', 'Loja', 'loja', :cnpj, 'ponte', now(), now())",
        id=mine,
        cnpj=CNPJ,
    )
    orders = [
        erp_order(60, customer=900, customer_document=Cpf(CPF)),
        erp_order(61, customer=901, customer_document=Cnpj(CNPJ)),
        erp_order(62, customer=902, customer_document=Cpf(OTHER_CPF)),
        erp_order(63, customer=903, customer_document=Cpf(OTHER_CPF)),
    ]

    result = await sync(transactions, Stream.ORDERS, orders)

    assert (result.inserted, result.rejected) == (4, ())
    assert (
        Rejection(
            "1/61",
            "customer 901 was not in Ponte by its code: linked to the customer with its document",
        )
        in result.notices
    )
    rows = await customers_by_code(engine)
    assert rows.keys() == {7, 900, 901, 902, 903}
    # Customer 7 has the CPF: the new customer goes without it.
    assert (rows[900]["document"], rows[900]["origin"]) == (None, "erp")
    # A Ponte customer with the CNPJ and no ERP code yet is that ERP customer.
    assert (rows[901]["id"], rows[901]["origin"], rows[901]["name"]) == (mine, "ponte", "Loja")
    # Two new customers with one document: the lower code keeps it.
    assert (rows[902]["document"], rows[903]["document"]) == (OTHER_CPF, None)
    assert (await order_customers(engine))[61] == mine
