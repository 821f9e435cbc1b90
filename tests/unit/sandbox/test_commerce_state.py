"""Building blocks of the persons/orders state: timeline, write log, ordering, seeds, statuses."""

from __future__ import annotations

import pytest

from domain.documents import Cnpj, Cpf
from sandbox.totvs_moda.errors import BadRequest
from sandbox.totvs_moda.ordering import sort_rows
from sandbox.totvs_moda.statuses import is_bare, order_status
from sandbox.totvs_moda.timeline import Timeline
from sandbox.totvs_moda.write_log import WriteLog
from tests.unit.sandbox.commerce_fixtures import BASE, make_commerce


def test_timeline_returns_each_key_once_at_its_latest_change() -> None:
    timeline: Timeline[str] = Timeline()
    assert timeline.touch("a", 10) == 10
    timeline.touch("b", 20)
    timeline.touch("a", 30)
    assert timeline.touch("c", 25) == 30  # never before the last stamp
    assert list(timeline.within(None, None)) == ["b", "a", "c"]
    assert list(timeline.within(15, 29)) == ["b"]
    assert list(timeline.within(30, 30)) == ["a", "c"]
    assert list(timeline.within(None, 12)) == []


def test_write_log_pages_after_a_seq_and_keeps_counting_after_clear() -> None:
    log = WriteLog()
    for n in range(5):
        log.append("b2c-orders", {"n": n}, 1_775_000_000.5, order_id=f"o{n}")
    assert [e.seq for e in log.after(0, 2)] == [1, 2]
    assert [e.seq for e in log.after(3, 10)] == [4, 5]
    assert log.after(5, 10) == []
    assert log.after(0, 1)[0].at.endswith("-03:00")
    log.clear()
    assert (len(log), log.last_seq) == (0, 5)
    log.append("orders/cancel", {}, 1_775_000_001)
    assert [e.seq for e in log.after(0, 10)] == [6]
    assert [e.seq for e in log.after(5, 10)] == [6]


def test_sort_rows_by_fields_with_descending_and_unknown_ones() -> None:
    rows = [(1, "b"), (2, "a"), (1, "a")]
    keys = {"num": lambda r: r[0], "text": lambda r: r[1]}
    assert sort_rows(list(rows), "num,-text", keys, ("text",)) == [(1, "b"), (1, "a"), (2, "a")]
    assert sort_rows(list(rows), "-Num", keys, ("text",)) == [(2, "a"), (1, "b"), (1, "a")]
    assert sort_rows(list(rows), "nope", keys, ("text", "num")) == [(1, "a"), (2, "a"), (1, "b")]


def test_order_status_reads_names_and_numbers() -> None:
    assert [order_status(v) for v in ("attended", 2, "6", "InComposition")] == [
        "Attended",
        "BillingReleased",
        "Canceled",
        "InComposition",
    ]
    for bad in ("Done", 0, 9, True, None, 1.5):
        with pytest.raises(BadRequest):
            order_status(bad)


def test_bare_enum_draws_follow_the_rate() -> None:
    assert not any(is_bare(1, k, 0.0, 40) for k in range(100))
    assert all(is_bare(1, k, 1.0, 40) for k in range(100))
    assert 10 < sum(is_bare(1, k, 0.3, 40) for k in range(200)) < 110


def test_seeds_are_deterministic_and_valid() -> None:
    one, two = make_commerce(), make_commerce()
    people = list(one.persons.by_code.values())
    assert [(p.code, p.document, p.name) for p in people] == [
        (p.code, p.document, p.name) for p in two.persons.by_code.values()
    ]
    assert [p.code for p in people] == list(range(1, 26))
    assert sum(p.legal for p in people) == 5
    for person in people:
        (Cnpj if person.legal else Cpf)(person.document)
        assert all(len(a.cep) == 8 and a.cep.isdigit() for a in person.addresses)
    assert len({p.document for p in people}) == 25
    assert any(p.addresses for p in people)
    assert any(p.phones for p in people)
    stamps = [p.at for p in people]
    assert stamps == sorted(stamps)
    assert stamps[-1] == int(BASE.timestamp())
    orders = sorted(one.orders.orders.values(), key=lambda o: o.at)
    assert len(orders) == 6
    assert {o.status for o in orders} == {
        "Attended",
        "InProgress",
        "BillingReleased",
        "PartiallyAnswered",
        "Canceled",
        "Blocked",
    }
    for order in orders:
        assert order.origin == "erp"
        assert one.persons.by_code[order.customer_code].is_customer
        assert all(one.catalog.exists(line.product_code) for line in order.lines)
        assert order.total == sum(line.price * line.quantity for line in order.lines)
    assert [bool(o.invoices) for o in orders] == [
        o.status in ("Attended", "PartiallyAnswered") for o in orders
    ]


def test_config_sizes_and_reset() -> None:
    commerce = make_commerce(persons=3, legal_entities=0, store_orders=2)
    assert (len(commerce.persons), len(commerce.orders)) == (3, 2)
    added = commerce.add_person(legal=True)
    assert (added.code, added.legal) == (4, True)
    commerce.add_store_order(branch=2, customer_code=1, lines=2)
    assert len(commerce.orders) == 3
    commerce.reset()
    assert (len(commerce.persons), len(commerce.orders)) == (3, 2)
    empty = make_commerce(persons=0, legal_entities=0)
    assert len(empty.orders) == 0
    with pytest.raises(ValueError, match="persons must be >= 0"):
        make_commerce(persons=-1)
