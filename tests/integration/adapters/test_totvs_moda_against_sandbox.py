"""The TOTVS Moda adapter against the sandbox server over real HTTP: every stream reconciles."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from adapters.totvs_moda import (
    PageSizes,
    RetryPolicy,
    TotvsModaCatalogSource,
    TotvsModaErpWriter,
    TotvsModaSettings,
)
from adapters.totvs_moda.settings import TotvsModaOrderDefaults
from application.outbox.erp import ErpOrderKey, ErpRejected, ErpUnavailable
from domain.orders import OrderStatus
from domain.stock import BALANCE_TERMS, AvailableStockFormula
from domain.sync import Stream
from sandbox.totvs_moda import RunningSandbox, SandboxCatalog, run_sandbox
from tests.unit.adapters.totvs_moda.records import ORDER_ID, customer, item, order

FORMULA = "stock + input_transaction - output_transaction - sales_order"


def settings_for(sandbox: RunningSandbox, **overrides: Any) -> TotvsModaSettings:
    c = sandbox.credentials
    values: dict[str, Any] = {
        "base_url": sandbox.url,
        "client_id": c.client_id,
        "client_secret": c.client_secret,
        "username": c.username,
        "password": c.password,
        "branch_codes": (1, 2),
        "stock_codes": (1,),
        "price_codes": (1, 2),
        "cost_codes": (1,),
        "available_formula": FORMULA,
        "page_sizes": PageSizes(products=40, balances=40, prices=40, costs=40, colors=7, grid=3),
        "concurrency": 3,
        "retry": RetryPolicy(max_attempts=6, base=0.0, jitter=0.0, rng=random.Random(3)),
    }
    values.update(overrides)
    return TotvsModaSettings(**values)


@pytest.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    catalog = SandboxCatalog(skus=250, branches=(1, 2), price_codes=(1, 2), cost_codes=(1,))
    async with run_sandbox(catalog) as running:
        yield running


async def read(source: TotvsModaCatalogSource, stream: Stream, since: Any = None) -> list[Any]:
    records: list[Any] = []
    async for page in source.read(stream, since):
        assert list(page.rejections) == []
        records.extend(page.records)
    return records


def by_key(rows: list[dict[str, Any]], *key: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(row[k] for k in key): row for row in rows}


async def test_every_stream_reconciles_with_the_sandbox(sandbox: RunningSandbox) -> None:
    catalog = sandbox.catalog
    async with TotvsModaCatalogSource(settings_for(sandbox)) as source:
        colors = await read(source, Stream.COLORS)
        sizes = await read(source, Stream.SIZES)
        classes = await read(source, Stream.CLASSIFICATIONS)
        skus = await read(source, Stream.PRODUCTS)
        balances = await read(source, Stream.BALANCES)
        prices = await read(source, Stream.PRICES)
        costs = await read(source, Stream.COSTS)
        future = await read(source, Stream.PRODUCTION_ORDERS)

    assert by_key([c._asdict() for c in colors], "code") == by_key(
        list(catalog.expected_colors()), "code"
    )
    assert by_key([g._asdict() for g in sizes], "code") == by_key(
        list(catalog.expected_sizes()), "code"
    )
    wanted_types = [r for r in catalog.expected_classifications() if r["type_code"] in (1, 2, 3)]
    assert by_key([c._asdict() for c in classes], "type_code", "code") == by_key(
        wanted_types, "type_code", "code"
    )

    expected_skus = {row["product_code"]: row for row in catalog.expected_skus()}
    assert len(skus) == len(expected_skus) == 250
    for sku in skus:
        got = sku._asdict()
        got["classifications"] = tuple(tuple(ref) for ref in sku.classifications)
        assert got == expected_skus[sku.product_code]

    formula = AvailableStockFormula.parse(FORMULA)
    expected_balances = by_key(
        list(catalog.expected_balances()), "product_code", "branch_code", "stock_code"
    )
    assert len(balances) == len(expected_balances)
    for balance in balances:
        got = balance._asdict()
        available = got.pop("available")
        want = expected_balances[(balance.product_code, balance.branch_code, balance.stock_code)]
        assert got == want
        assert available == formula.apply({k: want[k] for k in BALANCE_TERMS})

    expected_prices = by_key(
        list(catalog.expected_prices()), "product_code", "branch_code", "price_code"
    )
    assert {
        (p.product_code, p.branch_code, p.price_code): p._asdict() for p in prices
    } == expected_prices

    expected_costs = by_key(
        list(catalog.expected_costs()), "product_code", "branch_code", "cost_code"
    )
    assert {
        (c.product_code, c.branch_code, c.cost_code): c._asdict() for c in costs
    } == expected_costs

    expected_future = by_key(
        list(catalog.expected_future_stock()), "branch_code", "order_code", "product_code"
    )
    assert {
        (f.branch_code, f.order_code, f.product_code): f._asdict() for f in future
    } == expected_future


async def test_every_page_says_how_many_rows_the_whole_read_returns(
    sandbox: RunningSandbox,
) -> None:
    async with TotvsModaCatalogSource(settings_for(sandbox)) as source:
        pages = [page async for page in source.read(Stream.PRODUCTS, None)]

    assert len(pages) > 1
    assert {page.total_items for page in pages} == {250}


async def test_incremental_reads_see_only_what_changed(sandbox: RunningSandbox) -> None:
    catalog = sandbox.catalog
    async with TotvsModaCatalogSource(settings_for(sandbox)) as source:
        skus = await read(source, Stream.PRODUCTS)
        cursor = max(s.changed_at for s in skus if s.changed_at is not None)
        changed = catalog.change_prices(5)
        prices = await read(source, Stream.PRICES, cursor + timedelta(seconds=1))

    assert {p.product_code for p in prices} == set(changed.product_codes)


async def test_reads_survive_the_sandbox_faults(sandbox: RunningSandbox) -> None:
    sandbox.set_faults(
        "expire-token@calls=2,reset@calls=4,429@calls=6:retry-after=0,5xx@calls=8,"
        "truncated@calls=10,nonjson@calls=12"
    )
    patient = RetryPolicy(max_attempts=10, base=0.0, jitter=0.0)
    async with TotvsModaCatalogSource(settings_for(sandbox, retry=patient)) as source:
        skus = await read(source, Stream.PRODUCTS)

    assert sorted(s.product_code for s in skus) == list(range(1, 251))
    faults = sandbox.stats.faults
    assert set(faults) == {"expire-token", "reset", "429", "5xx", "truncated", "nonjson"}


async def place(sandbox: RunningSandbox, branch: int) -> ErpOrderKey:
    """Ponte's test order, created in the sandbox ERP in ``branch``."""
    product = next(iter(sandbox.catalog.expected_skus()))["product_code"]
    at_branch = settings_for(sandbox, orders=TotvsModaOrderDefaults(branch_code=branch))
    async with TotvsModaErpWriter(at_branch) as writer:
        code = await writer.upsert_customer(customer())
        return await writer.create_order(order(items=[item(product, 1, "10.00")]), customer(), code)


