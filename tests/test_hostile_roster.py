"""Rosters a hostile tester (or a broken export) hands in: every one is refused or held at its cell,
in every format, and nothing is paid on a guess."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from swtalent.api import run_check, run_compute
from swtalent.errors import SwtalentError

from .conftest import CHUZHOU, HEADERS, person
from .formats import write_book
from .test_cli import invoke

HIRED = HEADERS.index("入职日期")


def issues_at(roster, code):
    return [(i.location.row, i.location.column, i.value) for i in roster.issues if i.code == code]


def paid(comp) -> set[str]:
    return set(comp.lines["name"])


# --- 1. 2023.1: January, or October whose trailing zero Excel dropped -------------------------

@pytest.mark.parametrize("suffix,encoding,cell", [
    (".xlsx", "utf-8", 2023.1),  # typed 2023.10 in Excel: the number 2023.1
    (".xlsx", "utf-8", "2023.1"),
    (".csv", "utf-8", "2023.1"),  # the same number exported: the text 2023.1
    (".csv", "gbk", "2023.1"),
    (".csv", "utf-8", "２０２３．１"),  # full-width, as typed with a Chinese input method
    (".ods", "utf-8", 2023.1),
    (".xls", "utf-8", 2023.1),
])
def test_a_year_and_month_that_may_be_october_holds_the_row_in_every_format(tmp_path, suffix, encoding, cell):
    rows = [person(1, hired=cell, qualified=date(2022, 5, 1)), person(2, qualified=date(2022, 5, 1))]
    path = write_book(tmp_path / f"r{suffix}", {"花名册": [HEADERS] + rows}, encoding=encoding)
    comp = run_compute(path, CHUZHOU, "2023")
    assert [(r, c) for r, c, _ in issues_at(comp.roster, "roster.date-ambiguous")] == [(2, "入职日期")]
    assert paid(comp) == {"测试二"}  # held: neither January nor October is guessed


@pytest.mark.parametrize("cell,month", [("2023.10", 10), ("2023.01", 1), (2023.05, 5), (2023.12, 12), ("2023.2", 2)])
def test_a_year_and_month_that_is_unambiguous_is_read(tmp_path, cell, month):
    path = write_book(tmp_path / "r.xlsx", {"花名册": [HEADERS, person(1, hired=cell)]})
    roster = run_check(path, CHUZHOU)
    assert roster.issues == [] and roster.frame["hired_on"].iat[0] == pd.Timestamp(2023, month, 1)


# --- 2. A formula whose result was never computed ---------------------------------------------

def test_a_formula_without_a_value_holds_the_row_and_one_with_a_value_is_read(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS + ["备注"])
    for k in (1, 2, 3):
        ws.append([v.isoformat() if isinstance(v, date) else v for v in person(k)] + [None])
    ws["H2"] = "=DATE(2023,3,31)"  # 离职日期 with no stored result: would read as "still in post"
    ws["J3"] = "=LEN(A3)"  # in a column no rule uses: changes nothing
    wb.save(tmp_path / "r.xlsx")
    comp = run_compute(tmp_path / "r.xlsx", CHUZHOU, "2023")
    assert issues_at(comp.roster, "roster.formula-no-value") == [(2, "离职日期", "=DATE(2023,3,31)")]
    assert paid(comp) == {"测试二", "测试三"}


def test_an_excel_computed_formula_is_read_as_its_value(tmp_path):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "r.xlsx"))
    ws = book.add_worksheet()
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, [v.isoformat() if isinstance(v, date) else v for v in person(1)])
    ws.write_formula(1, HEADERS.index("离职日期"), '=""', None, "")  # a text result: blank, as Excel stores it
    ws.write_formula(1, HEADERS.index("区县"), '="琅琊"&"区"', None, "琅琊区")
    book.close()
    comp = run_compute(tmp_path / "r.xlsx", CHUZHOU, "2023")
    assert comp.roster.issues == [] and paid(comp) == {"测试一"}


def test_an_ods_formula_without_a_value_holds_the_row(tmp_path):
    doc = OpenDocumentSpreadsheet()
    table = Table(name="花名册")
    for k, row in enumerate([HEADERS, person(1), person(2)]):
        tr = TableRow()
        for j, v in enumerate(row):
            if k == 1 and j == HEADERS.index("离职日期"):
                tr.addElement(TableCell(formula="of:=DATE(2023;3;31)"))
            elif v is None:
                tr.addElement(TableCell())
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=v.isoformat() if isinstance(v, date) else str(v)))
                tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    doc.save(str(tmp_path / "r.ods"))
    comp = run_compute(tmp_path / "r.ods", CHUZHOU, "2023")
    assert issues_at(comp.roster, "roster.formula-no-value") == [(2, "离职日期", "=DATE(2023;3;31)")]
    assert paid(comp) == {"测试二"}


# --- 3. A name that is no name -------------------------------------------------------------

@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","点我")', "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3",
                                  "张三1", "13800138000", "王\x07芳", "李\u200b四", "😀", "张三（退休）"])
def test_a_name_that_is_a_formula_digits_or_control_characters_is_a_row_problem(tmp_path, name):
    path = write_book(tmp_path / "r.csv", {"花名册": [HEADERS, person(1, name=name), person(2)]})
    comp = run_compute(path, CHUZHOU, "2023")
    codes = {i.code for i in comp.roster.issues if i.location.row == 2}
    assert "roster.name-invalid" in codes or "roster.name-missing" in codes
    assert paid(comp) == {"测试二"}


@pytest.mark.parametrize("name", ["阿卜杜拉·买买提", "王〇", "Mary-Jane O'Neil", "欧阳 修", "Nguyễn Văn An"])
def test_real_names_of_every_shape_are_accepted(tmp_path, name):
    path = write_book(tmp_path / "r.xlsx", {"花名册": [HEADERS, person(1, name=name)]})
    assert run_check(path, CHUZHOU).issues == []


# --- 6. Text longer than a cell, and a CSV field longer than the csv module's default ----------

def test_a_csv_field_of_200000_characters_is_a_located_row_problem_and_outputs_are_written(tmp_path):
    rows = [person(1, place="滁州" * 100_000), person(2)]
    path = write_book(tmp_path / "r.csv", {"花名册": [HEADERS + ["备注"]] + [r + ["备" * 150_000] for r in rows]})
    result = invoke("compute", path, "--policy", CHUZHOU, "--period", "2023", "--out", tmp_path / "p.xlsx",
                    "--out", tmp_path / "p.csv", "--json")
    assert result.exit_code == 0, result.output
    comp = run_compute(path, CHUZHOU, "2023")
    assert [(r, c) for r, c, _ in issues_at(comp.roster, "roster.cell-too-long")] == [(2, "报考地")]
    assert paid(comp) == {"测试二"}
    value = issues_at(comp.roster, "roster.cell-too-long")[0][2]
    assert len(value) < 300 and "200000" in value  # quoted cut, with its length
    assert openpyxl.load_workbook(tmp_path / "p.xlsx", read_only=True)  # the workbook opens


def test_a_cell_too_long_is_found_in_a_column_that_also_holds_numbers_and_blanks(tmp_path):
    rows = [person(1, place=12345), person(2, place="滁州" * 20_000), person(3, place=None), person(4)]
    path = write_book(tmp_path / "r.xlsx", {"花名册": [HEADERS] + rows})
    comp = run_compute(path, CHUZHOU, "2023")
    assert [(r, c) for r, c, _ in issues_at(comp.roster, "roster.cell-too-long")] == [(3, "报考地")]
    assert paid(comp) == {"测试一", "测试三", "测试四"}


# --- 5. Limits: rows, inflation, what is not a file ---------------------------------------------

def test_more_rows_than_max_rows_is_refused_with_how_to_raise_it(tmp_path):
    path = write_book(tmp_path / "r.csv", {"花名册": [HEADERS] + [person(k) for k in range(1, 41)]})
    result = invoke("compute", path, "--policy", CHUZHOU, "--period", "2023", "--max-rows", "5")
    assert result.exit_code == 1 and "--max-rows" in result.stderr
    # The limit counts people's rows: a title and a header on top do not push a roster over it.
    assert invoke("compute", path, "--policy", CHUZHOU, "--period", "2023", "--max-rows", "40").exit_code == 0


def _bomb(path: Path, part: str, size: int) -> Path:
    """A real roster with one part replaced by `size` bytes that compress a thousand times."""
    write_book(path, {"花名册": [HEADERS, person(1)]})
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts[part] = parts[part][:-len(b"</worksheet>")] + b" " * size + b"</worksheet>" if part in parts else b" " * size
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def _limited(args: list[str], memory: int = 2 << 30, timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    """The command in a process of its own, with its memory capped: a bomb fails it, not the suite.
    The cap is on address space, where each reading thread's malloc arena reserves 64-128 MB it
    never touches (a run uses some 300 MB): 2 GiB, not 1."""
    import resource

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "swtalent.cli", *args], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=cap)
    return done, time.monotonic() - start


def test_a_sheet_that_inflates_a_thousand_times_is_refused_before_it_is_inflated(tmp_path):
    path = _bomb(tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml", 300 * 2**20)  # 300 MB from 0.3 MB
    assert path.stat().st_size < 2**20
    done, seconds = _limited(["compute", str(path), "--policy", str(CHUZHOU), "--period", "2023", "--json"])
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "file.inflates" in done.stdout and seconds < 20


def test_a_part_that_lies_about_its_size_is_stopped_at_the_size_it_declares(tmp_path):
    import struct

    path = _bomb(tmp_path / "forged.xlsx", "xl/worksheets/sheet1.xml", 100 * 2**20)
    with zipfile.ZipFile(path) as z:
        real = z.getinfo("xl/worksheets/sheet1.xml").file_size
    data = path.read_bytes().replace(struct.pack("<I", real), struct.pack("<I", 5000))  # both headers
    path.write_bytes(data)
    done, seconds = _limited(["check", str(path), "--json"])
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "file.unreadable" in done.stdout and seconds < 20


def test_a_workbook_past_the_row_budget_is_refused_and_max_rows_raises_it(tmp_path):
    notes = [person(k) + [f"{k}" + "备" * 2000] for k in range(1, 401)]  # 400 rows of 6 KB: 2.4 MB of text
    path = write_book(tmp_path / "r.xlsx", {"花名册": [HEADERS + ["备注"]] + notes})
    with pytest.raises(SwtalentError) as refused:
        run_check(path, CHUZHOU, max_rows=500)  # 500 rows at 1 KiB, and 1 MiB for the workbook's own parts
    assert [i.code for i in refused.value.issues] == ["file.too-large"]
    assert "--max-rows" in refused.value.issues[0].hint()
    assert len(run_check(path, CHUZHOU, max_rows=2000).frame) == 400


def test_a_pipe_or_folder_given_as_the_roster_is_refused_at_once(tmp_path):
    fifo = tmp_path / "roster.csv"
    os.mkfifo(fifo)  # reading it would wait forever for a writer
    done, seconds = _limited(["check", str(fifo), "--json"], timeout=30)
    assert done.returncode == 1 and "file.not-a-file" in done.stdout and seconds < 20
    (tmp_path / "folder.xlsx").mkdir()
    assert invoke("check", tmp_path / "folder.xlsx").exit_code == 1


def test_a_previous_file_that_does_not_exist_is_refused_even_when_no_rule_reads_it(tmp_path, roster):
    path = roster([person(1)])
    result = invoke("compute", path, "--policy", CHUZHOU, "--period", "2023", "--previous", tmp_path / "none.csv",
                    "--json")
    assert result.exit_code == 1 and "file.not-found" in result.stdout and "none.csv" in result.stdout


# --- 7. Error cells, formulas and hidden rows however the sheet's XML is written ----------------

SHEET_XML = "xl/worksheets/sheet1.xml"
LEFT = HEADERS.index("离职日期")


def _marked_xlsx(path: Path) -> Path:
    """Four people, every cell written (blanks too, so that positions survive dropping r=): 测试一
    left on #N/A, 测试二 on a formula with no stored result, 测试三 in a hidden row, 测试四 on a
    formula whose result is empty text (<v></v>: a value, blank)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("花名册")
    day, plain = book.add_format({"num_format": "yyyy-mm-dd"}), book.add_format()
    ws.write_row(0, 0, HEADERS)
    for i, row in enumerate([person(k) for k in (1, 2, 3, 4)], start=1):
        for j, v in enumerate(row):
            if isinstance(v, date):
                ws.write_datetime(i, j, v, day)
            elif v is None:
                ws.write_blank(i, j, None, plain)
            else:
                ws.write(i, j, v)
    ws.write_formula(1, LEFT, "=NA()", None, "#N/A")
    ws.write_formula(2, LEFT, "=DATE(2023,3,31)", day, 45016)
    ws.write_formula(4, LEFT, '=""', None, "")
    ws.set_row(3, None, None, {"hidden": True})
    book.close()
    return _rewrite(path, SHEET_XML, lambda xml: xml.replace(b"<v>45016</v>", b""))  # as a script leaves it


