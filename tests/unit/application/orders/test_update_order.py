"""UpdateOrder and CancelOrder with fakes: item replacement and status moves, and what they do
to the reservation."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from uuid import uuid4

import pytest

from application.orders.cancel_order import CancelOrderCommand
from application.orders.errors import (
    OrderNotEditable,
    OrderSentToErp,
    ReservationMismatch,
    UnsellableSku,
)
from application.orders.items import ItemRequest
from application.orders.model import Order
from application.orders.place_order import PlaceOrderCommand
from application.orders.update_order import WITHDRAWN, UpdateOrderCommand
from domain.errors import NotFound, ValidationError
from domain.money import Money
from domain.orders import InvalidTransition, OrderStatus
from domain.outbox import MessageKind, MessageStatus
from domain.reservations import InsufficientStock
from tests.unit.application.orders.fakes import Shop


async def placed(shop: Shop, *items: tuple[int, int]) -> Order:
    requested = tuple(ItemRequest(code, quantity) for code, quantity in items)
    order = await shop.place(PlaceOrderCommand(customer_id=shop.customer, items=requested))
    shop.ledger.locks.clear()
    shop.ledger.marked.clear()
    return order


def new_items(order: Order, *items: tuple[int, int]) -> UpdateOrderCommand:
    requested = tuple(ItemRequest(code, quantity) for code, quantity in items)
    return UpdateOrderCommand(order_id=order.id, items=requested)


async def move(shop: Shop, order: Order, status: OrderStatus) -> Order:
    return await shop.update(UpdateOrderCommand(order_id=order.id, status=status))


async def test_replacing_items_releases_and_reserves_only_the_difference(shop: Shop) -> None:
    order = await placed(shop, (10, 2), (20, 3))

    changed = await shop.update(new_items(order, (10, 5), (30, 1)))

    # 10: 2 → 5 held, 20: released, 30: newly held; only changed SKUs are locked, in order.
    assert shop.ledger.reserved == {10: 5, 20: 0, 30: 1}
    assert shop.ledger.locks == [[10, 20, 30]]
    assert [(i.product_code, i.quantity) for i in changed.items] == [(10, 5), (30, 1)]
    assert changed.total == Money(Decimal("209.50"))
    assert changed.updated_at > order.updated_at
    assert shop.orders.committed[order.id] == changed
    assert shop.ledger.marked == {10, 20, 30}
    assert shop.orders.locked == [order.id]


async def test_unchanged_quantities_lock_nothing(shop: Shop) -> None:
    order = await placed(shop, (10, 5))
    await shop.update(new_items(order, (10, 2), (10, 3)))
    assert shop.ledger.locks == []
    assert shop.ledger.reserved[10] == 5
    assert shop.ledger.marked == set()


async def test_lowering_a_quantity_succeeds_even_when_the_erp_stock_fell(shop: Shop) -> None:
    order = await placed(shop, (10, 5))
    shop.ledger.erp[10] = shop.ledger.erp[10] - 4  # the ERP now has 1 unit, 5 still held
    await shop.update(new_items(order, (10, 3)))
    assert shop.ledger.reserved[10] == 3


async def test_more_units_than_available_changes_nothing(shop: Shop) -> None:
    order = await placed(shop, (10, 2), (20, 1))

    with pytest.raises(InsufficientStock) as caught:
        await shop.update(new_items(order, (10, 6)))

    assert (caught.value.product_code, caught.value.requested, caught.value.available) == (10, 4, 3)
    assert shop.ledger.reserved == {10: 2, 20: 1, 30: 0}
    assert shop.orders.committed[order.id] == order
    assert shop.uow.commits == 1  # the placing only


async def test_items_are_repriced_at_current_prices(shop: Shop) -> None:
    order = await placed(shop, (10, 1))
    shop.pricing.sell(10, "35.00", "REF-A")
    changed = await shop.update(new_items(order, (10, 1)))
    assert changed.items[0].unit_price == Money(Decimal("35.00"))
    assert changed.total == Money(Decimal("35.00"))


async def test_new_unsellable_items_are_refused(shop: Shop) -> None:
    order = await placed(shop, (10, 1))
    with pytest.raises(UnsellableSku):
        await shop.update(new_items(order, (10, 1), (77, 1)))
    assert shop.ledger.locks == []


async def test_items_change_only_while_pending(shop: Shop) -> None:
    order = await placed(shop, (10, 1))
    await move(shop, order, OrderStatus.CONFIRMED)

    with pytest.raises(OrderNotEditable) as caught:
        await shop.update(new_items(order, (10, 2)))
    assert (caught.value.slug, caught.value.field) == ("order-not-editable", "items")


async def test_cancelling_releases_every_held_unit(shop: Shop) -> None:
    order = await placed(shop, (10, 2), (30, 1))

    cancelled = await move(shop, order, OrderStatus.CANCELLED)

    assert cancelled.status is OrderStatus.CANCELLED
    assert not cancelled.reservation_open
    assert shop.ledger.reserved == {10: 0, 20: 0, 30: 0}
    assert shop.ledger.marked == {10, 30}
    assert shop.orders.committed[order.id].reservation_open is False


async def test_confirming_and_invoicing_keep_the_reservation(shop: Shop) -> None:
    order = await placed(shop, (10, 2))
    await move(shop, order, OrderStatus.CONFIRMED)
    invoiced = await move(shop, order, OrderStatus.INVOICED)
    assert invoiced.reservation_open
    assert shop.ledger.reserved[10] == 2
    assert shop.ledger.locks == []


async def test_invalid_moves_are_refused(shop: Shop) -> None:
    order = await placed(shop, (10, 2))
    with pytest.raises(InvalidTransition):
        await move(shop, order, OrderStatus.SHIPPED)
    with pytest.raises(InvalidTransition):
        await move(shop, order, OrderStatus.PENDING)
    assert shop.orders.committed[order.id] == order


async def test_items_and_cancel_together_release_everything(shop: Shop) -> None:
    order = await placed(shop, (10, 2))
    cancelled = await shop.update(
        UpdateOrderCommand(
            order_id=order.id, items=(ItemRequest(20, 1),), status=OrderStatus.CANCELLED
        )
    )
    assert [i.product_code for i in cancelled.items] == [20]
    assert shop.ledger.reserved == {10: 0, 20: 0, 30: 0}


async def test_an_empty_change_and_an_unknown_order_are_refused(shop: Shop) -> None:
    order = await placed(shop, (10, 2))
    with pytest.raises(ValidationError):
        await shop.update(UpdateOrderCommand(order_id=order.id))
    with pytest.raises(NotFound):
        await move(shop, dataclasses.replace(order, id=uuid4()), OrderStatus.CONFIRMED)


async def test_cancel_order_releases_and_refuses_after_invoicing(shop: Shop) -> None:
    order = await placed(shop, (10, 2))
    cancelled = await shop.cancel(CancelOrderCommand(order.id))
    assert cancelled.status is OrderStatus.CANCELLED
    assert shop.ledger.reserved[10] == 0
    with pytest.raises(InvalidTransition):
        await shop.cancel(CancelOrderCommand(order.id))

    invoiced = await placed(shop, (10, 2))
    await move(shop, invoiced, OrderStatus.CONFIRMED)
    await move(shop, invoiced, OrderStatus.INVOICED)
    with pytest.raises(InvalidTransition):
        await shop.cancel(CancelOrderCommand(invoiced.id))
    assert shop.ledger.reserved[10] == 2
    with pytest.raises(NotFound):
        await shop.cancel(CancelOrderCommand(uuid4()))


async def test_a_ledger_holding_less_than_the_order_is_a_broken_invariant(shop: Shop) -> None:
    order = await placed(shop, (10, 2))
    shop.ledger.reserved[10] = 1
    with pytest.raises(ReservationMismatch):
        await shop.cancel(CancelOrderCommand(order.id))
    assert shop.orders.committed[order.id].status is OrderStatus.PENDING


async def test_cancelling_a_confirmed_order_releases_it_too(shop: Shop) -> None:
    order = await placed(shop, (10, 2))
    await move(shop, order, OrderStatus.CONFIRMED)
    cancelled = await shop.cancel(CancelOrderCommand(order.id))
    assert (cancelled.status, cancelled.reservation_open) == (OrderStatus.CANCELLED, False)
    assert shop.ledger.reserved[10] == 0


# --- what the ERP is told ------------------------------------------------------------------------

CREATE, CANCEL, STATUS = (
    MessageKind.ORDER_CREATE,
    MessageKind.ORDER_CANCEL,
    MessageKind.ORDER_STATUS,
)
PENDING, IN_FLIGHT, FAILED = MessageStatus.PENDING, MessageStatus.IN_FLIGHT, MessageStatus.FAILED


async def test_items_change_while_the_create_message_is_unsent(shop: Shop) -> None:
    order = await placed(shop, (10, 2))

    changed = await shop.update(new_items(order, (10, 3)))

    assert shop.outbox.held == [(CREATE, order.id)]
    assert shop.outbox.of(order.id) == [(CREATE, PENDING)]  # it will carry the new items
    assert shop.orders.committed[order.id] == changed


async def test_items_no_longer_change_once_the_order_left_for_the_erp(shop: Shop) -> None:
    order = await placed(shop, (10, 2))
    shop.outbox.mark_sent(CREATE, order.id)

    with pytest.raises(OrderSentToErp) as caught:
        await shop.update(new_items(order, (10, 3), (30, 1)))

    assert (caught.value.slug, caught.value.field) == ("order-sent-to-erp", "items")
    assert shop.orders.rows[order.id] == order
    assert shop.ledger.reserved == {10: 2, 20: 0, 30: 0}
    assert shop.ledger.locks == []
    assert shop.uow.commits == 1  # the placing only
    assert shop.outbox.of(order.id) == [(CREATE, IN_FLIGHT)]


async def test_same_items_or_a_status_move_never_ask_about_the_create(shop: Shop) -> None:
    order = await placed(shop, (10, 2))
    shop.outbox.mark_sent(CREATE, order.id)

    await shop.update(new_items(order, (10, 1), (10, 1)))
    await move(shop, order, OrderStatus.CONFIRMED)

    assert shop.outbox.held == []


async def test_confirming_queues_the_status_for_the_erp(shop: Shop) -> None:
    order = await placed(shop, (10, 2))

    await move(shop, order, OrderStatus.CONFIRMED)
    await move(shop, order, OrderStatus.INVOICED)  # the ERP's own move: nothing to tell it

    assert shop.outbox.of(order.id) == [(CREATE, PENDING), (STATUS, PENDING)]
    assert shop.outbox.committed[-1].payload == {"status": "confirmed"}


async def test_cancelling_before_the_order_left_withdraws_its_create(shop: Shop) -> None:
    order = await placed(shop, (10, 2))

    await shop.cancel(CancelOrderCommand(order.id))

    assert shop.outbox.of(order.id) == [(CREATE, MessageStatus.FAILED)]
    assert shop.outbox.committed[0].error == WITHDRAWN


async def test_cancelling_after_the_order_left_queues_a_cancellation(shop: Shop) -> None:
    order = await placed(shop, (10, 2))
    shop.outbox.mark_sent(CREATE, order.id)
    await move(shop, order, OrderStatus.CONFIRMED)

    await shop.cancel(CancelOrderCommand(order.id))

    # The release for billing never left: it is withdrawn (the ERP would refuse the cancel
    # after it).
    assert shop.outbox.of(order.id) == [(CREATE, IN_FLIGHT), (STATUS, FAILED), (CANCEL, PENDING)]
    assert shop.outbox.committed[-1].payload == {}


async def test_new_items_and_a_cancel_for_an_order_that_left_change_nothing(shop: Shop) -> None:
    order = await placed(shop, (10, 2))
    shop.outbox.mark_sent(CREATE, order.id)

    with pytest.raises(OrderSentToErp):
        await shop.update(
            UpdateOrderCommand(
                order_id=order.id, items=(ItemRequest(20, 1),), status=OrderStatus.CANCELLED
            )
        )

    assert shop.orders.rows[order.id].status is OrderStatus.PENDING
    assert shop.outbox.of(order.id) == [(CREATE, IN_FLIGHT)]
