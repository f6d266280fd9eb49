"""What python-calamine does not tell: cells holding an Excel error or a formula without a value,
and hidden rows; and, before calamine lays a sheet out, how far its cells reach.

calamine returns an error cell (#N/A, #REF! …) as blank, and a #N/A left by a VLOOKUP in 离职日期
must not read as "still in post". A formula whose result was never computed (=DATE(2023,3,31)
written by a script or an export, not by Excel, which stores each result) reads as blank too,
with the same effect. It also does not say which rows are hidden, and a row hidden (or filtered
out) by the township is a person the clerk never saw on screen. All are read from the sheet's own
XML: .xlsx/.xlsm mark error cells t="e", formulas <f> (their result in <v>) and hidden rows
hidden="1"; .ods marks hidden rows table:visibility, formulas table:formula (their result in
office:value-type) and error results calcext:value-type="error". We look for each mark first (one
byte search) and parse only when it is there. An .xls file's records are binary: xlrd reads its
row flags and error cells (a formula record always carries its result).

An .xlsx sheet is read by a fast path written for the XML that Excel, WPS, openpyxl and
xlsxwriter write (<c r="A1" t="e">, unprefixed, one cell after another), which counts every mark
it could miss (error types, formula starts, the word hidden) and checks that it parsed as many.
Whenever the sheet is written otherwise — a prefix on the spreadsheet elements (the .NET Open XML
SDK's <x:c>), a marked cell or row without its r attribute, a character reference, a comment or
anything the counts disagree on — the sheet is read again by an exact streaming parse (expat),
which knows nothing of the writer: the facts are the same, only slower.

calamine lays a sheet out as a dense grid, from A1 to the farthest cell holding something, so one
stray value in column XFD of a 3,000-row sheet takes gigabytes. `xlsx_extent` and `ods_extents`
say how far each sheet reaches, cheaply, for source.py to refuse such a file first.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from xml.parsers import expat

from ..zipparts import read_part

_TAG = {name: re.compile(rb"<(?:[\w.-]+:)?" + name + rb"\b[^>]*>") for name in (b"sheet", b"Relationship")}
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
REF = re.compile(rb"\s*\$?([A-Za-z]{1,3})\$?(\d{1,7})\s*")

# The fast .xlsx path. A cell's start tag, any formula, and its value: each pattern allows quotes
# of either kind, spaces around '=' and whitespace between the elements.
_ERROR_CELL = re.compile(rb"""<c\b([^>]*?\bt\s*=\s*["']e["'][^>]*)>\s*(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f\s*>)?"""
                         rb"""\s*<v\s*>([^<]*)</v\s*>""")
# A formula cell and what follows its formula up to the cell's end: a result in <v>, or nothing.
_FORMULA_CELL = re.compile(rb"<c\b([^>]*)>\s*<f\b[^>]*?(?:/>|>(.*?)</f\s*>)(.*?)</c\s*>", re.S)
_FORMULA_MARK = re.compile(rb"<f(?=[\s/>])")
_QUOTED_E = (re.compile(rb'"e"'), re.compile(rb"'e'"))
_HIDDEN = re.compile(rb"hidden")
_COMMENT = re.compile(rb"<!")  # a comment, CDATA or a DOCTYPE
_HAS_VALUE = re.compile(rb"<v(?:\s[^>]*)?(?<!/)>")  # <v> or <v></v>, not <v/>
_HIDDEN_ROW = re.compile(rb"<row\b[^>]*?hidden[^>]*>")
_COL_TAG = re.compile(rb"<col\b[^>]*>")
# A spreadsheet element written with a prefix (<x:c>, <x:row>); calamine reads them by local name.
_PREFIXED = re.compile(rb":(?:c|f|v|is|row|sheetData|worksheet)(?=[\s/>])")
_ELEMENT_NAME = re.compile(rb"</?[\w.-]+")

# A cell reference past column IV (256), for a sheet without a <dimension>.
_ODS_ROW = re.compile(rb"<table:table-row(?=[\s/>])([^>]*?)(?:/>|>(.*?)</table:table-row>)", re.S)
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)(?:/>|>(.*?)</table:(?:covered-)?table-cell>)", re.S)
_ODS_TABLE = re.compile(rb"<table:table(?=[\s/>])([^>]*)>")
ODS_TABLE_START = re.compile(rb"<table:table[\s/>]")
_ODS_TEXT = re.compile(rb"<text:p\b[^>]*>(.*?)</text:p>", re.S)
_ODS_NOTE = re.compile(rb"<office:annotation\b.*?</office:annotation>", re.S)
# An .ods row repeated thousands of times, with cells repeated across, would make millions of
# facts from a few bytes; past this many repeats the file is refused (as unreadable).
ODS_MAX_REPEATED_FACTS = 1_000_000


