"""What the payment ledger costs a run: compute alone, compute --commit into an empty ledger, and
the same roster and period again (everything is paid: every claim is read and left out).

    python benchmarks/bench_ledger.py [--rows 100000] [--ledger postgresql+psycopg://user@host/db]

Whole processes (`python -m swtalent compute … --json`), each timed once with its peak memory, on
the roster that bench_compute.py generates (benchmarks/data/roster-N.xlsx, made if missing).
Without --ledger the ledger is a new SQLite file in a temporary folder; a PostgreSQL URL must name
an empty database. A measurement, not a test: it exits 0 whatever the times, 1 only when a run fails.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_compute  # noqa: E402  (the same roster and policy)


def run(args: list[str], tmp: str) -> tuple[float, float, dict]:
    """(wall seconds, peak memory in MiB, the JSON summary) of one whole process."""
    out = Path(tmp) / "summary.json"
    seconds, peak = bench_compute.run([sys.executable, "-m", "swtalent", *args, "--json"], out)
    return seconds, peak, json.loads(out.read_text(encoding="utf-8"))


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
        alone, alone_mib, result = run(base + ["--ledger", f"sqlite:///{tmp}/never.db"], tmp)
        commit, commit_mib, first = run(base + ["--ledger", ledger, "--commit"], tmp)
        again, again_mib, second = run(base + ["--ledger", ledger, "--commit"], tmp)
    kind = ledger.split(":", 1)[0]
    print(f"{a.rows} rows, {result['lines']} payment lines, ledger {kind}; peak memory target "
          f"{bench_compute.TARGET_MIB:,} MiB at 1,000,000 rows")
    print(f"compute alone              {alone:6.2f} s  {alone_mib:6,.0f} MiB  total {result['total']}")
    print(f"compute --commit (empty)   {commit:6.2f} s  {commit_mib:6,.0f} MiB  batch {first['batch']}")
    print(f"again (all paid, no batch) {again:6.2f} s  {again_mib:6,.0f} MiB  total {second['total']}, "
          f"batch {second['batch']}")


if __name__ == "__main__":
    main()
