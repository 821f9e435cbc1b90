"""Products (references) and their classifications, derived from merged SKU rows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.sync_session import PostgresSyncTransactions
from domain.sync import Stream
from tests.integration.postgres.db import fetch, sync
from tests.integration.postgres.records import at, sku

pytestmark = pytest.mark.integration


@pytest.fixture
def transactions(engine: AsyncEngine) -> PostgresSyncTransactions:
    return PostgresSyncTransactions(engine)


async def products(engine: AsyncEngine) -> dict[str, dict[str, Any]]:
    rows = await fetch(engine, "SELECT xmin::text AS xmin, * FROM products")
    return {row["reference_code"]: row for row in rows}


async def classifications(engine: AsyncEngine) -> dict[str, dict[int, str]]:
    found: dict[str, dict[int, str]] = {}
    for row in await fetch(engine, "SELECT * FROM product_classifications"):
        found.setdefault(row["reference_code"], {})[row["type_code"]] = row["code"]
    return found


async def test_a_reference_split_across_pages_is_one_product(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    first_page = [sku(1, changed=5), sku(2, changed=9, active=False)]
    second_page = [sku(3, version=1, changed=7, active=False), sku(4, reference="REF2")]

    await sync(transactions, Stream.PRODUCTS, first_page, second_page)

    found = await products(engine)
    assert set(found) == {"REF1", "REF2"}
    ref1 = found["REF1"]
    # Name and description come from the latest change staged, whatever the page order.
    assert (ref1["name"], ref1["description"]) == ("Camiseta REF1 v0", None)
    assert ref1["is_active"] is True
    assert ref1["changed_at"] == at(9)


async def test_a_product_is_inactive_only_when_every_sku_in_the_mirror_is(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    await sync(transactions, Stream.PRODUCTS, [sku(1), sku(2)])

    # A delta with one SKU deactivated: the other, untouched, keeps the product active.
    await sync(transactions, Stream.PRODUCTS, [sku(1, version=1, active=False)])
    assert (await products(engine))["REF1"]["is_active"] is True

    await sync(transactions, Stream.PRODUCTS, [sku(2, version=1, active=False)])
    assert (await products(engine))["REF1"]["is_active"] is False
    flags = await fetch(engine, "SELECT product_code, is_active FROM skus ORDER BY 1")
    assert flags == [
        {"product_code": 1, "is_active": False},
        {"product_code": 2, "is_active": False},
    ]

    await sync(transactions, Stream.PRODUCTS, [sku(1, version=2)])
    assert (await products(engine))["REF1"]["is_active"] is True


async def test_an_unchanged_reference_is_not_rewritten(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    await sync(transactions, Stream.PRODUCTS, [sku(1), sku(2, reference="REF2")])
    before = await products(engine)

    await sync(transactions, Stream.PRODUCTS, [sku(1), sku(2, version=1, reference="REF2")])

    after = await products(engine)
    assert after["REF1"]["xmin"] == before["REF1"]["xmin"]
    assert after["REF2"]["xmin"] != before["REF2"]["xmin"]
    assert after["REF2"]["name"] == "Camiseta REF2 v1"


async def test_a_reference_takes_the_classifications_of_its_latest_changed_sku(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    older = sku(1, changed=1, classifications=((1, "CAMISETA"), (2, "VERAO"), (3, "NACIONAL")))
    newer = sku(2, changed=2, classifications=((1, "REGATA"), (2, "VERAO")))

    await sync(transactions, Stream.PRODUCTS, [newer], [older])

    assert await classifications(engine) == {"REF1": {1: "REGATA", 2: "VERAO"}}


async def test_a_classification_type_dropped_upstream_is_deleted(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    await sync(transactions, Stream.PRODUCTS, [sku(1, classifications=((1, "A"), (2, "B")))])

    await sync(transactions, Stream.PRODUCTS, [sku(1, version=1, classifications=((2, "C"),))])

    assert await classifications(engine) == {"REF1": {2: "C"}}


async def test_skus_without_classifications_leave_the_reference_s_alone(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    await sync(transactions, Stream.PRODUCTS, [sku(1, classifications=((1, "A"), (2, "B")))])
    await sync(transactions, Stream.PRODUCTS, [sku(2, reference="REF2")])

    await sync(transactions, Stream.PRODUCTS, [sku(1, version=1, classifications=())])

    assert await classifications(engine) == {
        "REF1": {1: "A", 2: "B"},
        "REF2": {1: "CAMISETA", 2: "VERAO"},
    }


async def test_a_type_listed_twice_in_one_sku_keeps_its_last_code(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    await sync(transactions, Stream.PRODUCTS, [sku(1, classifications=((1, "A"), (1, "B")))])

    assert await classifications(engine) == {"REF1": {1: "B"}}


async def test_among_equal_changes_the_last_staged_sku_wins(
    engine: AsyncEngine, transactions: PostgresSyncTransactions
) -> None:
    first = sku(1, version=0, changed=3)
    last = sku(1, version=1, changed=3)

    await sync(transactions, Stream.PRODUCTS, [first], [last])

    [row] = await fetch(engine, "SELECT name FROM skus")
    assert row["name"] == "Camiseta 1 v1"
    assert (await products(engine))["REF1"]["name"] == "Camiseta REF1 v1"
