"""What python-calamine does not tell: cells holding an Excel error or a formula without a value,
and hidden rows.

calamine returns an error cell (#N/A, #REF! …) as blank, and a #N/A left by a VLOOKUP in 离职日期
must not read as "still in post". A formula whose result was never computed (=DATE(2023,3,31)
written by a script or an export, not by Excel, which stores each result) reads as blank too,
with the same effect. It also does not say which rows are hidden, and a row hidden (or filtered
out) by the township is a person the clerk never saw on screen. All are read from the sheet's own
XML: .xlsx/.xlsm mark error cells t="e", formulas <f> (their result in <v>) and hidden rows
hidden="1"; .ods marks hidden rows table:visibility and formulas table:formula (their result in
office:value-type). We look for each mark first (one byte search) and parse only when it is there.
An .xls file's records are binary: xlrd reads its row flags and error cells (a formula record
always carries its result).
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

_TAG = {name: re.compile(rb"<" + name + rb"\b[^>]*>") for name in (b"sheet", b"Relationship", b"row")}
_ATTR = re.compile(rb'([\w:.-]+)="([^"]*)"')
_ERROR_CELL = re.compile(rb'<c\b(?=[^>]*\bt="e")[^>]*?\br="([A-Z]+)(\d+)"[^>]*>(?:<f[^>]*>.*?</f>|<f[^>]*/>)?<v>([^<]*)</v>',
                         re.S)
# A formula cell and what follows its formula up to the cell's end: a result in <v>, or nothing.
_FORMULA_CELL = re.compile(rb'<c\b([^>]*?)>\s*<f\b[^>]*?(?:/>|>(.*?)</f>)(.*?)</c>', re.S)
_ODS_ROW = re.compile(rb"<table:table-row(?=[\s/>])([^>]*?)(?:/>|>(.*?)</table:table-row>)", re.S)
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)/?>")
_ODS_TABLE = re.compile(rb'<table:table\b[^>]*\btable:name="([^"]*)"[^>]*>')


@dataclass
class SheetFacts:
    # (Excel row, 0-based column) -> '#N/A' for an error cell, '=DATE(2023,3,31)' for a formula without a value
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden: list[tuple[int, int]] = field(default_factory=list)  # hidden Excel rows, as inclusive ranges
    merged: list = field(default_factory=list)  # .ods only (calamine gives the others): ((r1, c1), (r2, c2)), 0-based


def sheet_facts(path: Path, sheet: str) -> SheetFacts:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        with zipfile.ZipFile(path) as z:
            return _xlsx_facts(z.read(_sheet_part(z, sheet)))
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
    facts = SheetFacts()
    if b't="e"' in xml:
        facts.errors = {(int(row), _column_index(col)): value.decode("utf-8", "replace")
                        for col, row, value in _ERROR_CELL.findall(xml)}
    if b"<f" in xml:
        for m in _FORMULA_CELL.finditer(xml):
            attrs = dict(_ATTR.findall(m.group(1)))
            # No <v>, or an empty <v/> (openpyxl's way), is no result; <v></v> is an empty text
            # result (=IF(…,"",…)), as Excel and xlsxwriter store it.
            if b"<v>" not in m.group(3):
                col, row = re.fullmatch(rb"([A-Z]+)(\d+)", attrs.get(b"r", b"")).groups()
                facts.errors[(int(row), _column_index(col))] = "=" + unescape((m.group(2) or b"").decode("utf-8", "replace"))
    if b'hidden="1"' in xml or b'hidden="true"' in xml:
        for tag in _TAG[b"row"].finditer(xml):
            attrs = dict(_ATTR.findall(tag.group()))
            if attrs.get(b"hidden") in (b"1", b"true") and b"r" in attrs:
                r = int(attrs[b"r"])
                facts.hidden.append((r, r))
    return facts


def _ods_facts(xml: bytes, sheet: str) -> SheetFacts:
    """Hidden rows and cells merged down of the named table; rows and cells are counted tag by tag,
    with their repeat counts."""
    facts = SheetFacts()
    formulas = b"table:formula" in xml
    if b"table:visibility" not in xml and b"table:number-rows-spanned" not in xml and not formulas:
        return facts
    start = next((m.end() for m in _ODS_TABLE.finditer(xml) if unescape(m.group(1).decode()) == sheet), None)
    if start is None:
        return facts
    end = xml.find(b"</table:table>", start)
    row = 0
    for m in _ODS_ROW.finditer(xml, start, end if end >= 0 else len(xml)):
        attrs = dict(_ATTR.findall(m.group(1)))
        repeat = int(attrs.get(b"table:number-rows-repeated", b"1"))
        if attrs.get(b"table:visibility", b"visible") != b"visible":
            facts.hidden.append((row + 1, row + repeat))
        body = m.group(2)
        if body and (b"number-rows-spanned" in body or formulas and b"table:formula" in body):
            col = 0
            for cell in _ODS_CELL.finditer(body):
                cell_attrs = dict(_ATTR.findall(cell.group(1)))
                span = int(cell_attrs.get(b"table:number-rows-spanned", b"1"))
                if span > 1:
                    facts.merged.append(((row, col), (row + span - 1, col)))
                if b"table:formula" in cell_attrs and b"office:value-type" not in cell_attrs:
                    formula = unescape(cell_attrs[b"table:formula"].decode("utf-8", "replace"))
                    facts.errors[(row + 1, col)] = "=" + formula.split(":", 1)[-1].lstrip("=")
                col += int(cell_attrs.get(b"table:number-columns-repeated", b"1"))
        row += repeat
    return facts


def _tags(xml: bytes, name: bytes) -> list[dict[bytes, bytes]]:
    """The attributes of each <name …> tag, whatever their order."""
    return [dict(_ATTR.findall(m.group())) for m in _TAG[name].finditer(xml)]


def _sheet_part(z: zipfile.ZipFile, sheet: str) -> str:
    rid = next(t[b"r:id"] for t in _tags(z.read("xl/workbook.xml"), b"sheet")
               if unescape(t.get(b"name", b"").decode()) == sheet)
    target = next(t[b"Target"] for t in _tags(z.read("xl/_rels/workbook.xml.rels"), b"Relationship")
                  if t.get(b"Id") == rid).decode()
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1
