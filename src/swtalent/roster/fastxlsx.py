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

`cell_kinds` knows the XML that Excel, WPS, openpyxl and xlsxwriter write (<c r="A1" s="3"><v>…)
and reads every byte of a non-text cell's tag: a sheet written any other way (a namespace prefix,
other attributes on a number cell, an ISO date cell, a processing instruction), a value this module
would not give back exactly as calamine does (a time of day, a date before 1901), or a workbook
where fastexcel's older calamine reads dates otherwise than python-calamine (`workbook_facts`),
makes the whole file be read by python-calamine instead, as before: slower, not different. The one
known exception is crafted (docs/security.md): a text cell with a number cell's reference.
"""
from __future__ import annotations

import io
import re
import threading
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from pathlib import Path

import numpy as np

from ..memory import give_back_meanwhile
from ..zipparts import open_part
from .sheetxml import (
    _COMMENT,
    REF,
    SheetFacts,
    _plain_references,
    _prefixed,
    _tags,
    _utf8,
    _xlsx_fast,
    column_index,
    sheet_part,
)
from .source import READING_THREAD

SLICE = 1 << 24  # the sheet is inflated and scanned this many bytes at a time (cut at a <row)
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")  # calamine's unescaping of a character XML cannot hold
_CELL_REF = re.compile(rb'<c r="[A-Z]{1,3}(\d{1,7})"')
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]{1,3}\d+):([A-Z]{1,3}\d+)"\s*/>')
_EMPTY_MERGES = re.compile(rb"<mergeCells\b[^>]*/>")
REF_WIDTH, STYLE_WIDTH, VALUE_WIDTH = 11, 8, 32  # most bytes of a reference (and its quote), a style, a value
PAST_END = 64  # zero bytes after a slice, so that those reads never pass its end


@dataclass
class CellKinds:
    """Where the sheet's non-text cells are, and how far its cells holding a value reach."""

    rows: np.ndarray  # Excel row of each non-text cell (one without a value too, unless written <c …/>)
    cols: np.ndarray  # its 0-based column
    numbers: np.ndarray  # its value as stored, as a double; NaN for none
    styles: np.ndarray  # its style (s="…", the index of its cell format; 0 when not written)
    first_row: int = 0  # Excel rows of the first and last cells holding a value; 0 for none
    last_row: int = 0
    merged: list = field(default_factory=list)  # ((r1, c1), (r2, c2)), 0-based, as calamine gives them


def scan(path: Path, name: str, stop: threading.Event | None = None
         ) -> tuple[SheetFacts | None, CellKinds | None] | BaseException:
    """The sheet's facts (error cells, hidden rows) and cell kinds, inflating its XML a slice at a
    time (a million rows are 480 MB of XML, beside fastexcel's own copy of the cells); (None, None)
    when python-calamine must read it."""
    try:
        with zipfile.ZipFile(path) as z, open(path, "rb") as src:
            return _scan(_pieces(open_part(z, src, sheet_part(z, name)), stop), facts=True)
    except Exception as exc:  # noqa: BLE001 - re-raised on the reading thread
        return exc


def cell_kinds(xml: bytes) -> CellKinds | None:
    """The non-text cells of a sheet's XML, or None when it is not written the way this knows."""
    return _scan(_pieces(io.BytesIO(xml)), facts=False)[1]


def _pieces(stream, stop: threading.Event | None = None):
    """The sheet's XML in slices of about SLICE bytes, each cut before a <row: no tag is cut."""
    rest = b""
    while not (stop and stop.is_set()) and (more := stream.read(SLICE)):
        rest += more
        cut = rest.rfind(b"<row")
        if cut > 0:
            yield rest[:cut]
            rest = rest[cut:]
    if rest:
        yield rest


