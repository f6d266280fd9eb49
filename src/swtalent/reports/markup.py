"""The marked-up copy of an .xlsx roster made by editing the workbook's zip as a stream.

openpyxl loads a 100,000-row roster whole (a minute and a gigabyte) to change a few hundred cells.
Here every part of the clerk's file is copied as it was compressed except those that change
(printing._rewrite): xl/styles.xml gains the two fills and, for each cell format a problem cell
had, a copy of it with the fill; each sheet with problems passes through once, its problem cells
given their new formats (a blank cell absent from the file added in its place, a problem about
a whole row put on the row's first filled cell as the row goes by); its comments go in a new
comments part with the VML shapes Excel needs to show them; the problems sheet is a new
worksheet part, first in the workbook. A sheet's merged ranges come after its rows: when one
turns out to hold a problem cell other than its first, the copy is made again knowing them (a
problem goes on the range's first cell, the one Excel shows, which may be in a row gone by).
The sheet XML passes through in pieces of 8 MiB cut between rows, and only the rows with a
problem are looked at in Python: the rest is found and copied by regular expressions and slices.

Whatever this cannot be sure of raises `Unsure` and the caller makes the copy with openpyxl
instead (annotate.py says when).
"""
from __future__ import annotations

import bisect
import html
import posixpath
import re
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import Issue, cell_name
from ..safety import excel_text
from ..zipparts import open_part
from .annotate import FILLS
from .printing import CHUNK, _insert, _rewrite, _Styles

# Characters XML 1.0 does not allow (openpyxl's ILLEGAL_CHARACTERS_RE, and the non-characters).
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_TYPE = REL_NS + "/"
CT = "application/vnd.openxmlformats-officedocument."


class Unsure(Exception):
    """The workbook holds something this path does not handle for certain."""


def clean(text: object, lang: str) -> object:
    """Text as it may go in a cell or comment: without control characters, inert, within Excel's limit."""
    return excel_text(ILLEGAL.sub("", text), lang) if isinstance(text, str) else text


def _esc(text: str) -> bytes:
    return html.escape(text, quote=True).replace("&#x27;", "&apos;").encode("utf-8")


def col_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + ord(ch) - 64
    return n


def _alternatives(numbers) -> bytes:
    """A regular expression matching exactly these numbers, as a trie of their digits, so that
    finding a few hundred rows among 100,000 costs a few steps at each row, not one per number."""
    trie: dict = {}
    for n in numbers:
        node = trie
        for d in str(n):
            node = node.setdefault(d, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [k + emit(v) if k else "" for k, v in sorted(node.items(), reverse=True)]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return emit(trie).encode()


def _rows_re(numbers) -> re.Pattern:
    return re.compile(rb'<row\s[^>]*?\br="(' + _alternatives(numbers) + rb')"')


_ANY_ROW = re.compile(rb'<row\s[^>]*?\br="(\d+)"')
_ROW_NO_R = re.compile(rb"<row(?=[\s/>])(?![^>]*\sr=)")
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:row|c|v|f|is|mergeCells?|legacyDrawing|sheetData)[\s/>]")
_CELL = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*?(/?)>')
_ANY_CELL = re.compile(rb"<c[\s/>]")
_FILLED = re.compile(rb"<v(?:\s[^>]*)?>[^<]|<f[\s/>]|<t(?:\s[^>]*)?>[^<]")


def _pieces(part):
    """A sheet's XML as ("head", up to and with <sheetData>), ("rows", whole rows)..., ("tail",
    from </sheetData> on): read in pieces of 8 MiB, each cut before the last row begun in it."""
    held = b""
    while True:
        chunk = part.read(CHUNK)
        held += chunk
        at = held.find(b"<sheetData")
        end = held.find(b">", at) if at >= 0 else -1
        if end >= 0:
            break
        if not chunk:
            raise Unsure("no <sheetData> in the sheet")
    yield "head", held[:end + 1]
    if held[end - 1:end] == b"/":  # <sheetData/>: no rows
        yield "tail", held[end + 1:] + part.read()
        return
    held = held[end + 1:]
    while True:
        stop = held.find(b"</sheetData>")
        if stop >= 0:
            if stop:
                yield "rows", held[:stop]
            yield "tail", held[stop:] + part.read()
            return
        cut = held.rfind(b"<row")
        if cut > 0:
            yield "rows", held[:cut]
            held = held[cut:]
        chunk = part.read(CHUNK)
        if not chunk:
            raise Unsure("no </sheetData> in the sheet")
        held += chunk


def _cells(body: bytes) -> list[tuple[int, int, int, bool]]:
    """(column, start, end of start tag, self-closed) of each cell in a row's XML."""
    found = [(col_number(m.group(1)), m.start(), m.end(), bool(m.group(3))) for m in _CELL.finditer(body)]
    if len(found) != len(_ANY_CELL.findall(body)):
        raise Unsure("a cell without its reference (r=)")
    return found


