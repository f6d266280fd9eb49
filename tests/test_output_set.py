"""A run's outputs are one set: a user finds the old set or the new one, never a mix of two runs,
whatever stops the run (a kill at each stage and between the renames, Ctrl-C, a failed rename, a
second run at the same time); an existing output is replaced only with --force."""
from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import swtalent.reports.outputset as outputset

from .conftest import CHUZHOU, EXAMPLE
from .test_cli import invoke


def compute_args(out: Path, period: str = "2023") -> list[str]:
    return ["compute", str(EXAMPLE), "--policy", str(CHUZHOU), "--period", period,
            "--out", str(out / "p.xlsx"), "--out", str(out / "p.csv")]


def start(args: list[str], pause: str = "", seconds: float = 60) -> subprocess.Popen:
    env = {**os.environ, "SWTALENT_TEST_PAUSE": pause, "SWTALENT_TEST_PAUSE_SECONDS": str(seconds)}
    return subprocess.Popen([sys.executable, "-m", "swtalent.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def wait_for_pause(proc: subprocess.Popen, point: str) -> None:
    line = proc.stderr.readline()
    assert line.strip() == f"paused at {point}", line + proc.stderr.read()


def set_of(out: Path) -> tuple[str, str] | None:
    """(period of the workbook, period implied by the CSV) — equal when the files are one run's."""
    if not (out / "p.xlsx").exists():
        return None
    summary = openpyxl.load_workbook(out / "p.xlsx", read_only=True)["汇总"]
    label = next(str(r[1]) for r in summary.iter_rows(values_only=True) if r[0] == "期间")
    with (out / "p.csv").open(encoding="utf-8") as fh:
        total = sum(Decimal(r["amount"]) for r in csv.DictReader(fh))
    return LABELS[label], TOTALS[total]


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


TOTALS: dict[Decimal, str] = {}  # the CSV's total -> the period of the run that wrote it
LABELS: dict[str, str] = {}  # the workbook's period label -> the period


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    """The example's outputs for two periods, as two known sets."""
    out = {}
    for period in ("2023", "2023-06"):
        folder = tmp_path_factory.mktemp(period)
        assert invoke(*compute_args(folder, period)).exit_code == 0
        with (folder / "p.csv").open(encoding="utf-8") as fh:
            TOTALS[sum(Decimal(r["amount"]) for r in csv.DictReader(fh))] = period
        summary = openpyxl.load_workbook(folder / "p.xlsx", read_only=True)["汇总"]
        LABELS[next(str(r[1]) for r in summary.iter_rows(values_only=True) if r[0] == "期间")] = period
        out[period] = folder
    return out


def test_an_existing_output_is_replaced_only_with_force(tmp_path, sets):
    first = invoke(*compute_args(tmp_path, "2023-06"))
    assert first.exit_code == 0
    signed = (tmp_path / "p.xlsx").read_bytes()
    again = invoke(*compute_args(tmp_path, "2023"))
    assert again.exit_code == 2 and "--force" in again.stderr and "p.xlsx" in again.stderr
    assert (tmp_path / "p.xlsx").read_bytes() == signed
    assert invoke(*compute_args(tmp_path, "2023"), "--force").exit_code == 0
    assert set_of(tmp_path) == ("2023", "2023") and leftovers(tmp_path) == []


@pytest.mark.parametrize("stage", ["read", "compute", "write", "written"])
def test_a_kill_at_any_stage_leaves_the_old_set_and_the_next_run_clears_its_files(tmp_path, sets, stage):
    assert invoke(*compute_args(tmp_path, "2023-06")).exit_code == 0
    proc = start(compute_args(tmp_path, "2023") + ["--force"], pause=stage)
    wait_for_pause(proc, stage)
    proc.kill()
    proc.wait()
    assert set_of(tmp_path) == ("2023-06", "2023-06")
    assert invoke(*compute_args(tmp_path, "2023"), "--force").exit_code == 0
    assert set_of(tmp_path) == ("2023", "2023") and leftovers(tmp_path) == []


def test_a_kill_between_the_renames_is_finished_by_the_next_run(tmp_path, sets):
    assert invoke(*compute_args(tmp_path, "2023-06")).exit_code == 0
    proc = start(compute_args(tmp_path, "2023") + ["--force"], pause="between-renames")
    wait_for_pause(proc, "between-renames")
    proc.kill()  # SIGKILL cannot be held back: one file is new, the other old, and a journal says so
    proc.wait()
    assert any(name.startswith(outputset.JOURNAL_PREFIX) for name in leftovers(tmp_path))
    # Any later run naming these files (even one refused for want of --force) finishes the set first.
    assert invoke(*compute_args(tmp_path, "2023-06")).exit_code == 2
    assert set_of(tmp_path) == ("2023", "2023") and leftovers(tmp_path) == []


def test_ctrl_c_or_kill_during_the_renames_waits_until_the_set_is_whole(tmp_path, sets):
    assert invoke(*compute_args(tmp_path, "2023-06")).exit_code == 0
    proc = start(compute_args(tmp_path, "2023") + ["--force"], pause="between-renames", seconds=1)
    wait_for_pause(proc, "between-renames")
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGTERM  # it still ends as killed, once the set is in place
    assert set_of(tmp_path) == ("2023", "2023") and leftovers(tmp_path) == []


def test_ctrl_c_says_nothing_was_written(tmp_path, sets):
    assert invoke(*compute_args(tmp_path, "2023-06")).exit_code == 0
    proc = start(compute_args(tmp_path, "2023") + ["--force"], pause="compute")
    wait_for_pause(proc, "compute")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "没有写入或替换任何输出文件" in err and "Traceback" not in err
    assert set_of(tmp_path) == ("2023-06", "2023-06") and leftovers(tmp_path) == []


def test_a_failed_rename_puts_back_what_was_replaced(tmp_path, sets, monkeypatch):
    assert invoke(*compute_args(tmp_path, "2023-06")).exit_code == 0
    real = os.replace

    def busy(src, dst):  # the CSV is open in Excel on Windows: it cannot be replaced
        if Path(dst).name == "p.csv" and ".swtalent-tmp-" in Path(src).name:
            raise PermissionError(13, "Permission denied")
        return real(src, dst)
    monkeypatch.setattr(outputset.os, "replace", busy)
    result = invoke(*compute_args(tmp_path, "2023"), "--force")
    monkeypatch.undo()
    assert result.exit_code == 1 and "没有写入权限" in result.stderr and "均未替换" in result.stderr
    assert set_of(tmp_path) == ("2023-06", "2023-06") and leftovers(tmp_path) == []


def test_a_second_run_on_the_same_outputs_waits_then_says_who_holds_them(tmp_path, sets, monkeypatch):
    monkeypatch.setattr(outputset, "LOCK_WAIT_SECONDS", 0.3)
    holder = start(compute_args(tmp_path, "2023"), pause="written")
    wait_for_pause(holder, "written")  # it holds the locks while its files are written
    result = invoke(*compute_args(tmp_path, "2023-06"), "--force", "--json")
    assert result.exit_code == 1 and "output.busy" in result.stdout and str(holder.pid) in result.stdout
    holder.kill()
    holder.wait()


def test_two_runs_at_once_leave_one_whole_set(tmp_path, sets):
    runs = [start(compute_args(tmp_path, period) + ["--force"]) for period in ("2023", "2023-06")]
    codes = [p.wait(timeout=120) for p in runs]
    assert 0 in codes and set(codes) <= {0, 1}
    period = set_of(tmp_path)
    assert period in {("2023", "2023"), ("2023-06", "2023-06")} and leftovers(tmp_path) == []


def test_a_kill_between_renames_across_two_folders_is_finished_from_either(tmp_path, sets):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    args = lambda period: ["compute", str(EXAMPLE), "--policy", str(CHUZHOU), "--period", period,  # noqa: E731
                           "--out", str(tmp_path / "a" / "p.xlsx"), "--out", str(tmp_path / "b" / "p.csv")]
    assert invoke(*args("2023-06")).exit_code == 0
    proc = start(args("2023") + ["--force"], pause="between-renames")
    wait_for_pause(proc, "between-renames")
    proc.kill()
    proc.wait()
    # A run naming only the second folder's file finds the journal there and finishes the whole set.
    only_b = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023-06", "--out", tmp_path / "b" / "p.csv")
    assert only_b.exit_code == 2  # it exists: --force; but the set was finished first
    for folder in ("a", "b"):
        assert leftovers(tmp_path / folder) == [], folder
    with (tmp_path / "b" / "p.csv").open(encoding="utf-8") as fh:
        assert TOTALS[sum(Decimal(r["amount"]) for r in csv.DictReader(fh))] == "2023"
    summary = openpyxl.load_workbook(tmp_path / "a" / "p.xlsx", read_only=True)["汇总"]
    assert LABELS[next(str(r[1]) for r in summary.iter_rows(values_only=True) if r[0] == "期间")] == "2023"


def test_an_output_with_a_long_name_is_written(tmp_path, sets):
    name = "滁州市" * 26 + ".csv"  # 236 bytes: the temporary name beside it must still fit in 255
    out = tmp_path / name
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--out", out)
    assert result.exit_code == 0, result.output
    assert out.exists() and leftovers(tmp_path) == []


def test_ctrl_c_inside_an_import_is_raised_once_the_import_is_done():
    """swtalent.interrupt: a KeyboardInterrupt inside Python's import machinery could leave the import
    lock held while the roster's reading thread imported too, and the run hung. In code that runs
    as importlib's, Ctrl-C waits until it returns, then stops the program as ever."""
    import time

    from swtalent import interrupt

    previous = signal.signal(signal.SIGINT, interrupt._interrupt)
    try:
        importing: dict = {}
        body = ("import signal, time\nsignal.raise_signal(signal.SIGINT)\n"
                "end = time.monotonic() + 0.2\nwhile time.monotonic() < end: pass\ndone = True\n")
        exec(compile(body, "<frozen importlib._bootstrap>", "exec"), importing)  # noqa: S102 - a frame as importlib's
        assert importing["done"]
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            time.sleep(5)
        assert time.monotonic() - started < 1
    finally:
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_lost_where_it_was_raised_is_raised_again():
    """A KeyboardInterrupt raised where Python cannot pass it on (a destructor, a library's callback)
    is printed as "Exception ignored" and the run went on to the end; it is raised again."""
    import time

    from swtalent import interrupt

    class Dropped:
        def __del__(self):
            raise KeyboardInterrupt

    handler, hook = signal.getsignal(signal.SIGINT), sys.unraisablehook
    signal.signal(signal.SIGINT, signal.default_int_handler)
    interrupt.install()
    try:
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            Dropped()
            time.sleep(5)
        assert time.monotonic() - started < 1
    finally:
        signal.signal(signal.SIGINT, handler)
        sys.unraisablehook = hook


@pytest.mark.parametrize("delay", [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6])
def test_ctrl_c_during_start_up_stops_the_run(tmp_path, delay):
    """Ctrl-C while the command line, pandas and the reader load (the roster read on another
    thread meanwhile) stops the run within seconds, whatever it lands on: never a hang."""
    import time

    proc = start(compute_args(tmp_path))
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    try:
        proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"still running 30 s after Ctrl-C at {delay} s")
    assert proc.returncode in (0, 130, -signal.SIGINT)  # done first, stopped, or stopped before main()


@pytest.mark.parametrize("code, rc", [(130, 130), (2, 2), (None, 0), ("一条消息", 1)])
def test_an_exit_while_the_roster_is_still_read_says_everything_and_keeps_its_code(code, rc):
    """cli._exit: with a reading thread still in calamine, the interpreter's shutdown could abort the
    process (exit 134); it exits at once instead, its output flushed and its exit code kept."""
    program = ("import threading, time\nfrom swtalent.cli import _exit\nfrom swtalent.roster.source import READING_THREAD\n"
               "threading.Thread(target=time.sleep, args=(60,), name=READING_THREAD, daemon=True).start()\n"
               f"print('已写出', end='')\n_exit({code!r})\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (rc, "已写出")
    assert done.stderr == (f"{code}\n" if isinstance(code, str) else "")
