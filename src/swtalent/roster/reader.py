"""Find the header row of each roster sheet, map its columns to the fields swtalent knows, and put
the sheets of one shape together (a workbook with one sheet per district is one roster).

The cells come from roster.source, which reads .xlsx/.xlsm/.xls/.ods with python-calamine and
.csv as text. Every data row remembers its sheet, its Excel row number and its cells as written.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import Issue, Location, SwtalentError
from ..fields import FIELDS, alias_table, field_of, header_key, likely_field
from .sheetxml import SheetFacts
from .source import HEADER_SCAN_ROWS, BookCells, PendingSheet, SheetCells


@dataclass
class SheetPart:
    """One sheet read into the roster, with its own header (column order may differ by sheet)."""

    name: str  # '' for a CSV file
    header_row: int  # as Excel numbers it
    headers: list[str]  # as written
    columns: dict[str, int]  # field key -> index in `headers`
    first_col: int  # the 0-based sheet column of headers[0]
    cells: np.ndarray  # every cell below the header, as read (for rows that are not people)
    facts: SheetFacts  # error cells and hidden rows
    overflow: dict[int, int] = field(default_factory=dict)  # CSV rows wider than the header: index -> cells


@dataclass
class RawSheet:
    """The roster's data rows from every sheet read, mapped columns only, in sheet order."""

    file: str
    parts: list[SheetPart]
    columns: dict[str, int]  # field key -> column of `cells`
    cells: np.ndarray  # object array, one row per data row (blank rows included); the mapped columns
    # of every sheet, in the first sheet's order, or one sheet's cells as read (unmapped columns too)
    excel_rows: np.ndarray  # the Excel row number of each data row
    part: np.ndarray  # the index in `parts` of each row's sheet
    local: np.ndarray  # each row's index in its part's `cells`
    hidden: np.ndarray  # rows hidden in the workbook
    overflow: np.ndarray  # cells in a row wider than its header (a CSV row), else 0
    errors: dict[tuple[int, str], str] = field(default_factory=dict)  # (row position, field key) -> '#N/A'
    issues: list[Issue] = field(default_factory=list)  # sheet-level warnings
    specs: dict = field(default_factory=lambda: FIELDS)  # field key -> FieldSpec, the policy's own fields too

    @property
    def sheet(self) -> str:
        return "、".join(p.name for p in self.parts)

    def header(self, key: str) -> str:
        """The column's header as the first sheet writes it (the standard name when absent)."""
        part = self.parts[0]
        return part.headers[part.columns[key]] if key in part.columns else self.specs[key].zh

    def where(self, i: int | None = None, key: str = "") -> Location:
        """The cell of row position i (a whole row when no key) as the clerk finds it."""
        part = self.parts[int(self.part[i])] if i is not None else self.parts[0]
        j = part.columns.get(key)
        return Location(file=self.file, sheet=part.name, row=None if i is None else int(self.excel_rows[i]),
                        column=part.headers[j] if j is not None else (self.specs[key].zh if key else ""),
                        col=None if j is None else part.first_col + j + 1)

    def cite(self, i: int, lang: str) -> str:
        """Row position i in a message: its row number, and its sheet when there are several."""
        row, name = int(self.excel_rows[i]), self.parts[int(self.part[i])].name
        if len(self.parts) == 1:
            return f"第 {row} 行" if lang == "zh" else f"row {row}"
        return f"工作表「{name}」第 {row} 行" if lang == "zh" else f"row {row} of sheet '{name}'"

    def row_values(self, i: int) -> list:
        """Every cell of row position i as read, mapped or not."""
        return list(self.parts[int(self.part[i])].cells[int(self.local[i])])

    def subset(self, keep: np.ndarray) -> RawSheet:
        new_pos = np.cumsum(keep) - 1
        errors = {(int(new_pos[i]), k): v for (i, k), v in self.errors.items() if keep[i]}
        return replace(self, cells=self.cells[keep], excel_rows=self.excel_rows[keep], part=self.part[keep],
                       local=self.local[keep], hidden=self.hidden[keep], overflow=self.overflow[keep], errors=errors)


