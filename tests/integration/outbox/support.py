"""Shop setup and sandbox inspection shared by the write-back tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import aiohttp
import asyncpg

from application.customers.data import CustomerData
from application.customers.register_customer import RegisterCustomer
from application.orders.items import ItemRequest
from application.orders.place_order import PlaceOrder, PlaceOrderCommand
from domain.customers import CustomerKind
from sandbox.totvs_moda.documents import make_cpf
from tests.integration.conftest import SyncEnv
from tests.integration.entrypoints import order_seeds as seed

#: SKU codes the sandbox catalog has (it seeds codes 1…n), stocked generously in the mirror.
SKU_CODES = range(1, 41)


async def stock_the_mirror(conn: asyncpg.Connection, units: int = 100_000) -> None:
    """Sellable SKUs whose codes the sandbox ERP knows, with ``units`` each."""
    for reference in ("W-1", "W-2"):
        await seed.product(conn, reference, section="S1")
    for code in SKU_CODES:
        await seed.sku(conn, code, "W-1" if code % 2 else "W-2", price="19.90", stock=(str(units),))


async def register_customers(env: SyncEnv, count: int) -> list[UUID]:
    ids = []
    for n in range(count):
        async with env.container() as request:
            register = await request.get(RegisterCustomer)
            customer = await register(
                CustomerData(
                    kind=CustomerKind.INDIVIDUAL,
                    name=f"Cliente {n}",
                    document=make_cpf(900_000 + n),
                    email=f"cliente{n}@example.com",
                )
            )
        ids.append(customer.id)
    return ids


async def place_orders(env: SyncEnv, customers: list[UUID], count: int) -> list[UUID]:
    """``count`` orders of one or two SKUs, spread over ``customers``."""
    ids = []
    codes = list(SKU_CODES)
    for n in range(count):
        items = [ItemRequest(codes[n % len(codes)], 1 + n % 3)]
        if n % 4 == 0:
            items.append(ItemRequest(codes[(n + 7) % len(codes)], 1))
        async with env.container() as request:
            place = await request.get(PlaceOrder)
            order = await place(
                PlaceOrderCommand(
                    customer_id=customers[n % len(customers)],
                    items=tuple(items),
                    freight=Decimal("9.90") if n % 5 == 0 else None,
                )
            )
        ids.append(order.id)
    return ids


async def sandbox_writes(sandbox_url: str) -> list[dict[str, Any]]:
    """Every write the sandbox ERP accepted, oldest first."""
    writes: list[dict[str, Any]] = []
    after = 0
    async with aiohttp.ClientSession() as http:
        while True:
            async with http.get(
                f"{sandbox_url}/_sandbox/writes", params={"after": after, "limit": 5000}
            ) as response:
                assert response.status == 200
                page = await response.json()
            writes += page["items"]
            if not page["hasNext"] or not page["items"]:
                return writes
            after = page["items"][-1]["seq"]


async def set_faults(sandbox_url: str, spec: str | None) -> None:
    async with aiohttp.ClientSession() as http:
        if spec is None:
            async with http.delete(f"{sandbox_url}/_sandbox/faults") as response:
                assert response.status in (200, 204)
        else:
            async with http.put(f"{sandbox_url}/_sandbox/faults", json={"spec": spec}) as response:
                assert response.status == 200, await response.text()