def _scan(pieces, facts: bool):
    """(SheetFacts or None, CellKinds) of a sheet's slices; (None, None) when a slice is not written
    the way this knows, or its facts need the exact (whole-sheet) parse: the rest is not inflated."""
    found, parts, rows, merges, cells_ended = SheetFacts(), [], [0, 0], _Merges(), False
    for n, xml in enumerate(pieces):
        if n == 0 and _utf8(xml) is not xml:
            return None, None  # UTF-16, or another encoding declared
        if facts:
            part_facts = _xlsx_fast(xml)  # its guards are the ones below
            if part_facts is None:
                return None, None
            found.errors.update(part_facts.errors)
            found.hidden += part_facts.hidden
        elif xml.find(b"!") >= 0 and _COMMENT.search(xml) or _prefixed(xml) or not _plain_references(xml):
            return None, None
        prolog = xml.find(b"?>") + 2 if n == 0 and xml.find(b"<?xml", 0, 8) >= 0 else 0
        if xml.find(b"?", prolog) >= 0 and xml.find(b"<?", prolog) >= 0 or _ESCAPE.search(xml):
            return None, None  # a processing instruction; a formula's text with _x0041_ in it (not unescaped)
        part = _cells(_Bytes(xml), cells_ended, merges)
        if part is None or not _extent(xml, rows):
            return None, None
        *part, data_end = part
        cells_ended = cells_ended or data_end >= 0
        parts.append(part)
    if merges.state == _Merges.INSIDE:
        return None, None
    # A column at a time, each slice's part let go of once joined: the scan may end while fastexcel
    # holds its own copy of the cells, and joining all four at once added 60-100 MiB to that peak.
    parts = [list(p) for p in parts]
    got = []
    for k, dtype in enumerate((np.int64, np.int64, np.float64, np.int64)):
        got.append(np.concatenate([p[k] for p in parts]).astype(dtype, copy=False) if parts else np.empty(0, dtype))
        for p in parts:
            p[k] = None
    kinds = CellKinds(*got, rows[0], rows[1], merges.areas)
    return (found if facts else None), kinds


def _extent(xml: bytes, rows: list[int]) -> bool:
    """rows[0] and rows[1] become the Excel rows of the first and last cells holding a value (<v>
    or <is>) so far; False when one cannot be told."""
    first = _first_value(xml) if not rows[0] else -1
    last = _last_value(xml)
    for k, at in ((0, first), (1, last)):
        if at >= 0:
            rows[k] = _row_of(xml, at)
            if not rows[k]:
                return False
    return True


class _Merges:
    """The merged areas, from the <mergeCell> elements inside the sheet's one <mergeCells>, in
    whichever slice they come (calamine reads no other)."""

    BEFORE, INSIDE, AFTER = 0, 1, 2

    def __init__(self):
        self.state, self.areas = self.BEFORE, []  # areas: ((r1, c1), (r2, c2)), 0-based

    def read(self, xml: bytes, at: np.ndarray) -> bool:
        """Take the <m…> elements at `at`; False when one is not as this knows it."""
        for pos in at.tolist():
            if xml.startswith(b"<mergeCells", pos) and self.state == self.BEFORE:
                self.state = self.AFTER if _EMPTY_MERGES.match(xml, pos) else self.INSIDE
            elif xml.startswith(b"</mergeCells>", pos) and self.state == self.INSIDE:
                self.state = self.AFTER
            elif (m := _MERGE.match(xml, pos)) and self.state == self.INSIDE:
                (r1, c1), (r2, c2) = _ref(m.group(1)), _ref(m.group(2))
                self.areas.append(((r1 - 1, c1), (r2 - 1, c2)))
            elif xml.startswith((b"<merge", b"</merge"), pos):
                return False  # misplaced, or spelt otherwise
        return True


class _Bytes:
    """A sheet's bytes, read at many positions at once: one byte, or two or four from each."""

    def __init__(self, xml: bytes):
        self.xml = xml
        xml += bytes(PAST_END)  # a value or reference read in full near the end of a slice
        self.one = np.frombuffer(xml, dtype=np.uint8)
        self.two = np.ndarray((len(xml) - 1,), "<u2", buffer=xml, strides=(1,))
        self.four = np.ndarray((len(xml) - 3,), "<u4", buffer=xml, strides=(1,))

    def spells(self, at: np.ndarray, word: bytes) -> np.ndarray:
        """Whether `word` (1 to 4 bytes) is written at each position of `at`."""
        view = {1: self.one, 2: self.two}.get(len(word), self.four)
        got = view[at]
        if len(word) == 3:
            got = got & 0xFFFFFF
        return got == int.from_bytes(word, "little")

    def ends(self, at: np.ndarray, word: bytes) -> np.ndarray:
        """Whether `word` (any length) is written just before each position of `at`."""
        ok = np.ones(len(at), dtype=bool)
        for k in range(0, len(word), 4):
            ok &= self.spells(at - len(word) + k, word[k:k + 4])
        return ok

    def fixed(self, at: np.ndarray, width: np.ndarray, most: int) -> np.ndarray:
        """The bytes at each of `at`, `width` long (at most `most`), as a matrix with zeros after."""
        offsets = np.arange(most)
        return self.one[at[:, None] + offsets] * (offsets < width[:, None])


