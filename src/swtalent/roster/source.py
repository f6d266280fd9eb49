"""Read a roster file's cells on a background thread, started before the heavy imports.

python-calamine releases the GIL while it parses a sheet (the slowest step of a run), and
inflating the sheet's XML for error cells and hidden rows does too. Starting both before pandas
and the policy are loaded lets that start-up work use the second core. This module imports only
the standard library and the reader, so the command line can start it first.

Every format ends as the same SheetCells: a large .xlsx/.xlsm sheet (FAST_READ_FROM) through
fastexcel as text with each non-text cell's type from the sheet XML (roster.fastxlsx; a sheet
written in a way that scan does not know goes the calamine way), smaller ones and .xls/.ods
through python-calamine's cell objects (each cell with its type, so an ID typed as a number is
seen as one), .csv as text in UTF-8 (with or without a byte-order mark) or GBK/GB18030, as Excel
in China saves it.
"""
from __future__ import annotations

import csv
import datetime
# importlib.abc and importlib.resources import each other: loaded by two threads at once (pydantic,
# through importlib.metadata, on the main thread; dateutil, through pandas, on a reading thread),
# Python stops one with "_DeadlockError: deadlock detected by _ModuleLock('importlib.resources')".
# Loaded here (3 ms), before any reading thread starts, neither thread imports them again.
import importlib.abc  # noqa: F401
import io
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

from ..errors import Issue, Location, SwtalentError
from .sheetxml import SheetFacts, sheet_facts

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
HEADER_SCAN_ROWS = 30  # the header row is looked for in a sheet's first rows (roster.reader)
READING_THREAD = "swtalent-roster-read"  # every thread that reads a roster is named so (cli._exit looks for them)

# Limits that keep a broken or hostile file from taking the machine (docs/security.md). A roster
# row takes about 610 bytes of sheet XML and shared strings (15 columns, measured on the benchmark's
# roster), so a file may inflate to 1 KiB a row of --max-rows; two full Excel sheets pass by default.
DEFAULT_MAX_ROWS = 2_100_000
BYTES_PER_ROW = 1024
BOOK_OVERHEAD = 2**20  # styles, theme and the like, whatever the rows: a small workbook is never refused
# Sheet XML compresses about 4-12 to 1 (7.5 measured; rows of formatted empty cells 12); a part
# that claims 100 to 1 or more is built to explode (a "zip bomb"), however few rows it claims.
MAX_RATIO, RATIO_FROM_BYTES = 100, 16 * 2**20


@dataclass
class SheetCells:
    """The cells of one sheet, trimmed to the used area, merged ranges filled down: a 2-D object
    array (numpy's), one row for each sheet row, every row as wide as the widest."""

    name: str  # '' for a CSV file, which has no sheets
    grid: object  # numpy object array; '' for an empty cell (None where a CSV row is shorter)
    first_row: int  # the Excel row number of grid[0]
    first_col: int  # the 0-based column of grid[:, 0]
    facts: SheetFacts = field(default_factory=SheetFacts)  # error cells and hidden rows
    widths: object = None  # a CSV file's rows: each row's own number of cells (they may differ)

    @property
    def rows(self) -> list[list]:
        """The rows as lists (each as long as it was written, for a CSV file): for small sheets."""
        rows = self.grid.tolist()
        return rows if self.widths is None else [r[:w] for r, w in zip(rows, self.widths.tolist())]


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

    def __init__(self, path: str | Path, sheet: str | None = None, first_only: bool = False,
                 max_rows: int = DEFAULT_MAX_ROWS):
        self.path, self.sheet, self.first_only, self.max_rows = Path(path), sheet, first_only, max_rows
        self._done = threading.Event()
        self._outcome: BookCells | BaseException | None = None
        # A daemon thread: a usage error found meanwhile exits at once instead of waiting for it.
        threading.Thread(target=self._run, name=READING_THREAD, daemon=True).start()

    def _run(self) -> None:
        try:
            self._outcome = _load(self.path, self.sheet, self.first_only, self.max_rows)
        except BaseException as exc:  # handed to the caller by result()
            self._outcome = exc
        self._done.set()

    def result(self) -> BookCells:
        self._done.wait()
        if self._outcome is None:  # released: read again, here (a second use is rare)
            self._outcome = _load(self.path, self.sheet, self.first_only, self.max_rows)
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome

    def release(self) -> None:
        """Let go of the cells once the roster is read: at a million rows they are some 500 MB of
        Python objects that the rest of the run does not need. A later result() reads the file again."""
        self._done.wait()
        if not isinstance(self._outcome, BaseException):
            self._outcome = None