def _rewrite(path: Path, part: str, change) -> Path:
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def _prefixed(xml: bytes) -> bytes:
    """As the .NET Open XML SDK writes it: <x:worksheet xmlns:x=…>, <x:row>, <x:c>, <x:f>, <x:v>;
    the formula without a result gets an empty <x:v/>."""
    import re

    xml = xml.replace(b"DATE(2023,3,31)</f>", b"DATE(2023,3,31)</f><v/>")
    return re.sub(rb"<(/?)(?![?!])", rb"<\1x:", xml).replace(b'xmlns="', b'xmlns:x="')


def _spaced(xml: bytes) -> bytes:
    import re

    return re.sub(rb">\s*<", b">\n  <", xml).replace(b' t="e"', b' t = "e"')


def _single_quoted(xml: bytes) -> bytes:
    import re

    return re.sub(rb'([\w:]+)="([^"]*)"', rb"\1='\2'", xml)


def _without_r(xml: bytes) -> bytes:
    import re

    return re.sub(rb' r="[A-Z]*\d+"', b"", xml)  # rows and cells: each takes the position after the last


SHEET_VARIANTS = {
    "as xlsxwriter writes it": lambda xml: xml,
    "namespace prefix": _prefixed,
    "whitespace between elements": _spaced,
    "single-quoted attributes": _single_quoted,
    "cells and rows without r": _without_r,
    "all of them": lambda xml: _without_r(_single_quoted(_spaced(_prefixed(xml)))),
}


