"""How far `swtalent compute` and `check` are from a bare read (and write) of the same roster.

    python benchmarks/bench_compute.py [--rows 10000,100000[,1000000]] [--repeat 3] [--seed 1]
                                       [--reader fastexcel|calamine] [--writer rustpy|xlsxwriter]
    python benchmarks/bench_compute.py --rows 100000 --profile
    python benchmarks/bench_compute.py --rows 100000,1000000 --rules --repeat 5

Generates benchmarks/data/roster-N.xlsx for each size if missing (see make_roster.py; 1,000,000
rows take some minutes), then times whole processes, each the median of --repeat runs, all of
them taking turns in every round:

- floor: a small Python process that reads every cell of the roster into a DataFrame and writes
  the same values back as one sheet of the same size. It does no work but the I/O that any
  program reading this roster and writing a sheet that size must do, so it is the yardstick, and
  only while its reader and writer are at least as fast as swtalent's own. --reader: fastexcel
  (calamine to Arrow to a polars DataFrame; the fastest reader we know, the default, and what
  swtalent itself reads an .xlsx with) or python-calamine (Python values).
  --writer: rustpy-xlsxwriter (Rust's rust_xlsxwriter, which swtalent writes with) given the
  whole frame, the default, or Python's xlsxwriter in constant_memory mode, cell by cell;
- read: the floor's read alone, the yardstick of a run that writes no workbook;
- compute: `python -m swtalent compute ROSTER --policy policies/chuzhou.yaml --period 2023
  --out OUT.xlsx --force --json`; csv: the same with --out OUT.csv; check: `swtalent check
  ROSTER --policy ... --period 2023 --json`.

Targets (issue 16): compute <= 1.5 x floor; csv and check <= 1.5 x read; compute's peak memory
<= 2 GiB at 1,000,000 rows. The peak RSS of each child comes from os.wait4, which returns that one
child's rusage. After the table, one in-process run per size says where compute's time goes:
read (the parse, on its threads, and the header), normalise (columns typed), check (every row
check), rules (engine.compute), write .xlsx and write .csv. This is a measurement, not a test: it
exits 0 whatever the ratios, and 1 only when a child process fails.

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
TARGET_RATIO = 1.5  # issue 16: compute / floor, and csv and check / the bare read
TARGET_MIB = 2048  # issue 16: peak memory of compute at 1,000,000 rows
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

def run(cmd: list[str], stdout: Path, ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Run one child process to the end; (wall seconds, peak RSS in MiB). Exits if it fails (an exit
    code outside `ok`: `check` exits 1 when the roster has errors, as the generated one does)."""
    with stdout.open("wb") as fh:  # a file, not a pipe: nobody reads the (large) JSON while it runs
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=fh)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        sys.exit(f"failed with exit code {proc.returncode}: {' '.join(cmd)}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports KiB


def ensure_roster(rows: int, seed: int) -> Path:
    path = DATA / f"roster-{rows}.xlsx"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.relative_to(REPO)} ({rows} rows, seed {seed}) ...", flush=True)
        make_roster.write(path, rows, seed)
    return path


def bench(roster: Path, rows: int, repeat: int, reader: str, writer: str) -> dict:
    """Every process in turn, `repeat` rounds: the floor, the bare read, and swtalent's compute to
    .xlsx, compute to .csv and check. Returns the medians and the compute's JSON summary."""
    me = [sys.executable, str(Path(__file__).resolve()), "--reader", reader, "--writer", writer]
    swtalent = [sys.executable, "-m", "swtalent"]
    policy = ["--policy", str(POLICY), "--period", PERIOD]
    compute_json = DATA / f"compute-{rows}.json"
    procs = {
        "floor": (me + ["--floor", str(roster), str(DATA / f"floor-{rows}.xlsx")], DATA / "floor.log", (0,)),
        "read": (me + ["--read", str(roster)], DATA / "read.log", (0,)),
        "compute": (swtalent + ["compute", str(roster), *policy, "--out", str(DATA / f"payments-{rows}.xlsx"),
                                "--force", "--json"], compute_json, (0,)),
        "csv": (swtalent + ["compute", str(roster), *policy, "--out", str(DATA / f"payments-{rows}.csv"),
                            "--force", "--json"], DATA / "csv.json", (0,)),
        "check": (swtalent + ["check", str(roster), *policy, "--json"], DATA / "check.json", (0, 1)),
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in procs}
    for i in range(repeat):  # take turns, so that a slow spell of the machine hits all alike
        for name, (cmd, out, ok) in procs.items():
            times[name].append(run(cmd, out, ok))
        print(f"{rows:,} rows, run {i + 1}/{repeat}: " + ", ".join(f"{n} {t[-1][0]:.2f} s" for n, t in times.items()),
              flush=True)
    median = {name: statistics.median(s for s, _ in t) for name, t in times.items()}
    peak = {name: max(m for _, m in t) for name, t in times.items()}
    return {"rows": rows, "median": median, "peak": peak, "result": json.loads(compute_json.read_text(encoding="utf-8"))}


