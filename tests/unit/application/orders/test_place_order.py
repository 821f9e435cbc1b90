"""PlaceOrder with fakes: pricing, merging, validation, reservation and the transaction."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from application.orders.errors import UnsellableSku
from application.orders.items import ItemRequest
from application.orders.place_order import PlaceOrderCommand
from domain.customers import Address, AddressType
from domain.errors import ValidationError
from domain.money import Money
from domain.orders import OrderStatus
from domain.outbox import MessageKind, MessageStatus
from domain.reservations import InsufficientStock
from tests.unit.application.orders.fakes import Shop


def command(shop: Shop, *items: tuple[int, int], **extra: object) -> PlaceOrderCommand:
    requested = tuple(ItemRequest(code, quantity) for code, quantity in items)
    return PlaceOrderCommand(customer_id=shop.customer, items=requested, **extra)  # type: ignore[arg-type]


async def test_prices_come_from_the_catalog_and_repeats_are_merged(shop: Shop) -> None:
    order = await shop.place(
        command(
            shop,
            (20, 1),
            (10, 2),
            (20, 3),
            freight=Decimal("19.90"),
            discount=Decimal("10"),
        )
    )

    assert [(i.product_code, i.quantity, i.unit_price) for i in order.items] == [
        (10, 2, Money(Decimal("39.90"))),
        (20, 4, Money(Decimal("20.00"))),
    ]
    assert order.subtotal == Money(Decimal("159.80"))
    assert order.total == Money(Decimal("169.70"))
    assert order.status is OrderStatus.PENDING
    assert order.reservation_open
    assert order.created_at == order.updated_at
    assert shop.orders.committed[order.id] == order
    assert shop.uow.commits == 1


async def test_units_are_reserved_in_ascending_code_order_and_marked(shop: Shop) -> None:
    await shop.place(command(shop, (30, 1), (10, 2)))

    assert shop.ledger.locks == [[10, 30]]
    assert shop.ledger.reserved == {10: 2, 20: 0, 30: 1}
    assert shop.ledger.marked == {10, 30}


async def test_a_sku_short_of_units_fails_the_whole_order(shop: Shop) -> None:
    shop.stock(10, "5", reserved=4)

    with pytest.raises(InsufficientStock) as caught:
        await shop.place(command(shop, (30, 1), (10, 2)))

    assert (caught.value.product_code, caught.value.available) == (10, 1)
    # Nothing is saved and nothing commits (the order row written before dies with the
    # transaction; the integration tests check that against PostgreSQL).
    assert shop.ledger.saves == 0
    assert shop.ledger.marked == set()
    assert shop.uow.commits == 0


async def test_fractional_erp_stock_sells_whole_units_only(shop: Shop) -> None:
    await shop.place(command(shop, (20, 10)))
    with pytest.raises(InsufficientStock):
        await shop.place(command(shop, (20, 1)))
    assert shop.ledger.reserved[20] == 10


async def test_unsellable_skus_are_named_by_their_first_item(shop: Shop) -> None:
    with pytest.raises(UnsellableSku) as caught:
        await shop.place(command(shop, (10, 1), (99, 1), (98, 1), (99, 2)))

    assert caught.value.field == "items[1].product_code"
    assert caught.value.product_codes == [99, 98]
    assert isinstance(caught.value, ValidationError)
    assert shop.ledger.locks == []
    assert shop.uow.commits == 0


@pytest.mark.parametrize(
    ("items", "field"),
    [
        (((10, 1), (0, 1)), "items[1].product_code"),
        (((10, 1), (-5, 1)), "items[1].product_code"),
        (((10, 0),), "items[0].quantity"),
        (((10, 100_001),), "items[0].quantity"),
        ((), "items"),
        (tuple((10, 1) for _ in range(101)), "items"),
    ],
)
async def test_bad_items_name_their_field(
    shop: Shop, items: tuple[tuple[int, int], ...], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await shop.place(command(shop, *items))
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"freight": Decimal("1.999")}, "freight"),
        ({"freight": Decimal("-1")}, "freight"),
        ({"discount": Decimal("NaN")}, "discount"),
        ({"discount": Decimal("1E+400")}, "discount"),
        ({"freight": Decimal("1000000000000")}, "freight"),
        ({"discount": Decimal("39.91")}, "discount"),
        ({"notes": "x" * 2001}, "notes"),
        ({"notes": "a\x00b"}, "notes"),
        ({"notes": "a\x1bb"}, "notes"),
    ],
)
async def test_bad_amounts_and_notes_name_their_field(
    shop: Shop, extra: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await shop.place(command(shop, (10, 1), **extra))
    assert caught.value.field == field
    assert shop.uow.commits == 0


async def test_a_discount_may_take_the_whole_value(shop: Shop) -> None:
    order = await shop.place(
        command(shop, (10, 1), freight=Decimal("0.10"), discount=Decimal("40.00"))
    )
    assert order.total == Money.zero()


async def test_unknown_or_deleted_customers_are_refused_before_reserving(shop: Shop) -> None:
    with pytest.raises(ValidationError) as caught:
        await shop.place(PlaceOrderCommand(customer_id=uuid4(), items=(ItemRequest(10, 1),)))
    assert caught.value.field == "customer_id"
    assert shop.ledger.locks == []


async def test_notes_are_trimmed_and_blank_notes_dropped(shop: Shop) -> None:
    assert (await shop.place(command(shop, (10, 1), notes="  ring twice "))).notes == "ring twice"
    assert (await shop.place(command(shop, (10, 1), notes="   "))).notes is None
    kept = "line 1\r\n\tline 2\u00a0🙂"
    assert (await shop.place(command(shop, (10, 1), notes=kept))).notes == kept


async def test_the_shipping_address_is_kept_on_the_order(shop: Shop) -> None:
    address = Address(
        type=AddressType.SHIPPING,
        street="Rua Augusta",
        number="1500",
        district="Consolação",
        city="São Paulo",
        state="SP",
        zip_code="01304001",
    )
    order = await shop.place(command(shop, (10, 1), shipping_address=address))
    assert shop.orders.committed[order.id].shipping_address == address


async def test_the_order_is_queued_for_the_erp_after_its_customer(shop: Shop) -> None:
    order = await shop.place(command(shop, (10, 1)))

    assert shop.outbox.of(order.id) == [(MessageKind.ORDER_CREATE, MessageStatus.PENDING)]
    (message,) = shop.outbox.committed
    assert (message.parent_id, message.payload) == (shop.customer, {})
    assert shop.uow.commits == 1


async def test_the_callers_order_id_is_kept(shop: Shop) -> None:
    wanted = uuid4()
    order = await shop.place(command(shop, (10, 1), order_id=wanted))
    assert order.id == wanted
    assert shop.orders.committed[wanted] == order
    assert [m.aggregate_id for m in shop.outbox.committed] == [wanted]


async def test_an_order_that_fails_queues_nothing(shop: Shop) -> None:
    shop.stock(10, "1")
    with pytest.raises(InsufficientStock):
        await shop.place(command(shop, (10, 2)))
    with pytest.raises(ValidationError):
        await shop.place(command(shop, (10, 1), notes="a\x00b"))

    # The short order's message dies with its transaction; the invalid one never wrote any.
    assert len(shop.outbox.messages) == 1
    assert shop.outbox.committed == []
