"""How far `swtalent compute` is from a bare read-and-write of the same roster.

    python benchmarks/bench_compute.py [--rows 100000] [--repeat 3] [--seed 1]
                                       [--reader fastexcel|calamine] [--writer rustpy|xlsxwriter]
    python benchmarks/bench_compute.py --rows 100000 --profile
    python benchmarks/bench_compute.py --rules --rows 1000000 --repeat 5

Generates benchmarks/data/roster-N.xlsx if missing (see make_roster.py), then times whole
processes, each the median of --repeat runs, the two kinds taking turns:

- the floor: a small Python process that reads every cell of the roster into a DataFrame and
  writes the same values back as one sheet of the same size. It does no work but the I/O
  that any program reading this roster and writing a sheet that size must do, so it is the
  yardstick, and only while its reader and writer are at least as fast as swtalent's own.
  --reader: fastexcel (calamine to Arrow to a polars DataFrame; the fastest reader we know,
  the default when fastexcel and polars are installed: the bench extra) or python-calamine
  (Python values, which swtalent reads with: it keeps each cell's type, so an ID typed as a
  number is seen as one, where fastexcel turns it into 18 plausible digits). --writer:
  rustpy-xlsxwriter (Rust's rust_xlsxwriter, which swtalent writes with) given the whole
  frame, the default, or Python's xlsxwriter in constant_memory mode, cell by cell;
- `python -m swtalent compute ROSTER --policy policies/chuzhou.yaml --period 2023
  --out OUT.xlsx --force --json`.

The target is compute <= 2.0 x floor. The peak RSS of each child comes from os.wait4, which
returns that one child's rusage (RUSAGE_CHILDREN only gives the largest child so far, so it
cannot be split between runs). This is a measurement, not a test: it exits 0 whatever the
ratio, and 1 only when a child process fails.

--rules times the rule step alone instead (engine.compute, the policy and the roster already in
memory; issue 16 asks >= 2M rows/s at 1,000,000 rows): best of --repeat, wall clock and CPU time.
`--rules --rows 1000000` generates benchmarks/data/roster-1000000.xlsx first if it is missing (about
two minutes), and reads it once (about a minute) before timing.

--profile skips the timing and runs the same work once in this process under cProfile,
printing the 25 entries with the most cumulative time, then the same for swtalent's own
functions alone.
"""
from __future__ import annotations

import argparse
import cProfile
import importlib.util
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

import make_roster

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
POLICY = REPO / "policies" / "chuzhou.yaml"
PERIOD = "2023"
TARGET_RATIO = 2.0
READERS = ("fastexcel", "calamine")
WRITERS = ("rustpy", "xlsxwriter")


# --- the floor, run as a child process of this script (--floor ROSTER OUT) ----------------

def read_roster(path: Path, reader: str):
    """The roster's first sheet as a DataFrame: the header row names the columns."""
    if reader == "fastexcel":  # to polars, not pandas: pandas would need pyarrow, which slows swtalent
        import fastexcel

        return fastexcel.read_excel(path).load_sheet(0, header_row=make_roster.HEADER_ROW).to_polars()
    import pandas as pd
    import python_calamine

    cells = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return pd.DataFrame(cells[make_roster.HEADER_ROW + 1:], columns=cells[make_roster.HEADER_ROW], dtype=object)


