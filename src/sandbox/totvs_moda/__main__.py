"""``python -m sandbox.totvs_moda [--skus N] [--seed S] [--faults SPEC] [--port P]``."""

from __future__ import annotations

import argparse

from sandbox.totvs_moda.faults import FaultPlan, FaultSpecError
from sandbox.totvs_moda.server import DEFAULT_PORT, SandboxSettings, serve_forever


def _codes(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.totvs_moda")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--skus", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faults", default=None, help="fault spec, see sandbox.totvs_moda.faults")
    parser.add_argument("--branches", type=_codes, default=(1,))
    parser.add_argument("--stock-codes", type=_codes, default=(1,))
    parser.add_argument("--price-codes", type=_codes, default=(1, 2))
    parser.add_argument("--cost-codes", type=_codes, default=(1,))
    parser.add_argument("--token-ttl", type=float, default=86_400)
    args = parser.parse_args(argv)
    if args.faults:
        try:
            FaultPlan.parse(args.faults)
        except FaultSpecError as e:
            parser.error(str(e))
    serve_forever(
        args.host,
        args.port,
        args.skus,
        args.seed,
        args.faults,
        branches=args.branches,
        stock_codes=args.stock_codes,
        price_codes=args.price_codes,
        cost_codes=args.cost_codes,
        settings=SandboxSettings(token_ttl=args.token_ttl),
    )


if __name__ == "__main__":
    main()
