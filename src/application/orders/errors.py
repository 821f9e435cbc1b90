"""Errors of the order use cases; the HTTP edge maps each by its base class."""

from __future__ import annotations

from domain.errors import Conflict, PonteError, ValidationError


class UnsellableSku(ValidationError):
    """An item names a SKU that cannot be sold (unknown, inactive, blocked, of a deleted
    product, or without a storefront price). ``field`` is ``items[i].product_code`` of the first
    such item; ``product_codes`` lists every one."""

    def __init__(self, index: int, product_codes: list[int]) -> None:
        names = ", ".join(map(str, product_codes))
        super().__init__(
            f"not sellable (unknown, inactive, blocked or without a price): {names}",
            field=f"items[{index}].product_code",
        )
        self.product_codes = product_codes


class OrderSentToErp(Conflict):
    """Items change only until the order leaves for the ERP (the ERP takes no item changes)."""

    def __init__(self) -> None:
        super().__init__(
            "this order's items can no longer change: it was sent to the ERP",
            slug="order-sent-to-erp",
            field="items",
        )


class OrderNotEditable(Conflict):
    """Items change only while an order is pending."""

    def __init__(self, status: str) -> None:
        super().__init__(
            f"an order's items can change only while it is pending; this one is {status}",
            slug="order-not-editable",
            field="items",
        )


class ReservationMismatch(PonteError):
    """The ledger holds fewer units of a SKU than an order says it holds: a broken invariant,
    never the client's fault (answered as a logged 500)."""