@pytest.mark.parametrize("variant", SHEET_VARIANTS)
def test_error_cells_formulas_and_hidden_rows_are_found_however_the_sheet_xml_is_written(tmp_path, variant):
    path = _rewrite(_marked_xlsx(tmp_path / "r.xlsx"), SHEET_XML, SHEET_VARIANTS[variant])
    comp = run_compute(path, CHUZHOU, "2023")
    assert issues_at(comp.roster, "roster.cell-error") == [(2, "离职日期", "#N/A")]
    assert issues_at(comp.roster, "roster.formula-no-value") == [(3, "离职日期", "=DATE(2023,3,31)")]
    assert [r for r, _, _ in issues_at(comp.roster, "roster.row-hidden")] == [4]
    assert paid(comp) == {"测试三", "测试四"}  # 一 and 二 held; 三 hidden but computed; 四 blank, in post


@pytest.mark.parametrize("variant", SHEET_VARIANTS)
def test_the_fast_scan_and_the_exact_parse_find_the_same_facts(tmp_path, variant):
    from swtalent.roster import sheetxml

    path = _rewrite(_marked_xlsx(tmp_path / "r.xlsx"), SHEET_XML, SHEET_VARIANTS[variant])
    with zipfile.ZipFile(path) as z:
        xml = z.read(SHEET_XML)
    exact = sheetxml._xlsx_exact(xml)
    assert exact.errors == {(2, LEFT): "#N/A", (3, LEFT): "=DATE(2023,3,31)"} and exact.hidden == [(4, 4)]
    fast = sheetxml._xlsx_fast(xml)
    assert fast is None or (fast.errors, fast.hidden) == (exact.errors, exact.hidden)
    if variant in ("namespace prefix", "cells and rows without r", "all of them"):
        assert fast is None  # a shape the fast scan does not know: it says so rather than guess