def regular_file(path: Path) -> None:
    """An input must be a file: a folder, a device (/dev/zero) or a pipe would hang or fail the read."""
    where = Location(file=str(path))
    if not path.exists():
        raise SwtalentError([Issue.make("file.not-found", where)])
    if not path.is_file():
        raise SwtalentError([Issue.make("file.not-a-file", where)])


def _load(path: Path, sheet: str | None, first_only: bool = False, max_rows: int = DEFAULT_MAX_ROWS) -> BookCells:
    where = Location(file=str(path))
    regular_file(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SwtalentError([Issue.make("file.format", where, suffix=path.suffix or path.name)])
    if suffix != ".csv":
        _check_workbook(path, suffix)
    _check_size(path, max_rows)
    if suffix == ".ods":
        _check_extent(path, None, max_rows)  # calamine reads every table of an .ods as it opens it
    if suffix == ".csv":
        rows = csv_rows(path)
        _check_rows(path, "", len(rows), max_rows)
        return BookCells(path, [], [_csv_sheet(rows)], chosen=True)
    facts = _fast_book(path) if suffix in (".xlsx", ".xlsm") else None
    try:
        if facts is not None:
            book, names = None, list(facts.sheets)
            visible = [n for n in names if facts.sheets[n]]
        else:
            book = calamine.CalamineWorkbook.from_path(str(path))
            names = book.sheet_names
            visible = [m.name for m in book.sheets_metadata if m.visible == calamine.SheetVisibleEnum.Visible]
        if sheet is not None and sheet not in names:
            raise SwtalentError([Issue.make("file.sheet-not-found", where, sheet=sheet, sheets="、".join(names))])
        chosen = [sheet] if sheet is not None else (visible or names)[:1 if first_only else None]
        if suffix in (".xlsx", ".xlsm"):
            _check_extent(path, chosen, max_rows)  # calamine lays a sheet out when it is asked for
        fast = facts is not None and sum(facts.sizes[name] for name in chosen) >= FAST_READ_FROM
        sheets = _fast_sheets(path, facts, chosen) if fast else None
        if sheets is None:
            book = book or calamine.CalamineWorkbook.from_path(str(path))
            sheets = [_sheet(book, path, name) for name in chosen]
        for one in sheets:
            _check_rows(path, one.name, len(one.grid), max_rows)
    except SwtalentError:
        raise
    except Exception as exc:  # calamine raises its own errors for damaged or encrypted files
        raise SwtalentError([Issue.make("file.unreadable", where, detail=exc)]) from exc
    hidden = [] if sheet is not None or first_only else [n for n in names if n not in visible and n not in chosen]
    return BookCells(path, names, sheets, chosen=sheet is not None, hidden=hidden)


# A sheet's XML from which it is read the fast way (fastxlsx): about 130,000 rows of 15 columns.
# Below it the fast way saves nothing (at 100,000 rows both take 1.5 s) and importing fastexcel
# and polars costs 0.2 s and 55 MB more than python-calamine; at 300,000 rows it saves 0.2 s, at
# a million 2.7 s (docs/benchmarks.md).
FAST_READ_FROM = 64 << 20


def _fast_book(path: Path):
    """The workbook's sheets (and what the fast read needs of its styles) when it can be read the
    fast way (roster.fastxlsx.Book); None when python-calamine reads it, and says what is wrong with
    a file neither can open."""
    from .fastxlsx import workbook_facts

    try:
        return workbook_facts(path)
    except Exception:  # noqa: BLE001 - damaged, encrypted, or not laid out as expected
        return None


def _fast_sheets(path: Path, book, chosen: list[str]) -> list[SheetCells] | None:
    """The chosen sheets read the fast way (roster.fastxlsx), or None when one of them cannot be.
    Each sheet's XML scan starts before fastexcel opens the file (1.4 s at a million rows: its
    shared strings)."""
    from .fastxlsx import SheetScan, read_sheet

    sheets, scan = [], SheetScan(path, chosen[0])
    try:
        import fastexcel

        reader = fastexcel.read_excel(str(path))
        if set(reader.sheet_names) != set(book.sheets):
            return None
        for k, name in enumerate(chosen):
            scan = scan if k == 0 else SheetScan(path, name)
            got = read_sheet(reader, name, scan, book.cjk_dates)
            if got is None:
                return None
            grid, first_row, first_col, facts, merged = got
            _fill_merged(grid, merged, first_row - 1, first_col)
            sheets.append(SheetCells(name, grid, first_row, first_col, facts))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - python-calamine reads it again and says what is wrong
        return None  # (a Rust panic in fastexcel is a BaseException)
    finally:
        scan.stop()  # no scan goes on after the read, whatever became of it
    return sheets


ZIP_START, OLE_START = b"PK", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xlsx/.xlsm/.ods; .xls (and an encrypted .xlsx)


def _check_workbook(path: Path, suffix: str) -> None:
    """A file named as a workbook that is none by its first bytes (a CSV or a web page saved with an
    .xlsx name, an empty file) is said as such, not as the reader's own words about a zip."""
    with path.open("rb") as fh:
        head = fh.read(512)
    if head.startswith((ZIP_START, OLE_START)):
        return
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        kind = ("空的（0 字节）", "nothing (0 bytes)")
    elif text.startswith((b"<!doctype html", b"<html")) or b"<table" in text:
        kind = ("网页（HTML）", "a web page (HTML)")
    elif text.startswith(b"<?xml") or text.startswith(b"<"):
        kind = ("XML 文本", "XML text")
    elif _looks_like_text(head):
        kind = ("文本（可能是 CSV）", "text (a CSV, perhaps)")
    else:
        kind = ("其他格式的数据", "data of another format")
    raise SwtalentError([Issue.make("file.not-a-workbook", Location(file=str(path)), kind_zh=kind[0], kind_en=kind[1],
                                    suffix=suffix)])


def _looks_like_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            decoded = head.decode(encoding)
        except UnicodeDecodeError:  # the block may end inside a character: try it a few bytes shorter
            try:
                decoded = head[:-3].decode(encoding)
            except UnicodeDecodeError:
                continue
        return not any(ch < " " and ch not in "\t\r\n" for ch in decoded)
    return False


def _check_size(path: Path, max_rows: int) -> None:
    """Refuse, before anything is inflated, a file that would grow past what --max-rows rows take,
    or a zipped part that claims a compression no spreadsheet has. Sizes are the ones the zip
    declares; a part that inflates past its declared size is stopped there by the readers
    (python-calamine and zipfile both), as file.unreadable."""
    limit = max_rows * BYTES_PER_ROW + BOOK_OVERHEAD
    where = Location(file=str(path))
    size, ratio_part = path.stat().st_size, None
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as z:
                parts = z.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise SwtalentError([Issue.make("file.unreadable", where, detail=exc)]) from exc
        size = sum(p.file_size for p in parts)
        ratio_part = next((p for p in parts if p.file_size >= RATIO_FROM_BYTES
                           and p.file_size > MAX_RATIO * max(p.compress_size, 1)), None)
    if ratio_part is not None:
        raise SwtalentError([Issue.make("file.inflates", where, part=ratio_part.filename, max_ratio=MAX_RATIO,
                                        ratio=ratio_part.file_size // max(ratio_part.compress_size, 1))])
    if size > limit:
        raise SwtalentError([Issue.make("file.too-large", where, size=_mib(size), limit=_mib(limit),
                                        max_rows=max_rows, suggested=max_rows * 2)])


# calamine lays a sheet out as a dense grid from A1 to its farthest cell holding something, at
# some 40 bytes a cell (with the Python list it becomes): one stray value in column XFD of a
# 3,000-row sheet is 49 million cells, gigabytes, from a 135 KB file. A roster is some 15 columns
# wide; a sheet wider than MAX_COLUMNS (IV, the old Excel's last column) holds such a stray cell.
MAX_COLUMNS = 256
# The cells one sheet may span: CELLS_PER_ROW for each row of --max-rows (a roster takes about 15),
# and never fewer than MIN_CELLS (some 40 MB laid out), which no machine is short of.
CELLS_PER_ROW, MIN_CELLS = 64, 2**20


def _check_extent(path: Path, sheets: list[str] | None, max_rows: int) -> None:
    """Refuse, before calamine lays it out, a sheet wider than MAX_COLUMNS or spanning more cells
    than --max-rows allows: .xlsx sheets (`sheets`, the ones to be read) by the <dimension> their
    writer puts near the start of each, .ods tables (all of them) by scanning content.xml, with
    LibreOffice's repeated rows and cells counted, not expanded. Cheap: a few KiB of each .xlsx
    sheet is inflated. A file this cannot read is left to calamine, which says why."""
    from .extent import ods_extents, xlsx_extent

    try:
        if sheets is None:
            extents = ods_extents(path)
        else:
            extents = [e for e in (xlsx_extent(path, name, MAX_COLUMNS) for name in sheets) if e is not None]
    except Exception:  # noqa: BLE001 - damaged or encrypted: calamine says what is wrong with it
        return
    limit = max(max_rows * CELLS_PER_ROW, MIN_CELLS)
    for e in extents:
        where = Location(file=str(path), sheet=e.sheet)
        if e.cols > MAX_COLUMNS:
            raise SwtalentError([Issue.make("file.too-wide", where, cols=f"{e.cols:,}", cell=e.cell,
                                            max_cols=MAX_COLUMNS)])
        cells = e.rows * e.cols
        # .ods: one row repeated past --max-rows (each repeat is a row calamine lays out)
        if cells > limit or e.rows_repeated > max_rows and cells > MIN_CELLS:
            raise SwtalentError([Issue.make(
                "file.too-many-cells", where, rows=f"{e.rows:,}", cols=e.cols, cells=f"{cells:,}",
                max_rows=max_rows, limit=f"{limit:,}",
                suggested=max(max_rows * 2, e.rows_repeated, -(-cells // CELLS_PER_ROW)))])


def _check_rows(path: Path, sheet: str, rows: int, max_rows: int) -> None:
    """--max-rows counts people's rows: the title and header rows above them (the header is looked
    for in the first HEADER_SCAN_ROWS rows) come on top."""
    if rows > max_rows + HEADER_SCAN_ROWS:
        raise SwtalentError([Issue.make("file.too-many-rows", Location(file=str(path), sheet=sheet), rows=rows,
                                        max_rows=max_rows, suggested=max_rows * 2)])


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB" if size >= 2**20 else f"{size / 2**10:,.0f} KiB"


def _sheet(book, path: Path, name: str) -> SheetCells:
    """One sheet; its XML is scanned on another thread while calamine parses it."""
    scan: dict = {}
    scanner = threading.Thread(target=lambda: scan.update(facts=_scan(path, name)), name=READING_THREAD, daemon=True)
    scanner.start()
    data = book.get_sheet_by_name(name)
    first_row, first_col = (data.start[0], data.start[1]) if data.start else (0, 0)
    merged = data.merged_cell_ranges
    grid = _grid(data, first_row)
    del data  # calamine's own copy of the cells: some 1 GB at a million rows
    scanner.join()
    facts = scan["facts"]
    if isinstance(facts, BaseException):
        raise facts
    _fill_merged(grid, merged or facts.merged, first_row, first_col)
    return SheetCells(name, grid, first_row + 1, first_col, facts)


CHUNK_ROWS = 1 << 16
# A sheet of up to this many cells (some 270,000 rows of 15 columns, 600 MB as Python objects) is
# taken from calamine all at once: that is 0.4 s faster at 100,000 rows than chunk by chunk.
WHOLE_CELLS = 4_000_000
_KEPT_ONCE = (str, datetime.date, datetime.datetime, datetime.time, datetime.timedelta)  # none equals another type


def _grid(data, first_row: int):
    """The sheet's cells as a 2-D object array, made from calamine's rows a chunk at a time.

    A roster repeats itself down most columns (a district, a level, a category, a date), and every
    cell calamine hands over is a Python object of its own: 15 million of them at a million rows,
    more than calamine's own copy of the sheet. Each chunk's repeated values are kept once (one
    object for all the cells holding 2023-03-01), so the grid holds a fraction of them. Only texts
    and dates are: no value of another type equals them, while True == 1 == 1.0 to Python."""
    import itertools

    import numpy as np
    import pandas as pd

    height, width = data.height, data.width
    grid = np.empty((height, width), dtype=object)
    if not height or not width:
        return grid
    if height * width <= WHOLE_CELLS:  # all at once: faster, and the memory is no matter
        grid[:, :] = data.to_python(skip_empty_area=True)
        return grid
    # calamine's rows start at the sheet's first row, not at `start` (python-calamine 0.9, every format)
    rows = itertools.islice(data.iter_rows(), first_row, None)
    lo, repeated = 0, list(range(width))  # the columns worth keeping once, as the first chunk shows
    while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
        hi = lo + len(chunk)
        if hi > height or any(len(r) != width for r in chunk):
            break
        block = grid[lo:hi]
        block[:, :] = chunk
        del chunk
        for j in list(repeated):
            codes, uniques = pd.factorize(block[:, j], use_na_sentinel=False)
            if 4 * len(uniques) > len(codes):  # an ID, a name, an account: nearly every value differs
                if lo == 0:
                    repeated.remove(j)
                continue
            # Texts and dates only: factorize finds True, 1 and 1.0 one value, and a number cell
            # keeps its own object (and type).
            numeric = np.fromiter((type(u) not in _KEPT_ONCE for u in uniques), dtype=bool, count=len(uniques))
            once = ~numeric[codes]
            block[once, j] = uniques[codes[once]]
        lo = hi
    if lo != height or chunk:  # not the rows calamine's extent says: its own layout, as it gives it
        grid[:, :] = data.to_python(skip_empty_area=True)
    return grid


def _csv_sheet(rows: list[list[str]]) -> SheetCells:
    """A CSV file's rows in a grid as wide as its widest row, shorter rows padded with None; each
    row's own width is kept (roster.reader says a row wider than its header)."""
    import numpy as np

    widths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    width = int(widths.max()) if len(rows) else 0
    grid = np.empty((len(rows), width), dtype=object)
    if len(rows) and width:
        if (widths == width).all():
            grid[:, :] = rows
        else:
            for i, r in enumerate(rows):
                grid[i, :len(r)] = r
    return SheetCells("", grid, 1, 0, widths=widths)


def _fill_merged(grid, ranges, first_row: int, first_col: int) -> None:
    """A cell merged down over several rows (a 区县 or 单位 shared by the people below it) shows its
    value on each of them, so each row gets it; calamine gives it to the top row only. Only the
    range's first column is filled (a merge across columns is one value, not one per column), and
    only rows holding something else (a blank row inside the range stays blank)."""
    import numpy as np

    height, width = grid.shape
    for (r1, c1), (r2, _c2) in ranges:
        i1, j = r1 - first_row, c1 - first_col
        if r2 == r1 or not (0 <= i1 < height) or not (0 <= j < width):
            continue
        i2 = min(r2 - first_row + 1, height)
        others = np.delete(grid[i1 + 1:i2], j, axis=1)
        filled = ((others != "") & (others != None)).any(axis=1)  # noqa: E711 - elementwise, on objects
        grid[i1 + 1:i2, j][filled] = grid[i1, j]


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
    # A field may be as long as the file (bounded by _check_size): one too long for a cell is a
    # located row problem (roster.cell-too-long), not a reader that stops.
    csv.field_size_limit(max(len(text), 131072))
    return list(csv.reader(io.StringIO(text, newline=""), dialect))
