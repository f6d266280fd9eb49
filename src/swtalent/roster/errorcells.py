"""Cells holding an Excel error (#N/A, #REF!, #VALUE! …), which python-calamine returns as blank.

A #N/A left by a VLOOKUP in 离职日期 must not read as "still in post". The sheet's XML marks
such cells t="e"; we look for that mark first (one byte search) and parse only when it is there.
Only .xlsx/.xlsm are scanned: .xls and .ods keep errors in other ways.
"""
from __future__ import annotations

import re
import zipfile
from html import unescape
from pathlib import Path

_TAG = {name: re.compile(rb"<" + name + rb"\b[^>]*>") for name in (b"sheet", b"Relationship")}
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_ERROR_CELL = re.compile(rb'<c\b(?=[^>]*\bt="e")[^>]*?\br="([A-Z]+)(\d+)"[^>]*>(?:<f[^>]*>.*?</f>|<f[^>]*/>)?<v>([^<]*)</v>',
                         re.S)


def error_cells(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """{(Excel row number, 0-based column index): '#N/A'} for the named sheet of an .xlsx file."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}
    with zipfile.ZipFile(path) as z:
        xml = z.read(_sheet_part(z, sheet))
    if b't="e"' not in xml:
        return {}
    return {(int(row), _column_index(col)): value.decode("utf-8", "replace")
            for col, row, value in _ERROR_CELL.findall(xml)}


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