def _cells(whole: _Bytes, cells_ended: bool, merges: _Merges):
    """(Excel rows, 0-based columns, stored values, styles) of the non-text cells of a slice of the
    sheet, and where </sheetData> is in it (-1 for not there; `cells_ended` when it came before),
    every cell tag there read on whole arrays at once (numpy, which lets go of the GIL while
    fastexcel parses); None when a cell is not written <c r="A1"[ s="3"][ t="…"]> (or …/>, … />)
    with nothing between its elements, or its value is not a number as stored.

    A tag ends where the next element starts; a text cell is known by its ending alone, and the
    others (the ones that matter) are read in full: the reference, the style, the type."""
    lt = np.flatnonzero(whole.one == ord("<"))
    after = whole.one[lt + 1]
    closing = lt[after == ord("/")]
    name = whole.one[closing + 2]
    ends = closing[name == ord("s")]  # </s…: few
    ends = ends[whole.spells(ends + 1, b"/she") & whole.spells(ends + 5, b"etDa")]  # </sheetData>, if here
    data_end = int(ends[0]) if len(ends) else -1
    m_like = np.sort(np.concatenate([lt[after == ord("m")], closing[name == ord("m")]]))  # <mergeCell…
    if len(m_like) and not merges.read(whole.xml, m_like):
        return None
    c_like = np.flatnonzero(after == ord("c"))  # <c …, and <col, <cfRule…
    second = whole.one[lt[c_like] + 2]
    if np.isin(second, np.frombuffer(b"\t\n\r>/", np.uint8)).any():
        return None  # <c>, <c/> or an attribute after a line break: written otherwise
    j = c_like[second == ord(" ")]  # each cell's place among the elements
    tag, close = lt[j], lt[j + 1] - 1  # the next element starts right after the tag's '>'
    if not (whole.spells(close, b">").all() and whole.spells(tag + 2, b' r="').all()):
        return None  # a cell placed by its order, not its reference, could land on a number's place
    if len(tag) and (cells_ended or 0 <= data_end < tag[-1]):
        return None  # a "cell" in what follows the cells
    closed = whole.spells(close - 1, b"/")
    attrs_end = close - closed - (closed & whole.spells(close - 2, b" "))  # after the last quote
    if not whole.spells(attrs_end - 1, b'"').all():
        return None  # an attribute in single quotes could hide what ends the tag
    kind, boolean, type_start = _kinds(whole, attrs_end)
    if (kind == UNKNOWN).any():
        return None  # another type (t="d", an ISO date): calamine reads the sheet
    mine = (kind >= NUMBER) | ((kind == TEXT) & closed)  # a text cell written <c … /> holds nothing
    j, closed, boolean, type_start, tag = j[mine], closed[mine], boolean[mine], type_start[mine], tag[mine]
    ref = whole.fixed(tag + 6, np.full(len(tag), REF_WIDTH), REF_WIDTH)
    width = np.argmax(ref == ord('"'), axis=1)
    rows, cols = _references(ref, width)
    styles = None if rows is None else _styles(whole, tag + 7 + width, type_start)
    if styles is None:
        return None  # another attribute: calamine reads the sheet
    numbers = np.full(len(tag), np.nan)
    opened = ~closed
    if opened.any():
        found = _values(whole, lt, j[opened], boolean[opened])
        if found is None:
            return None
        numbers[opened] = found
    return rows, cols, numbers, styles, data_end


