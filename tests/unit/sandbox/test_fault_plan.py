"""The fault-spec grammar and how a plan fires, call by call."""

from __future__ import annotations

import pytest

from sandbox.totvs_moda.faults import FaultInjector, FaultKind, FaultPlan, FaultSpecError

EXAMPLE = (
    "5xx=0.2,429=0.05:retry-after=1,latency=0.1:300ms,hang=0.01,truncated=0.02,nonjson=0.02,"
    "reset=0.01,expire-token=0.01"
)


def kinds(injector: FaultInjector, route: str, calls: int) -> list[str | None]:
    out: list[str | None] = []
    for _ in range(calls):
        fault = injector.decide(route).fault
        out.append(None if fault is None else fault.kind.value)
    return out


def test_the_documented_example_parses() -> None:
    plan = FaultPlan.parse(EXAMPLE)
    assert [r.kind for r in plan.rules] == [
        FaultKind.SERVER_ERROR,
        FaultKind.TOO_MANY_REQUESTS,
        FaultKind.LATENCY,
        FaultKind.HANG,
        FaultKind.TRUNCATED,
        FaultKind.NON_JSON,
        FaultKind.RESET,
        FaultKind.EXPIRE_TOKEN,
    ]
    assert plan.rules[1].retry_after == 1
    assert plan.rules[2].duration == pytest.approx(0.3)
    assert plan.rules[0].rate == pytest.approx(0.2)


def test_schedules_routes_and_options_parse() -> None:
    plan = FaultPlan.parse("5xx@calls=2-4+9:route=products+prices:status=503:body=json,seed=7")
    rule = plan.rules[0]
    assert rule.calls == ((2, 4), (9, 9))
    assert rule.routes == frozenset({"products", "prices"})
    assert (rule.status, rule.body, plan.seed, plan.token) == (503, "json", 7, False)
    assert FaultPlan.parse("hang@every=5:2s,token=on").rules[0].duration == 2.0
    assert FaultPlan.parse("token=on").token


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("boom=0.1", "unknown fault 'boom'"),
        ("5xx=1.5", "rate must be within 0..1"),
        ("5xx=often", "is not a number"),
        ("5xx@sometimes", "a schedule is every=N or calls=N-M"),
        ("5xx@every=0", "expected an integer >= 1"),
        ("5xx@calls=4-2", "expected an integer >= 4"),
        ("429:300ms", "only latency and hang take a duration"),
        ("latency:retry-after=2", "does not apply to latency"),
        ("5xx:status=418", "status must be one of"),
        ("5xx:route=persons", "unknown route 'persons'"),
        ("5xx:loud", "unknown parameter 'loud'"),
        ("token=maybe", "token= takes on or off"),
    ],
)
def test_bad_specs_name_the_bad_item(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message):
        FaultPlan.parse(spec)


def test_every_fires_on_multiples_of_the_rules_own_calls() -> None:
    injector = FaultInjector(FaultPlan.parse("5xx@every=3"))
    assert kinds(injector, "products", 7) == [None, None, "5xx", None, None, "5xx", None]


def test_calls_fire_on_the_listed_calls_of_the_rules_routes() -> None:
    injector = FaultInjector(FaultPlan.parse("reset@calls=2-3:route=prices"))
    assert kinds(injector, "products", 3) == [None, None, None]
    assert kinds(injector, "prices", 4) == [None, "reset", "reset", None]


def test_a_bare_rule_fires_on_every_call() -> None:
    assert kinds(FaultInjector(FaultPlan.parse("nonjson")), "colors", 3) == ["nonjson"] * 3


def test_the_token_route_is_spared_unless_asked() -> None:
    assert kinds(FaultInjector(FaultPlan.parse("5xx")), "token", 2) == [None, None]
    assert kinds(FaultInjector(FaultPlan.parse("5xx,token=on")), "token", 1) == ["5xx"]


def test_rates_are_deterministic_for_a_seed() -> None:
    spec = "5xx=0.3,429=0.2,seed=11"
    first = kinds(FaultInjector(FaultPlan.parse(spec)), "products", 200)
    assert first == kinds(FaultInjector(FaultPlan.parse(spec)), "products", 200)
    assert 30 < first.count("5xx") < 90
    assert first.count("429") > 10
    other = kinds(FaultInjector(FaultPlan.parse("5xx=0.3,429=0.2,seed=12")), "products", 200)
    assert other != first


def test_latency_adds_up_and_lets_another_fault_decide() -> None:
    injector = FaultInjector(FaultPlan.parse("latency:200ms,latency:1s,429"))
    decision = injector.decide("products")
    assert decision.delay == pytest.approx(1.2)
    assert decision.fault is not None
    assert decision.fault.kind is FaultKind.TOO_MANY_REQUESTS


def test_the_first_firing_rule_wins_and_reset_restarts_counters() -> None:
    injector = FaultInjector(FaultPlan.parse("5xx@calls=1,429@calls=1-2"))
    assert kinds(injector, "products", 3) == ["5xx", "429", None]
    injector.reset()
    assert kinds(injector, "products", 1) == ["5xx"]
