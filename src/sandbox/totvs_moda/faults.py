"""Fault plans: what goes wrong, how often, and on which calls.

Grammar of a spec (the CLI's ``--faults SPEC``), items separated by commas::

    spec     := item ("," item)*
    item     := "seed=" INT                       RNG seed for rates (default 0)
              | "token=" ("on" | "off")           faults hit the token route too (default off)
              | rule
    rule     := KIND [ "=" RATE | "@" SCHEDULE ] (":" PARAM)*
    KIND     := latency | 5xx | 429 | hang | truncated | nonjson | reset | expire-token
              | lost-reply
    RATE     := a number in 0..1: the chance the rule fires on each call it applies to
    SCHEDULE := "every=" N                         the rule's calls N, 2N, 3N…
              | "calls=" RANGE ("+" RANGE)*        RANGE := N | N-M, 1-based
    PARAM    := DURATION                           "300ms", "2s", "1.5s": latency delay
                                                   (default 1s), hang cap (default 60s) or
                                                   lost-reply wait before the drop (default 0)
              | "retry-after=" INT                 429 Retry-After seconds (default 1)
              | "status=" 500 | 502 | 503 | 504    5xx status (default cycles 500, 502, 503)
              | "body=" ("json" | "text")          5xx body (default alternates)
              | "route=" NAME ("+" NAME)*          only these routes (see :data:`ROUTES`)

A rule with neither rate nor schedule fires on every call. Each rule counts the calls it applies
to (its routes; never ``/_sandbox/``; the token route only with ``token=on``); schedules use that
count. Rules are tried in order: latency rules add their delay and let the call go on; the first
other rule that fires decides the fault. Every rate rule draws from one generator seeded with
``seed`` on every call it applies to, so one client's sequence of calls always meets the same
faults.

Example: ``5xx=0.2,429=0.05:retry-after=1,latency=0.1:300ms,hang=0.01,truncated=0.02,
nonjson=0.02,reset=0.01,expire-token=0.01`` or ``5xx@calls=2-4:route=products,seed=7``.

Kinds: ``latency`` (delay, then the normal answer), ``5xx`` (JSON or text body), ``429`` (with
``Retry-After``), ``hang`` (no answer until the cap, then the connection drops), ``truncated`` (200
with the real JSON body cut short), ``nonjson`` (200 with an HTML page), ``reset`` (the TCP
connection is reset), ``expire-token`` (the caller's token is revoked and the call gets 401),
``lost-reply`` (the call is processed in full, a write applied and logged, then after DURATION the
connection is reset with no answer: a timeout or lost connection after the ERP committed).

Every other kind but ``truncated`` (which cuts the real answer) answers before the handler
runs, so a write it hits is never applied. ``lost-reply`` rules are drawn apart, when a call
reaches its handler (no other fault answered it and its token is valid), and count those calls
only; a rule whose routes are only write routes thus counts the writes that were applied.

Routes: ``token``, the catalog (``colors``, ``grid``, ``classifications``, ``products``,
``balances``, ``prices``, ``costs``, ``production_orders``), persons (``individuals``,
``legal_entities``, ``individual_customers``, ``legal_customers``) and sales orders
(``orders_search``, ``b2c_orders``, ``orders_cancel``, ``orders_change_status``). Example:
``lost-reply@calls=1:route=b2c_orders``.
"""

from __future__ import annotations

import enum
import random
import re
from dataclasses import dataclass, field, replace

ROUTES = frozenset(
    {
        "token",
        "colors",
        "grid",
        "classifications",
        "products",
        "balances",
        "prices",
        "costs",
        "production_orders",
        "individuals",
        "legal_entities",
        "individual_customers",
        "legal_customers",
        "orders_search",
        "b2c_orders",
        "orders_cancel",
        "orders_change_status",
    }
)


class FaultKind(enum.StrEnum):
    LATENCY = "latency"
    SERVER_ERROR = "5xx"
    TOO_MANY_REQUESTS = "429"
    HANG = "hang"
    TRUNCATED = "truncated"
    NON_JSON = "nonjson"
    RESET = "reset"
    EXPIRE_TOKEN = "expire-token"  # noqa: S105 - a fault name, not a secret
    LOST_REPLY = "lost-reply"


class FaultSpecError(ValueError):
    """A fault spec that does not follow the grammar; the message names the bad item."""


@dataclass(frozen=True, slots=True)
class FaultRule:
    kind: FaultKind
    rate: float | None = None
    every: int | None = None
    calls: tuple[tuple[int, int], ...] = ()
    duration: float | None = None
    retry_after: int = 1
    status: int | None = None
    body: str | None = None
    routes: frozenset[str] | None = None

    def applies_to(self, route: str) -> bool:
        return self.routes is None or route in self.routes

    def scheduled(self, call: int) -> bool:
        """Whether the rule's ``call``-th applicable call (1-based) is one of its scheduled ones."""
        if self.every is not None:
            return call % self.every == 0
        return any(low <= call <= high for low, high in self.calls)


@dataclass(frozen=True, slots=True)
class FaultPlan:
    rules: tuple[FaultRule, ...] = ()
    seed: int = 0
    token: bool = False
    spec: str = ""

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        """:raises FaultSpecError: naming the first item that breaks the grammar."""
        rules: list[FaultRule] = []
        seed, token = 0, False
        for raw in spec.split(","):
            item = raw.strip()
            if not item:
                continue
            if item.startswith("seed="):
                seed = _int(item[5:], item)
            elif item.startswith("token="):
                if item[6:] not in ("on", "off"):
                    raise FaultSpecError(f"{item!r}: token= takes on or off")
                token = item[6:] == "on"
            else:
                rules.append(_rule(item))
        return cls(tuple(rules), seed, token, spec.strip())


