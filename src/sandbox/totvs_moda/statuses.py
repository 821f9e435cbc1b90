"""Enum values of persons and sales orders, by name or by number (contract §2, §9).

``statusOrder`` numbers follow the official Swagger order: 1 ``InProgress`` … 8 ``InAnalysis``
(1, 5 and 8 are confirmed by clients that send numbers). A fraction of rows
(``CatalogConfig.bare_enum_rate``) is answered with the bare number instead of the name, as the
ERP does for values it has no name for; persons then get ``status: 0``.
"""

from __future__ import annotations

from typing import Any

from sandbox.totvs_moda.errors import BadRequest
from sandbox.totvs_moda.hashing import mix

ORDER_STATUSES: dict[str, int] = {
    "InProgress": 1,
    "BillingReleased": 2,
    "PartiallyAnswered": 3,
    "Attended": 4,
    "Blocked": 5,
    "Canceled": 6,
    "InComposition": 7,
    "InAnalysis": 8,
}
_BY_NAME = {name.lower(): name for name in ORDER_STATUSES}
_BY_NUMBER = {number: name for name, number in ORDER_STATUSES.items()}

#: ``b2c-orders`` accepts these as the initial status.
CREATABLE = frozenset({"InProgress", "Blocked", "InAnalysis"})
#: Not yet accepted by the back office: ``orders/cancel`` takes these only.
CANCELLABLE = frozenset({"InProgress", "Blocked", "InAnalysis", "InComposition"})
#: The targets ``orders/change-status`` accepts.
SETTABLE = frozenset({"InProgress", "BillingReleased", "Blocked", "InComposition", "InAnalysis"})
#: Nothing moves an order out of these.
FINAL = frozenset({"Attended", "Canceled"})

_PER = 1_000_000


def order_status(value: Any, name: str = "statusOrder") -> str:
    """The status name of ``value``: a name (any case), a number or a digit string.

    :raises BadRequest: for anything else.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            value = int(text)
        elif text.lower() in _BY_NAME:
            return _BY_NAME[text.lower()]
    if isinstance(value, int) and not isinstance(value, bool) and value in _BY_NUMBER:
        return _BY_NUMBER[value]
    raise BadRequest(f"{name}: invalid value {value!r}")


def is_bare(seed: int, key: int, rate: float, salt: int) -> bool:
    """Whether row ``key`` shows its enum as a bare number (a fixed draw per row)."""
    return rate > 0 and mix(seed, key, salt) % _PER < rate * _PER
