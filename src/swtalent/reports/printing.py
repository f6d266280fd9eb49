"""Paper: how each sheet prints, and what the fast writer cannot write, added to the saved file.

Every sheet prints on A4, one page wide (landscape where its columns are wide), with its header row
on every page and its own page numbers in the footer. Sheets are numbered each from 1
(useFirstPageNumber): printed or exported as a whole workbook, Excel and LibreOffice otherwise
number the pages on through all the sheets. `&N` (the number of pages) is no help there: in a
whole-workbook export LibreOffice 7.4 fills it with the pages of every sheet (a three-page payroll
after the summary read 第 1 页 共 7 页). A payroll therefore prints its own page count as a number,
which it can because it places every page break itself (`plan_pages`); the other sheets say their
name and page number.

rustpy-xlsxwriter writes a sheet as a stream and merges cells only above its header row; it has no
manual page breaks, and one format for the whole header row. `amend` adds those to the saved file:
merged cells below the header (a person's lines under one signature, the words of a total, the
signature lines), manual row breaks, and a header cell aligned apart from the others (金额 over
its amounts). It rewrites only the sheets it changes; every other part of the file is copied as
it was compressed.
"""
from __future__ import annotations

import math
import os
import re
import struct
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..zipparts import Inflating, crc32, deflate, seek_data
from .sheetrows import EMPTY_ROW, PlainRows, splice

A4 = 9  # Excel's paper size code
A4_POINTS = (595.28, 841.89)  # portrait width and height
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6, "header": 0.3, "footer": 0.3}  # inches
# Excel keeps at most 1,026 manual row breaks a sheet (xlsxwriter stops at 1,023, as here).
MAX_BREAKS = 1023
# What a page is planned to hold, of what it can: a renderer that fits a row more or less than
# this arithmetic (fonts, rounding to pixels) still breaks where the plan does.
PAGE_FILL = 0.97
WIDTH_FILL = 0.98


def column_points(width: float) -> float:
    """A column's printed width in points, at the widest of the programs that print it. A width is
    counted in digits of the default font (Calibri 11) and the file stores it with five pixels of
    padding (8.43 as 9.140625). Excel draws a digit as 7 pixels (96 to the inch); LibreOffice with
    Carlito, Calibri's metric twin, 7.44: the same columns print 5% wider (a payroll planned by
    Excel's measure at 99% printed two pages wide). Counted here at 7.5 pixels a digit."""
    return (width + 5 / 7) * 7.5 * 0.75


def printable(landscape: bool) -> tuple[float, float]:
    """The width and height inside the margins of an A4 page, in points."""
    w, h = A4_POINTS[::-1] if landscape else A4_POINTS
    return w - (MARGINS["left"] + MARGINS["right"]) * 72, h - (MARGINS["top"] + MARGINS["bottom"]) * 72


def is_wide(widths: list[float]) -> bool:
    """Landscape when portrait would shrink the columns below 85% to fit one page wide."""
    return sum(column_points(w) for w in widths) * 0.85 > printable(False)[0]


def fit_scale(widths: list[float], landscape: bool) -> int:
    """The print scale (whole percent) at which the columns fit one page wide."""
    total = sum(column_points(w) for w in widths)
    return max(10, min(100, int(100 * WIDTH_FILL * printable(landscape)[0] / total)))


# How many digits of columns print one page wide at 100%: portrait, landscape (at 7.5 px a digit,
# with each column's padding). A sheet wider than the landscape page wraps its longest texts.
PORTRAIT_DIGITS = 88.0
LANDSCAPE_DIGITS = 130.0
WRAP_MIN, WRAP_MAX = 24.0, 60.0  # a wrapped column is never narrower, nor any text column wider
LINE_POINTS = 15.0  # a line of 11-point text


