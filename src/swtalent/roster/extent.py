"""How far a sheet's cells reach, read from the file before python-calamine lays the sheet out as
a grid (rows x columns): one stray cell at column XFD, or an .ods row repeated a million times,
would otherwise take the machine's memory (roster.source refuses such a sheet)."""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import cell_name
from .sheetxml import ODS_TABLE_START, REF, attrs_of, column_index, ods_name, sheet_part

_DIMENSION = re.compile(rb"""<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*["']([^"']*)["']""")
_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData\b")
_WIDE_REF = re.compile(rb"""\br\s*=\s*["']\$?((?:[A-Z]{3,}|[J-Z][A-Z]|I[W-Z])\$?\d+)""")

_ODS_ACROSS = re.compile(rb"""table:number-columns-repeated\s*=\s*["'](\d+)""")


@dataclass
class Extent:
    """How far a sheet's cells reach from A1, the grid calamine builds for it. `rows` is 0 when
    unknown (an .xlsx sheet without a <dimension>, scanned for its widest cell only)."""

    sheet: str
    rows: int
    cols: int
    cell: str  # the cell that reaches farthest right, as Excel names it (XFD3000)
    rows_repeated: int = 1  # .ods: the most times one row holding a value is repeated


def ods_extents(path: Path) -> list[Extent]:
    """How far each table of an .ods reaches with a cell holding a value (one with
    office:value-type: calamine reads the others as empty) or a formula, counting the repeats
    LibreOffice writes, without expanding them. Every table: calamine reads them all when it opens
    the file. Rows are found by plain byte search (a regular expression per row is slower)."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("content.xml")
    extents = []
    for t in ODS_TABLE_START.finditer(xml):
        tag_end = xml.find(b">", t.start())
        if tag_end < 0 or xml[tag_end - 1:tag_end] == b"/":
            continue
        end = xml.find(b"</table:table>", tag_end)
        end = len(xml) if end < 0 else end
        row = last = width = most = 0
        widest = (1, 1)
        at = tag_end
        while True:
            at = xml.find(b"<table:table-row", at, end)
            if at < 0:
                break
            if xml[at + 16:at + 17] not in b" \t\r\n/>":  # <table:table-row-group>, <table:table-rows>
                at += 16
                continue
            close = xml.find(b">", at, end)
            if close < 0:
                break
            repeat = 1
            if xml.find(b"rows-repeated", at, close) >= 0:
                repeat = int(attrs_of(xml[at:close]).get(b"table:number-rows-repeated", b"1"))
            if xml[close - 1:close] == b"/":
                stop = close
            else:
                stop = xml.find(b"</table:table-row>", close, end)
                stop = end if stop < 0 else stop
            reach = _ods_reach(xml, close, stop)
            if reach:
                last, most = row + repeat, max(most, repeat)
                if reach > width:
                    width, widest = reach, (row + 1, reach)
            row += repeat
            at = stop
        extents.append(Extent(ods_name(xml[t.start():tag_end]), last, width, cell_name(widest[1], widest[0]), most))
    return extents


def _ods_reach(xml: bytes, start: int, stop: int) -> int:
    """The columns a row's cells (in xml[start:stop]) take up to the last one holding a value or a
    formula (calamine lays out the formulas too; 0: no cell holds either)."""
    mark = max(xml.rfind(b"value-type", start, stop), xml.rfind(b"table:formula", start, stop))
    if mark < 0:
        return 0
    upto = xml.find(b">", mark, stop) + 1 or stop
    cells = xml.count(b"<table:table-cell", start, upto) + xml.count(b"<table:covered-table-cell", start, upto)
    if xml.find(b"columns-repeated", start, upto) < 0:
        return cells
    return cells + sum(int(n) - 1 for n in _ODS_ACROSS.findall(xml, start, upto))


def xlsx_extent(path: Path, sheet: str, max_cols: int) -> Extent | None:
    """How far an .xlsx sheet reaches, from the <dimension ref="A1:O3000"/> its writer puts near
    the start of the sheet (only the first few KiB are inflated). Without one, the sheet is
    streamed for a cell reference past `max_cols` columns (rows are then not known: 0). A dimension
    that lies is not caught here: a sheet whose dimension is A1:O3000 while a cell sits in XFD3000
    is written by hand to deceive, not by a spreadsheet program; nor is a sheet without a dimension
    whose cells have no r (their columns are only known by counting them). None: no such sheet."""
    with zipfile.ZipFile(path) as z:
        try:
            part = sheet_part(z, sheet)
            stream = z.open(part)
        except (KeyError, StopIteration):
            return None
        with stream:
            head = b""
            while True:
                chunk = stream.read(8192)
                head += chunk
                found = _DIMENSION.search(head)
                if found or not chunk or _SHEET_DATA.search(head) or len(head) > 2**20:
                    break
            if found:
                ends = [REF.fullmatch(ref.upper()) for ref in found.group(1).split(b":")]
                if ends and all(ends):
                    rows = max(int(e.group(2)) for e in ends)
                    cols = max(column_index(e.group(1)) + 1 for e in ends)
                    return Extent(sheet, rows, cols, cell_name(cols, rows))
            widest, cell, tail = 0, "", b""
            while True:  # no usable dimension: the widest cell reference past max_cols
                text = tail + head
                for ref in _WIDE_REF.findall(text):
                    m = REF.fullmatch(ref)
                    if m and column_index(m.group(1)) + 1 > widest:
                        widest, cell = column_index(m.group(1)) + 1, ref.replace(b"$", b"").decode()
                tail, head = text[-64:], stream.read(2**20)
                if not head:
                    break
            return Extent(sheet, 0, widest, cell) if widest > max_cols else None