# A cell's type, t="…", as it ends the tag: texts (shared, a formula's, inline) and errors (blank,
# as calamine reads them; SheetFacts has them) are taken from fastexcel as they are; numbers and
# booleans are not text. A cell of another type (t="d", an ISO date) sends the sheet to calamine.
UNKNOWN, TEXT, NUMBER = -1, 0, 1  # a tag's kind by its ending; NUMBER (and no type at all) is not text
_ONE_LETTER = {ord("s"): TEXT, ord("e"): TEXT, ord("n"): NUMBER, ord("b"): NUMBER}


def _kinds(whole: _Bytes, attrs_end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each tag's kind by the type ending it (' t="s"', ' t="str"', ' t="inlineStr"' and ' t="e"'
    are text, ' t="n"', ' t="b"' or none are not), whether it is t="b", and where its type starts."""
    mark = int.from_bytes(b' t="', "little")
    one, eight, fourteen = (whole.four[attrs_end - k] == mark for k in (6, 8, 14))
    kind = np.full(len(attrs_end), NUMBER, dtype=np.int8)  # no type: a number
    kind[one | eight | fourteen] = UNKNOWN
    letter = whole.one[attrs_end - 2]
    for byte, what in _ONE_LETTER.items():
        kind[one & (letter == byte)] = what
    kind[eight & whole.spells(attrs_end - 4, b'str"')] = TEXT
    kind[fourteen & whole.ends(attrs_end, b'inlineStr"')] = TEXT
    return kind, one & (letter == ord("b")), attrs_end - np.select([one, eight, fourteen], [6, 8, 14], 0)


def _styles(whole: _Bytes, at: np.ndarray, stop: np.ndarray) -> np.ndarray | None:
    """The style of each cell whose stretch at:stop is ' s="digits"' (0 when it is empty); None when
    one is anything else (another attribute)."""
    width = stop - at
    styles = np.zeros(len(at), dtype=np.int64)
    styled = np.flatnonzero(width != 0)
    at, width = at[styled], width[styled] - 5
    if not ((width >= 1).all() and (width <= STYLE_WIDTH).all() and whole.spells(at, b' s="').all()
            and whole.spells(at + width + 4, b'"').all()):
        return None
    digits = whole.fixed(at + 4, width, STYLE_WIDTH)
    inside = np.arange(STYLE_WIDTH) < width[:, None]
    if not (~inside | ((digits - np.uint8(ord("0"))) < 10)).all():
        return None
    for k in range(STYLE_WIDTH):
        styles[styled] = np.where(inside[:, k], styles[styled] * 10 + digits[:, k].astype(np.int64) - ord("0"),
                                  styles[styled])
    return styles


FOLLOWING = 4  # a value comes within this many elements of its tag: <f…/>, or <f…>…</f>, then <v>


def _values(whole: _Bytes, lt: np.ndarray, j: np.ndarray, boolean: np.ndarray) -> np.ndarray | None:
    """The stored value of the cells whose tags are the elements `j` among `lt`: the <v> before the
    cell's </c> (a formula comes first), as a double; NaN for none. None when a cell holds more
    after its value, or a boolean is not 0 or 1 (calamine refuses the file)."""
    v_mark, end_mark = int.from_bytes(b"<v>", "little"), int.from_bytes(b"</c>", "little")
    value_at = np.full(len(j), -1)
    open_ = np.ones(len(j), dtype=bool)  # no <v> or </c> seen yet
    for k in range(1, FOLLOWING + 1):
        follows = whole.four[lt[j[open_] + k]]
        found = np.flatnonzero(open_)
        value_at[found[(follows & 0xFFFFFF) == v_mark]] = j[found[(follows & 0xFFFFFF) == v_mark]] + k
        open_[found[((follows & 0xFFFFFF) == v_mark) | (follows == end_mark)]] = False
        if not open_.any():
            break
    if open_.any():
        return None  # something else in a cell
    numbers = np.full(len(j), np.nan)
    valued = value_at >= 0
    if valued.any():
        begin, stop = lt[value_at[valued]] + 3, lt[value_at[valued] + 1]
        width = stop - begin
        if (not whole.spells(stop, b"</v>").all() or width.max(initial=0) > VALUE_WIDTH
                or not whole.spells(lt[value_at[valued] + 2], b"</c>").all()):
            return None
        flags = boolean[valued]
        if not (whole.spells(begin[flags], b"0") | whole.spells(begin[flags], b"1")).all() or (width[flags] != 1).any():
            return None
        most = max(int(width.max()), 1)
        text = np.ascontiguousarray(whole.fixed(begin, width, most)).view(f"S{most}").ravel()
        try:
            numbers[valued] = text.astype(np.float64)
        except ValueError:  # not a number as stored (calamine says what it makes of it)
            return None
    return numbers


def _references(ref: np.ndarray, width: np.ndarray):
    """Excel rows and 0-based columns of the references A1…XFD1048576 in `ref` (a byte matrix, each
    `width` long); (None, None) when one is not letters then digits."""
    offsets = np.arange(ref.shape[1], dtype=np.int8)
    inside = offsets < width.astype(np.int8)[:, None]
    letter = inside & ((ref - np.uint8(ord("A"))) < 26)  # bytes wrap: below "A" is above 26
    digit = inside & ((ref - np.uint8(ord("0"))) < 10)
    letters = letter.sum(axis=1, dtype=np.int64)
    if (not (letter | digit | ~inside).all() or not (letter == (offsets < letters[:, None])).all()
            or ((letters < 1) | (letters > 3) | (width - letters < 1) | (width - letters > 7)).any()):
        return None, None
    rows, cols = np.zeros(len(ref), dtype=np.int64), np.zeros(len(ref), dtype=np.int64)
    for k in range(ref.shape[1]):  # a column of the matrix at a time: letters, then digits
        byte = ref[:, k].astype(np.int64)
        cols = np.where(letter[:, k], cols * 26 + byte - (ord("A") - 1), cols)
        rows = np.where(digit[:, k], rows * 10 + byte - ord("0"), rows)
    return rows, cols - 1


def _first_value(xml: bytes) -> int:
    """Where the first value (<v> or <is>) is; -1 for none. Each search stops at the other's find."""
    v = xml.find(b"<v>")
    inline = xml.find(b"<is>", 0, v if v >= 0 else len(xml))
    return inline if inline >= 0 else v