def read_sheet(path: str | Path | PendingSheet, *, sheet: str | None = None, required: tuple[str, ...] = (),
               aliases: dict[str, tuple[str, ...]] | None = None, mapped: tuple[str, ...] = (),
               watched: tuple[str, ...] = (), declared: dict | None = None) -> RawSheet:
    """The named sheet, or every visible sheet with a roster header, mapped. `path` may be a file
    already being read. `mapped` are headers the user mapped explicitly: each must be in a header
    row. `watched` are optional fields whose absence changes who is paid (see ABSENT_MEANS).
    `declared`: a policy's own fields (key -> FieldSpec), read under their names and aliases."""
    pending = path if isinstance(path, PendingSheet) else PendingSheet(path, sheet)
    book = pending.result()
    specs = {**FIELDS, **(declared or {})}
    table = alias_table({**{k: (s.zh, *s.aliases) for k, s in (declared or {}).items()}, **(aliases or {})})
    # A spec given for a built-in key (an organisation's code and name for person_id and name)
    # replaces that field's headers: 姓名 and 身份证号 then name no column of an organisations' roster.
    replaced = {k for k in (declared or {}) if k in FIELDS}
    if replaced:
        own = {header_key(a) for k in replaced for a in (declared[k].zh, *declared[k].aliases, *(aliases or {}).get(k, ()))}
        table = {h: k for h, k in table.items() if k not in replaced or h in own}
    parts, problems, warnings = [], [], []
    for cells in book.sheets:
        part = _part(book, cells, table, problems, warnings, specs)
        if part is not None:
            parts.append(part)
    where = Location(file=str(book.path))
    if not parts and not problems:
        raise SwtalentError([Issue.make("roster.header-not-found", where, scanned=HEADER_SCAN_ROWS,
                                        sheets="、".join(book.names) or "—", key=specs["person_id"].zh)])
    for part in parts:
        at_header = Location(file=str(book.path), sheet=part.name, row=part.header_row)
        found = {header_key(h) for h in part.headers}
        problems += [Issue.make("roster.map-not-found", at_header, header=h) for h in mapped if header_key(h) not in found]
        for key in required:
            if key not in part.columns:
                spec = specs[key]
                problems.append(Issue.make("roster.column-missing", at_header, column=spec.zh,
                                           aliases="、".join(dict.fromkeys((spec.zh, *spec.aliases)))))
        if part is not parts[0] and set(part.columns) != set(parts[0].columns):
            more = [part.headers[j] for k, j in part.columns.items() if k not in parts[0].columns]
            fewer = [parts[0].headers[j] for k, j in parts[0].columns.items() if k not in part.columns]
            problems.append(Issue.make("roster.sheet-shape", at_header, first=parts[0].name,
                                       more="、".join(more) or "—", fewer="、".join(fewer) or "—"))
    if problems:  # the unused columns are said too: one of them may be the missing column
        raise SwtalentError(problems + [w for w in warnings if w.code == "roster.columns-ignored"])
    first = parts[0]
    at_first = Location(file=str(book.path), sheet=first.name, row=first.header_row)
    warnings += [Issue.make("roster.column-absent", at_first, column=FIELDS[key].zh,
                            aliases="、".join(FIELDS[key].aliases), meaning_zh=zh, meaning_en=en)
                 for key, (zh, en) in ABSENT_MEANS.items() if key in watched and key not in first.columns]
    warnings += [Issue.make("roster.sheet-hidden", Location(file=str(book.path), sheet=name)) for name in book.hidden]
    return replace(_together(str(book.path), parts, warnings), specs=specs)


