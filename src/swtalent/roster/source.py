"""Read a roster file's cells on a background thread, started before the heavy imports.

python-calamine releases the GIL while it parses a sheet (the slowest step of a run), and
inflating the sheet's XML for error cells and hidden rows does too. Starting both before pandas
and the policy are loaded lets that start-up work use the second core. This module imports only
the standard library and the reader, so the command line can start it first.

Every format ends as the same SheetCells: .xlsx/.xlsm/.xls/.ods through calamine (each cell
with its type, so an ID typed as a number is seen as one), .csv as text in UTF-8 (with or
without a byte-order mark) or GBK/GB18030, as Excel in China saves it.
"""
from __future__ import annotations

import csv
import io
import threading
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

from ..errors import Issue, Location, SwtalentError
from .sheetxml import SheetFacts, sheet_facts

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


@dataclass
class SheetCells:
    """The cells of one sheet, trimmed to the used area, merged ranges filled down."""

    name: str  # '' for a CSV file, which has no sheets
    rows: list[list]
    first_row: int  # the Excel row number of rows[0]
    first_col: int  # the 0-based column of rows[i][0]
    facts: SheetFacts = field(default_factory=SheetFacts)  # error cells and hidden rows


@dataclass
class BookCells:
    """The sheets to read from one file: the named one, or every visible one."""

    path: Path
    names: list[str]  # every sheet in the workbook, for messages
    sheets: list[SheetCells]
    chosen: bool  # a sheet was named (--sheet): it must be a roster
    hidden: list[str] = field(default_factory=list)  # hidden sheets, not read


class PendingSheet:
    """A file being read on other threads; `result()` waits for it or raises its problem.
    `first_only`: without a sheet name, read only the first visible sheet."""

    def __init__(self, path: str | Path, sheet: str | None = None, first_only: bool = False):
        self.path, self.sheet, self.first_only = Path(path), sheet, first_only
        self._done = threading.Event()
        self._outcome: BookCells | BaseException | None = None
        # A daemon thread: a usage error found meanwhile exits at once instead of waiting for it.
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        try:
            self._outcome = _load(self.path, self.sheet, self.first_only)
        except BaseException as exc:  # handed to the caller by result()
            self._outcome = exc
        self._done.set()

    def result(self) -> BookCells:
        self._done.wait()
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome


def _load(path: Path, sheet: str | None, first_only: bool = False) -> BookCells:
    where = Location(file=str(path))
    if not path.exists():
        raise SwtalentError([Issue.make("file.not-found", where)])
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SwtalentError([Issue.make("file.format", where, suffix=path.suffix or path.name)])
    if suffix == ".csv":
        return BookCells(path, [], [SheetCells("", csv_rows(path), 1, 0)], chosen=True)
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        if sheet is not None and sheet not in names:
            raise SwtalentError([Issue.make("file.sheet-not-found", where, sheet=sheet, sheets="、".join(names))])
        visible = [m.name for m in book.sheets_metadata if m.visible == calamine.SheetVisibleEnum.Visible]
        chosen = [sheet] if sheet is not None else (visible or names)[:1 if first_only else None]
        sheets = [_sheet(book, path, name) for name in chosen]
    except SwtalentError:
        raise
    except Exception as exc:  # calamine raises its own errors for damaged or encrypted files
        raise SwtalentError([Issue.make("file.unreadable", where, detail=exc)]) from exc
    hidden = [] if sheet is not None or first_only else [n for n in names if n not in visible and n not in chosen]
    return BookCells(path, names, sheets, chosen=sheet is not None, hidden=hidden)


def _sheet(book, path: Path, name: str) -> SheetCells:
    """One sheet; its XML is scanned on another thread while calamine parses it."""
    scan: dict = {}
    scanner = threading.Thread(target=lambda: scan.update(facts=_scan(path, name)), daemon=True)
    scanner.start()
    data = book.get_sheet_by_name(name)
    rows = data.to_python(skip_empty_area=True)
    first_row, first_col = (data.start[0], data.start[1]) if data.start else (0, 0)
    scanner.join()
    facts = scan["facts"]
    if isinstance(facts, BaseException):
        raise facts
    _fill_merged(rows, data.merged_cell_ranges or facts.merged, first_row, first_col)
    return SheetCells(name, rows, first_row + 1, first_col, facts)


def _fill_merged(rows: list[list], ranges, first_row: int, first_col: int) -> None:
    """A cell merged down over several rows (a 区县 or 单位 shared by the people below it) shows its
    value on each of them, so each row gets it; calamine gives it to the top row only. Only the
    range's first column is filled (a merge across columns is one value, not one per column), and
    only rows holding something else (a blank row inside the range stays blank)."""
    for (r1, c1), (r2, _c2) in ranges:
        i1, j = r1 - first_row, c1 - first_col
        if r2 == r1 or not (0 <= i1 < len(rows)) or j < 0:
            continue
        value = rows[i1][j] if j < len(rows[i1]) else ""
        for i in range(i1 + 1, min(r2 - first_row + 1, len(rows))):
            row = rows[i]
            if j < len(row) and any(c not in (None, "") for k, c in enumerate(row) if k != j):
                row[j] = value


def _scan(path: Path, name: str) -> SheetFacts | BaseException:
    try:
        return sheet_facts(path, name)
    except Exception as exc:  # noqa: BLE001 - re-raised on the parsing thread
        return exc


def csv_rows(path: Path) -> list[list[str]]:
    """A CSV file's rows as text: UTF-8 (a byte-order mark is dropped), else GB18030, the superset of
    GBK that Excel in China saves. A tab-separated file (another Excel export) is read as such."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SwtalentError([Issue.make("file.unreadable", Location(file=str(path)),
                                        detail="不是 UTF-8 或 GBK 编码的 CSV / not a UTF-8 or GBK CSV")])
    first = text.split("\n", 1)[0]
    dialect = "excel-tab" if "\t" in first and "," not in first else "excel"
    return list(csv.reader(io.StringIO(text, newline=""), dialect))
