"""A marked-up copy of a roster for the township to fix: each problem cell filled and commented,
and a problems sheet whose cell references link to them.

The copy must keep the clerk's own workbook: its formats, widths, formulas and other sheets. An
.xlsx or .xlsm is copied part by part with only what changes rewritten (markup.py); openpyxl,
which loads and saves the whole workbook, is the fallback where that path cannot be sure. An
.xls, .ods or .csv roster, which openpyxl cannot open, is copied by value into a new workbook:
the cells as read, dates as dates. Text we write (the copied cells, the comments, the problems
sheet) never becomes a formula: openpyxl makes one of any text that starts with '=', so such
text gets a leading ' (swtalent.safety), and the stream path writes the same texts; the clerk's
own formulas in their own .xlsx stay as they are.
"""
from __future__ import annotations

import re
import warnings
from datetime import date, datetime, time
from pathlib import Path

from ..errors import Issue, cell_name
from ..reports.labels import labels
from ..roster.source import PendingSheet
from ..safety import excel_text

FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}  # Excel's own "bad" and "neutral" colours
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")  # characters Excel does not allow in a sheet name


def annotate(roster_path: Path, issues: list[Issue], out: Path, lang: str = "zh", sheet: str | None = None) -> str:
    """Write the copy to `out` (the caller makes that atomic). Says how: "zip" (the workbook's parts
    edited as a stream, markup.py), "openpyxl" (loaded and saved whole) or "values" (copied by value).

    An .xlsx or .xlsm goes the zip's way, which keeps every part of the clerk's file as it was
    (pictures, charts and the other parts openpyxl drops, too; an .xlsm's macros stay behind, the
    copy being an .xlsx) at about the cost of reading the sheets with problems once: 100,000 rows
    in half a second where openpyxl took a minute and a gigabyte. It falls back to openpyxl when it
    cannot be sure of the result: a sheet with problems that has comments or a legacy drawing
    already (the new notes would have to be merged into its VML), XML with prefixed elements
    (<x:c>, as some generators write), a cell or row without its reference, rows or cells out of
    order, or a part whose XML its patterns do not read (tests/test_annotate_stream.py)."""
    L = labels(lang)
    if roster_path.suffix.lower() in (".xlsx", ".xlsm"):
        from .markup import Unsure, mark_up

        try:
            mark_up(roster_path, issues, out, lang, L, lambda taken: _free_name(L["sheet.problems"], taken))
            return "zip"
        except Unsure:
            pass
    return _annotate_openpyxl(roster_path, issues, out, lang, sheet)


def _annotate_openpyxl(roster_path: Path, issues: list[Issue], out: Path, lang: str, sheet: str | None) -> str:
    from openpyxl import load_workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    L = labels(lang)

    def clean(text: object) -> object:
        """Text as it may go in a cell or comment: without the control characters pasted from Word
        or the web (not allowed in a file), inert, and within Excel's limit."""
        return excel_text(ILLEGAL_CHARACTERS_RE.sub("", text), lang) if isinstance(text, str) else text

    how = "openpyxl" if roster_path.suffix.lower() in (".xlsx", ".xlsm") else "values"
    if how == "openpyxl":
        with warnings.catch_warnings():  # "extension is not supported": parts openpyxl drops, said in the README
            warnings.simplefilter("ignore")
            book = load_workbook(roster_path)
        names = {name: name for name in book.sheetnames}
    else:
        book, names = _copy_by_value(roster_path, sheet, L, clean)
    def place(issue: Issue) -> tuple[str, int, int] | None:
        """The cell a problem is written on: its own, a row's first filled cell, a merged range's first."""
        loc = issue.location
        name = names.get(loc.sheet)
        if name is None or loc.row is None:
            return None
        return (name, *_top_left(book[name], loc.row, loc.col or _first_col(book[name], loc.row)))

    places = [place(issue) for issue in issues]
    notes: dict[tuple[str, int, int], list[Issue]] = {}
    for issue, at in zip(issues, places):
        if at is not None:
            notes.setdefault(at, []).append(issue)
    for (name, row, col), found in notes.items():
        cell = book[name].cell(row, col)
        worst = "error" if any(i.severity == "error" for i in found) else "warning"
        cell.fill = PatternFill("solid", fgColor=FILLS[worst])
        text = "\n".join(f"【{L[i.severity]}】{i.message(lang)}" + (f" — {i.hint(lang)}" if i.hint(lang) else "")
                         for i in found)
        cell.comment = Comment(clean(text), "swtalent", width=360, height=min(60 + 60 * len(found), 400))

    title = _free_name(L["sheet.problems"], book.sheetnames)
    ws = book.create_sheet(title, 0)
    book.active = 0
    for sheet in book.worksheets:  # one selected tab, or Excel opens the sheets grouped and edits both
        sheet.sheet_view.tabSelected = sheet is ws
    heads = [L["severity"], L["code"], L["sheet"], L["cell"], L["row"], L["column"], L["value"], L["message"], L["hint"]]
    ws.append(heads)
    for c in ws[1]:
        c.font = Font(bold=True)
    for issue, at in zip(issues, places):
        loc = issue.location
        ref = cell_name(at[2], at[1]) if at else ""
        ws.append([clean(v) for v in (L[issue.severity], issue.code, at[0] if at else names.get(loc.sheet, loc.sheet),
                                      ref, loc.row, loc.column, issue.value, issue.message(lang), issue.hint(lang))])
        if at:
            link = ws.cell(row=ws.max_row, column=4)
            quoted = at[0].replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!{ref}")
            link.font = Font(color="0563C1", underline="single")
            link.fill = PatternFill("solid", fgColor=FILLS[issue.severity])
    for letter, width in zip("ABCDEFGHI", (8, 26, 14, 10, 8, 16, 24, 60, 50)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:I{ws.max_row}"
    book.save(out)
    return how


def _copy_by_value(path: Path, sheet: str | None, L: dict, clean):
    from openpyxl import Workbook

    cells = PendingSheet(path, sheet).result()
    book = Workbook()
    book.remove(book.active)
    names = {}
    for part in cells.sheets:
        name = part.name or _SHEET_NAME_BAD.sub("", path.stem)[:31] or L["sheet.roster"]
        names[part.name] = name
        ws = book.create_sheet(name)
        for i, row in enumerate(part.rows):
            for j, value in enumerate(row):
                if value is None or value == "":
                    continue
                cell = ws.cell(row=part.first_row + i, column=part.first_col + j + 1, value=clean(value))
                if isinstance(value, (date, datetime)) and not isinstance(value, time):
                    cell.number_format = "yyyy-mm-dd"
    return book, names


def _top_left(ws, row: int, col: int) -> tuple[int, int]:
    """A cell inside a merged range is written on the range's first cell, the one Excel shows."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return rng.min_row, rng.min_col
    return row, col


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
