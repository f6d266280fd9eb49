"""Parse a roster workbook on a background thread, started before the heavy imports.

python-calamine releases the GIL while it parses a sheet (the slowest step of a run), and
inflating the sheet's XML for the error-cell scan does too. Starting both before pandas and
the policy are loaded lets that start-up work use the second core. This module imports only
the standard library and the reader, so the command line can start it first.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

from ..errors import Issue, Location, SwtalentError
from .errorcells import error_cells

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass
class SheetCells:
    """The cells of one sheet as calamine gives them, trimmed to the used area."""

    path: Path
    name: str
    names: list[str]  # every sheet in the workbook, for messages
    rows: list[list]
    first_row: int  # the Excel row number of rows[0]
    first_col: int  # the 0-based column of rows[i][0]
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (Excel row, column) -> '#N/A'


class PendingSheet:
    """A sheet being parsed on other threads; `result()` waits for it or raises its problem."""

    def __init__(self, path: str | Path, sheet: str | None = None):
        self.path, self.sheet = Path(path), sheet
        self._done = threading.Event()
        self._outcome: SheetCells | BaseException | None = None
        # A daemon thread: a usage error found meanwhile exits at once instead of waiting for it.
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        try:
            self._outcome = _load(self.path, self.sheet)
        except BaseException as exc:  # handed to the caller by result()
            self._outcome = exc
        self._done.set()

    def result(self) -> SheetCells:
        self._done.wait()
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome


def _load(path: Path, sheet: str | None) -> SheetCells:
    where = Location(file=str(path))
    if not path.exists():
        raise SwtalentError([Issue.make("file.not-found", where)])
    if path.suffix.lower() not in SUFFIXES:
        raise SwtalentError([Issue.make("file.format", where, suffix=path.suffix or path.name)])
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        if sheet is not None and sheet not in names:
            raise SwtalentError([Issue.make("file.sheet-not-found", where, sheet=sheet, sheets="、".join(names))])
        visible = [m.name for m in book.sheets_metadata if m.visible == calamine.SheetVisibleEnum.Visible]
        name = sheet if sheet is not None else (visible or names)[0]
        scan: dict = {}
        scanner = threading.Thread(target=lambda: scan.update(cells=_scan(path, name)), daemon=True)
        scanner.start()
        data = book.get_sheet_by_name(name)
        rows = data.to_python(skip_empty_area=True)
        scanner.join()
        if isinstance(scan["cells"], BaseException):
            raise scan["cells"]
    except SwtalentError:
        raise
    except Exception as exc:  # calamine raises its own errors for damaged or encrypted files
        raise SwtalentError([Issue.make("file.unreadable", where, detail=exc)]) from exc
    first_row, first_col = (data.start[0] + 1, data.start[1]) if data.start else (1, 0)
    return SheetCells(path, name, names, rows, first_row, first_col, scan["cells"])


def _scan(path: Path, name: str) -> dict | BaseException:
    try:
        return error_cells(path, name)
    except Exception as exc:  # noqa: BLE001 - re-raised on the parsing thread
        return exc