@pytest.mark.parametrize("change", [
    lambda xml: xml.replace(b'<c r="H2" t="e"><f>NA()</f><v>#N/A</v></c>', b'<c r="H2" t="e"/>'),  # no value
    lambda xml: xml.replace(b'hidden="1"', b'hidden="&#49;"'),  # a character reference
    lambda xml: xml.replace(b"<f>NA()</f>", b"<!-- a note --><f>NA()</f>"),  # a comment
    lambda xml: xml.replace(b"<f>DATE(2023,3,31)</f>", b"<f>DATE(2023,3,31)</f>\n<!-- x -->"),
])
def test_a_mark_the_fast_scan_cannot_place_sends_the_sheet_to_the_exact_parse(tmp_path, change):
    path = _rewrite(_marked_xlsx(tmp_path / "r.xlsx"), SHEET_XML, change)
    comp = run_compute(path, CHUZHOU, "2023")
    assert [(r, c) for r, c, _ in issues_at(comp.roster, "roster.cell-error")] == [(2, "离职日期")]
    assert issues_at(comp.roster, "roster.formula-no-value") == [(3, "离职日期", "=DATE(2023,3,31)")]
    assert [r for r, _, _ in issues_at(comp.roster, "roster.row-hidden")] == [4]
    assert paid(comp) == {"测试三", "测试四"}