_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)$")
_STATUSES = (500, 502, 503, 504)


def _int(text: str, item: str, *, low: int = 0) -> int:
    if not text.isdigit() or int(text) < low:
        raise FaultSpecError(f"{item!r}: expected an integer >= {low}, got {text!r}")
    return int(text)


def _rule(item: str) -> FaultRule:
    head, *params = item.split(":")
    name: str = head
    rate: float | None = None
    every: int | None = None
    calls: tuple[tuple[int, int], ...] = ()
    if "@" in head:
        name, schedule = head.split("@", 1)
        if schedule.startswith("every="):
            every = _int(schedule[6:], item, low=1)
        elif schedule.startswith("calls="):
            calls = tuple(_range(part, item) for part in schedule[6:].split("+"))
        else:
            raise FaultSpecError(f"{item!r}: a schedule is every=N or calls=N-M")
    elif "=" in head:
        name, text = head.split("=", 1)
        try:
            rate = float(text)
        except ValueError:
            raise FaultSpecError(f"{item!r}: rate {text!r} is not a number") from None
        if not 0 <= rate <= 1:
            raise FaultSpecError(f"{item!r}: rate must be within 0..1")
    try:
        kind = FaultKind(name)
    except ValueError:
        kinds = ", ".join(k.value for k in FaultKind)
        raise FaultSpecError(f"{item!r}: unknown fault {name!r}; choose from {kinds}") from None
    rule = FaultRule(kind, rate, every, calls)
    for param in params:
        rule = _param(rule, param, item)
    return rule


def _range(text: str, item: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    first = _int(low, item, low=1)
    last = _int(high, item, low=first) if high else first
    return first, last


def _param(rule: FaultRule, param: str, item: str) -> FaultRule:
    kind = rule.kind
    duration = _DURATION.match(param)
    if duration:
        if kind not in (FaultKind.LATENCY, FaultKind.HANG, FaultKind.LOST_REPLY):
            raise FaultSpecError(
                f"{item!r}: only latency and hang take a duration (and lost-reply its wait)"
            )
        value = float(duration.group(1))
        return replace(rule, duration=value / 1000 if duration.group(2) == "ms" else value)
    key, sep, value_text = param.partition("=")
    if not sep:
        raise FaultSpecError(f"{item!r}: unknown parameter {param!r}")
    if key == "route":
        routes = frozenset(value_text.split("+"))
        unknown = routes - ROUTES
        if unknown:
            raise FaultSpecError(
                f"{item!r}: unknown route {sorted(unknown)[0]!r}; choose from "
                + ", ".join(sorted(ROUTES))
            )
        return replace(rule, routes=routes)
    if key == "retry-after" and kind is FaultKind.TOO_MANY_REQUESTS:
        return replace(rule, retry_after=_int(value_text, item))
    if key == "status" and kind is FaultKind.SERVER_ERROR:
        status = _int(value_text, item)
        if status not in _STATUSES:
            raise FaultSpecError(f"{item!r}: status must be one of {_STATUSES}")
        return replace(rule, status=status)
    if key == "body" and kind is FaultKind.SERVER_ERROR:
        if value_text not in ("json", "text"):
            raise FaultSpecError(f"{item!r}: body must be json or text")
        return replace(rule, body=value_text)
    raise FaultSpecError(f"{item!r}: parameter {key!r} does not apply to {kind.value}")


@dataclass(slots=True)
class Decision:
    delay: float = 0.0
    fault: FaultRule | None = None


@dataclass(slots=True)
class FaultInjector:
    """Applies a plan call by call; owns the plan's counters and random generator."""

    plan: FaultPlan = field(default_factory=FaultPlan)
    _rng: random.Random = field(init=False)
    _calls: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._rng = random.Random(self.plan.seed)
        self._calls = [0] * len(self.plan.rules)

    def decide(self, route: str) -> Decision:
        """The faults of a call as it arrives (every kind but ``lost-reply``)."""
        decision = Decision()
        if route == "token" and not self.plan.token:
            return decision
        for n, rule in enumerate(self.plan.rules):
            if rule.kind is FaultKind.LOST_REPLY or not self._fires(n, rule, route):
                continue
            if rule.kind is FaultKind.LATENCY:
                decision.delay += 1.0 if rule.duration is None else rule.duration
            elif decision.fault is None:
                decision.fault = rule
        return decision

    def lost_reply(self, route: str) -> float | None:
        """Seconds to wait before dropping the answer of a call its handler is about to process,
        or None to answer it."""
        if route == "token" and not self.plan.token:
            return None
        wait: float | None = None
        for n, rule in enumerate(self.plan.rules):
            if rule.kind is FaultKind.LOST_REPLY and self._fires(n, rule, route) and wait is None:
                wait = rule.duration or 0.0
        return wait

    def _fires(self, n: int, rule: FaultRule, route: str) -> bool:
        """Count the call against rule ``n`` (when it applies) and draw whether it fires."""
        if not rule.applies_to(route):
            return False
        self._calls[n] += 1
        if rule.rate is not None:
            return self._rng.random() < rule.rate
        if rule.every is not None or rule.calls:
            return rule.scheduled(self._calls[n])
        return True
