"""Storefront API benchmark: GET /products, GET /products/{reference}, POST /orders under wrk.

    python3 run.py bench api [--skus 1000000] [--duration 15] [--connections 32] [--reuse]

What runs:

- a catalog of ``--skus`` SKUs (1,000,000 ≈ 97,000 products, 3 branches) synced from the TOTVS
  Moda sandbox by the real sync into a PostgreSQL database (``DATABASE_URL``'s server, else an
  embedded one), and its read model built; ``--reuse`` keeps that database
  (``ponte_bench_api_<skus>``) between runs and skips the seeding when it is complete;
- ONE API process (``ponte api``: uvicorn, uvloop, one worker) pinned to CPU 0, with its access
  log on (to /dev/null) and the catalog refresh loop on, as deployed;
- wrk pinned to CPU 1 (the other core) with ``--connections`` connections, signed in as a
  storefront user (bearer token). PostgreSQL is not pinned.

Each scenario runs ``--warmup`` seconds unmeasured, then ``--duration`` seconds measured. Figures
are printed and written to ``bench/results/api.json``. Needs ``wrk`` (Debian: ``apt-get install
wrk``) and ``taskset`` (util-linux).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench.databases import postgres_server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGETS = {
    "list": {"rps": 1200, "p99_ms": 50},
    "list-mixed": {"rps": 1200, "p99_ms": 50},
    "detail": {"rps": 2000, "p99_ms": 25},
    "orders": {"rps": 300},
}
JWT_SECRET = "bench-secret-" + "x" * 32
USER_EMAIL = "storefront@bench.example"
USER_PASSWORD = "bench password 123"
CUSTOMERS = 200


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench api", description=__doc__)
    parser.add_argument("--skus", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=15, help="measured seconds per scenario")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--reuse", action="store_true", help="keep/reuse the seeded database")
    parser.add_argument(
        "--only",
        choices=("list", "list-mixed", "detail", "orders"),
        action="append",
        help="scenarios to run",
    )
    args = parser.parse_args(argv)
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            print(f"bench api needs `{tool}` on PATH (Debian: apt-get install {tool})")
            return 2
    result = asyncio.run(run(args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "api.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print_summary(result)
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0


# --- servers and data ----------------------------------------------------------------------------


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    configured = os.environ.get("REDIS_URL")
    if configured:
        yield configured
        return
    from entrypoints.embedded import embedded_servers

    with (
        tempfile.TemporaryDirectory(prefix="ponte-bench-redis-") as folder,
        embedded_servers(Path(folder), postgres=False) as urls,
    ):
        assert urls.redis_url is not None
        yield urls.redis_url


@contextlib.asynccontextmanager
async def bench_database(admin_url: str, skus: int, *, reuse: bool) -> AsyncIterator[str]:
    from adapters.postgres.migrations import upgrade_to_head

    name = f"ponte_bench_api_{skus}" if reuse else f"ponte_bench_api_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{name}"')
        url = re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", admin_url.split("://", 1)[1], count=1)
        url = "postgresql+asyncpg://" + url
        await upgrade_to_head(url)
        yield url
    finally:
        if not reuse:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _environment(database_url: str, redis_url: str, sandbox_url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TOTVS_MODA_URL": sandbox_url,
        "TOTVS_MODA_CLIENT_ID": "ponte",
        "TOTVS_MODA_CLIENT_SECRET": "ponte-secret",
        "TOTVS_MODA_USERNAME": "ponte",
        "TOTVS_MODA_PASSWORD": "ponte",
        "TOTVS_MODA_BRANCH_CODES": "1,2,3",
        "TOTVS_MODA_PRICE_CODES": "1,2",
        "JWT_SECRET": JWT_SECRET,
        "API_PORT": str(port),
        "LOG_LEVEL": os.environ.get("X_LOG_LEVEL", "INFO"),
        # Sign-in limits are not what is measured.
        "AUTH_RATE_LIMIT_CLIENT": "100000",
        "AUTH_RATE_LIMIT_ACCOUNT": "100000",
    }


async def seed(env: dict[str, str], skus: int) -> dict[str, Any]:
    """Sync the sandbox catalog and build the read model (skipped when already complete)."""
    from application.catalog.use_cases import RefreshCatalog
    from application.sync.sync_catalog import SyncCatalog, SyncCatalogCommand
    from entrypoints.providers import make_container
    from entrypoints.settings import load_settings

    conn = await asyncpg.connect(env["DATABASE_URL"].replace("+asyncpg", ""))
    try:
        done = await conn.fetchval("SELECT count(*) FROM catalog_entries")
        dirty = await conn.fetchval("SELECT count(*) FROM catalog_dirty")
    finally:
        await conn.close()
    figures: dict[str, Any] = {"reused": bool(done) and not dirty}
    if figures["reused"]:
        return figures
    container = make_container(load_settings(env))
    try:
        async with container() as request:
            sync = await request.get(SyncCatalog)
            started = time.perf_counter()
            report = await sync(SyncCatalogCommand(full=False))
            figures["sync_seconds"] = time.perf_counter() - started
            if not report.ok:
                raise SystemExit(f"seeding sync failed: {report}")
        refresh = await container.get(RefreshCatalog)
        started = time.perf_counter()
        result = await refresh()
        figures["refresh_seconds"] = time.perf_counter() - started
        figures["refresh_products_per_s"] = result.claimed / figures["refresh_seconds"]
    finally:
        await container.close()
    return figures


async def prepare(database_url: str) -> dict[str, Any]:
    """Customers for orders, and the request mix: filters, references and SKUs in the data."""
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        await conn.execute(
            "INSERT INTO customers (id, kind, name, name_search, document, email, created_at, "
            "updated_at) SELECT gen_random_uuid(), 'individual', 'Bench ' || i, 'bench ' || i, "
            "NULL, 'bench' || i || '@bench.example', now(), now() "
            "FROM generate_series(1, $1) i ON CONFLICT DO NOTHING",
            CUSTOMERS,
        )
        customers = [
            str(r["id"])
            for r in await conn.fetch("SELECT id FROM customers WHERE email LIKE '%@bench.example'")
        ]
        references = [
            r["reference_code"]
            for r in await conn.fetch("SELECT reference_code FROM catalog_entries")
        ]
        skus = [
            r["product_code"]
            for r in await conn.fetch(
                "SELECT k.product_code FROM skus k JOIN catalog_entries e USING (reference_code) "
                "WHERE k.is_active AND NOT k.is_blocked ORDER BY random() LIMIT 50000"
            )
        ]
        classes = {
            t: [
                r["code"]
                for r in await conn.fetch(
                    "SELECT DISTINCT code FROM product_classifications WHERE type_code = $1", t
                )
            ]
            for t in (1, 2, 3)
        }
        colors = [r["code"] for r in await conn.fetch("SELECT code FROM colors")]
        sizes = [
            r["s"] for r in await conn.fetch("SELECT DISTINCT unnest(sizes) AS s FROM size_grids")
        ]
        words = [
            r["w"]
            for r in await conn.fetch(
                "SELECT DISTINCT lower(split_part(name, ' ', 1)) AS w FROM catalog_entries LIMIT 50"
            )
        ]
    finally:
        await conn.close()
    return {
        "customers": customers,
        "references": references,
        "skus": skus,
        "classes": classes,
        "colors": colors,
        "sizes": sizes,
        "words": words,
    }


def list_paths(data: dict[str, Any], *, mixed: bool, count: int = 500) -> list[str]:
    """Storefront listings, 24 a page, in stock, in one of the four sorts.

    Not ``mixed``: the typical page — a category (70 %) or brand page, 40 % of them narrowed to a
    price band. ``mixed`` adds the rarer narrowings on top: a color (30 %) or else a size (21 %),
    and a text search (10 %).
    """
    rng = random.Random(7)
    paths = []
    for _ in range(count):
        params = [("limit", "24"), ("available", "true")]
        if rng.random() < 0.7:
            params.append(("category", rng.choice(data["classes"][1])))
        else:
            params.append(("brand", rng.choice(data["classes"][2])))
        params.append(("sort", rng.choice(["name", "price", "-price", "newest"])))
        if rng.random() < 0.4:
            low = rng.choice([0, 50, 100, 150])
            params += [
                ("price_min", str(low)),
                ("price_max", str(low + rng.choice([50, 100, 200]))),
            ]
        if mixed:
            if rng.random() < 0.3:
                params.append(("color", rng.choice(data["colors"])))
            elif rng.random() < 0.3:
                params.append(("size", rng.choice(data["sizes"])))
            if rng.random() < 0.1:
                params.append(("q", rng.choice(data["words"])))
        paths.append("/products?" + "&".join(f"{k}={urllib.request.quote(v)}" for k, v in params))
    return paths


def order_bodies(data: dict[str, Any], count: int = 2000) -> list[str]:
    rng = random.Random(11)
    bodies = []
    for _ in range(count):
        items = [
            {"product_code": code, "quantity": rng.choice([1, 1, 1, 2])}
            for code in rng.sample(data["skus"], 3)
        ]
        bodies.append(json.dumps({"customer_id": rng.choice(data["customers"]), "items": items}))
    return bodies


# --- wrk ------------------------------------------------------------------------------------------

LUA = """
local requests = {}
local method = "%(method)s"
for line in io.lines("%(data)s") do requests[#requests + 1] = line end
local counter = math.random(1, #requests)
request = function()
  counter = counter %% #requests + 1
  local headers = {["Authorization"] = "Bearer %(token)s", ["Content-Type"] = "application/json"}
  if method == "POST" then
    return wrk.format("POST", "/orders", headers, requests[counter])
  end
  return wrk.format("GET", requests[counter], headers, nil)
end
"""


def run_wrk(
    url: str, method: str, lines: list[str], token: str, *, seconds: int, connections: int
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ponte-wrk-") as folder:
        data = Path(folder) / "requests.txt"
        data.write_text("\n".join(lines) + "\n")
        script = Path(folder) / "script.lua"
        script.write_text(LUA % {"method": method, "data": data, "token": token})
        command = [
            "taskset",
            "-c",
            "1",
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict[str, Any]:
    percentiles = {
        f"p{p}_ms": _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M)
    }
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    seconds = float(re.search(r"requests in ([\d.]+)s", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests": requests,
        "seconds": seconds,
        "rps": requests / seconds,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else None,
        **percentiles,
        "raw": output,
    }


# --- the run --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def _cpu_seconds(pid: int) -> float:
    """CPU time of the API process and its workers (granian serves from a child process)."""
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for process in (root, *root.children(recursive=True)):
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


async def oversold(database_url: str) -> int:
    """SKUs whose open reservations exceed what the ERP says is available (must be 0)."""
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM stock_reservations r WHERE r.reserved > 0 AND r.reserved > "
                "floor(coalesce((SELECT sum(available) FROM stock_balances b "
                "WHERE b.product_code = r.product_code), 0))"
            )
        )
    finally:
        await conn.close()


async def count_orders(database_url: str) -> int:
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM orders"))
    finally:
        await conn.close()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from sandbox.totvs_moda import SandboxCatalog, run_sandbox

    scenarios = args.only or ["list", "list-mixed", "detail", "orders"]
    result: dict[str, Any] = {
        "benchmark": "api",
        "at": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "skus": args.skus,
        "connections": args.connections,
        "duration_s": args.duration,
        "targets": TARGETS,
    }
    catalog = SandboxCatalog(skus=args.skus, seed=1, branches=(1, 2, 3), price_codes=(1, 2))
    with postgres_server() as admin_url, redis_server() as redis_url:
        async with (
            bench_database(admin_url, args.skus, reuse=args.reuse) as database_url,
            run_sandbox(catalog) as sandbox,
        ):
            port = _free_port()
            env = _environment(database_url, redis_url, sandbox.url, port)
            result["seed"] = await seed(env, args.skus)
            data = await prepare(database_url)
            result["products"] = len(data["references"])
            await _ensure_user(env)
            api = subprocess.Popen(  # noqa: ASYNC220 - the server under test, for the whole run
                ["taskset", "-c", "0", sys.executable, "-m", "entrypoints", "api"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                base = f"http://127.0.0.1:{port}"
                await asyncio.to_thread(_wait_for, f"{base}/health")
                token = _post_json(
                    f"{base}/auth/login", {"email": USER_EMAIL, "password": USER_PASSWORD}
                )["access_token"]
                inputs = {
                    "list": ("GET", list_paths(data, mixed=False)),
                    "list-mixed": ("GET", list_paths(data, mixed=True)),
                    "detail": ("GET", [f"/products/{r}" for r in data["references"]]),
                    "orders": ("POST", order_bodies(data)),
                }
                for name in scenarios:
                    method, lines = inputs[name]
                    orders_before = await count_orders(database_url)
                    await asyncio.to_thread(
                        run_wrk,
                        base,
                        method,
                        lines,
                        token,
                        seconds=args.warmup,
                        connections=args.connections,
                    )
                    orders_mid = await count_orders(database_url)
                    cpu = _cpu_seconds(api.pid)
                    figures = await asyncio.to_thread(
                        run_wrk,
                        base,
                        method,
                        lines,
                        token,
                        seconds=args.duration,
                        connections=args.connections,
                    )
                    figures["api_cpu_share"] = (_cpu_seconds(api.pid) - cpu) / figures["seconds"]
                    if name == "orders":
                        created = await count_orders(database_url) - orders_mid
                        figures["orders_created"] = created
                        figures["orders_per_s"] = created / figures["seconds"]
                        figures["orders_created_in_warmup"] = orders_mid - orders_before
                        figures["oversold_skus"] = await oversold(database_url)
                    result[name] = figures
            finally:
                api.terminate()
                api.wait(10)
    return result


async def _ensure_user(env: dict[str, str]) -> None:
    from application.accounts.errors import EmailTaken
    from application.accounts.register_user import RegisterUser, RegisterUserCommand
    from entrypoints.providers import make_container
    from entrypoints.settings import load_settings

    container = make_container(load_settings(env))
    try:
        async with container() as request:
            register = await request.get(RegisterUser)
            with contextlib.suppress(EmailTaken):
                await register(RegisterUserCommand(email=USER_EMAIL, password=USER_PASSWORD))
    finally:
        await container.close()


def print_summary(r: dict[str, Any]) -> None:
    print(
        f"\napi benchmark — {r['products']:,} products / {r['skus']:,} SKUs, "
        f"{r['connections']} connections, {r['duration_s']} s per scenario, "
        f"{r['machine']['cpus']} CPUs"
    )
    if "sync_seconds" in r["seed"]:
        s = r["seed"]
        print(
            f"seeded: sync {s['sync_seconds']:.0f} s, read model {s['refresh_seconds']:.0f} s "
            f"({s['refresh_products_per_s']:,.0f} products/s)"
        )
    labels = {
        "list": "GET /products (category page)",
        "list-mixed": "GET /products (mixed filters)",
        "detail": "GET /products/{reference}",
        "orders": "POST /orders (3 items)",
    }
    for name, label in labels.items():
        if name not in r:
            continue
        f, t = r[name], r["targets"][name]
        rate = f.get("orders_per_s", f["rps"])
        ok = rate >= t["rps"] and ("p99_ms" not in t or f.get("p99_ms", 1e9) <= t["p99_ms"])
        line = (
            f"{label:31} {rate:8,.0f}/s  p50 {f.get('p50_ms', 0):6.1f} ms  "
            f"p99 {f.get('p99_ms', 0):6.1f} ms  non-2xx {f['non_2xx']:,}  "
            f"API CPU {f['api_cpu_share']:.0%}"
        )
        target = f">= {t['rps']:,}/s" + (f", p99 <= {t['p99_ms']} ms" if "p99_ms" in t else "")
        print(f"{'ok ' if ok else 'MISS'} {line}  (target {target})")
        if name == "orders":
            print(
                f"     orders created {f['orders_created']:,} "
                f"(rejected: insufficient stock or other {f['non_2xx']:,}); "
                f"oversold SKUs: {f['oversold_skus']}"
            )
