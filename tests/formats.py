"""Write the same roster as .xlsx, .xls, .ods or .csv, the way each program would save it:
native dates and numbers in the workbooks, text in the CSV, with merged cells and hidden rows
where the format has them. Sheets are {name: rows}; the first row of each is its header."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import xlsxwriter
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P


def write_book(path: Path, sheets: dict[str, list[list]], *, merged: dict[str, list[tuple[int, int, int]]] | None = None,
               hidden: dict[str, list[int]] | None = None, encoding: str = "utf-8") -> Path:
    """merged: {sheet: [(first_row, last_row, column)]} (0-based) merged down one column; hidden:
    {sheet: [0-based rows]}. A CSV takes the first sheet only, in `encoding`."""
    merged, hidden = merged or {}, hidden or {}
    writer = {".xlsx": _xlsx, ".xls": _xls, ".ods": _ods, ".csv": _csv}[path.suffix]
    writer(path, sheets, merged, hidden, encoding)
    return path


def _xlsx(path, sheets, merged, hidden, _encoding):
    book = xlsxwriter.Workbook(str(path))
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if isinstance(v, date):
                    ws.write_datetime(i, j, v, day)
                elif v is not None:
                    ws.write(i, j, v)
            if i in hidden.get(name, ()):
                ws.set_row(i, None, None, {"hidden": True})
        for r1, r2, j in merged.get(name, ()):
            ws.merge_range(r1, j, r2, j, rows[r1][j])
    book.close()


def _xls(path, sheets, merged, hidden, _encoding):
    book = xlwt.Workbook(encoding="utf-8")
    day = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in sheets.items():
        ws = book.add_sheet(name)
        spans = {(r1, j): r2 for r1, r2, j in merged.get(name, ())}
        covered = {(r, j) for r1, r2, j in merged.get(name, ()) for r in range(r1 + 1, r2 + 1)}
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if (i, j) in spans:
                    ws.write_merge(i, spans[(i, j)], j, j, v)
                elif (i, j) in covered or v is None:
                    continue
                elif isinstance(v, date):
                    ws.write(i, j, v, day)
                else:
                    ws.write(i, j, v)
            if i in hidden.get(name, ()):
                ws.row(i).hidden = True
    book.save(str(path))


def _ods(path, sheets, merged, hidden, _encoding):
    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        spans = {(r1, j): r2 - r1 + 1 for r1, r2, j in merged.get(name, ())}
        covered = {(r, j) for r1, r2, j in merged.get(name, ()) for r in range(r1 + 1, r2 + 1)}
        for i, row in enumerate(rows):
            tr = TableRow(visibility="collapse") if i in hidden.get(name, ()) else TableRow()
            for j, v in enumerate(row):
                if (i, j) in covered:
                    tr.addElement(CoveredTableCell())
                    continue
                extra = {"numberrowsspanned": spans[(i, j)]} if (i, j) in spans else {}
                if v is None:
                    cell = TableCell(**extra)
                elif isinstance(v, date):
                    cell = TableCell(valuetype="date", datevalue=v.isoformat(), **extra)
                    cell.addElement(P(text=v.isoformat()))
                elif isinstance(v, (int, float)):
                    cell = TableCell(valuetype="float", value=v, **extra)
                    cell.addElement(P(text=str(v)))
                else:
                    cell = TableCell(valuetype="string", **extra)
                    cell.addElement(P(text=v))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))


def _csv(path, sheets, _merged, _hidden, encoding):
    rows = next(iter(sheets.values()))
    text = "\r\n".join(",".join(_csv_cell(v) for v in row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))


def _csv_cell(v) -> str:
    if v is None:
        return ""
    s = v.isoformat() if isinstance(v, date) else str(v)
    return '"' + s.replace('"', '""') + '"' if any(ch in s for ch in ',"\n') else s