def _last_value(xml: bytes) -> int:
    v = xml.rfind(b"</v>")
    return max(v, xml.rfind(b"</is>", max(v, 0)))


def _row_of(xml: bytes, at: int) -> int:
    """The Excel row of the cell whose value is at byte `at` (0 when it cannot be told)."""
    m = _CELL_REF.match(xml, max(xml.rfind(b"<c ", 0, at), 0))
    return int(m.group(1)) if m else 0


def _ref(text: bytes) -> tuple[int, int]:
    m = REF.fullmatch(text)
    return int(m.group(2)), column_index(m.group(1))


# Where python-calamine and fastexcel's older calamine part ways, or where fastexcel's text of a
# cell cannot say what calamine makes of it, the workbook is read by python-calamine: the 1904
# date system (times and dates before 1904 read as dates) and durations ([h]:mm:ss, id 46 or
# written out: read as dates from 1900). The built-in CJK date formats (ids 27-36 and 50-58,
# yyyy"年"m"月"d"日" among them), which fastexcel reads as numbers, are dates again here
# (`_typed`) when a whole day after 1900; a workbook that gives one of those ids a format of its
# own is read by python-calamine.
_DATE_1904 = re.compile(rb"""\bdate1904\s*=\s*["'](?:1|true)["']""")
_FORMAT_ID = re.compile(rb"""\bnumFmtId\s*=\s*["'](\d+)["']""")
_DURATION = re.compile(rb"\[(?:h+|m+|s+)\]", re.IGNORECASE)
_OWN_FORMAT = re.compile(rb"""<(?:\w+:)?numFmt\b[^>]*?\bnumFmtId\s*=\s*["'](\d+)["']""")
_CELL_FORMATS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs\s*>", re.S)
_CELL_FORMAT = re.compile(rb"<(?:\w+:)?xf\b([^>]*)>")
DURATION_FORMAT = 46
CJK_DATE_FORMATS = frozenset([*range(27, 37), *range(50, 59)])


@dataclass
class Book:
    sheets: dict[str, bool]  # each sheet's name, and whether it is visible
    sizes: dict[str, int]  # each sheet's XML, inflated, in bytes (as the zip's directory says)
    cjk_dates: np.ndarray  # the cell formats (s="…") showing a built-in CJK date format