@dataclass
class SheetFacts:
    # (Excel row, 0-based column) -> '#N/A' for an error cell, '=DATE(2023,3,31)' for a formula without a value
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden: list[tuple[int, int]] = field(default_factory=list)  # hidden Excel rows, as inclusive ranges
    merged: list = field(default_factory=list)  # .ods only (calamine gives the others): ((r1, c1), (r2, c2)), 0-based


def sheet_facts(path: Path, sheet: str) -> SheetFacts:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        with zipfile.ZipFile(path) as z, open(path, "rb") as src:
            return _xlsx_facts(read_part(z, src, sheet_part(z, sheet)))
    if suffix == ".ods":
        with zipfile.ZipFile(path) as z:
            return _ods_facts(z.read("content.xml"), sheet)
    if suffix == ".xls":
        return _xls_facts(path, sheet)
    return SheetFacts()


def _xls_facts(path: Path, sheet: str) -> SheetFacts:
    import xlrd  # only for .xls: row flags are among the formatting records

    book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, logfile=_Quiet())
    try:
        ws = book.sheet_by_name(sheet)
        errors = {(r + 1, c): xlrd.error_text_from_code.get(ws.cell_value(r, c), "#ERROR")
                  for r in range(ws.nrows) for c, kind in enumerate(ws.row_types(r)) if kind == xlrd.XL_CELL_ERROR}
        hidden = [(r + 1, r + 1) for r, info in sorted(ws.rowinfo_map.items()) if info.hidden]
        return SheetFacts(errors=errors, hidden=hidden)
    finally:
        book.release_resources()


class _Quiet:
    """xlrd writes warnings about odd records to a log; the roster's problems are reported elsewhere."""

    def write(self, _text: str) -> None:
        pass


def _xlsx_facts(xml: bytes) -> SheetFacts:
    xml = _utf8(xml)
    facts = _xlsx_fast(xml)
    return facts if facts is not None else _xlsx_exact(xml)


_DECLARATION = re.compile(rb"""<\?xml[^>]*?\bencoding\s*=\s*["']([\w.:-]+)["'][^>]*\?>""")


def _utf8(xml: bytes) -> bytes:
    """The sheet in UTF-8, which every writer uses but XML does not require: a sheet in UTF-16
    would show none of the byte patterns searched for."""
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = xml.decode("utf-16")
    elif xml.startswith((b"<\x00?\x00", b"\x00<\x00?")):
        text = xml.decode("utf-16-le" if xml[0] == 0x3C else "utf-16-be")
    else:
        m = _DECLARATION.match(xml)
        if not m or m.group(1).lower().replace(b"_", b"-") in (b"utf-8", b"utf8"):
            return xml
        text = xml.decode(m.group(1).decode())
    return re.sub(r"^\s*<\?xml[^>]*\?>", '<?xml version="1.0" encoding="UTF-8"?>', text, count=1).encode("utf-8")


