"""The fast read of an .xlsx/.xlsm sheet: fastexcel's cells as text, their types from the sheet XML.

python-calamine hands every cell over as a Python object of its own (15 million at a million rows,
5-7 s on top of the parse). fastexcel parses the same sheet with the same library (calamine) into
Arrow columns, releasing the GIL, but a column holding numbers and texts loses the difference: read
as text, the ID 341102199001011328 typed as a number and the same ID typed as text are the same
string, and a number typed into a text column must read as Excel shows it. So every cell is taken
from fastexcel as text, and the cells that are not text (numbers, booleans, dates) are found in the
sheet's XML while fastexcel parses (`cell_kinds`, on another thread) and given back their type:
the grid is the one python-calamine would give, value and type (tests/test_fast_xlsx.py holds the
two equal).

`cell_kinds` knows the XML that Excel, WPS, openpyxl and xlsxwriter write (<c r="A1" s="3"><v>…),
and counts every cell tag against what it found: a sheet written any other way (a namespace
prefix, other attributes on a number cell, an ISO date cell), or a value this module would not
give back exactly as calamine does (a time of day, a duration, a date before 1901), makes the
whole file be read by python-calamine instead, as before: slower, never different.
"""
from __future__ import annotations

import re
import threading
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from pathlib import Path

import numpy as np

from .sheetxml import (
    _COMMENT,
    REF,
    SheetFacts,
    _plain_references,
    _prefixed,
    _tags,
    _utf8,
    _xlsx_facts,
    column_index,
    sheet_part,
)

# A cell that is not text, as the writers above write it: its reference, its style, t="n" or
# t="b" or no type; then its formula, if any, and its value as stored (the exact number: fastexcel
# writes a number as text to nine decimals). '/>' is a cell without a value. Texts are t="s"
# (shared), t="str" (a formula's), t="inlineStr"; errors t="e" (blank, as calamine reads them;
# SheetFacts has them). A cell of any type written <c …/> or <c … /> (openpyxl) holds no value.
_NOT_TEXT = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"(?: s="\d+")?(?: t="[nb]"| t="(?:s|str|inlineStr|e)"(?= ?/>))?'
                       rb'(?: ?/>|>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?(?:<v>([^<]*)</v>)?)')
_TEXT_TYPES = (b' t="s">', b' t="str">', b' t="inlineStr">', b' t="e">')
SLICE = 1 << 24  # the sheet is scanned this many bytes at a time: the matches of a million rows at once take 400 MB
_CELL_REF = re.compile(rb'<c r="[A-Z]{1,3}(\d{1,7})"')
_ODD_CELL = re.compile(rb"<c[\t\n\r>/]")  # a cell tag without attributes, or spaced otherwise
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3}\d+):([A-Z]{1,3}\d+)"\s*/>')
_MERGE_MARK = b"<mergeCell "
_VALUE_START = (b"<v>", b"<is>")
_VALUE_END = (b"</v>", b"</is>")


@dataclass
class CellKinds:
    """Where the sheet's non-text cells are, and how far its cells holding a value reach."""

    rows: np.ndarray  # Excel row of each non-text cell (one without a value too, unless written <c …/>)
    cols: np.ndarray  # its 0-based column
    numbers: np.ndarray  # its value as stored, as a double; NaN for none
    first_row: int = 0  # Excel rows of the first and last cells holding a value; 0 for none
    last_row: int = 0
    merged: list = field(default_factory=list)  # ((r1, c1), (r2, c2)), 0-based, as calamine gives them


def scan(path: Path, name: str) -> tuple[SheetFacts, CellKinds | None] | BaseException:
    """The sheet's facts (error cells, hidden rows) and cell kinds, from one inflation of its XML."""
    try:
        with zipfile.ZipFile(path) as z:
            xml = _utf8(z.read(sheet_part(z, name)))
        return _xlsx_facts(xml), cell_kinds(xml)
    except Exception as exc:  # noqa: BLE001 - re-raised on the reading thread
        return exc


