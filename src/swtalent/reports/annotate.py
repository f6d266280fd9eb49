"""A marked-up copy of a roster for the township to fix: each problem cell filled and commented,
and a problems sheet whose cell references link to them.

openpyxl (not the fast writer) because the copy must keep the clerk's own workbook: its formats,
widths, formulas and other sheets. An .xls, .ods or .csv roster, which openpyxl cannot open, is
copied by value into a new workbook: the cells as read, dates as dates.
"""
from __future__ import annotations

import warnings
from datetime import date, datetime, time
from pathlib import Path

from ..errors import Issue, cell_name
from ..reports.labels import labels
from ..roster.source import PendingSheet

FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}  # Excel's own "bad" and "neutral" colours


def annotate(roster_path: Path, issues: list[Issue], out: Path, lang: str = "zh", sheet: str | None = None) -> None:
    """Write the copy to `out` (the caller makes that atomic)."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    L = labels(lang)
    if roster_path.suffix.lower() in (".xlsx", ".xlsm"):
        with warnings.catch_warnings():  # "extension is not supported": parts openpyxl drops, said in the README
            warnings.simplefilter("ignore")
            book = load_workbook(roster_path)
        names = {name: name for name in book.sheetnames}
    else:
        book, names = _copy_by_value(roster_path, sheet, L)
    notes: dict[tuple[str, int, int], list[Issue]] = {}
    for issue in issues:
        loc = issue.location
        if loc.row is not None and loc.sheet in names:
            notes.setdefault((names[loc.sheet], loc.row, loc.col or _first_col(book[names[loc.sheet]], loc.row)),
                             []).append(issue)
    for (name, row, col), found in notes.items():
        cell = book[name].cell(row=row, column=col)
        worst = "error" if any(i.severity == "error" for i in found) else "warning"
        cell.fill = PatternFill("solid", fgColor=FILLS[worst])
        text = "\n".join(f"【{L[i.severity]}】{i.message(lang)}" + (f" — {i.hint(lang)}" if i.hint(lang) else "")
                         for i in found)
        cell.comment = Comment(text, "swtalent", width=360, height=min(60 + 60 * len(found), 400))

    title = _free_name(L["sheet.problems"], book.sheetnames)
    ws = book.create_sheet(title, 0)
    book.active = 0
    heads = [L["severity"], L["code"], L["sheet"], L["cell"], L["row"], L["column"], L["value"], L["message"], L["hint"]]
    ws.append(heads)
    for c in ws[1]:
        c.font = Font(bold=True)
    for issue in issues:
        loc = issue.location
        target = names.get(loc.sheet)
        col = loc.col or (_first_col(book[target], loc.row) if target and loc.row else None)
        ref = cell_name(col, loc.row) if target and loc.row and col else ""
        ws.append([L[issue.severity], issue.code, target or loc.sheet, ref, loc.row, loc.column, issue.value,
                   issue.message(lang), issue.hint(lang)])
        if ref:
            link = ws.cell(row=ws.max_row, column=4)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{target}'!{ref}")
            link.font = Font(color="0563C1", underline="single")
            link.fill = PatternFill("solid", fgColor=FILLS[issue.severity])
    for letter, width in zip("ABCDEFGHI", (8, 26, 14, 10, 8, 16, 24, 60, 50)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:I{ws.max_row}"
    book.save(out)


def _copy_by_value(path: Path, sheet: str | None, L: dict):
    from openpyxl import Workbook

    cells = PendingSheet(path, sheet).result()
    book = Workbook()
    book.remove(book.active)
    names = {}
    for part in cells.sheets:
        name = part.name or path.stem[:31] or L["sheet.roster"]
        names[part.name] = name
        ws = book.create_sheet(name)
        for i, row in enumerate(part.rows):
            for j, value in enumerate(row):
                if value is None or value == "":
                    continue
                cell = ws.cell(row=part.first_row + i, column=part.first_col + j + 1, value=value)
                if isinstance(value, (date, datetime)) and not isinstance(value, time):
                    cell.number_format = "yyyy-mm-dd"
    return book, names


def _first_col(ws, row: int) -> int:
    """A problem about a whole row is noted on its first cell that holds something."""
    for cell in ws[row]:
        if cell.value not in (None, ""):
            return cell.column
    return 1


def _free_name(name: str, taken: list[str]) -> str:
    k, candidate = 1, name
    while candidate in taken:
        k += 1
        candidate = f"{name}{k}"
    return candidate