def report(results: list[dict], repeat: int, reader: str, writer: str) -> None:
    print()
    print(f"median of {repeat} runs; floor: {reader} -> {writer}; read: {reader} alone; "
          f"swtalent from {Path(importlib.util.find_spec('swtalent').origin).parent}")
    head = ["rows", "floor s", "compute s", "ratio", "read s", "csv s", "ratio", "check s", "ratio",
            "floor MiB", "compute MiB"]
    table = [head]
    for r in results:
        m, p = r["median"], r["peak"]

        def ratio(a: str, b: str, target: float) -> str:
            return f"{m[a] / m[b]:.2f}{'' if m[a] / m[b] <= target else ' !'}"
        table.append([f"{r['rows']:,}", f"{m['floor']:.2f}", f"{m['compute']:.2f}", ratio("compute", "floor", TARGET_RATIO),
                      f"{m['read']:.2f}", f"{m['csv']:.2f}", ratio("csv", "read", TARGET_RATIO),
                      f"{m['check']:.2f}", ratio("check", "read", TARGET_RATIO), f"{p['floor']:.0f}", f"{p['compute']:.0f}"])
    widths = [max(len(row[j]) for row in table) for j in range(len(head))]
    for row in table:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths)))
    print(f"ratios: compute / floor, csv / read, check / read; '!' marks one above the target {TARGET_RATIO}; "
          f"peak memory target at 1,000,000 rows: {TARGET_MIB:,} MiB")
    for r in results:
        res = r["result"]
        print(f"{r['rows']:,} rows: rows_in={res['rows_in']} rows_paid={res['rows_paid']} "
              f"rows_ineligible={res['rows_ineligible']} rows_with_errors={res['rows_with_errors']} "
              f"lines={res['lines']} total={res['total']} problems={len(res['problems'])}")


def stages(roster: Path, rows: int) -> dict[str, float]:
    """Where compute's time goes, once, in this process: wall seconds of each stage of the CLI's
    work for `compute --out X.xlsx` (and of writing the .csv instead). The read is the parse on
    its threads and the header found; normalise types the columns; check is every row check."""
    from swtalent.api import _policy_and_warnings
    from swtalent.engine import compute
    from swtalent.periods import Period
    from swtalent.reports.files import write_outputs
    from swtalent.reports.sheets import RunInfo
    from swtalent.roster import normalise as norm
    from swtalent.roster.needs import RosterNeeds
    from swtalent.roster.reader import read_sheet
    from swtalent.roster.source import PendingSheet

    clock: dict[str, float] = {}
    t = time.perf_counter()
    pending = PendingSheet(roster, None, max_rows=10**8)
    policy, _ = _policy_and_warnings(POLICY)
    period = Period.parse(PERIOD)
    needs = RosterNeeds.of(policy, period)
    pending.result()
    raw = read_sheet(pending, required=needs.required, aliases=dict(needs.aliases), watched=needs.watched,
                     declared=needs.specs())
    clock["read"] = time.perf_counter() - t
    init = norm._Checker.__init__

    def timed_init(self, *a, **k):
        t0 = time.perf_counter()
        init(self, *a, **k)
        clock["normalise"] = time.perf_counter() - t0
    norm._Checker.__init__ = timed_init
    t = time.perf_counter()
    try:
        ros = norm.normalise(raw, needs)
    finally:
        norm._Checker.__init__ = init
    clock["check"] = time.perf_counter() - t - clock["normalise"]
    t = time.perf_counter()
    comp = compute(policy, ros, period)
    clock["rules"] = time.perf_counter() - t
    for kind in ("xlsx", "csv"):
        t = time.perf_counter()
        write_outputs(comp, [DATA / f"payments-{rows}-stages.{kind}"], "zh", RunInfo(policy_file=str(POLICY)))
        clock[f"write .{kind}"] = time.perf_counter() - t
    return clock


def print_stages(rows: int, clock: dict[str, float]) -> None:
    print(f"{rows:,} rows, in one process (s): " + ", ".join(f"{k} {v:.2f}" for k, v in clock.items()))


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
    ap.add_argument("--rows", default="10000,100000", help="roster data rows, one size or several separated by "
                                                          "commas (default 10000,100000; add 1000000 for issue 16's size)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each process; the median counts (default 3)")
    ap.add_argument("--seed", type=int, default=1, help="seed for a roster that must be generated (default 1)")
    ap.add_argument("--reader", choices=READERS, default="fastexcel", help="the floor's reader (default fastexcel)")
    ap.add_argument("--writer", choices=WRITERS, default="rustpy", help="the floor's writer (default rustpy)")
    ap.add_argument("--profile", action="store_true", help="profile one in-process compute instead of timing")
    ap.add_argument("--rules", action="store_true", help="time the rule step alone (engine.compute), best of --repeat")
    ap.add_argument("--floor", nargs=2, type=Path, metavar=("ROSTER", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--read", type=Path, metavar="ROSTER", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.floor:
        floor(*args.floor, args.reader, args.writer)
        return
    if args.read:
        read_roster(args.read, args.reader)
        return
    sizes = [int(n.replace("_", "")) for n in args.rows.split(",")]
    rosters = [ensure_roster(n, args.seed) for n in sizes]
    if args.profile:
        profile(rosters[-1], sizes[-1])
    elif args.rules:
        for roster in rosters:
            rules_only(roster, args.repeat)
    else:
        results = [bench(roster, n, args.repeat, args.reader, args.writer) for roster, n in zip(rosters, sizes)]
        report(results, args.repeat, args.reader, args.writer)
        print()
        for roster, n in zip(rosters, sizes):
            print_stages(n, stages(roster, n))


if __name__ == "__main__":
    main()