def cell_kinds(xml: bytes) -> CellKinds | None:
    """The non-text cells of a sheet's XML, or None when it is not written the way this knows."""
    if (xml.find(b"!") >= 0 and _COMMENT.search(xml) or _prefixed(xml) or not _plain_references(xml)
            or _ODD_CELL.search(xml)):
        return None
    parts, found, start = [], 0, 0
    while start < len(xml):
        end = xml.find(b"<row", start + SLICE) if start + SLICE < len(xml) else -1
        end = len(xml) if end < 0 else end
        matches = _NOT_TEXT.findall(xml, start, end)
        found += len(matches)
        part = _columns(matches)
        if part is None:
            return None
        parts.append(part)
        start = end
    if xml.count(b"<c ") != found + sum(xml.count(t) for t in _TEXT_TYPES):
        return None  # a cell tag written otherwise: it could be a number read as text
    rows, cols, numbers = (np.concatenate([p[k] for p in parts]) if parts else np.empty(0) for k in range(3))
    kinds = CellKinds(rows.astype(np.int64), cols.astype(np.int64), numbers.astype(np.float64))
    first = [p for p in (xml.find(v) for v in _VALUE_START) if p >= 0]
    if first:
        last = max(xml.rfind(v) for v in _VALUE_END)
        kinds.first_row, kinds.last_row = _row_of(xml, min(first)), _row_of(xml, last)
        if not kinds.first_row or not kinds.last_row:
            return None
    if xml.find(_MERGE_MARK) >= 0:
        merges = _MERGE.findall(xml)
        if len(merges) != xml.count(_MERGE_MARK):
            return None
        for a, b in merges:
            (r1, c1), (r2, c2) = _ref(a), _ref(b)
            kinds.merged.append(((r1 - 1, c1), (r2 - 1, c2)))
    return kinds


def _columns(matches: list[tuple[bytes, bytes, bytes]]):
    """(rows, columns, stored values) of the matched cells; None when a stored value is no number."""
    letters = np.array([m[0] for m in matches], dtype="S3")
    rows = np.array([m[1] for m in matches], dtype="S7").astype(np.int64)
    texts = np.array([m[2] or b"nan" for m in matches], dtype=bytes)
    del matches
    try:
        numbers = texts.astype(np.float64) if len(texts) else np.empty(0)
    except ValueError:
        return None
    distinct, inverse = np.unique(letters, return_inverse=True)
    cols = np.array([column_index(d) for d in distinct.tolist()], dtype=np.int64)[inverse.reshape(-1)]
    return rows, cols, numbers


def _row_of(xml: bytes, at: int) -> int:
    """The Excel row of the cell whose value is at byte `at` (0 when it cannot be told)."""
    m = _CELL_REF.match(xml, max(xml.rfind(b"<c ", 0, at), 0))
    return int(m.group(1)) if m else 0


def _ref(text: bytes) -> tuple[int, int]:
    m = REF.fullmatch(text)
    return int(m.group(2)), column_index(m.group(1))


def visible_sheets(path: Path) -> dict[str, bool]:
    """Each sheet's name and whether it is visible (state absent or "visible"), from workbook.xml."""
    with zipfile.ZipFile(path) as z:
        tags = _tags(z.read("xl/workbook.xml"), b"sheet")
    return {unescape(t.get(b"name", b"").decode()): t.get(b"state", b"visible") == b"visible" for t in tags}


def read_sheet(reader, path: Path, name: str):
    """The sheet's (grid, Excel row of grid[0], 0-based column of grid[:, 0], facts), or None when
    it must be read by python-calamine (see the module's note). Its XML is scanned meanwhile."""
    out: dict = {}
    scanner = threading.Thread(target=lambda: out.update(scan=scan(path, name)), daemon=True)
    scanner.start()
    sheet = reader.load_sheet(name, header_row=None, dtypes="string")
    columns = sheet.available_columns()
    frame = sheet.to_polars()
    del sheet  # fastexcel's own copy of the cells
    scanner.join()
    if isinstance(out["scan"], BaseException):
        raise out["scan"]
    facts, kinds = out["scan"]
    if kinds is None:
        return None
    if not kinds.first_row or frame.height == 0:
        if frame.height or not np.isnan(kinds.numbers).all():
            return None  # values fastexcel did not see
        return np.empty((0, 0), dtype=object), 1, 0, facts, []
    first_col = columns[0].absolute_index
    inside = ((kinds.rows >= kinds.first_row) & (kinds.rows <= kinds.last_row)
              & (kinds.cols >= first_col) & (kinds.cols < first_col + frame.width))
    if frame.height != kinds.last_row - kinds.first_row + 1 or not np.isnan(kinds.numbers[~inside]).all():
        return None  # fastexcel's extent is not the one the XML shows
    kinds.rows, kinds.cols, kinds.numbers = kinds.rows[inside], kinds.cols[inside], kinds.numbers[inside]
    grid = _grid(frame, kinds, first_col)
    if grid is None:
        return None
    return grid, kinds.first_row, first_col, facts, kinds.merged


