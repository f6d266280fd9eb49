"""Output files: chosen by extension, written to a temporary file and renamed into place,
so an interrupted run never leaves a half-written payment sheet behind."""
from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from pathlib import Path

from ..engine import Computation
from ..errors import Issue, Location, SwtalentError, UsageError
from ..money import format_yuan
from .notice import write_notice
from .sheets import RunInfo
from .workbook import write_workbook

FORMATS = (".xlsx", ".csv", ".json")
DETAIL_COLUMNS = ["person_id", "name", "rule_id", "kind", "level", "months", "amount"]


def check_outputs(outs: list[Path], inputs: list[Path], formats: tuple[str, ...] = FORMATS) -> None:
    """Before any work: refuse unknown formats, unwritable places and overwriting an input."""
    inputs_at = {p.resolve() for p in inputs if p.exists()}
    seen: set[Path] = set()
    for out in outs:
        at = out.resolve()
        if out.is_dir():
            raise UsageError(f"「{out}」是一个文件夹，请给出文件名", f"'{out}' is a folder; give a file name")
        if out.suffix.lower() not in formats:
            raise UsageError(f"不支持的输出格式「{out.name}」：请用 {'、'.join(formats)}",
                             f"unsupported output format '{out.name}': use {', '.join(formats)}")
        if at in inputs_at:
            raise UsageError(f"输出文件「{out}」与输入文件相同，不会覆盖输入",
                             f"output '{out}' is an input file; refusing to overwrite it")
        if at in seen:
            raise UsageError(f"输出文件「{out}」指定了两次", f"output '{out}' is given twice")
        if not at.parent.is_dir():
            raise UsageError(f"输出文件夹「{out.parent}」不存在", f"the folder '{out.parent}' does not exist")
        seen.add(at)


def detail_records(comp: Computation) -> list[dict]:
    lines = comp.lines
    kinds = lines["kind"].tolist()
    months = [int(m) if k in ("monthly", "title_allowance") else None for m, k in zip(lines["months"].tolist(), kinds)]
    # An award, and a title allowance, does not depend on the level: its lines carry none.
    levels = [lv if k not in ("award", "title_allowance") else ""
              for lv, k in zip(lines["level"].astype(object).fillna("").tolist(), kinds)]
    return [
        {"person_id": p, "name": n, "rule_id": r, "kind": k, "level": lv, "months": m, "amount": format_yuan(a)}
        for p, n, r, k, lv, m, a in zip(lines["person_id"].tolist(), lines["name"].tolist(),
                                        lines["rule_id"].tolist(), kinds, levels, months, lines["amount_fen"].tolist())
    ]


def _write_csv(comp: Computation, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=DETAIL_COLUMNS)
        writer.writeheader()
        for rec in detail_records(comp):
            writer.writerow({**rec, "months": "" if rec["months"] is None else rec["months"]})


def _write_json(comp: Computation, path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        json.dump(detail_records(comp), fh, ensure_ascii=False, indent=1)
        fh.write("\n")


def write_outputs(comp: Computation, paths: list[Path], lang: str = "zh", run: RunInfo = RunInfo(),
                  notice: Path | None = None) -> None:
    """`run` is what the workbook's 计算依据 sheet and payroll titles say of the run; `notice` is
    the public list (公示名单), .xlsx or .csv."""
    def write(path: Path, tmp: Path) -> None:
        kind = path.suffix.lower()
        if kind == ".xlsx":
            write_workbook(comp, tmp, lang, run)
        else:
            (_write_csv if kind == ".csv" else _write_json)(comp, tmp)
    jobs = [(path, lambda tmp, path=path: write(path, tmp)) for path in paths]
    if notice is not None:
        jobs.append((notice, lambda tmp: write_notice(comp, tmp, lang, as_csv=notice.suffix.lower() == ".csv")))
    write_atomically(jobs)


def write_atomically(jobs: list[tuple[Path, Callable[[Path], None]]]) -> None:
    """Each (path, write) job writes a temporary file first; only when all are written are they
    renamed into place, so a failure leaves every earlier file as it was."""
    written: list[tuple[Path, Path]] = []
    try:
        for path, write in jobs:
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            written.append((tmp, path))
            _guarded(path, lambda: write(tmp))
        for tmp, path in written:
            _guarded(path, lambda: os.replace(tmp, path))
    finally:
        for tmp, _ in written:
            if tmp.exists():
                tmp.unlink()


def _guarded(path: Path, step) -> None:
    try:
        step()
    except OSError as exc:  # no permission, disk full, the file open in Excel on Windows
        raise SwtalentError([Issue.make("output.write-failed", Location(file=str(path)),
                                        detail=exc.strerror or exc)]) from exc
