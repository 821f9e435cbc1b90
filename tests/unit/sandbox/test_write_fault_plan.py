"""The ``lost-reply`` fault kind and the persons/orders routes in fault plans."""

from __future__ import annotations

import pytest

from sandbox.totvs_moda.faults import ROUTES, FaultInjector, FaultKind, FaultPlan, FaultSpecError

WRITE_ROUTES = {
    "individuals",
    "legal_entities",
    "individual_customers",
    "legal_customers",
    "orders_search",
    "b2c_orders",
    "orders_cancel",
    "orders_change_status",
}


def test_the_new_routes_can_be_targeted() -> None:
    assert WRITE_ROUTES <= ROUTES
    rule = FaultPlan.parse("5xx@every=2:route=b2c_orders+orders_cancel").rules[0]
    assert rule.routes == frozenset({"b2c_orders", "orders_cancel"})


def test_lost_reply_parses_with_an_optional_wait() -> None:
    plan = FaultPlan.parse("lost-reply@calls=1-2:route=b2c_orders,lost-reply=0.5:250ms")
    first, second = plan.rules
    assert (first.kind, first.calls, first.duration) == (FaultKind.LOST_REPLY, ((1, 2),), None)
    assert (second.rate, second.duration) == (0.5, 0.25)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("lost-reply:retry-after=1", "does not apply to lost-reply"),
        ("lost-reply:route=nowhere", "unknown route 'nowhere'"),
        ("reset:2s", "only latency and hang take a duration"),
    ],
)
def test_bad_lost_reply_specs(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message):
        FaultPlan.parse(spec)


def test_lost_reply_is_decided_apart_from_the_other_faults() -> None:
    injector = FaultInjector(FaultPlan.parse("lost-reply@calls=2:1s:route=b2c_orders"))
    assert [injector.decide("b2c_orders").fault for _ in range(3)] == [None, None, None]
    waits = [injector.lost_reply("b2c_orders") for _ in range(3)]
    assert waits == [None, 1.0, None]
    assert injector.lost_reply("orders_search") is None


def test_lost_reply_default_wait_is_zero_and_every_schedule_counts_its_own_calls() -> None:
    injector = FaultInjector(FaultPlan.parse("5xx@every=2,lost-reply@every=2"))
    assert [injector.decide("b2c_orders").fault is not None for _ in range(4)] == [
        False,
        True,
        False,
        True,
    ]
    assert [injector.lost_reply("b2c_orders") for _ in range(2)] == [None, 0.0]


def test_lost_reply_spares_the_token_route_unless_asked() -> None:
    assert FaultInjector(FaultPlan.parse("lost-reply")).lost_reply("token") is None
    assert FaultInjector(FaultPlan.parse("lost-reply,token=on")).lost_reply("token") == 0.0


def test_rates_are_deterministic_per_seed() -> None:
    def run() -> list[float | None]:
        injector = FaultInjector(FaultPlan.parse("lost-reply=0.3,seed=11"))
        return [injector.lost_reply("b2c_orders") for _ in range(50)]

    first = run()
    assert first == run()
    assert 5 < sum(w is not None for w in first) < 30
