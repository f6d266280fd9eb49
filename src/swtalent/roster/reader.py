"""Find the header row of a roster sheet and map its columns to the fields swtalent knows.

The cells come from roster.source: python-calamine (Rust) reads .xlsx about six times faster
than openpyxl and gives each cell with its type, which matters here: an ID typed as a number
must be seen as a number to be reported. It handles .xlsx, .xlsm, .xls and .ods alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import Issue, Location, SwtalentError
from ..fields import FIELDS, alias_table, field_of, header_key
from .source import PendingSheet
HEADER_SCAN_ROWS = 30


@dataclass
class RawSheet:
    file: str
    sheet: str
    header_row: int  # as Excel numbers it
    headers: list[str]  # as written
    cells: np.ndarray  # object array, one row per sheet row below the header (blank ones included)
    excel_rows: np.ndarray  # the Excel row number of each data row
    columns: dict[str, int]  # field key -> column index
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # (Excel row, column) -> '#N/A'
    issues: list[Issue] = field(default_factory=list)  # sheet-level warnings

    def header(self, key: str) -> str:
        return self.headers[self.columns[key]] if key in self.columns else FIELDS[key].zh

    def where(self, excel_row: int | None = None, key: str = "") -> Location:
        return Location(file=self.file, sheet=self.sheet, row=excel_row,
                        column=self.header(key) if key else "")

    def subset(self, keep: np.ndarray) -> RawSheet:
        return replace(self, cells=self.cells[keep], excel_rows=self.excel_rows[keep])


def read_sheet(path: str | Path | PendingSheet, *, sheet: str | None = None, required: tuple[str, ...] = (),
               aliases: dict[str, tuple[str, ...]] | None = None, mapped: tuple[str, ...] = (),
               watched: tuple[str, ...] = ()) -> RawSheet:
    """One sheet (the named one, or the first visible one) with its header found and mapped.
    `path` may be a sheet already being parsed. `mapped` are headers the user mapped
    explicitly: each must be in the header row. `watched` are optional fields whose absence
    changes who is paid (see ABSENT_MEANS): said as a warning."""
    pending = path if isinstance(path, PendingSheet) else PendingSheet(path, sheet)
    got = pending.result()
    path, name, rows, first_row = got.path, got.name, got.rows, got.first_row
    where = Location(file=str(path), sheet=name)
    table = alias_table(aliases)
    header_idx = _find_header(rows, table)
    if header_idx is None:
        raise SwtalentError([Issue.make("roster.header-not-found", where, scanned=HEADER_SCAN_ROWS,
                                        sheets="、".join(got.names))])
    header_row = first_row + header_idx
    at_header = Location(file=str(path), sheet=name, row=header_row)
    headers = ["" if h is None else str(h).strip() for h in rows[header_idx]]
    columns: dict[str, int] = {}
    problems, ignored = [], []
    for j, h in enumerate(headers):
        key = field_of(table, h) if h else None
        if key is None:
            if h:
                ignored.append(h)
        elif key in columns:
            problems.append(Issue.make("roster.column-twice", replace(at_header, column=h),
                                       first=headers[columns[key]], second=h, column=FIELDS[key].zh))
        else:
            columns[key] = j
    found = {header_key(h) for h in headers}
    problems += [Issue.make("roster.map-not-found", at_header, header=h) for h in mapped if header_key(h) not in found]
    for key in required:
        if key not in columns:
            spec = FIELDS[key]
            problems.append(Issue.make("roster.column-missing", at_header, column=spec.zh,
                                       aliases="、".join(dict.fromkeys((spec.zh, *spec.aliases)))))
    if problems:
        raise SwtalentError(problems)
    warnings = [Issue.make("roster.column-absent", at_header, column=FIELDS[key].zh,
                           aliases="、".join(FIELDS[key].aliases), meaning_zh=zh, meaning_en=en)
                for key, (zh, en) in ABSENT_MEANS.items() if key in watched and key not in columns]
    if ignored:
        warnings.append(Issue.make("roster.columns-ignored", at_header, columns="、".join(ignored)))
    body = rows[header_idx + 1:]
    cells = np.empty((len(body), len(headers)), dtype=object)
    if body:
        cells[:, :] = body
    excel_rows = np.arange(len(body), dtype=np.int64) + header_row + 1
    errors = {(r, c - got.first_col): v for (r, c), v in got.errors.items() if r > header_row}
    return RawSheet(str(path), name, header_row, headers, cells, excel_rows, columns, errors, warnings)


# Optional columns whose absence changes who is paid: said as a warning, never silently assumed.
ABSENT_MEANS = {"hired_on": ("本期前已在岗", "in post since before the period"),
                "left_on": ("未离职", "not having left")}


def _find_header(rows: list[list], table: dict[str, str]) -> int | None:
    """The first row among the top ones with the most known column names, including an ID column."""
    best, best_score = None, 1
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        keys = {field_of(table, c) for c in row if isinstance(c, str) and c.strip()}
        keys.discard(None)
        if "person_id" in keys and len(keys) > best_score:
            best, best_score = i, len(keys)
    return best