def erp_status(sandbox: RunningSandbox, key: ErpOrderKey) -> str:
    orders = sandbox.context.commerce.orders.orders
    return orders[(key.branch_code, key.order_code)].status


async def test_an_order_is_found_in_the_branch_it_was_created_in(sandbox: RunningSandbox) -> None:
    key = await place(sandbox, branch=2)

    async with TotvsModaErpWriter(settings_for(sandbox)) as writer:  # now writes to branch 1
        assert await writer.find_order(ORDER_ID) == key

    assert key.branch_code == 2


async def test_a_cancel_whose_reply_was_lost_is_done_when_sent_again(
    sandbox: RunningSandbox,
) -> None:
    key = await place(sandbox, branch=1)
    sandbox.set_faults("lost-reply@calls=1:route=orders_cancel")

    async with TotvsModaErpWriter(settings_for(sandbox)) as writer:
        with pytest.raises(ErpUnavailable):
            await writer.cancel_order(ORDER_ID, key, "customer asked")
        assert erp_status(sandbox, key) == "Canceled"

        await writer.cancel_order(ORDER_ID, key, "customer asked")  # refused by the ERP: done

    assert sandbox.stats.faults["lost-reply"] == 1


async def test_a_cancel_of_an_order_the_back_office_released_stays_refused(
    sandbox: RunningSandbox,
) -> None:
    key = await place(sandbox, branch=1)

    async with TotvsModaErpWriter(settings_for(sandbox)) as writer:
        await writer.change_order_status(ORDER_ID, key, OrderStatus.CONFIRMED)
        with pytest.raises(ErpRejected, match="cannot be canceled"):
            await writer.cancel_order(ORDER_ID, key, "customer asked")

    assert erp_status(sandbox, key) == "BillingReleased"