def _xlsx_fast(xml: bytes) -> SheetFacts | None:
    """The facts by byte search and regular expressions, or None when the sheet is not written the
    way this path knows, or it may have missed a mark."""
    # Each search is one pass over the sheet (48 MB for 100,000 rows); a search for one byte
    # (memchr) first, where it is rare, skips most of them.
    if xml.find(b"!") >= 0 and _COMMENT.search(xml) or _prefixed(xml) or not _plain_references(xml):
        return None
    facts = SheetFacts()
    # Error cells: each t="e" (or t='e', t = "e") shows as "e" or 'e'; every one must be a cell read.
    marks = len(_QUOTED_E[0].findall(xml)) + (len(_QUOTED_E[1].findall(xml)) if xml.find(b"'") >= 0 else 0)
    if marks:
        for m in _ERROR_CELL.finditer(xml):
            at = _position(m.group(1))
            if at is None:
                return None
            facts.errors[at] = unescape(m.group(2).decode("utf-8", "replace")).strip() or "#ERROR"
        if len(facts.errors) != marks:
            return None
    marks = len(_FORMULA_MARK.findall(xml))
    if marks:
        found = 0
        for m in _FORMULA_CELL.finditer(xml):
            found += 1
            rest = m.group(3)
            if _FORMULA_MARK.search(rest):
                return None
            # No <v>, or an empty <v/> (openpyxl's way), is no result; <v></v> is an empty text
            # result (=IF(…,"",…)), as Excel and xlsxwriter store it.
            if not _HAS_VALUE.search(rest):
                at = _position(m.group(1))
                if at is None:
                    return None
                facts.errors.setdefault(at, "=" + unescape((m.group(2) or b"").decode("utf-8", "replace")))
        if found != marks:
            return None
    marks = len(_HIDDEN.findall(xml))
    if marks:
        found = sum(tag.group().count(b"hidden") for tag in _COL_TAG.finditer(xml))
        for tag in _HIDDEN_ROW.finditer(xml):
            found += tag.group().count(b"hidden")
            attrs = attrs_of(tag.group())
            if b"hidden" not in attrs:
                return None
            if _true(attrs[b"hidden"]):
                r = attrs.get(b"r", b"").strip()
                if not r.isdigit():
                    return None
                facts.hidden.append((int(r), int(r)))
        if found != marks:
            return None
    return facts


def _prefixed(xml: bytes) -> bool:
    """Whether a spreadsheet element is written with a namespace prefix (<x:c>, <x:row>)."""
    for m in _PREFIXED.finditer(xml):
        start = xml.rfind(b"<", max(0, m.start() - 64), m.start())
        if start >= 0 and _ELEMENT_NAME.fullmatch(xml, start, m.start()):
            return True
    return False


def _plain_references(xml: bytes) -> bool:
    """No character reference (&#101;) inside a cell or row tag, where it could spell t="e" or a
    hidden row unseen: one in a value or a text is harmless."""
    at = xml.find(b"&#") if xml.find(b"#") >= 0 else -1
    for _ in range(1000):
        if at < 0:
            return True
        start = xml.rfind(b"<", 0, at)
        if xml.startswith((b"<c ", b"<c\t", b"<c\n", b"<c\r", b"<row"), start):
            return False
        at = xml.find(b"&#", at + 2)
    return False  # a thousand of them: read exactly


def _position(attrs: bytes) -> tuple[int, int] | None:
    """(Excel row, 0-based column) from a cell tag's r="C7", or None when it has none."""
    ref = attrs_of(attrs).get(b"r")
    m = REF.fullmatch(ref) if ref is not None else None
    return (int(m.group(2)), column_index(m.group(1))) if m else None


def attrs_of(tag: bytes) -> dict[bytes, bytes]:
    return {k: a if a or not b else b for k, a, b in _ATTR.findall(tag)}


def _true(value: bytes | str) -> bool:
    return value.strip() in (b"1", b"true", "1", "true")