def _part(book: BookCells, cells: SheetCells, table: dict[str, str], problems: list, warnings: list,
          specs: dict = FIELDS) -> SheetPart | None:
    """One sheet's header and columns, or None for a sheet that is not a roster (said as a warning
    unless it is empty; an error when the user named it)."""
    grid = cells.grid
    where = Location(file=str(book.path), sheet=cells.name)
    header_idx = _find_header(grid[:HEADER_SCAN_ROWS].tolist(), table)
    if header_idx is None:
        if book.chosen:
            problems.append(Issue.make("roster.header-not-found", where, scanned=HEADER_SCAN_ROWS,
                                       sheets="、".join(book.names) or "—", key=specs["person_id"].zh))
        elif any(str(c).strip() for c in grid.ravel() if c is not None):
            warnings.append(Issue.make("roster.sheet-skipped", where, scanned=HEADER_SCAN_ROWS, key=specs["person_id"].zh))
        return None
    header_row = cells.first_row + header_idx
    # A CSV file's rows may be ragged: its header is as wide as it was written.
    width = grid.shape[1] if cells.widths is None else int(cells.widths[header_idx])
    headers = ["" if h is None else str(h).strip() for h in grid[header_idx, :width]]
    columns: dict[str, int] = {}
    ignored = []
    for j, h in enumerate(headers):
        key = field_of(table, h) if h else None
        if key is None:
            if h:
                ignored.append(h)
        elif key in columns:
            at = Location(file=str(book.path), sheet=cells.name, row=header_row, column=h, col=cells.first_col + j + 1)
            problems.append(Issue.make("roster.column-twice", at, first=headers[columns[key]], second=h,
                                       column=specs[key].zh))
        else:
            columns[key] = j
    if ignored:
        # An unused header close to a known one (取得社工证书日期, 到岗工作时间) is said with the field it
        # probably is and the --map that would use it; only when fields.likely_field is confident.
        guesses = [(h, specs[k]) for h in ignored if (k := likely_field(table, h, set(columns))) is not None]
        guess_zh = "".join(f"；「{h}」应是「{spec.zh}」？用 --map {h}={spec.zh}" for h, spec in guesses)
        guess_en = "".join(f"; '{h}' may be {spec.zh} ({spec.en}): --map {h}={spec.zh}" for h, spec in guesses)
        warnings.append(Issue.make("roster.columns-ignored", replace(where, row=header_row), columns="、".join(ignored),
                                   guess_zh=guess_zh, guess_en=guess_en))
    matrix = grid[header_idx + 1:, :width]  # a view: no second copy of the cells
    overflow = {}
    if cells.widths is not None:  # a CSV row wider than its header, with something past it
        wider = np.flatnonzero(cells.widths[header_idx + 1:] > width)
        beyond = grid[header_idx + 1:, width:]
        overflow = {int(i): int(cells.widths[header_idx + 1 + i]) for i in wider
                    if any(str(c).strip() for c in beyond[i] if c is not None)}
        if len(matrix) and (cells.widths[header_idx + 1:] < width).any():  # a short row's missing cells are empty
            matrix = matrix.copy()
            matrix[matrix == None] = ""  # noqa: E711 - elementwise, on objects
    return SheetPart(cells.name, header_row, headers, columns, cells.first_col, matrix, cells.facts, overflow)


def _together(file: str, parts: list[SheetPart], warnings: list[Issue]) -> RawSheet:
    keys = sorted(parts[0].columns, key=parts[0].columns.get)
    rows, part_of, local, hidden, overflow, errors = [], [], [], [], [], {}
    offset = 0
    for p, part in enumerate(parts):
        n = len(part.cells)
        excel = np.arange(n, dtype=np.int64) + part.header_row + 1
        rows.append(excel)
        part_of.append(np.full(n, p, dtype=np.int64))
        local.append(np.arange(n, dtype=np.int64))
        mask = np.zeros(n, dtype=bool)
        for lo, hi in part.facts.hidden:
            mask |= (excel >= lo) & (excel <= hi)
        hidden.append(mask)
        wide = np.zeros(n, dtype=np.int64)
        wide[list(part.overflow)] = list(part.overflow.values())
        overflow.append(wide)
        by_index = {part.first_col + j: k for k, j in part.columns.items()}
        for (r, c), value in part.facts.errors.items():
            if c in by_index and 0 <= r - part.header_row - 1 < n:
                errors[(offset + r - part.header_row - 1, by_index[c])] = value
        offset += n
    if len(parts) == 1:  # one sheet: its cells as read, unmapped columns too, with no second copy of them
        cells, columns = parts[0].cells, {key: parts[0].columns[key] for key in keys}
    else:  # the mapped columns of each sheet, in the first sheet's order
        columns = {key: j for j, key in enumerate(keys)}
        cells = np.concatenate([part.cells[:, [part.columns[k] for k in keys]] if len(part.cells)
                                else np.empty((0, len(keys)), dtype=object) for part in parts])
    return RawSheet(file, parts, columns, cells, np.concatenate(rows), np.concatenate(part_of),
                    np.concatenate(local), np.concatenate(hidden), np.concatenate(overflow), errors, warnings)


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