def test_a_normal_workbook_is_read_by_the_fast_scan_alone(tmp_path, monkeypatch):
    from swtalent.roster import sheetxml

    def refuse(_xml):
        raise AssertionError("the exact parse was used")
    monkeypatch.setattr(sheetxml, "_xlsx_exact", refuse)
    path = write_book(tmp_path / "r.xlsx", {"花名册": [HEADERS] + [person(k) for k in range(1, 6)]})
    roster = run_check(path, CHUZHOU)
    assert roster.issues == [] and len(roster.frame) == 5
    comp = run_compute(_marked_xlsx(tmp_path / "m.xlsx"), CHUZHOU, "2023")  # marks, as Excel-like writers put them
    assert [i.code for i in comp.roster.issues] == ["roster.cell-error", "roster.formula-no-value", "roster.row-hidden"]


def _ods_with_error_cells(path: Path) -> Path:
    """LibreOffice's error cells: formula, an empty string value, calcext:value-type="error" and the
    error's text. 测试一 on #N/A in 离职日期; 测试二 on one cell repeated over 入职日期 and 离职日期,
    with 人员类别 merged down into 测试三's row (a covered cell); 测试三 on #N/A in 离职日期."""
    from odf.table import CoveredTableCell

    def text_cell(v, **kw):
        cell = TableCell(valuetype="string", **kw)
        cell.addElement(P(text=v.isoformat() if isinstance(v, date) else str(v)))
        return cell

    def error_cell(across=1):
        cell = TableCell(formula="of:=NA()", valuetype="string", stringvalue="", numbercolumnsrepeated=across)
        cell.addElement(P(text="#N/A"))
        return cell

    kind, hired = HEADERS.index("人员类别"), HEADERS.index("入职日期")
    doc = OpenDocumentSpreadsheet()
    table = Table(name="花名册")
    for i, row in enumerate([HEADERS, person(1), person(2), person(3), person(4)]):
        tr, j = TableRow(), 0
        while j < len(row):
            if (i, j) in ((1, LEFT), (3, LEFT)):
                tr.addElement(error_cell())
            elif (i, j) == (2, hired):
                tr.addElement(error_cell(2))
                j += 1
            elif (i, j) == (2, kind):
                tr.addElement(text_cell(row[j], numberrowsspanned=2))
            elif (i, j) == (3, kind):
                tr.addElement(CoveredTableCell())
            else:
                tr.addElement(TableCell() if row[j] is None else text_cell(row[j]))
            j += 1
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    calcext = b"urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
    return _rewrite(path, "content.xml", lambda xml: xml.replace(
        b'table:formula="of:=NA()"', b'table:formula="of:=NA()" calcext:value-type="error"').replace(
        b"<office:document-content ", b'<office:document-content xmlns:calcext="' + calcext + b'" ', 1))


