"""CreateOnce and PurgeIdempotencyKeys with a dict-backed key store that behaves like the
PostgreSQL one: a reserved key only becomes visible once the unit of work commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from application.idempotency import (
    Answer,
    CreateOnce,
    IdempotencyKeyReused,
    IdempotentRequest,
    PurgeIdempotencyKeys,
    Replay,
    RequestInFlight,
)
from tests.unit.fakes import T0, FixedClock

Key = tuple[str, str]


@dataclass
class Row:
    fingerprint: str
    resource_id: UUID
    created_at: datetime
    status_code: int | None = None
    body: bytes | None = None


class FakeKeys:
    """Committed rows in ``rows``; this transaction's writes in ``pending`` until commit."""

    def __init__(self) -> None:
        self.rows: dict[Key, Row] = {}
        self.pending: dict[Key, Row] = {}
        self.answers: dict[Key, tuple[int, bytes]] = {}
        self.purged_before: datetime | None = None
        self.held: set[Key] = set()
        self.journal: list[str] = []

    async def begin(self, scope: str, key: str, fingerprint: str) -> Replay | None:
        self.journal.append("begin")
        if (scope, key) in self.held:
            raise RequestInFlight
        row = self.rows.get((scope, key))
        if row is None:
            return None
        if row.fingerprint != fingerprint:
            raise IdempotencyKeyReused
        return Replay(row.resource_id, row.status_code, row.body)

    async def reserve(
        self, scope: str, key: str, fingerprint: str, resource_id: UUID, at: datetime
    ) -> None:
        self.journal.append("reserve")
        self.pending[scope, key] = Row(fingerprint, resource_id, at)

    async def complete(self, scope: str, key: str, status_code: int, body: bytes) -> None:
        self.journal.append("complete")
        self.answers[scope, key] = (status_code, body)

    async def purge(self, older_than: datetime) -> int:
        self.journal.append("purge")
        self.purged_before = older_than
        old = [k for k, row in self.rows.items() if row.created_at < older_than]
        for k in old:
            del self.rows[k]
        return len(old)


class FakeUnitOfWork:
    """Commits the fake keys' pending writes (the first stored answer wins, like the adapter)."""

    def __init__(self, keys: FakeKeys) -> None:
        self.keys = keys
        self.commits = 0

    async def commit(self) -> None:
        self.keys.journal.append("commit")
        self.commits += 1
        self.keys.rows.update(self.keys.pending)
        self.keys.pending.clear()
        for k, (status, body) in self.keys.answers.items():
            row = self.keys.rows.get(k)
            if row is not None and row.status_code is None:
                row.status_code, row.body = status, body
        self.keys.answers.clear()

    def rollback(self) -> None:
        self.keys.pending.clear()
        self.keys.answers.clear()


REQUEST = IdempotentRequest(scope="user:1 POST /orders", key="k-1", fingerprint="f-1")


@pytest.fixture
def keys() -> FakeKeys:
    return FakeKeys()


@pytest.fixture
def uow(keys: FakeKeys) -> FakeUnitOfWork:
    return FakeUnitOfWork(keys)


@pytest.fixture
def once(keys: FakeKeys, uow: FakeUnitOfWork) -> CreateOnce:
    return CreateOnce(keys, uow, FixedClock())


