"""What the payment ledger costs a run: compute alone, compute --commit into an empty ledger, and
the same roster and period again (everything is paid: every claim is read and left out).

    python benchmarks/bench_ledger.py [--rows 100000] [--ledger postgresql+psycopg://user@host/db]

Whole processes (`python -m swtalent compute … --json`), each timed once, on the roster that
bench_compute.py generates (benchmarks/data/roster-N.xlsx, made if missing). Without --ledger the
ledger is a new SQLite file in a temporary folder; a PostgreSQL URL must name an empty database.
A measurement, not a test: it exits 0 whatever the times, 1 only when a run fails.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_compute  # noqa: E402  (the same roster and policy)


def run(args: list[str]) -> tuple[float, dict]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "swtalent", *args, "--json"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(args)}\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ledger", help="a SQLAlchemy URL of an empty database (default: a new SQLite file)")
    a = ap.parse_args()
    roster = bench_compute.ensure_roster(a.rows, a.seed)
    with tempfile.TemporaryDirectory() as tmp:
        ledger = a.ledger or f"sqlite:///{tmp}/ledger.db"
        base = ["compute", str(roster), "--policy", str(bench_compute.POLICY), "--period", bench_compute.PERIOD,
                "--out", f"{tmp}/payments.xlsx", "--force"]
        alone, result = run(base + ["--ledger", f"sqlite:///{tmp}/never.db"])
        commit, first = run(base + ["--ledger", ledger, "--commit"])
        again, second = run(base + ["--ledger", ledger, "--commit"])
    kind = ledger.split(":", 1)[0]
    print(f"{a.rows} rows, {result['lines']} payment lines, ledger {kind}")
    print(f"compute alone              {alone:6.2f} s  total {result['total']}")
    print(f"compute --commit (empty)   {commit:6.2f} s  batch {first['batch']}")
    print(f"again (all paid, no batch) {again:6.2f} s  total {second['total']}, batch {second['batch']}")


if __name__ == "__main__":
    main()