def _xlsx_exact(xml: bytes) -> SheetFacts:
    """The facts by a streaming XML parse (expat): elements by their local name, whatever their
    prefix (as calamine reads them); a row or cell without r takes the position after the last.
    About 3 s for a 48 MB sheet, against a fraction of a second for the fast path."""
    return _ExactSheet(xml).facts


class _ExactSheet:
    """The expat handlers. Only the cells that turn out to matter (an error, a formula) have
    their position worked out: the others are counted since the last r seen."""

    def __init__(self, xml: bytes):
        self.xml, self.facts = xml, SheetFacts()
        self.stack: list[str] = []
        self.row = 0
        self.ref: str | None = None  # the last cell reference seen in this row
        self.after = -1  # cells since that reference (with none seen yet: the 0-based column)
        self.cell: list | None = None  # [row, ref, after, t, formula or None, value or None]
        self.text: list[str] | None = None  # collecting the text of a <f>, or of an error's <v>
        parser = expat.ParserCreate()  # names as written (x:c): matched by what follows the prefix
        parser.buffer_text = True
        parser.StartElementHandler, parser.EndElementHandler = self.start, self.end
        parser.CharacterDataHandler, parser.StartDoctypeDeclHandler = self.data, self.doctype
        self.parser = parser
        parser.Parse(xml, True)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        stack = self.stack
        parent = stack[-1] if stack else ""
        stack.append(local)
        if local == "c":
            if parent == "row" and stack[-3:-2] == ["sheetData"]:
                ref = attrs.get("r")
                if ref:
                    self.ref, self.after = ref, 0
                else:
                    self.after += 1
                self.cell = [self.row, self.ref, self.after, attrs.get("t", "").strip(), None, None]
        elif local == "v" or local == "f":
            cell = self.cell
            if parent != "c" or cell is None:
                return
            if local == "v":
                # <v/> is no result, <v></v> an empty one: only the tag itself tells them apart
                if cell[4] is not None and cell[3] != "e":
                    tag = _START_TAG.match(self.xml, self.parser.CurrentByteIndex)
                    if tag and tag.group(1):
                        return
                cell[5] = ""
                self.text = [] if cell[3] == "e" else None
            else:
                cell[4] = ""
                self.text = []
        elif local == "row" and parent == "sheetData":
            r = attrs.get("r", "").strip()
            self.row = int(r) if r.isdigit() else self.row + 1
            self.ref, self.after = None, -1
            if _true(next((v for k, v in attrs.items() if k.rpartition(":")[2] == "hidden"), "")):
                self.facts.hidden.append((self.row, self.row))

    def end(self, _name: str) -> None:
        local = self.stack.pop()
        if self.text is not None and (local == "f" or local == "v"):
            cell = self.cell
            if cell is not None:
                cell[4 if local == "f" else 5] = "".join(self.text)
            self.text = None
        elif local == "c" and self.cell is not None:
            row, ref, after, t, formula, value = self.cell
            self.cell = None
            if t == "e":
                text = (value or "").strip() or ("=" + formula if formula is not None and value is None else "#ERROR")
            elif formula is not None and value is None:
                text = "=" + formula
            else:
                return
            m = REF.fullmatch(ref.encode()) if ref else None
            if m is None:
                at = (row, after)  # no reference in this row yet: counted from column A
            else:
                at = (int(m.group(2)) if after == 0 else row, column_index(m.group(1)) + after)
            self.facts.errors[at] = text

    def data(self, chunk: str) -> None:
        if self.text is not None:
            self.text.append(chunk)

    @staticmethod
    def doctype(*_args) -> None:
        raise ValueError("the sheet's XML declares a DOCTYPE, which no spreadsheet program writes")


_START_TAG = re.compile(rb"""<[^\s/>]+(?:\s+[^\s=]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(/?)>""")


