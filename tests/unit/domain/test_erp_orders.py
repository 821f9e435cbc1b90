"""Following the ERP's progress of an order: the transitions, never backwards, never an error."""

import itertools

import pytest

from domain.erp_orders import ErpOrderProgress, FollowUp, follow_erp, new_order_status
from domain.orders import OrderStatus, can_transition

P = ErpOrderProgress
S = OrderStatus


@pytest.mark.parametrize(
    ("current", "progress", "invoiced", "served", "steps"),
    [
        (S.PENDING, P.RECEIVED, False, 0, ()),
        (S.PENDING, P.ACCEPTED, False, 0, (S.CONFIRMED,)),
        (S.PENDING, P.PARTIALLY_SERVED, True, 1, (S.CONFIRMED,)),
        (S.PENDING, P.SERVED, True, 3, (S.CONFIRMED, S.INVOICED)),
        (S.PENDING, P.SERVED, False, 3, (S.CONFIRMED,)),  # served, the invoice still to come
        (S.CONFIRMED, P.SERVED, True, 3, (S.INVOICED,)),
        (S.CONFIRMED, P.ACCEPTED, False, 0, ()),
        (S.PENDING, P.CANCELLED, False, 0, (S.CANCELLED,)),
        (S.CONFIRMED, P.CANCELLED, True, 1, (S.CANCELLED,)),
        # Closed with nothing served: every line was cancelled.
        (S.CONFIRMED, P.SERVED, False, 0, (S.CANCELLED,)),
        (S.PENDING, P.SERVED, False, 0, (S.CANCELLED,)),
    ],
)
def test_an_order_moves_forward_towards_the_erp(
    current: OrderStatus,
    progress: ErpOrderProgress,
    invoiced: bool,
    served: int,
    steps: tuple[OrderStatus, ...],
) -> None:
    followed = follow_erp(current, progress, invoiced=invoiced, served=served)

    assert followed == FollowUp(steps)
    assert followed.status(current) == (steps[-1] if steps else current)
    path = (current, *steps)
    assert all(can_transition(a, b) for a, b in itertools.pairwise(path))


@pytest.mark.parametrize(
    ("current", "progress"),
    [
        (S.CONFIRMED, P.RECEIVED),  # the ERP blocked it again
        (S.INVOICED, P.ACCEPTED),
        (S.SHIPPED, P.SERVED),  # Ponte is ahead
        (S.DELIVERED, P.SERVED),
        (S.INVOICED, P.PARTIALLY_SERVED),
    ],
)
def test_an_order_never_moves_backwards(current: OrderStatus, progress: ErpOrderProgress) -> None:
    assert follow_erp(current, progress, invoiced=True, served=1) == FollowUp()


@pytest.mark.parametrize("current", [S.INVOICED, S.SHIPPED, S.DELIVERED])
def test_a_cancellation_the_state_machine_forbids_is_ignored_and_explained(
    current: OrderStatus,
) -> None:
    followed = follow_erp(current, P.CANCELLED, invoiced=False, served=0)

    assert followed.steps == ()
    assert followed.ignored == f"cancelled in the ERP; {current.value} in Ponte cannot be"
    assert followed.status(current) is current
    assert follow_erp(current, P.SERVED, invoiced=False, served=0).steps == ()


@pytest.mark.parametrize("progress", [p for p in P if p is not P.CANCELLED])
def test_an_order_cancelled_in_ponte_stays_cancelled(progress: ErpOrderProgress) -> None:
    followed = follow_erp(S.CANCELLED, progress, invoiced=True, served=1)

    assert followed.steps == ()
    assert progress.value in (followed.ignored or "")


def test_a_cancelled_order_the_erp_also_cancelled_is_in_step() -> None:
    assert follow_erp(S.CANCELLED, P.CANCELLED, invoiced=False, served=0) == FollowUp()
    assert follow_erp(S.CANCELLED, P.SERVED, invoiced=False, served=0) == FollowUp()


@pytest.mark.parametrize(
    ("progress", "invoiced", "served", "status"),
    [
        (P.RECEIVED, False, 0, S.PENDING),
        (P.ACCEPTED, False, 0, S.CONFIRMED),
        (P.PARTIALLY_SERVED, True, 1, S.CONFIRMED),
        (P.SERVED, True, 2, S.INVOICED),
        (P.SERVED, False, 2, S.CONFIRMED),
        (P.SERVED, False, 0, S.CANCELLED),
        (P.CANCELLED, False, 0, S.CANCELLED),
    ],
)
def test_an_order_first_seen_in_the_erp_starts_where_the_erp_is(
    progress: ErpOrderProgress, invoiced: bool, served: int, status: OrderStatus
) -> None:
    assert new_order_status(progress, invoiced=invoiced, served=served) is status
