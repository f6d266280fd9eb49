"""Output files: chosen by extension, written to a temporary file and renamed into place,
so an interrupted run never leaves a half-written payment sheet behind."""
from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine import Computation
from ..errors import UsageError
from ..money import format_yuan
from ..safety import defused, defused_series
from ..usage import open_csv
from .notice import write_notice
from .outputset import recover, refuse_existing, replace_together
from .sheets import RunInfo
from .workbook import write_workbook

FORMATS = (".xlsx", ".csv", ".json")
DETAIL_COLUMNS = ["person_id", "name", "rule_id", "kind", "level", "months", "amount"]
_NO_LEVEL = ("award", "title_allowance")  # kinds whose lines carry no level
_MONTHLY = ("monthly", "title_allowance")  # kinds whose lines say how many months


def check_outputs(outs: list[Path], inputs: list[Path], formats: tuple[str, ...] = FORMATS,
                  force: bool = True) -> None:
    """Before any work: refuse unknown formats, unwritable places, overwriting an input, and
    (without `force`) replacing an existing file. The last is checked again when writing."""
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
    recover(outs)
    if not force:
        refuse_existing(outs)


def _detail_columns(comp: Computation) -> dict[str, list]:
    """The detail's columns, in DETAIL_COLUMNS order, as plain Python values (JSON takes no numpy)."""
    lines = comp.lines
    kinds = lines["kind"].tolist()
    months = [int(m) if k in _MONTHLY else None for m, k in zip(lines["months"].tolist(), kinds)]
    # An award, and a title allowance, does not depend on the level: its lines carry none.
    levels = [lv if k not in _NO_LEVEL else ""
              for lv, k in zip(lines["level"].astype(object).fillna("").tolist(), kinds)]
    codes, texts = _amount_texts(lines)
    amounts = texts[codes].tolist()
    return {"person_id": lines["person_id"].tolist(), "name": lines["name"].tolist(),
            "rule_id": lines["rule_id"].tolist(), "kind": kinds, "level": levels, "months": months, "amount": amounts}