SAMPLE = 20_000


def _grid(frame, kinds: CellKinds, first_col: int):
    """The object grid calamine would give: texts as str, '' for an empty cell, and the non-text
    cells as float, bool, date or datetime. A column's repeated texts are one object each."""

    height, width = frame.shape
    grid = np.empty((height, width), dtype=object)
    at = kinds.rows - kinds.first_row
    for j, series in enumerate(frame.get_columns()):
        series = series.fill_null("")
        sample = series.gather(np.arange(0, height, max(height // SAMPLE, 1)))
        if height >= 4 * SAMPLE and sample.n_unique() > 0.97 * len(sample):
            grid[:, j] = series.to_numpy()  # an ID, an account: nearly every value differs
        else:
            grid[:, j] = _distinct(series)
        mine = kinds.cols == first_col + j
        if mine.any():
            rows = at[mine]
            values = _typed(series.gather(rows), kinds.numbers[mine])
            if values is None:
                return None
            grid[rows, j] = values
    return grid


def _distinct(series) -> np.ndarray:
    """A text column as an object array with each distinct text one object."""
    codes, uniques = _codes(series)
    return uniques[codes]


def _codes(series) -> tuple[np.ndarray, np.ndarray]:
    """Each value's number among the distinct values, and those values (an object array)."""
    import polars as pl

    uniques = series.unique(maintain_order=True)
    codes = series.replace_strict(uniques, pl.int_range(len(uniques), dtype=pl.UInt32, eager=True),
                                  return_dtype=pl.UInt32).to_numpy()
    return codes, uniques.to_numpy()


_DATE_TEXT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?")


def _typed(texts, numbers: np.ndarray) -> np.ndarray | None:
    """The values calamine gives for non-text cells, from fastexcel's text of each and its value as
    stored: a number as its stored value (fastexcel's text is rounded), a date at midnight as a date,
    another moment as a datetime, a boolean, a cell without a value as ''. None for one this cannot
    give exactly: a time of day or a duration (calamine's own types), a date before 1901, or a text
    that is not what the stored value shows (the cells would be out of place)."""
    import polars as pl

    plain = texts.str.contains(r"^-?\d+(\.\d+)?$").to_numpy()
    empty = (texts == "").to_numpy()
    stored = ~np.isnan(numbers)
    if (plain & ~stored).any() or (empty & stored).any():
        return None
    near = texts.filter(pl.Series(plain)).cast(pl.Float64).to_numpy()
    if not np.allclose(near, numbers[plain], rtol=1e-8, atol=1e-8):
        return None
    out = np.empty(len(texts), dtype=object)
    out[plain] = numbers[plain].tolist()
    out[empty] = ""
    rest = ~(plain | empty)
    if rest.any():  # dates and booleans, each distinct text looked at once
        codes, uniques = _codes(texts.filter(pl.Series(rest)))
        values = np.empty(len(uniques), dtype=object)
        values[:] = [_value(u) for u in uniques.tolist()]
        if any(v is _REFUSED for v in values):
            return None
        out[rest] = values[codes]
    return out


_REFUSED = object()


def _value(text: str) -> object:
    if text in ("true", "false"):
        return text == "true"
    if not _DATE_TEXT.fullmatch(text) or int(text[:4]) <= 1900:
        return _REFUSED  # a time of day or a duration (calamine's own types), or not a date at all
    moment = datetime.fromisoformat(text)
    return moment.date() if moment.time() == datetime.min.time() else moment