def write_xlsxwriter(frame, out: Path) -> None:
    """Cell by cell, row by row, with the options swtalent used with this writer."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(out), {"constant_memory": True, "default_date_format": "yyyy-mm-dd",
                                          "strings_to_numbers": False, "strings_to_formulas": False,
                                          "strings_to_urls": False})
    ws = book.add_worksheet()
    ws.write_row(0, 0, [str(c) for c in frame.columns])
    columns = [list(frame[c]) for c in frame.columns]  # None (missing) is skipped as a blank cell
    for r, row in enumerate(zip(*columns), start=1):
        ws.write_row(r, 0, row)
    book.close()


def write_rustpy(frame, out: Path) -> None:
    """The whole DataFrame in one call; rust_xlsxwriter writes in constant memory."""
    from rustpy_xlsxwriter import FastExcel

    book = FastExcel(str(out))
    book.sheet("floor", frame)
    book.save()


def floor(roster: Path, out: Path, reader: str, writer: str) -> None:
    frame = read_roster(roster, reader)
    (write_rustpy if writer == "rustpy" else write_xlsxwriter)(frame, out)


# --- timing ------------------------------------------------------------------------------

def run(cmd: list[str], stdout: Path) -> tuple[float, float]:
    """Run one child process to the end; (wall seconds, peak RSS in MiB). Exits if it fails."""
    with stdout.open("wb") as fh:  # a file, not a pipe: nobody reads the (large) JSON while it runs
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=fh)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"failed with exit code {proc.returncode}: {' '.join(cmd)}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports KiB


def ensure_roster(rows: int, seed: int) -> Path:
    path = DATA / f"roster-{rows}.xlsx"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.relative_to(REPO)} ({rows} rows, seed {seed}) ...", flush=True)
        make_roster.write(path, rows, seed)
    return path


def bench(roster: Path, rows: int, repeat: int, reader: str, writer: str) -> None:
    floor_out, floor_log = DATA / f"floor-{rows}.xlsx", DATA / f"floor-{rows}.log"
    compute_out, compute_json = DATA / f"payments-{rows}.xlsx", DATA / f"compute-{rows}.json"
    floor_cmd = [sys.executable, str(Path(__file__).resolve()), "--reader", reader, "--writer", writer,
                 "--floor", str(roster), str(floor_out)]
    compute_cmd = [sys.executable, "-m", "swtalent", "compute", str(roster), "--policy", str(POLICY),
                   "--period", PERIOD, "--out", str(compute_out), "--force", "--json"]
    floors, computes = [], []
    for i in range(repeat):  # take turns, so that a slow spell of the machine hits both alike
        floors.append(run(floor_cmd, floor_log))
        computes.append(run(compute_cmd, compute_json))
        print(f"run {i + 1}/{repeat}: floor {floors[-1][0]:.2f} s, compute {computes[-1][0]:.2f} s", flush=True)

    floor_s = statistics.median(s for s, _ in floors)
    compute_s = statistics.median(s for s, _ in computes)
    ratio = compute_s / floor_s
    result = json.loads(compute_json.read_text(encoding="utf-8"))

    print()
    print(f"roster {roster.relative_to(REPO)}, {len(make_roster.HEADERS)} columns; median of {repeat} runs; "
          f"floor: {reader} -> {writer}; swtalent from {Path(importlib.util.find_spec('swtalent').origin).parent}")
    head = ["rows", "floor s", "compute s", "ratio", "target", "floor RSS MiB", "compute RSS MiB"]
    cells = [str(rows), f"{floor_s:.2f}", f"{compute_s:.2f}", f"{ratio:.2f}",
             f"<= {TARGET_RATIO} {'met' if ratio <= TARGET_RATIO else 'MISSED'}",
             f"{max(m for _, m in floors):.0f}", f"{max(m for _, m in computes):.0f}"]
    widths = [max(len(h), len(c)) for h, c in zip(head, cells)]
    print("  ".join(h.rjust(w) for h, w in zip(head, widths)))
    print("  ".join(c.rjust(w) for c, w in zip(cells, widths)))
    print(f"compute JSON: rows_in={result['rows_in']} rows_paid={result['rows_paid']} "
          f"rows_ineligible={result['rows_ineligible']} rows_with_errors={result['rows_with_errors']} "
          f"lines={result['lines']} total={result['total']} problems={len(result['problems'])}")


# --- profile -----------------------------------------------------------------------------

def profile(roster: Path, rows: int) -> None:
    """The CLI's work for `compute --out X.xlsx --json`, once, in this process, under cProfile."""
    from swtalent.api import run_compute
    from swtalent.periods import Period
    from swtalent.reports.files import write_outputs
    from swtalent.reports.sheets import RunInfo
    from swtalent.reports.summary import summary

    out = DATA / f"payments-{rows}-profile.xlsx"
    profiler = cProfile.Profile()
    profiler.enable()
    comp = run_compute(roster, POLICY, Period.parse(PERIOD))
    write_outputs(comp, [out], "zh", RunInfo(policy_file=str(POLICY)))
    json.dumps(summary(comp, "zh"), ensure_ascii=False, indent=1)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(25)
    print("swtalent's own functions only:")
    stats.print_stats(r"swtalent[/\\]", 25)


def rules_only(roster: Path, repeat: int) -> None:
    """The rule step alone (engine.compute, policy and roster already in memory): best of `repeat`."""
    from swtalent.engine import compute
    from swtalent.periods import Period
    from swtalent.policy import load_policy
    from swtalent.roster.load import load_roster
    from swtalent.roster.source import PendingSheet

    policy, period = load_policy(POLICY), Period.parse(PERIOD)
    start = time.perf_counter()
    roster_cols = load_roster(PendingSheet(roster, None, max_rows=10**8), policy, period=period)
    print(f"roster read in {time.perf_counter() - start:.1f} s (not timed below)", flush=True)
    best = best_cpu = float("inf")
    for _ in range(max(repeat, 1)):
        start, cpu = time.perf_counter(), time.process_time()
        comp = compute(policy, roster_cols, period)
        best, best_cpu = min(best, time.perf_counter() - start), min(best_cpu, time.process_time() - cpu)
        del comp  # not kept while the next run is timed
    rows = len(roster_cols.frame)
    # CPU time as well: on a machine shared with others, the wall clock also counts their work.
    print(f"engine.compute: {best:.3f} s for {rows} rows (best of {max(repeat, 1)}), {rows / best / 1e6:.2f}M rows/s; "
          f"CPU {best_cpu:.3f} s, {rows / best_cpu / 1e6:.2f}M rows/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000, help="roster data rows (default 100000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each process; the median counts (default 3)")
    ap.add_argument("--seed", type=int, default=1, help="seed for a roster that must be generated (default 1)")
    ap.add_argument("--reader", choices=READERS, help="the floor's reader (default fastexcel when the bench "
                                                      "extra is installed, else calamine)")
    ap.add_argument("--writer", choices=WRITERS, default="rustpy", help="the floor's writer (default rustpy)")
    ap.add_argument("--profile", action="store_true", help="profile one in-process compute instead of timing")
    ap.add_argument("--rules", action="store_true", help="time the rule step alone (engine.compute), best of --repeat")
    ap.add_argument("--floor", nargs=2, type=Path, metavar=("ROSTER", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    has_fastexcel = all(importlib.util.find_spec(m) for m in ("fastexcel", "polars"))
    if args.reader is None:
        args.reader = "fastexcel" if has_fastexcel else "calamine"
    elif args.reader == "fastexcel" and not has_fastexcel:
        ap.error("--reader fastexcel needs fastexcel and polars (pip install -e '.[bench]'), or use --reader calamine")
    if args.floor:
        floor(*args.floor, args.reader, args.writer)
        return
    roster = ensure_roster(args.rows, args.seed)
    if args.profile:
        profile(roster, args.rows)
    elif args.rules:
        rules_only(roster, args.repeat)
    else:
        bench(roster, args.rows, args.repeat, args.reader, args.writer)


if __name__ == "__main__":
    main()