def _amount_texts(lines: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each line's amount as a code into the texts of the distinct amounts (a few over many lines)."""
    codes, fen = pd.factorize(lines["amount_fen"].to_numpy())
    return codes, np.array([format_yuan(int(f)) for f in fen], dtype=object)


def detail_records(comp: Computation) -> list[dict]:
    """One record per payment line, the values exactly as computed (for JSON)."""
    columns = _detail_columns(comp)
    return [dict(zip(DETAIL_COLUMNS, row)) for row in zip(*columns.values())]


def _write_csv(comp: Computation, path: Path, bom: bool = True) -> None:
    """The detail as CSV. A person may open it in Excel, so no text in it may read as a formula, and
    it begins with a byte-order mark (unless `bom` is False) so that Excel reads it as UTF-8."""
    if len(comp.lines) >= POLARS_CSV_FROM and _write_csv_polars(comp, path, bom):
        return
    columns = _detail_columns(comp)
    for key in DEFUSED:
        columns[key] = defused(columns[key])
    columns["months"] = ["" if m is None else m for m in columns["months"]]
    with open_csv(path, bom) as fh:
        writer = csv.writer(fh)
        writer.writerow(DETAIL_COLUMNS)
        writer.writerows(zip(*(columns[c] for c in DETAIL_COLUMNS)))


# From this many lines polars writes the CSV, on its threads, in a tenth of the csv module's time
# (0.3 s against 2.2 s for 846,694 lines); below it importing polars would cost more than it saves.
POLARS_CSV_FROM = 100_000
DEFUSED = ("person_id", "name", "rule_id", "level")  # the texts a roster or a policy writes


def _write_csv_polars(comp: Computation, path: Path, bom: bool) -> bool:
    """The same bytes as the csv module writes from _detail_columns (quoted only where needed, CRLF),
    or False, writing nothing, when a value is not a text (the csv module writes its str()). Made
    column by column from the lines themselves: a categorical column from its few categories, not
    846,694 Python values. An empty text is written as polars writes a missing value, as nothing:
    polars would quote it ("")."""
    import polars as pl

    lines = comp.lines
    try:
        text = {c: _texts(lines[c]) for c in ("person_id", "name", "rule_id", "kind", "level")}
    except (TypeError, ValueError, pl.exceptions.PolarsError):
        return False
    if any(text[c].null_count() for c in ("rule_id", "kind")):
        return False  # (a missing rule or kind: the csv module writes nan)
    codes, amounts = _amount_texts(lines)
    kind = text["kind"]
    frame = pl.DataFrame({
        "person_id": text["person_id"], "name": text["name"], "rule_id": text["rule_id"], "kind": kind,
        "level": pl.select(pl.when(kind.is_in(_NO_LEVEL)).then(pl.lit("")).otherwise(text["level"].fill_null("")))
        .to_series(),
        "months": pl.select(pl.when(kind.is_in(_MONTHLY)).then(pl.Series(lines["months"].to_numpy(), dtype=pl.Int64)))
        .to_series(),
        "amount": pl.Series(amounts, dtype=pl.String).gather(codes),
    })
    frame = frame.with_columns(*(defused_series(frame[c]) for c in DEFUSED))
    with open(path, "wb") as fh:  # a file, not a path: polars would read a leading "~" as the home folder
        frame.with_columns(pl.col(pl.String).replace("", None)).write_csv(
            fh, line_terminator="\r\n", include_bom=bom, quote_style="necessary")
    return True


def _texts(column: pd.Series):
    """A column of texts as a polars Series (a missing value null); TypeError when one is not a text.
    A categorical column is its categories gathered by its codes."""
    import polars as pl

    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        categories = np.append(np.asarray(column.cat.categories, dtype=object), None)  # code -1 reads the None
        at = np.where(codes < 0, len(categories) - 1, codes)
        return pl.Series(categories, dtype=pl.String, strict=True).gather(at)
    return pl.Series(column.to_numpy(dtype=object), dtype=pl.String, strict=True)


def _write_json(comp: Computation, path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        json.dump(detail_records(comp), fh, ensure_ascii=False, indent=1)
        fh.write("\n")


def write_outputs(comp: Computation, paths: list[Path], lang: str = "zh", run: RunInfo = RunInfo(),
                  notice: Path | list[Path] | None = None, force: bool = True,
                  before_rename: Callable[[], None] = lambda: None, csv_bom: bool = True) -> None:
    """`run` is what the workbook's 计算依据 sheet and payroll titles say of the run; `notice` is
    the public list (公示名单), .xlsx or .csv, or several. Without `force` an existing file is not
    replaced; without `csv_bom` the CSV files have no byte-order mark."""
    def write(path: Path, tmp: Path) -> None:
        kind = path.suffix.lower()
        if kind == ".xlsx":
            write_workbook(comp, tmp, lang, run)
        elif kind == ".csv":
            _write_csv(comp, tmp, csv_bom)
        else:
            _write_json(comp, tmp)
    jobs = [(path, lambda tmp, path=path: write(path, tmp)) for path in paths]
    notices = [] if notice is None else [notice] if isinstance(notice, Path) else list(notice)
    for path in notices:
        jobs.append((path, lambda tmp, path=path: write_notice(comp, tmp, lang, as_csv=path.suffix.lower() == ".csv",
                                                              bom=csv_bom, run=run)))
    replace_together(jobs, force=force, command=run.command, before_rename=before_rename)


def write_atomically(jobs: list[tuple[Path, Callable[[Path], None]]], *, force: bool = True,
                     command: str = "") -> None:
    """Each (path, write) job writes a temporary file first; only when all are written are they
    renamed into place together, so a failure leaves every earlier file as it was (outputset)."""
    replace_together(jobs, force=force, command=command)