def _row_at(chunk: bytes, m: re.Match) -> tuple[int, int, int]:
    """Where the row whose start tag `m` found ends its start tag, and ends (-1 when self-closed)."""
    gt = chunk.index(b">", m.end())
    if chunk[gt - 1:gt] == b"/":
        return gt + 1, -1, gt + 1
    close = chunk.index(b"</row>", gt)
    return gt + 1, close, close + len(b"</row>")


_MERGE = re.compile(rb'<mergeCell\s[^>]*?ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_COL = re.compile(rb"<col\s[^>]*?/>")


def _attr(tag: bytes, name: bytes) -> bytes | None:
    m = re.search(rb"\s" + name + rb'="([^"]*)"', tag)
    return m.group(1) if m else None


def _set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    """A start tag with one attribute set (added after the element's name when absent)."""
    new, n = re.subn(rb"(\s" + name + rb'=")[^"]*(")', lambda m: m.group(1) + value + m.group(2), tag, count=1)
    if n:
        return new
    m = re.match(rb"<[\w:]+", tag)
    return tag[:m.end()] + b" " + name + b'="' + value + b'"' + tag[m.end():]


def _check_head(data: bytes, sheet: _Sheet) -> None:
    """The start of a sheet: its root as Excel writes it; whether it is selected; its columns' styles."""
    if not re.search(rb"<worksheet[\s>]", data) or b'xmlns="' + MAIN_NS + b'"' not in data or \
            re.search(rb'xmlns:[\w.-]+="' + re.escape(MAIN_NS) + b'"', data) or _PREFIXED.search(data):
        raise Unsure("the sheet's root is not an unprefixed <worksheet>, or its namespace has a prefix")
    sheet.selected = re.search(rb'<sheetView\s[^>]*?tabSelected="(?:1|true)"', data) is not None
    sheet.col_styles = []
    for tag in _COL.findall(data):
        s = _attr(tag, b"style")
        if s and s != b"0":
            sheet.col_styles.append((int(_attr(tag, b"min")), int(_attr(tag, b"max")), int(s)))


def _check_rows(data: bytes) -> None:
    # An element under a prefix needs the namespace bound to that prefix: in the rows (a scan for a
    # literal here) or in the root (_check_head). A row without its number: counted, C-speed too.
    if MAIN_NS in data:
        raise Unsure("a namespace declared inside the sheet's rows")
    if data.count(b'<row r="') != data.count(b"<row ") + data.count(b"<row>") and _ROW_NO_R.search(data):
        raise Unsure("a row without its number (r=)")


def _read_tail(data: bytes, sheet: _Sheet) -> None:
    """The end of a sheet (from </sheetData>): no comments of its own, and its merged ranges."""
    if _PREFIXED.search(data):
        raise Unsure("prefixed elements in the sheet")
    if b"<legacyDrawing" in data:
        raise Unsure("the sheet has comments or other legacy drawings already")
    ranges = []
    for m in _MERGE.finditer(data):
        r1, c1 = int(m.group(2)), col_number(m.group(1))
        r2, c2 = (int(m.group(4)), col_number(m.group(3))) if m.group(3) else (r1, c1)
        ranges.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    sheet.merges = np.array(ranges, dtype=np.int64).reshape(-1, 4)


def _first_filled(body: bytes) -> int:
    """The column of a row's first cell that holds something (1 when none does), as _first_col says."""
    for col, _, tag_end, empty in _cells(body):
        if not empty and _FILLED.search(body, tag_end, body.index(b"</c>", tag_end)):
            return col
    return 1


class _Marks(_Styles):
    """xl/styles.xml with the two fills, a copy with the fill of each cell format a problem cell had,
    and the formats of the problems sheet (a bold header, links in blue)."""

    def __init__(self, xml: bytes) -> None:
        if _PREFIXED.search(xml) or re.search(rb"<[\w.-]+:(?:xf|fills|fonts|cellXfs)[\s/>]", xml):
            raise Unsure("prefixed elements in styles.xml")
        super().__init__(xml)
        fills = re.search(rb'<fills count="(\d+)">', xml)
        fonts = re.search(rb'<fonts count="(\d+)"[^>]*>(.*?)</fonts>', xml, re.S)
        if fills is None or fonts is None:
            raise Unsure("no <fills> or <fonts> in styles.xml")
        n = len(re.findall(rb"<fill>|<fill\s", re.search(rb"<fills\b.*?</fills>", xml, re.S).group(0)))
        self.fill_ids = {"error": n, "warning": n + 1}
        font_xml = re.findall(rb"<font\b[^>]*?/>|<font\b[^>]*?>.*?</font>", fonts.group(2), re.S)
        base = font_xml[0] if font_xml and not font_xml[0].endswith(b"/>") else b"<font></font>"
        inner = re.sub(rb"<(?:b|u|color)\b[^>]*?/>", b"", base[base.index(b">") + 1:-len(b"</font>")])
        self.new_fonts = [b"<font><b/>" + inner + b"</font>",
                          b'<font><u/><color rgb="FF0563C1"/>' + inner + b"</font>"]
        self.bold_font, self.link_font = len(font_xml), len(font_xml) + 1
        self.filled_xfs: dict[tuple[int, str], int] = {}
        self.extra: dict[str, int] = {}

    def _add(self, xf: bytes) -> int:
        self.xfs.append(xf)
        return len(self.xfs) - 1

    def _base(self, index: int) -> bytes:
        return self.xfs[index] if index < len(self.xfs) else self.xfs[0]

    def filled(self, index: int, worst: str) -> int:
        """The format of a problem cell: its own, filled with the colour of its worst problem."""
        if (index, worst) not in self.filled_xfs:
            xf = _set_attr(_set_attr(self._base(index), b"fillId", b"%d" % self.fill_ids[worst]), b"applyFill", b"1")
            self.filled_xfs[(index, worst)] = self._add(xf)
        return self.filled_xfs[(index, worst)]

    def header(self) -> int:
        if "header" not in self.extra:
            xf = _set_attr(_set_attr(self._base(0), b"fontId", b"%d" % self.bold_font), b"applyFont", b"1")
            self.extra["header"] = self._add(xf)
        return self.extra["header"]

    def link(self, severity: str) -> int:
        if severity not in self.extra:
            xf = self._base(0)
            for name, value in ((b"fontId", b"%d" % self.link_font), (b"applyFont", b"1"),
                                (b"fillId", b"%d" % self.fill_ids[severity]), (b"applyFill", b"1")):
                xf = _set_attr(xf, name, value)
            self.extra[severity] = self._add(xf)
        return self.extra[severity]

    def to_xml(self) -> bytes:
        out = super().to_xml()  # fills and fonts come before cellXfs: their spans are as they were
        fills = b"".join(b'<fill><patternFill patternType="solid"><fgColor rgb="FF%s"/><bgColor indexed="64"/>'
                         b"</patternFill></fill>" % FILLS[k].encode() for k in ("error", "warning"))
        close = out.index(b"</fills>")
        out = out[:close] + fills + out[close:]
        out = re.sub(rb'<fills count="\d+">', b'<fills count="%d">' % (self.fill_ids["warning"] + 1), out, count=1)
        close = out.index(b"</fonts>")
        out = out[:close] + b"".join(self.new_fonts) + out[close:]
        return re.sub(rb'<fonts count="\d+"', b'<fonts count="%d"' % (self.link_font + 1), out, count=1)


@dataclass
class _Sheet:
    """One sheet of the workbook and what is written on it."""

    name: str
    part: str
    marks: dict[int, dict[int, str]] = field(default_factory=dict)  # row -> column -> worst severity
    notes: dict[tuple[int, int], list[Issue]] = field(default_factory=dict)  # made once every problem is placed
    located: int = 0  # how many problems are on its cells
    whole: dict[int, list[int]] = field(default_factory=dict)  # row -> the problems about it as a whole
    merges: np.ndarray | None = None  # first row, col, last row, col; None until read
    first_cols: dict[int, int] = field(default_factory=dict)  # row -> its first filled column, once read
    col_styles: list[tuple[int, int, int]] = field(default_factory=list)  # min, max, s
    selected: bool = False
    rels: str = ""  # its relationships part
    comments: str = ""  # the parts made for its comments
    vml: str = ""
    drawing_id: str = ""
    first_shape: int = 0

    def top_left(self, row: int, col: int) -> tuple[int, int]:
        """A cell inside a merged range is written on the range's first cell, the one Excel shows."""
        if self.merges is not None and len(self.merges):
            m = self.merges
            inside = np.flatnonzero((m[:, 0] <= row) & (row <= m[:, 2]) & (m[:, 1] <= col) & (col <= m[:, 3]))
            if len(inside):
                return int(m[inside[0], 0]), int(m[inside[0], 1])
        return row, col

    def col_style(self, col: int) -> int:
        for lo, hi, s in self.col_styles:
            if lo <= col <= hi:
                return s
        return 0

    def note(self, issue: Issue, row: int, col: int) -> tuple[str, int, int]:
        """Where the problem is written (its cell, or the first of the merged range that holds it), marked."""
        row, col = self.top_left(row, col)
        marks = self.marks.setdefault(row, {})
        marks[col] = "error" if issue.severity == "error" or marks.get(col) == "error" else "warning"
        return self.name, row, col


def _fresh(taken: set[str], pattern: str) -> str:
    k = 1
    while (pattern % k).lower() in taken:
        k += 1
    name = pattern % k
    taken.add(name.lower())
    return name


def _rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _free_id(rels: bytes) -> str:
    ids = set(re.findall(rb'\bId="([^"]*)"', rels))
    k = 1
    while b"rId%d" % k in ids:
        k += 1
    return f"rId{k}"


def _add_rels(rels: bytes | None, entries: list[tuple[str, str, str]]) -> bytes:
    if rels is None:
        rels = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="'
                b'http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
    add = b"".join(b'<Relationship Id="%s" Type="%s" Target="%s"/>' % (i.encode(), (REL_TYPE + t).encode(), _esc(target))
                   for i, t, target in entries)
    close = rels.rindex(b"</Relationships>")
    return rels[:close] + add + rels[close:]


class _Redo(Exception):
    """A problem cell lies inside a merged range, learnt at the end of the sheet: the copy is made
    again, knowing the sheet's merged ranges and the first filled cells of its rows from this pass."""

    def __init__(self, sheet: _Sheet) -> None:
        super().__init__(sheet.name)
        self.known = {sheet.name: (sheet.merges, sheet.first_cols)}


def _marked(part, sheet: _Sheet, styles: _Marks, clear_tab: bool, issues: list[Issue], places: list):
    """The sheet's XML with the problem cells given their new formats, in pieces. A problem about a
    whole row is placed when its row is read (on the row's first filled cell); unless a pass before
    learnt them, the merged ranges are read at the end, and a problem cell inside one (not its
    first) means _Redo."""
    rows = set(sheet.marks) | set(sheet.whole)
    wanted = _rows_re(rows) if rows else None
    pending = sorted(rows)  # rows with marks not yet met
    last = 0

    def place_whole(row: int, col: int) -> None:
        sheet.first_cols[row] = col
        for k in sheet.whole.pop(row, ()):
            places[k] = sheet.note(issues[k], row, col)

    for kind, data in _pieces(part):
        if kind == "head":
            if wanted:
                _check_head(data, sheet)
                data = _dimension(data, rows, max((c for cols in sheet.marks.values() for c in cols), default=1))
            if clear_tab:
                data = re.sub(rb'(<sheetView\b[^>]*?\stabSelected=")(?:1|true)"', rb'\g<1>0"', data, count=1)
            yield data
        elif kind == "rows":
            if not wanted:
                yield data
                continue
            _check_rows(data)
            m = _ANY_ROW.match(data, data.rfind(b"<row"))
            top = int(m.group(1)) if m else last
            first = _ANY_ROW.search(data)
            if first and int(first.group(1)) <= last:
                raise Unsure("rows out of order")
            edits, met = [], set()
            for m in wanted.finditer(data):
                row = int(m.group(1))
                met.add(row)
                start, close, end = _row_at(data, m)
                tag = data[m.start():start]
                body = data[start:close] if close >= 0 else b""
                if row in sheet.whole:
                    place_whole(row, _first_filled(body))
                if close < 0:
                    tag = tag[:-2].rstrip() + b">"
                body = _mark_row(body, row, sheet, styles, tag)
                edits.append((m.start(), end, _spans(tag, sheet.marks.get(row, {})) + body + b"</row>"))
            gone = [row for row in pending if row <= top and row not in met]
            if gone:  # rows not in the file: made where they belong
                starts = [(int(m.group(1)), m.start()) for m in _ANY_ROW.finditer(data)]
                numbers = [n for n, _ in starts]
                if numbers != sorted(numbers):
                    raise Unsure("rows out of order")
                for row in gone:
                    place_whole(row, 1)
                    at = starts[bisect.bisect_right(numbers, row)][1]
                    edits.append((at, at, _new_row(row, sheet, styles)))
            pending = [row for row in pending if row > top]
            last = top
            yield _apply(data, edits)
        else:
            for row in pending:
                place_whole(row, 1)
            head = b"".join(_new_row(row, sheet, styles) for row in pending)
            pending = []
            rest = data[len(b"</sheetData>"):] if data.startswith(b"</sheetData>") else None
            if rest is None:
                if wanted:  # <sheetData/> with marks: cannot be, its rows were read
                    raise Unsure("marks on a sheet without rows")
                yield data
                return
            if wanted and sheet.merges is None:
                _read_tail(rest, sheet)
                if any(sheet.top_left(row, col) != (row, col) for row, cols in sheet.marks.items() for col in cols):
                    raise _Redo(sheet)
            if sheet.drawing_id:
                rest = _insert(rest, "legacyDrawing", b'<legacyDrawing xmlns:r="%s" r:id="%s"/>'
                               % (REL_NS.encode(), sheet.drawing_id.encode()))
            yield head + b"</sheetData>" + rest


def _dimension(head: bytes, rows, last_col: int) -> bytes:
    """The sheet's <dimension> grown to hold the cells added (a hint to readers, kept true)."""
    m = re.search(rb'<dimension ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"', head)
    if m is None:
        return head
    c2, r2 = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
    col, row = max(col_number(c2), last_col), max(int(r2), max(rows))
    if (col, row) == (col_number(c2), int(r2)):
        return head
    ref = b'<dimension ref="%s%s:%s"' % (m.group(1), m.group(2), cell_name(col, row).encode())
    return head[:m.start()] + ref + head[m.end():]


def _spans(tag: bytes, cols) -> bytes:
    """A row's start tag without its spans (an optional hint of its cells' columns) when a cell is
    added outside them."""
    spans = _attr(tag, b"spans")
    if spans is None:
        return tag
    ranges = [tuple(map(int, part.split(b":"))) for part in spans.split()]
    if all(any(lo <= c <= hi for lo, hi in ranges) for c in cols):
        return tag
    return re.sub(rb'\sspans="[^"]*"', b"", tag, count=1)


def _apply(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out, at = [], 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        out += [data[at:start], new]
        at = end
    out.append(data[at:])
    return b"".join(out)


def _mark_row(body: bytes, row: int, sheet: _Sheet, styles: _Marks, tag: bytes) -> bytes:
    """A row's cells with the marked ones in their new formats, a cell added for each that is absent."""
    direct = []
    for col, worst in sorted(sheet.marks[row].items()):  # the usual case: each marked cell found by its name
        start = body.find(b'<c r="%s"' % cell_name(col, row).encode())
        if start < 0:
            break
        tag_end = body.index(b">", start) + 1
        old = body[start:tag_end]
        direct.append((start, tag_end, _set_attr(old, b"s", b"%d" % styles.filled(int(_attr(old, b"s") or 0), worst))))
    else:
        return _apply(body, direct)
    cells = _cells(body)
    cols = [c for c, *_ in cells]
    if cols != sorted(cols):
        raise Unsure("cells out of order")
    row_style = int(_attr(tag, b"s") or 0) if _attr(tag, b"customFormat") in (b"1", b"true") else None
    edits = []
    for col, worst in sorted(sheet.marks[row].items()):  # cells added at one place go in column order
        k = bisect.bisect_left(cols, col)
        if k < len(cols) and cols[k] == col:
            _, start, tag_end, _ = cells[k]
            old = body[start:tag_end]
            s = int(_attr(old, b"s") or 0)
            edits.append((start, tag_end, _set_attr(old, b"s", b"%d" % styles.filled(s, worst))))
        else:
            at = cells[k][1] if k < len(cells) else len(body)
            s = row_style if row_style is not None else sheet.col_style(col)
            edits.append((at, at, b'<c r="%s" s="%d"/>' % (cell_name(col, row).encode(), styles.filled(s, worst))))
    return _apply(body, edits)


def _new_row(row: int, sheet: _Sheet, styles: _Marks) -> bytes:
    cells = b"".join(b'<c r="%s" s="%d"/>' % (cell_name(col, row).encode(),
                                               styles.filled(sheet.col_style(col), worst))
                     for col, worst in sorted(sheet.marks[row].items()))
    return b'<row r="%d">%s</row>' % (row, cells)


def _comments_xml(sheet: _Sheet, lang: str, L: dict) -> bytes:
    out = [b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="%s"><authors><author>'
           b"swtalent</author></authors><commentList>" % MAIN_NS]
    for (row, col), found in sorted(sheet.notes.items()):
        out.append(b'<comment ref="%s" authorId="0"><text><t xml:space="preserve">%s</t></text></comment>'
                   % (cell_name(col, row).encode(), _esc(clean(_note(found, lang, L), lang))))
    out.append(b"</commentList></comments>")
    return b"".join(out)


def _note(found: list[Issue], lang: str, L: dict) -> str:
    return "\n".join(f"【{L[i.severity]}】{i.message(lang)}" + (f" — {i.hint(lang)}" if i.hint(lang) else "")
                     for i in found)


def _vml(sheet: _Sheet) -> bytes:
    """The legacy drawing Excel needs to show the comments: a hidden note shape per commented cell,
    numbered in blocks of 1,024 (o:idmap) of its own, apart from any other sheet's."""
    count = len(sheet.notes)
    first = sheet.first_shape
    blocks = ",".join(str(b) for b in range(first // 1024, (first + count - 1) // 1024 + 1))
    out = [b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
           b'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" '
           b'data="%s"/></o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
           b'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" '
           b'o:connecttype="rect"/></v:shapetype>' % blocks.encode()]
    for k, ((row, col), found) in enumerate(sorted(sheet.notes.items())):
        height = min(60 + 60 * len(found), 400)
        out.append(b'<v:shape id="_x0000_s%d" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
                   b'margin-top:1.5pt;width:360px;height:%dpx;z-index:%d;visibility:hidden" fillcolor="#ffffe1" '
                   b'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
                   b'<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div '
                   b'style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/>'
                   b"<x:SizeWithCells/><x:AutoFill>False</x:AutoFill><x:Row>%d</x:Row><x:Column>%d</x:Column>"
                   b"</x:ClientData></v:shape>" % (first + k, height, k + 1, row - 1, col - 1))
    out.append(b"</xml>")
    return b"".join(out)


def _problems_xml(issues: list[Issue], places: list, names: dict, lang: str, L: dict, styles: _Marks) -> bytes:
    """The problems sheet: a header, a row per problem, its cell reference linking to the cell."""
    heads = [L["severity"], L["code"], L["sheet"], L["cell"], L["row"], L["column"], L["value"], L["message"],
             L["hint"]]

    texts: dict[str, bytes] = {}  # most messages and hints recur: each made safe and escaped once

    def text(v: str) -> bytes:
        if v not in texts:
            texts[v] = _esc(clean(v, lang))
        return texts[v]

    def cells(r: int, values: list, style: dict[int, int]) -> bytes:
        out = []
        for j, v in enumerate(values):
            ref = cell_name(j + 1, r).encode()
            s = b' s="%d"' % style[j] if j in style else b""
            if isinstance(v, int):
                out.append(b'<c r="%s"%s><v>%d</v></c>' % (ref, s, v))
            elif v not in (None, ""):
                out.append(b'<c r="%s"%s t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
                           % (ref, s, text(v)))
            elif s:
                out.append(b'<c r="%s"%s/>' % (ref, s))
        return b'<row r="%d">%s</row>' % (r, b"".join(out))

    bold = styles.header()
    rows = [cells(1, heads, {j: bold for j in range(len(heads))})]
    links = []
    for r, (issue, at) in enumerate(zip(issues, places), start=2):
        loc = issue.location
        ref = cell_name(at[2], at[1]) if at else ""
        rows.append(cells(r, [L[issue.severity], issue.code, at[0] if at else names.get(loc.sheet, loc.sheet), ref,
                              loc.row, loc.column, issue.value, issue.message(lang), issue.hint(lang)],
                          {3: styles.link(issue.severity)} if at else {}))
        if at:
            quoted = at[0].replace("'", "''")
            links.append(b'<hyperlink ref="D%d" location="%s" display="%s"/>'
                         % (r, _esc(f"'{quoted}'!{ref}"), ref.encode()))
    last = len(issues) + 1
    widths = b"".join(b'<col min="%d" max="%d" width="%d" customWidth="1"/>' % (k, k, w)
                      for k, w in enumerate((8, 26, 14, 10, 8, 16, 24, 60, 50), start=1))
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="%s" xmlns:r="%s">'
            b'<dimension ref="A1:I%d"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="1" '
            b'topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
            b'sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>%s</cols>'
            b'<sheetData>%s</sheetData><autoFilter ref="A1:I%d"/>%s<pageMargins left="0.75" right="0.75" top="1" '
            b'bottom="1" header="0.5" footer="0.5"/></worksheet>'
            % (MAIN_NS, REL_NS.encode(), last, widths, b"".join(rows), last,
               b"<hyperlinks>%s</hyperlinks>" % b"".join(links) if links else b""))


def _workbook_xml(book: bytes, name: str, rid: str, rows: int) -> bytes:
    """workbook.xml with the problems sheet first and shown: the other sheets' positions, by which
    names local to a sheet (print titles, filters) refer to them, move on by one; the problems
    sheet's filter named as Excel names it (_xlnm._FilterDatabase, as openpyxl writes it too)."""
    ids = [int(n) for n in re.findall(rb'<sheet\s[^>]*?sheetId="(\d+)"', book)]
    entry = b'<sheet name="%s" sheetId="%d" r:id="%s"/>' % (_esc(name), max(ids, default=0) + 1, rid.encode())
    m = re.search(rb"<sheets>", book)
    if m is None or b"</sheets>" not in book:
        raise Unsure("no <sheets> in workbook.xml")
    book = book[:m.end()] + entry + book[m.end():]
    book = re.sub(rb'localSheetId="(\d+)"', lambda k: b'localSheetId="%d"' % (int(k.group(1)) + 1), book)
    for attribute in (b"activeTab", b"firstSheet"):
        book = re.sub(rb"(<workbookView\b[^>]*?)\s" + attribute + rb'="\d+"', rb"\1", book)
    quoted = name.replace("'", "''")
    names = b'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">%s</definedName>' % _esc(
        f"'{quoted}'!$A$1:$I${rows}")
    if b"<definedNames>" in book:
        at = book.index(b"<definedNames>") + len(b"<definedNames>")
    else:  # after <sheets> and what the schema puts between (functionGroups, externalReferences)
        at = max([book.index(b"</sheets>") + len(b"</sheets>")] + [book.index(b"</" + tag + b">") + len(tag) + 3
                 for tag in (b"functionGroups", b"externalReferences") if b"</" + tag + b">" in book])
        names = b"<definedNames>" + names + b"</definedNames>"
    return book[:at] + names + book[at:]


def _app_xml(app: bytes, name: str) -> bytes:
    """docProps/app.xml with the problems sheet first among the titles, when its worksheets come first
    (as Excel writes it); otherwise as it was (no program relies on it)."""
    pairs = re.search(rb"<HeadingPairs><vt:vector [^>]*>\s*<vt:variant>\s*<vt:lpstr>([^<]*)</vt:lpstr>\s*</vt:variant>"
                      rb"\s*<vt:variant>\s*<vt:i4>(\d+)</vt:i4>", app)
    titles = re.search(rb'<TitlesOfParts>\s*<vt:vector size="(\d+)" baseType="lpstr">', app)
    if pairs is None or titles is None or pairs.group(1) not in (b"Worksheets", "工作表".encode()):
        return app
    a, b = pairs.span(2)
    app = app[:a] + b"%d" % (int(pairs.group(2)) + 1) + app[b:]
    titles = re.search(rb'<TitlesOfParts>\s*<vt:vector size="(\d+)" baseType="lpstr">', app)
    a, b = titles.span(1)
    return (app[:a] + b"%d" % (int(titles.group(1)) + 1) + app[b:titles.end()] + b"<vt:lpstr>" + _esc(name)
            + b"</vt:lpstr>" + app[titles.end():])


def _types_xml(types: bytes, overrides: list[tuple[str, str]], vml: bool, dropped: set[str]) -> bytes:
    types = types.replace(b"application/vnd.ms-excel.sheet.macroEnabled.main+xml", (CT + "spreadsheetml.sheet.main+xml").encode())
    for part in dropped:
        types = re.sub(rb'<Override\s[^>]*?PartName="/' + re.escape(part.encode()) + rb'"[^>]*?/>', b"", types)
    add = b"".join(b'<Override PartName="/%s" ContentType="%s"/>' % (_esc(p), (CT + t).encode()) for p, t in overrides)
    if vml and not re.search(rb'<Default\s[^>]*Extension="vml"', types, re.I):
        add += b'<Default Extension="vml" ContentType="%s"/>' % (CT + "vmlDrawing").encode()
    if not re.search(rb'<Default\s[^>]*Extension="rels"', types, re.I):
        add += b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    close = types.rindex(b"</Types>")
    return types[:close] + add + types[close:]


def _sheet_parts(book: bytes, rels: bytes) -> list[str]:
    """The worksheet parts in the workbook's sheet order, whatever the order of the attributes (openpyxl
    writes a relationship's Id last; printing._sheet_parts reads only the writer's own files)."""
    targets = {}
    for tag in re.findall(rb"<Relationship\s[^>]*?>", rels):
        target = html.unescape(_attr(tag, b"Target").decode("utf-8"))
        targets[_attr(tag, b"Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    return [targets[_attr(tag, b"r:id")] for tag in re.findall(rb"<sheet\s[^>]*?>", book)]


class _WithParts:
    """The roster's zip as printing._rewrite sees it: its parts, then those made new."""

    def __init__(self, z: zipfile.ZipFile, new: list[str], dropped: set[str]) -> None:
        stamp = time.localtime()[:6]
        self.infos = [i for i in z.infolist() if i.filename not in dropped] + [zipfile.ZipInfo(n, stamp) for n in new]

    def infolist(self) -> list[zipfile.ZipInfo]:
        return self.infos


def mark_up(roster: Path, issues: list[Issue], out: Path, lang: str, L: dict, problems_title) -> None:
    """Write the marked-up copy of `roster` (.xlsx, .xlsm) to `out`; Unsure when it cannot for certain.
    One pass over each sheet with problems; two when a problem cell lies inside a merged range."""
    try:
        with zipfile.ZipFile(roster) as z, open(roster, "rb") as src:
            known: dict = {}
            while True:  # at most once more for each sheet with a problem cell inside a merged range
                try:
                    return _mark_up(z, src, issues, out, lang, L, problems_title, known)
                except _Redo as redo:
                    known.update(redo.known)
    except (KeyError, ValueError, IndexError, AttributeError, zipfile.BadZipFile, zlib.error, UnicodeError) as e:
        raise Unsure(f"{type(e).__name__}: {e}") from e


def _mark_up(z: zipfile.ZipFile, src, issues: list[Issue], out: Path, lang: str, L: dict, problems_title,
             known: dict) -> None:
    have = {i.filename for i in z.infolist()}
    sizes = {i.filename: i.file_size for i in z.infolist()}
    taken = {n.lower() for n in have}
    book = z.read("xl/workbook.xml")
    if not re.search(rb"<workbook[\s>]", book) or ('xmlns:r="' + REL_NS + '"').encode() not in book:
        raise Unsure("workbook.xml is not as Excel writes it")
    names = [html.unescape(_attr(t, b"name").decode("utf-8")) for t in re.findall(rb"<sheet\s[^>]*?>", book)]
    parts = _sheet_parts(book, z.read("xl/_rels/workbook.xml.rels"))
    if len(names) != len(parts) or len(set(names)) != len(names) or len(set(parts)) != len(parts):
        raise Unsure("the sheets of workbook.xml")
    sheets = {name: _Sheet(name, part) for name, part in zip(names, parts)}
    styles = _Marks(z.read("xl/styles.xml"))

    # Each problem on its cell; one about a whole row once its row is read (on its first filled cell).
    places: list[tuple[str, int, int] | None] = [None] * len(issues)
    for k, issue in enumerate(issues):
        loc = issue.location
        sheet = sheets.get(loc.sheet)
        if sheet is None or loc.row is None:
            continue
        sheet.located += 1
        if loc.col:
            places[k] = (sheet.name, loc.row, loc.col)
        else:
            sheet.whole.setdefault(loc.row, []).append(k)
    for sheet in sheets.values():
        if not sheet.located:
            continue
        if sheet.part not in have:
            raise Unsure("a sheet's part is missing")
        rels = _rels_part(sheet.part)
        if rels in have and re.search(rb'/(?:comments|vmlDrawing)"', z.read(rels)):
            raise Unsure("the sheet has comments already")
        if sheet.name in known:  # learnt by a pass before: the ranges and first cells placed up front
            sheet.merges, sheet.first_cols = known[sheet.name]
            for row, ks in sheet.whole.items():
                for k in ks:
                    places[k] = (sheet.name, row, sheet.first_cols.get(row, 1))
            sheet.whole = {}
    for k, at in enumerate(places):
        if at is not None:
            places[k] = sheets[at[0]].note(issues[k], at[1], at[2])

    # The new parts and the entries that point to them.
    changed = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
    new, made, overrides = [], {}, []
    shapes = [int(n) for p in have if p.lower().endswith(".vml")
              for data in [z.read(p)] for ids in re.findall(rb'<(?:[\w.-]+:)?idmap\s[^>]*?data="([\d,\s]*)"', data)
              for n in re.findall(rb"\d+", ids)]
    next_shape = (max(shapes, default=0) + 1) * 1024
    for sheet in sheets.values():
        if not sheet.located:
            continue
        sheet.comments = _fresh(taken, "xl/comments%d.xml")
        sheet.vml = _fresh(taken, "xl/drawings/vmlDrawing%d.vml")
        sheet.first_shape = next_shape + 1
        next_shape = (sheet.first_shape + sheet.located - 1) // 1024 * 1024 + 1024  # at most a shape a problem
        sheet.rels = _rels_part(sheet.part)
        old = z.read(sheet.rels) if sheet.rels in have else None
        c_id = _free_id(old or b"")
        sheet.drawing_id = _free_id((old or b"") + b'Id="%s"' % c_id.encode())
        folder = posixpath.dirname(sheet.part)
        made[sheet.rels] = _add_rels(old, [(c_id, "comments", posixpath.relpath(sheet.comments, folder)),
                                           (sheet.drawing_id, "vmlDrawing", posixpath.relpath(sheet.vml, folder))])
        overrides.append((sheet.comments, "spreadsheetml.comments+xml"))
        new += [sheet.comments, sheet.vml] + ([] if old is not None else [sheet.rels])
        changed |= {sheet.rels, sheet.part}
    # A sheet shown selected beside the problems sheet would open grouped with it: its mark goes.
    selected = set()
    for sheet in sheets.values():
        if sheet.part not in have:
            continue
        with z.open(sheet.part) as part:
            head = part.read(1 << 16)
        if re.search(rb'<sheetView\s[^>]*?tabSelected="(?:1|true)"', head):
            selected.add(sheet.part)
    changed |= selected

    title = problems_title(names)
    problems = _fresh(taken, "xl/worksheets/sheet%d.xml")
    new.append(problems)
    book_rels = z.read("xl/_rels/workbook.xml.rels")
    rid = _free_id(book_rels)
    # The copy is an .xlsx, which Excel will not open with a macro-enabled workbook in it: an .xlsm
    # roster's macros stay behind (openpyxl drops them too), the rest is kept.
    dropped = {n for n in have if re.fullmatch(r"xl/(?:_rels/)?vbaProject[^/]*", n, re.I)}
    book_rels = re.sub(rb"<Relationship\s[^>]*?/vbaProject\"[^>]*?/>", b"", book_rels)
    made["xl/_rels/workbook.xml.rels"] = _add_rels(book_rels, [(rid, "worksheet", posixpath.relpath(problems, "xl"))])
    made["xl/workbook.xml"] = _workbook_xml(book, title, rid, len(issues) + 1)
    overrides.append((problems, "spreadsheetml.worksheet+xml"))
    made["[Content_Types].xml"] = _types_xml(z.read("[Content_Types].xml"), overrides,
                                             any(s.located for s in sheets.values()), dropped)
    if "docProps/app.xml" in have:
        made["docProps/app.xml"] = _app_xml(z.read("docProps/app.xml"), title)
        changed.add("docProps/app.xml")
    by_part = {sheet.part: sheet for sheet in sheets.values()}
    by_comments = {sheet.comments: sheet for sheet in sheets.values() if sheet.comments}
    by_vml = {sheet.vml: sheet for sheet in sheets.values() if sheet.vml}

    def notes(sheet: _Sheet) -> None:
        """The problems on each cell, in the order they are listed (every problem placed by now)."""
        if not sheet.notes:
            for issue, at in zip(issues, places):
                if at is not None and at[0] == sheet.name:
                    sheet.notes.setdefault(at[1:], []).append(issue)

    def make(name: str):
        # The sheets come first in the zip, the parts made new after them (_WithParts), styles last.
        if name == "xl/styles.xml":
            yield styles.to_xml()
        elif name == problems:
            yield _problems_xml(issues, places, {n: n for n in names}, lang, L, styles)
        elif name in by_comments:
            notes(by_comments[name])
            yield _comments_xml(by_comments[name], lang, L)
        elif name in by_vml:
            notes(by_vml[name])
            yield _vml(by_vml[name])
        elif name in made:
            yield made[name]
        elif not by_part[name].located and sizes[name] < 1 << 20:  # only its tab unselected
            yield re.sub(rb'(<sheetView\b[^>]*?\stabSelected=")(?:1|true)"', rb'\g<1>0"', z.read(name), count=1)
        else:
            with open_part(z, src, name) as part:
                yield from _marked(part, by_part[name], styles, name in selected, issues, places)
    with open(out, "wb") as target:
        _rewrite(_WithParts(z, new, dropped), src, target, changed | set(new), make)