def workbook_facts(path: Path) -> Book | None:
    """The workbook's sheets (state absent or "visible" is visible), their sizes and its CJK date
    styles, from the zip's directory, workbook.xml and styles.xml; None when it must be read by
    python-calamine (see above)."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml")
        styles = z.read("xl/styles.xml") if "xl/styles.xml" in z.NameToInfo else b""
        names = [unescape(t.get(b"name", b"").decode()) for t in _tags(book, b"sheet")]
        sizes = {name: z.getinfo(sheet_part(z, name)).file_size for name in names}
    if (_DATE_1904.search(book) or _DURATION.search(styles)
            or any(int(n) == DURATION_FORMAT for n in _FORMAT_ID.findall(styles))
            or any(int(n) in CJK_DATE_FORMATS for n in _OWN_FORMAT.findall(styles))):
        return None
    block = _CELL_FORMATS.search(styles)
    formats = [_FORMAT_ID.search(m.group(1)) for m in _CELL_FORMAT.finditer(block.group(1))] if block else []
    cjk = [k for k, f in enumerate(formats) if f is not None and int(f.group(1)) in CJK_DATE_FORMATS]
    visible = [t.get(b"state", b"visible") == b"visible" for t in _tags(book, b"sheet")]
    return Book(dict(zip(names, visible)), sizes, np.array(cjk, dtype=np.int64))


class SheetScan:
    """`scan` of one sheet on a thread of its own, from before fastexcel opens the file."""

    def __init__(self, path: Path, name: str):
        self._out: dict = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: self._out.update(got=scan(path, name, self._stop)),
                                        name=READING_THREAD, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop at the next slice (the sheet is read otherwise) and wait for it."""
        self._stop.set()
        self.join()

    def join(self) -> None:
        self._thread.join()

    def result(self) -> tuple[SheetFacts | None, CellKinds | None]:
        self.join()
        if isinstance(self._out["got"], BaseException):
            raise self._out["got"]
        return self._out["got"]


def read_sheet(reader, name: str, scanning: SheetScan, cjk_dates: np.ndarray):
    """The sheet's (grid, Excel row of grid[0], 0-based column of grid[:, 0], facts, merged areas),
    or None when it must be read by python-calamine (see the module's note)."""
    sheet = reader.load_sheet(name, header_row=None, dtypes="string")
    columns = sheet.available_columns()
    frame = sheet.to_polars()
    del sheet  # fastexcel's own copy of the cells: 1 GB at a million rows, given back to the system
    give_back_meanwhile()  # (else glibc keeps it, and the Python objects made next cannot use it)
    facts, kinds = scanning.result()  # (it began before fastexcel opened the file, and ends first)
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
    at, cols, numbers = kinds.rows[inside] - kinds.first_row, kinds.cols[inside] - first_col, kinds.numbers[inside]
    cjk = np.isin(kinds.styles[inside], cjk_dates)
    # Each column's cells together, in row order (a stable sort of 16-bit numbers is a radix sort):
    # one pass instead of a mask over every non-text cell for each column.
    by_column = np.argsort(cols.astype(np.uint16), kind="stable")
    ends = np.searchsorted(cols[by_column], np.arange(frame.width + 1))
    spans = [by_column[ends[j]:ends[j + 1]] for j in range(frame.width)]
    grid = _texts(frame, [at[mine] for mine in spans])
    for j, (series, mine) in enumerate(zip(frame.get_columns(), spans)):
        if len(mine):
            rows = at[mine]
            values = _typed(series.gather(rows).fill_null(""), numbers[mine], cjk[mine])
            if values is None:
                return None
            grid[rows, j] = values
    return grid, kinds.first_row, first_col, facts, kinds.merged