def _ods_facts(xml: bytes, sheet: str) -> SheetFacts:
    """Hidden rows, cells merged down, error cells and formulas without a value of the named table;
    rows and cells are counted tag by tag, with their repeat counts."""
    facts = SheetFacts()
    formulas = b"table:formula" in xml
    errors = b'"error"' in xml or b"'error'" in xml
    if b"table:visibility" not in xml and b"table:number-rows-spanned" not in xml and not formulas and not errors:
        return facts
    start = next((m.end() for m in _ODS_TABLE.finditer(xml) if ods_name(m.group(1)) == sheet), None)
    if start is None:
        return facts
    end = xml.find(b"</table:table>", start)
    row, expanded = 0, 0
    for m in _ODS_ROW.finditer(xml, start, end if end >= 0 else len(xml)):
        attrs = attrs_of(m.group(1))
        repeat = int(attrs.get(b"table:number-rows-repeated", b"1"))
        if attrs.get(b"table:visibility", b"visible") != b"visible":
            facts.hidden.append((row + 1, row + repeat))
        body = m.group(2)
        if body and (b"number-rows-spanned" in body or formulas and b"table:formula" in body
                     or errors and b"error" in body):
            col = 0
            for cell in _ODS_CELL.finditer(body):
                cell_attrs = attrs_of(cell.group(1))
                across = int(cell_attrs.get(b"table:number-columns-repeated", b"1"))
                span = int(cell_attrs.get(b"table:number-rows-spanned", b"1"))
                if span > 1:
                    facts.merged.append(((row, col), (row + span - 1, col)))
                value = None
                # LibreOffice writes an error result as an empty string, calcext:value-type="error",
                # with the error's text (#N/A) in its paragraph: calamine reads it blank.
                if any(k.endswith(b"value-type") and v.strip() == b"error" for k, v in cell_attrs.items()):
                    value = _ods_text(cell.group(2)) or "#ERROR"
                elif b"table:formula" in cell_attrs and b"office:value-type" not in cell_attrs:
                    formula = unescape(cell_attrs[b"table:formula"].decode("utf-8", "replace"))
                    value = "=" + formula.split(":", 1)[-1].lstrip("=")
                if value is not None:  # on every row and column it is repeated over
                    expanded += repeat * across - 1
                    if expanded > ODS_MAX_REPEATED_FACTS:
                        raise ValueError(f"the table repeats error or formula cells more than "
                                         f"{ODS_MAX_REPEATED_FACTS:,} times")
                    for r in range(row + 1, row + repeat + 1):
                        for c in range(col, col + across):
                            facts.errors[(r, c)] = value
                col += across
        row += repeat
    return facts


def _ods_text(body: bytes | None) -> str:
    """The text a cell shows: its paragraphs without their markup, not its comment."""
    if not body:
        return ""
    body = _ODS_NOTE.sub(b"", body)
    text = "\n".join(re.sub(rb"<[^>]*>", b"", p).decode("utf-8", "replace") for p in _ODS_TEXT.findall(body))
    return unescape(text).strip()


def ods_name(attrs: bytes) -> str:
    return unescape(attrs_of(attrs).get(b"table:name", b"").decode("utf-8", "replace"))


def _tags(xml: bytes, name: bytes) -> list[dict[bytes, bytes]]:
    """The attributes of each <name …> tag, whatever their order."""
    return [attrs_of(m.group()) for m in _TAG[name].finditer(xml)]


def sheet_part(z: zipfile.ZipFile, sheet: str) -> str:
    rid = next(_rid(t) for t in _tags(z.read("xl/workbook.xml"), b"sheet")
               if unescape(t.get(b"name", b"").decode()) == sheet)
    target = next(t[b"Target"] for t in _tags(z.read("xl/_rels/workbook.xml.rels"), b"Relationship")
                  if t.get(b"Id") == rid).decode()
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _rid(attrs: dict[bytes, bytes]) -> bytes | None:
    """The sheet's relationship id: r:id, whatever the prefix of the relationships namespace."""
    return attrs.get(b"r:id", next((v for k, v in attrs.items() if k.endswith(b":id")), None))


def column_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n - 1