def display_width(text: object) -> int:
    """Width in digits: a CJK character (three bytes in UTF-8) counts two, a Latin one one."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return 0
    s = str(text)
    return len(s) + (len(s.encode("utf-8", "surrogatepass")) - len(s)) // 2


def text_lines(values: np.ndarray, cells: float) -> np.ndarray:
    """How many lines each text takes wrapped in a column `cells` digits wide (a digit and a half
    of it kept for the padding and a word that does not break)."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    codes, found = pd.factorize(values, use_na_sentinel=False)
    room = max(cells - 1.5, 1.0)
    per = np.array([max(1, -(-display_width(t) // room)) for t in found], dtype=np.int64)
    return per[codes]


def layout(frame: pd.DataFrame, natural: list[float], fixed: set[str]) -> tuple[list[float], set[str], dict[int, float]]:
    """Column widths, the columns that wrap, and the data rows (0-based, from the first under the
    header) that need more than one line's height. A sheet whose columns are wider than a landscape
    page narrows its widest text columns to one width (never under WRAP_MIN) and wraps them;
    no text column is wider than WRAP_MAX. Excel and LibreOffice do not grow a row for wrapped text
    by themselves when they open a file: the heights are written."""
    columns = list(frame.columns)
    free = [k for k, c in enumerate(columns) if c not in fixed and frame[c].dtype == object]
    cap = WRAP_MAX
    if sum(natural) > LANDSCAPE_DIGITS and free:
        rest = sum(w for k, w in enumerate(natural) if k not in free)
        while cap > WRAP_MIN and rest + sum(min(natural[k], cap) for k in free) > LANDSCAPE_DIGITS:
            cap -= 1.0
    widths = [min(w, cap) if k in free else w for k, w in enumerate(natural)]
    wrapped = {columns[k] for k in free if natural[k] > cap}
    lines = np.ones(len(frame), dtype=np.int64)
    for c in wrapped:
        lines = np.maximum(lines, text_lines(frame[c].to_numpy(dtype=object), widths[columns.index(c)]))
    tall = np.flatnonzero(lines > 1)
    return widths, wrapped, dict(zip(tall.tolist(), (lines[tall] * LINE_POINTS + 3.0).tolist()))


def sheet_setup(widths: list[float], header_row: int, footer: str, *, landscape: bool | None = None,
                print_area: tuple[int, int, int, int] | None = None, gridlines: bool = False) -> dict:
    """Page setup for a sheet of rows: A4, one page wide and as many long as it takes, the header
    row on every page, the footer, its pages numbered from 1."""
    setup = {"paper_size": A4, "landscape": is_wide(widths) if landscape is None else landscape,
             "fit_to_pages": (1, 0), "repeat_rows": (header_row, header_row), "footer": footer,
             "first_page_number": 1, "margins": dict(MARGINS), "center_horizontally": True}
    if print_area is not None:
        setup["print_area"] = print_area
    if gridlines:
        setup["print_gridlines"] = True
    return setup


def plan_pages(firsts, heights, lines, above: float, repeat: float, capacity: float, min_lines: int = 4) -> list[int]:
    """The rows that begin a page (0-based). Rows come in units that print on one page (a person's
    lines with the subtotal that may close a group; the total with the signature lines last):
    `firsts` is each unit's first row, `heights` its height in points, `lines` the payment lines
    in it. Each page is filled to `capacity` with whole units; `above` is what the first page holds
    above them (title and header), `repeat` the header every later page repeats. The last unit (the
    total) never begins a page, nor shares one with fewer than `min_lines` payment lines when the
    lines are more: units move to it from the page before, which is left shorter."""
    breaks: list[int] = []
    starts = [0]  # each page's first unit
    used = above
    for k, h in enumerate(heights):
        if k > starts[-1] and used + h > capacity:
            breaks.append(int(firsts[k]))
            starts.append(k)
            used = repeat
        used += h
    if len(starts) > 1:
        last = starts[-1]
        held = int(sum(lines[last:]))
        height = repeat + float(sum(heights[last:]))
        while last > starts[-2] + 1 and held < min_lines and height + heights[last - 1] <= capacity:
            last -= 1
            height += heights[last]
            held += int(lines[last])
        breaks[-1] = int(firsts[last])
    return breaks


@dataclass
class Amendment:
    """What to add to one sheet of a saved workbook."""

    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based first row, col, last row, col
    row_breaks: list[int] = field(default_factory=list)  # 0-based rows that begin a page
    align: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> horizontal alignment
    row_height: float | None = None  # the height of every row not given one (the writer gives each its own)
    repair: bool = False  # a row was given a height or format: drop the writer's repeated row (_repeated_rows)
    middle: bool = False  # the workbook's Normal style in the middle of the row (any sheet may ask; see _Styles.middle)
    rows: PlainRows | None = field(default=None, compare=False)  # the rows to put in (sheetrows), when written apart

    def __bool__(self) -> bool:
        return bool(self.merges or self.row_breaks or self.align or self.row_height or self.repair or self.middle
                    or self.rows is not None)


def cell_ref(row: int, col: int) -> str:
    return f"{column_letters(col)}{row + 1}"


@lru_cache(maxsize=None)
def column_letters(col: int) -> str:
    """A 0-based column as Excel names it: A, B, … Z, AA …"""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# The children of <worksheet> that may follow <sheetData>, in the order the schema requires.
_AFTER_DATA = ("sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
               "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
               "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
               "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
               "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
               "webPublishItems", "tableParts", "extLst")
_TAG = re.compile(rb"<(/?)([A-Za-z][\w:.-]*)[^>]*?(/?)>")


def _top_level(tail: bytes) -> list[tuple[str, int, int]]:
    """(name, start, end) of each element at the top level of `tail` (the XML after </sheetData>)."""
    out, depth, start = [], 0, 0
    for m in _TAG.finditer(tail):
        closing, name, empty = m.group(1), m.group(2).decode(), m.group(3)
        if closing:
            depth -= 1
            if depth == 0:
                out.append((name, start, m.end()))
        elif empty:
            if depth == 0:
                out.append((name, m.start(), m.end()))
        else:
            if depth == 0:
                start = m.start()
            depth += 1
    return out


def _insert(tail: bytes, name: str, xml: bytes) -> bytes:
    """`xml` (a <name> element) put where the schema wants it among the elements of `tail`."""
    rank = _AFTER_DATA.index(name)
    at = 0
    for other, _, end in _top_level(tail):
        if other == "worksheet":
            break
        if other in _AFTER_DATA and _AFTER_DATA.index(other) < rank:
            at = end
    return tail[:at] + xml + tail[at:]


_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')


def _repeated_rows(data: bytes, end: int) -> list[tuple[int, int, bytes]]:
    """rustpy-xlsxwriter 0.8 writes the last row with cells a second time, as an empty <row> of the
    same number, when that row has a height or a format of its own (any rows of a height alone
    follow it); Excel reports it as damage. The splices that drop the repeat, before `end`
    (</sheetData>): looked for among the rows of the last 4 KiB, and, where the row before it is
    longer than that, as the last row of all."""
    window = max(0, end - 4096)
    tail = data[window:end]
    numbers = [int(n) for n in _ROW_NUMBER.findall(tail)]
    found = [(window + m.start(), window + m.end(), b"") for m in EMPTY_ROW.finditer(tail)
             if numbers.count(int(m.group(1))) > 1]
    if found:
        return found
    last = data.rfind(b"<row ", 0, end)
    m = EMPTY_ROW.match(data, last) if last > 0 else None
    if m is None or m.end() != end:
        return []
    before = _ROW_NUMBER.match(data, data.rfind(b"<row ", 0, last))
    return [(m.start(), m.end(), b"")] if before and before.group(1) == m.group(1) else []


HEAD = 1 << 20  # the edits at a sheet's start (its default row height, its header's cells) lie in its first MiB
TAIL = 1 << 20  # those at its end (the last rows, what follows </sheetData>) in its last


def _amend_head(data: bytes, change: Amendment, styles: _Styles) -> bytes:
    """The start of a sheet's XML with its default row height and its header cells aligned apart."""
    if change.middle:
        styles.middle()
    if change.row_height:
        height = b'<sheetFormatPr defaultRowHeight="%s" customHeight="1"/>' % f"{change.row_height:g}".encode()
        data = re.sub(rb"<sheetFormatPr\b[^>]*?/>", lambda m: height, data, count=1)
    for (row, col), how in change.align.items():
        ref = cell_ref(row, col).encode()
        m = re.compile(rb'<c r="' + ref + rb'"( s="(\d+)")?').search(data)
        if m is not None:
            new = styles.aligned(int(m.group(2) or 0), how)
            data = data[:m.start()] + b'<c r="%s" s="%d"' % (ref, new) + data[m.end():]
    return data


def _amend_tail(data: bytes, change: Amendment) -> bytes:
    """The end of a sheet's XML (its last rows, </sheetData> and what follows) with the repeated row
    dropped, the merged cells and the row breaks added."""
    end = data.rfind(b"</sheetData>")
    if end < 0:
        raise ValueError("no </sheetData> at the end of the sheet")
    if change.repair:
        for start, stop, _ in reversed(_repeated_rows(data, end)):
            data, end = data[:start] + data[stop:], end - (stop - start)
    end += len(b"</sheetData>")
    head, tail = data[:end], data[end:]
    if change.merges:
        letters = {c: column_letters(c).encode() for m in set((m[1], m[3]) for m in change.merges) for c in m}
        refs = b"".join([b'<mergeCell ref="%s%d:%s%d"/>' % (letters[c1], r1 + 1, letters[c2], r2 + 1)
                         for r1, c1, r2, c2 in change.merges])  # 100,000s of them on a payroll
        m = re.search(rb'<mergeCells count="(\d+)">', tail)
        if m:
            count = int(m.group(1)) + len(change.merges)
            close = tail.index(b"</mergeCells>", m.end())
            tail = tail[:m.start()] + b'<mergeCells count="%d">' % count + tail[m.end():close] + refs + tail[close:]
        else:
            tail = _insert(tail, "mergeCells", b'<mergeCells count="%d">' % len(change.merges) + refs + b"</mergeCells>")
    if change.row_breaks:
        rows = sorted(set(change.row_breaks))[-MAX_BREAKS:]
        brks = b"".join(b'<brk id="%d" max="16383" man="1"/>' % r for r in rows)
        tail = _insert(tail, "rowBreaks", b'<rowBreaks count="%d" manualBreakCount="%d">' % (len(rows), len(rows))
                       + brks + b"</rowBreaks>")
    return head + tail


def _amended(part, change: Amendment, styles: _Styles):
    """A sheet's XML with its amendment, piece by piece, read from the open part (with the rows
    written apart put in, sheetrows.splice): its start and its end are changed, and the 55 MB
    between them of a 100,000-line payroll pass through in pieces, never held whole."""
    pieces = iter(lambda: part.read(CHUNK), b"") if change.rows is None else splice(part, change.rows, CHUNK)
    first = b""
    for piece in pieces:
        first += piece
        if len(first) >= HEAD + TAIL:
            break
    if len(first) < HEAD + TAIL:
        yield _amend_tail(_amend_head(first, change, styles), change)
        return
    yield _amend_head(first[:HEAD], change, styles)
    held = first[HEAD:]
    for chunk in pieces:
        held += chunk
        yield held[:-TAIL]
        held = held[-TAIL:]
    yield _amend_tail(held, change)


def _with_alignment(xf: bytes, attribute: bytes) -> bytes:
    """A cell format (<xf>) with one alignment attribute set (horizontal="right", vertical="center")."""
    name = attribute.split(b"=")[0]
    if b"<alignment" in xf:
        xf = re.sub(rb"<alignment\b([^>]*?)\s*/>", lambda m: b"<alignment" + re.sub(
            rb"\s*" + name + rb'="[^"]*"', b"", m.group(1)) + b" " + attribute + b"/>", xf)
    else:
        body = b"<alignment " + attribute + b"/>"
        xf = (xf[:-2] + b">" + body + b"</xf>") if xf.endswith(b"/>") else xf.replace(b"</xf>", body + b"</xf>")
    return xf if b"applyAlignment" in xf else xf.replace(b"<xf ", b'<xf applyAlignment="1" ', 1)


class _Styles:
    """xl/styles.xml, to which a cell format is added the first time a cell needs it aligned apart."""

    def __init__(self, xml: bytes) -> None:
        self.xml = xml
        self.made: dict[tuple[int, str], int] = {}
        m = re.search(rb"<cellXfs count=\"(\d+)\">(.*?)</cellXfs>", xml, re.S)
        self.span = m.span(2)
        self.xfs = re.findall(rb"<xf\b[^>]*?/>|<xf\b[^>]*?>.*?</xf>", m.group(2), re.S)
        self.changed = self.changed_middle = False
        self.normal: tuple[tuple[int, int], bytes] | None = None

    def aligned(self, index: int, how: str) -> int:
        if (index, how) not in self.made:
            xf = self.xfs[index] if index < len(self.xfs) else self.xfs[0]
            self.xfs.append(_with_alignment(xf, b'horizontal="' + how.encode() + b'"'))
            self.made[(index, how)] = len(self.xfs) - 1
            self.changed = True
        return self.made[(index, how)]

    def middle(self) -> None:
        """The workbook's Normal style, and the format of every cell written without one (cellXfs 0),
        in the middle of the row: a payroll's text sits mid-way in the space to sign, and a list's
        short cells level with a wrapped neighbour. Excel reads cellXfs 0 for such a cell, LibreOffice
        the Normal style (cellStyleXfs 0); a format given to each cell instead costs the writer a
        quarter of a second on a 100,000-line payroll."""
        if self.changed_middle:
            return
        self.xfs[0] = _with_alignment(self.xfs[0], b'vertical="center"')
        m = re.search(rb"<cellStyleXfs count=\"\d+\">(<xf\b[^>]*?/>|<xf\b[^>]*?>.*?</xf>)", self.xml, re.S)
        if m:
            self.normal = (m.span(1), _with_alignment(m.group(1), b'vertical="center"'))
        self.changed = self.changed_middle = True

    def to_xml(self) -> bytes:
        a, b = self.span
        out = self.xml[:a] + b"".join(self.xfs) + self.xml[b:]
        if self.normal:  # before cellXfs in the file: its span is unchanged by them
            (c, d), xf = self.normal
            out = out[:c] + xf + out[d:]
        return re.sub(rb'<cellXfs count="\d+">', b'<cellXfs count="%d">' % len(self.xfs), out, count=1)


def _sheet_parts(z: zipfile.ZipFile) -> list[str]:
    """The worksheet parts in the workbook's sheet order."""
    book = z.read("xl/workbook.xml")
    rels = z.read("xl/_rels/workbook.xml.rels")
    targets = {m.group(1): m.group(2) for m in re.finditer(rb'<Relationship Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(rb'<Relationship Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    parts = []
    for m in re.finditer(rb'<sheet\b[^>]*?r:id="([^"]+)"', book):
        target = targets[m.group(1)].decode()
        parts.append(target.lstrip("/") if target.startswith("/") else "xl/" + target)
    return parts


def amend(path: Path, changes: dict[int, Amendment]) -> None:
    """Add each sheet's amendment (by the sheet's 0-based position) to the workbook at `path`."""
    changes = {k: v for k, v in changes.items() if v}
    if not changes:
        return
    tmp = path.with_name(path.name + ".amend")
    try:
        with zipfile.ZipFile(path) as z, open(path, "rb") as src, open(tmp, "wb") as out:
            parts = _sheet_parts(z)
            todo = {parts[k]: change for k, change in changes.items()}
            styles = _Styles(z.read("xl/styles.xml"))

            def make(name: str):
                if name == "xl/styles.xml":  # written last, once every sheet has added its formats
                    yield styles.to_xml()
                    return
                yield from _amended(Inflating(src, z.getinfo(name), check=False), todo[name], styles)
            _rewrite(z, src, out, set(todo) | {"xl/styles.xml"}, make)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


CHUNK = 1 << 23  # a large part is compressed in pieces of 8 MiB, on both cores
AHEAD = 4  # runs waiting to be deflated, at most (8 MiB each)
LEVEL = 2  # ISA-L's default: a payroll part smaller than zlib's level 1 made it, in a third of the time


def _rewrite(z: zipfile.ZipFile, src, out, changed: set[str], make) -> None:
    """A zip with the parts named in `changed` made anew by `make(name)` and compressed, every other
    part copied as it was compressed: the sheets beside a payroll are not inflated and deflated
    again. xl/styles.xml comes before the sheets in the file but is made after them. A large part
    is compressed in runs of 8 MiB on two threads while it is read (ISA-L lets go of the interpreter),
    each run alone, so that a 55 MB payroll sheet takes half the time where two cores are free."""
    from concurrent.futures import ThreadPoolExecutor

    infos = z.infolist()
    made: dict[str, tuple[list, int, int]] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for info in sorted((i for i in infos if i.filename in changed), key=lambda i: i.filename == "xl/styles.xml"):
            jobs, run, held, crc, size = [], [], 0, 0, 0
            for piece in make(info.filename):
                crc, size = crc32(piece, crc), size + len(piece)
                run.append(piece)
                held += len(piece)
                if held >= CHUNK:
                    jobs.append(pool.submit(deflate, run, LEVEL, False))
                    run, held = [], 0
                    if len(jobs) > AHEAD:  # the part is inflated faster than deflated: hold few runs waiting
                        jobs[-AHEAD - 1].result()
            jobs.append(pool.submit(deflate, run, LEVEL, True))
            made[info.filename] = (jobs, crc, size)
    central = []
    for info in infos:
        if info.filename in made:
            jobs, crc, size = made.pop(info.filename)
            raw, method = b"".join(job.result() for job in jobs), zipfile.ZIP_DEFLATED
        else:
            seek_data(src, info)
            raw, crc, size, method = src.read(info.compress_size), info.CRC, info.file_size, info.compress_type
        if len(raw) >= 1 << 32 or size >= 1 << 32:
            raise OverflowError("a part of 4 GiB or more")
        name = info.filename.encode("utf-8")
        flags = 0x800 if any(ord(ch) > 127 for ch in info.filename) else 0
        dostime = (info.date_time[3] << 11) | (info.date_time[4] << 5) | (info.date_time[5] // 2)
        dosdate = ((info.date_time[0] - 1980) << 9) | (info.date_time[1] << 5) | info.date_time[2]
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, dostime, dosdate, crc, len(raw), size,
                              len(name), 0) + name)
        out.write(raw)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, method, dostime, dosdate, crc,
                                   len(raw), size, len(name), 0, 0, 0, 0, info.external_attr, offset) + name)
    start = out.tell()
    for entry in central:
        out.write(entry)
    if start >= 1 << 32 or len(central) >= 1 << 16:
        raise OverflowError("a workbook of 4 GiB or more")
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
