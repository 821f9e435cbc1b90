"""`python -m bench <name>`: run a benchmark; each prints its figures and writes JSON."""

from __future__ import annotations

import sys

BENCHMARKS = {
    "sync": "bench.sync_bench",
    "api": "bench.api_bench",
    "outbox": "bench.outbox_bench",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in BENCHMARKS:
        print(f"usage: python -m bench {{{'|'.join(BENCHMARKS)}}} [options]", file=sys.stderr)
        return 2
    module = __import__(BENCHMARKS[argv[0]], fromlist=["main"])
    result: int = module.main(argv[1:])
    return result


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