def test_an_ods_error_cell_holds_the_row_on_every_column_it_is_repeated_over(tmp_path):
    comp = run_compute(_ods_with_error_cells(tmp_path / "r.ods"), CHUZHOU, "2023")
    assert issues_at(comp.roster, "roster.cell-error") == [
        (2, "离职日期", "#N/A"), (3, "入职日期", "#N/A"), (3, "离职日期", "#N/A"), (4, "离职日期", "#N/A")]
    assert paid(comp) == {"测试四"}  # none of the others read as "still in post"


# --- 8. Sheets that calamine would lay out as billions of cells ---------------------------------

def _wide_xlsx(path: Path, dimension: bool = True) -> Path:
    """3,000 people and one stray value in XFD3000: a 135 KB file, a 3,000 x 16,384 grid."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("花名册")
    ws.write_row(0, 0, HEADERS)
    for k in range(1, 3000):
        ws.write_row(k, 0, [v.isoformat() if isinstance(v, date) else v for v in person(k % 999 + 1)])
    ws.write(2999, 16383, "x")
    book.close()
    if not dimension:
        import re

        _rewrite(path, SHEET_XML, lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml))
    return path


def _repeated_ods(path: Path, rows: int, across: int, formula: bool = False) -> Path:
    """A few KB of LibreOffice XML: one row with a value (or a formula without one) repeated
    `across` columns, `rows` times."""
    doc = OpenDocumentSpreadsheet()
    table = Table(name="花名册")
    header = TableRow()
    for h in HEADERS:
        cell = TableCell(valuetype="string")
        cell.addElement(P(text=h))
        header.addElement(cell)
    table.addElement(header)
    row = TableRow(numberrowsrepeated=rows)
    if formula:
        row.addElement(TableCell(formula="of:=1", numbercolumnsrepeated=across))
    else:
        cell = TableCell(valuetype="string", numbercolumnsrepeated=across)
        cell.addElement(P(text="x"))
        row.addElement(cell)
    table.addElement(row)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


@pytest.mark.parametrize("build,code", [
    (lambda t: _wide_xlsx(t / "wide.xlsx"), "file.too-wide"),
    (lambda t: _wide_xlsx(t / "nodim.xlsx", dimension=False), "file.too-wide"),  # found by a scan instead
    (lambda t: _repeated_ods(t / "wide.ods", 3000, 10_000), "file.too-wide"),
    (lambda t: _repeated_ods(t / "formulas.ods", 3000, 10_000, formula=True), "file.too-wide"),  # laid out too
    (lambda t: _repeated_ods(t / "tall.ods", 1_000_000, 200), "file.too-many-cells"),
])
def test_a_sheet_calamine_would_lay_out_as_a_huge_grid_is_refused_before_it_is(tmp_path, build, code):
    path = build(tmp_path)
    assert path.stat().st_size < 200_000
    done, seconds = _limited(["compute", str(path), "--policy", str(CHUZHOU), "--period", "2023", "--json"])
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert code in done.stdout and '"sheet": "花名册"' in done.stdout and seconds < 10


def test_the_stray_cell_is_named_and_a_roster_of_normal_width_passes(tmp_path):
    with pytest.raises(SwtalentError) as refused:
        run_check(_wide_xlsx(tmp_path / "wide.xlsx"), CHUZHOU)
    issue = refused.value.issues[0]
    assert issue.code == "file.too-wide" and "XFD3000" in issue.message("en") and "16,384" in issue.message("en")
    path = write_book(tmp_path / "r.xlsx", {"花名册": [HEADERS + ["备注"]] + [person(1) + [None] * 246 + ["x"]]})
    assert len(run_check(path, CHUZHOU).frame) == 1  # 256 columns (IV): still read