class Resources:
    """What ``create`` and ``render`` were asked for; ``create`` commits like a use case."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow
        self.created: list[UUID] = []
        self.rendered: list[UUID] = []
        self.fail_with: Exception | None = None

    async def create(self, resource_id: UUID) -> Answer:
        self.uow.keys.journal.append("create")
        if self.fail_with is not None:
            raise self.fail_with
        self.created.append(resource_id)
        await self.uow.commit()
        return Answer(201, f'{{"id":"{resource_id}"}}'.encode())

    async def render(self, resource_id: UUID) -> Answer:
        self.rendered.append(resource_id)
        return Answer(201, f'{{"id":"{resource_id}","rendered":true}}'.encode())


@pytest.fixture
def resources(uow: FakeUnitOfWork) -> Resources:
    return Resources(uow)


async def test_a_new_key_is_reserved_before_the_creation_and_answered_after_it(
    once: CreateOnce, keys: FakeKeys, resources: Resources
) -> None:
    outcome = await once(REQUEST, create=resources.create, render=resources.render)

    assert not outcome.replayed
    assert resources.created == [outcome.resource_id]
    assert keys.journal == ["begin", "reserve", "create", "commit", "complete", "commit"]
    row = keys.rows[REQUEST.scope, REQUEST.key]
    assert (row.fingerprint, row.resource_id, row.created_at) == ("f-1", outcome.resource_id, T0)
    assert (row.status_code, row.body) == (201, outcome.answer.body)


async def test_a_repeat_gets_the_stored_answer_without_creating_again(
    once: CreateOnce, keys: FakeKeys, resources: Resources
) -> None:
    first = await once(REQUEST, create=resources.create, render=resources.render)
    keys.journal.clear()

    again = await once(REQUEST, create=resources.create, render=resources.render)

    assert again.replayed
    assert (again.answer, again.resource_id) == (first.answer, first.resource_id)
    assert len(resources.created) == 1
    assert resources.rendered == []
    assert keys.journal == ["begin"]


async def test_a_key_whose_answer_was_lost_renders_the_resource_and_stores_that(
    once: CreateOnce, keys: FakeKeys, uow: FakeUnitOfWork, resources: Resources
) -> None:
    resource_id = UUID(int=7)
    keys.rows[REQUEST.scope, REQUEST.key] = Row("f-1", resource_id, T0)

    outcome = await once(REQUEST, create=resources.create, render=resources.render)

    assert outcome.replayed
    assert resources.created == []
    assert resources.rendered == [resource_id]
    assert outcome.answer == Answer(201, f'{{"id":"{resource_id}","rendered":true}}'.encode())
    row = keys.rows[REQUEST.scope, REQUEST.key]
    assert (row.status_code, row.body) == (201, outcome.answer.body)
    assert uow.commits == 1


async def test_a_failed_creation_stores_nothing_so_the_key_stays_free(
    once: CreateOnce, keys: FakeKeys, uow: FakeUnitOfWork, resources: Resources
) -> None:
    resources.fail_with = RuntimeError("insufficient stock")
    with pytest.raises(RuntimeError):
        await once(REQUEST, create=resources.create, render=resources.render)
    uow.rollback()  # what closing the request's connection does
    assert "complete" not in keys.journal
    assert keys.rows == {}

    resources.fail_with = None
    outcome = await once(REQUEST, create=resources.create, render=resources.render)
    assert not outcome.replayed
    assert resources.created == [outcome.resource_id]


async def test_errors_of_the_key_store_reach_the_caller_before_anything_is_created(
    once: CreateOnce, keys: FakeKeys, resources: Resources
) -> None:
    keys.rows[REQUEST.scope, REQUEST.key] = Row("another body", UUID(int=1), T0, 201, b"{}")
    with pytest.raises(IdempotencyKeyReused):
        await once(REQUEST, create=resources.create, render=resources.render)
    keys.held.add(("user:1 POST /orders", "k-2"))
    with pytest.raises(RequestInFlight):
        await once(
            IdempotentRequest(scope=REQUEST.scope, key="k-2", fingerprint="f-1"),
            create=resources.create,
            render=resources.render,
        )
    assert resources.created == []
    assert resources.rendered == []


async def test_each_creation_gets_a_fresh_resource_id(
    once: CreateOnce, resources: Resources
) -> None:
    first = await once(REQUEST, create=resources.create, render=resources.render)
    other = IdempotentRequest(scope=REQUEST.scope, key="k-2", fingerprint="f-1")
    second = await once(other, create=resources.create, render=resources.render)
    assert first.resource_id != second.resource_id


async def test_purge_forgets_keys_older_than_the_retention(
    keys: FakeKeys, uow: FakeUnitOfWork
) -> None:
    for name, age in (("old", 49), ("young", 47)):
        keys.rows["s", name] = Row("f", UUID(int=1), T0 - timedelta(hours=age), 201, b"{}")
    purge = PurgeIdempotencyKeys(keys, uow, FixedClock())

    assert await purge(timedelta(hours=48)) == 1

    assert keys.purged_before == T0 - timedelta(hours=48)
    assert set(keys.rows) == {("s", "young")}
    assert uow.commits == 1


async def test_purge_refuses_a_retention_under_a_day(keys: FakeKeys, uow: FakeUnitOfWork) -> None:
    purge = PurgeIdempotencyKeys(keys, uow, FixedClock())
    with pytest.raises(ValueError, match="at least"):
        await purge(timedelta(hours=23, minutes=59))
    assert keys.journal == []
    assert uow.commits == 0
    assert await purge(timedelta(hours=24)) == 0
