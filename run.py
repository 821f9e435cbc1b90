#!/usr/bin/env python3
"""One entry point that works on a machine with only Python >= 3.11.

    python3 run.py dev        # run Ponte: embedded PostgreSQL + Redis + ERP sandbox, API, worker
    python3 run.py test       # run the test suite (unit + integration)
    python3 run.py lint       # ruff, mypy --strict, import-linter layer contracts
    python3 run.py bench ...  # benchmarks (see bench/README.md)
    python3 run.py ARGS...    # any `ponte` command, e.g. `python3 run.py sync all --full`

The first call creates `.venv/`, installs uv into it and installs the locked dependencies
(`uv sync --frozen`); later calls reuse it until `uv.lock` changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
UV_VERSION = "0.13.9"


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py may be started by any python3
        sys.exit(f"Ponte needs Python >= 3.11; this is {sys.version.split()[0]}")
    ensure_environment()
    compile_sources()
    command, *rest = argv or ["--help"]
    if command == "test":
        return run([str(BIN / "python"), "-m", "pytest", *rest])
    if command == "lint":
        return lint()
    if command == "bench":
        return run([str(BIN / "python"), "-m", "bench", *rest])
    return run([str(BIN / "ponte"), command, *rest])


def ensure_environment() -> None:
    lock = (ROOT / "uv.lock").read_bytes() + (ROOT / "pyproject.toml").read_bytes()
    stamp = hashlib.sha256(lock).hexdigest()
    marker = VENV / ".ponte-synced"
    if marker.exists() and marker.read_text() == stamp:
        return
    if not (BIN / "python").exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    uv = BIN / "uv"
    if not uv.exists():
        check([str(BIN / "python"), "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}"])
    print("installing locked dependencies …", flush=True)
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(VENV)}
    # Bytecode is compiled once here: with PYTHONDONTWRITEBYTECODE set, every process would
    # otherwise recompile every module it imports (seconds per start).
    check([str(uv), "sync", "--frozen", "--quiet", "--compile-bytecode"], env=env)
    marker.write_text(stamp)


def compile_sources() -> None:
    """Byte-compile Ponte's own code (quick when nothing changed)."""
    folders = [str(ROOT / name) for name in ("src", "tests", "bench", "migrations")]
    run([str(BIN / "python"), "-m", "compileall", "-q", *folders])


def lint() -> int:
    steps = [
        [str(BIN / "ruff"), "check", "src", "tests", "bench", "migrations", "run.py"],
        [str(BIN / "ruff"), "format", "--check", "src", "tests", "bench", "migrations", "run.py"],
        [str(BIN / "mypy")],
        [str(BIN / "lint-imports")],
    ]
    failed = [step[0].rsplit("/", 1)[-1] for step in steps if run(step) != 0]
    if failed:
        print(f"lint failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def run(args: list[str], env: dict[str, str] | None = None) -> int:
    """Run and wait. Ctrl-C reaches the child too (same process group); keep waiting while it
    shuts down instead of killing it (which `subprocess.call` would do)."""
    child = subprocess.Popen(args, cwd=ROOT, env=env)  # noqa: S603 - our own tools
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:
            continue


def check(args: list[str], env: dict[str, str] | None = None) -> None:
    code = run(args, env)
    if code != 0:
        sys.exit(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