def _texts(frame, typed: list[np.ndarray]) -> np.ndarray:
    """The frame's texts as an object grid, '' for an empty cell. A column's repeated texts are one
    object each: normalise works on each distinct value once. The `typed` rows of each column (its
    cells that are not text, given their values after this) are left None when they are most of
    it: a 序号 of numbers has two texts to make, its title and header, not a million."""
    # cells imports pandas: here it is loaded already; at the top it would hold up the read's start.
    from .cells import NEARLY_ALL, SAMPLE, sample_rows

    height, width = frame.shape
    # Laid out a column at a time: each is made, typed and factorised (cells.Column) whole, and a
    # strided column took 0.4 s more at a million rows.
    grid = np.empty((height, width), dtype=object, order="F")
    for j, series in enumerate(frame.get_columns()):
        at = slice(None)
        if 2 * len(typed[j]) > height:
            text = np.ones(height, dtype=bool)
            text[typed[j]] = False
            at = np.flatnonzero(text)
            series = series.gather(at)
        rows = sample_rows(len(series))
        if rows is not None and series.gather(rows).n_unique() > NEARLY_ALL * SAMPLE:
            grid[at, j] = series.fill_null("").to_numpy()  # an ID, an account: nearly every value differs (cells.Column)
            continue
        codes, uniques = _codes(series)  # each distinct text one object
        if isinstance(at, slice):  # straight into the grid's column (contiguous): no array in between
            np.take(uniques, codes, out=grid[:, j], mode="clip")
        else:
            grid[at, j] = uniques[codes]
    return grid


def _codes(series) -> tuple[np.ndarray, np.ndarray]:
    """Each value's number among the distinct values, and those values (an object array); an empty
    cell (null) is '', the last of them."""
    import polars as pl

    uniques = series.drop_nulls().unique(maintain_order=True)
    # A join to the table of distinct values: 0.21 s for 131,000 names in a million rows, where
    # replace_strict took 0.34 s (a null matches nothing, and reads the last code).
    table = pl.DataFrame({"v": uniques, "k": pl.int_range(len(uniques), dtype=pl.UInt32, eager=True)})
    codes = series.to_frame("v").join(table, on="v", how="left", maintain_order="left")["k"]
    return codes.fill_null(len(uniques)).to_numpy(), np.append(uniques.to_numpy().astype(object), "")


_DATE_TEXT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?")


def _typed(texts, numbers: np.ndarray, cjk: np.ndarray) -> np.ndarray | None:
    """The values calamine gives for non-text cells, from fastexcel's text of each and its value as
    stored: a number as its stored value (fastexcel's text is rounded), a whole day as a date, any
    other moment as a datetime, a boolean, a cell without a value as ''. None for one this cannot
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
    # Each distinct number one object, as each distinct text is (cells.Column finds them by object);
    # by its bits, so that -0.0 stays apart from 0.0.
    distinct, inverse = np.unique(numbers[plain].view(np.int64), return_inverse=True)
    out[plain] = np.array(distinct.view(np.float64).tolist(), dtype=object)[inverse]
    out[empty] = ""
    shown_as_date = plain & cjk  # a CJK date format's number: the date it shows
    if shown_as_date.any():
        serial = numbers[shown_as_date]
        if not ((serial == np.floor(serial)) & (serial >= FIRST_SERIAL) & (serial <= LAST_SERIAL)).all():
            return None  # a moment in the day, or before 1901: calamine's own conversion
        out[shown_as_date] = (np.datetime64("1899-12-30") + serial.astype("timedelta64[D]")).astype(object)
    rest = ~(plain | empty)
    if rest.any():  # dates and booleans, each distinct text looked at once
        codes, uniques = _codes(texts.filter(pl.Series(rest)))  # none empty: the last ('') is unused
        values = np.empty(len(uniques), dtype=object)
        values[:] = [_value(u) for u in uniques[:-1].tolist()] + [""]
        if any(v is _REFUSED for v in values):
            return None
        # A date is a date when its stored day number is whole, else a datetime (as calamine has
        # it), even one that shows midnight: 44986.999999999985 is 2023-03-02 00:00:00.
        days = np.empty(len(values), dtype=object)
        days[:] = [v.date() if type(v) is datetime else v for v in values]
        whole = numbers[rest] == np.floor(numbers[rest])
        out[rest] = np.where(whole, days[codes], values[codes])
    return out


_REFUSED = object()
FIRST_SERIAL, LAST_SERIAL = 367, 2_958_465  # 1901-01-01 and 9999-12-31 as Excel's day numbers


def _value(text: str) -> object:
    if text in ("true", "false"):
        return text == "true"
    if not _DATE_TEXT.fullmatch(text) or int(text[:4]) <= 1900:
        return _REFUSED  # a time of day or a duration (calamine's own types), or not a date at all
    return datetime.fromisoformat(text)
