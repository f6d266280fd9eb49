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


# --- 5. Limits: rows, inflation, what is not a file ---------------------------------------------

def test_more_rows_than_max_rows_is_refused_with_how_to_raise_it(tmp_path):
    path = write_book(tmp_path / "r.csv", {"花名册": [HEADERS] + [person(k) for k in range(1, 6)]})
    result = invoke("compute", path, "--policy", CHUZHOU, "--period", "2023", "--max-rows", "3")
    assert result.exit_code == 1 and "--max-rows" in result.stderr
    assert invoke("compute", path, "--policy", CHUZHOU, "--period", "2023", "--max-rows", "6").exit_code == 0


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


def _limited(args: list[str], memory: int = 1 << 30, timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    """The command in a process of its own, with its memory capped: a bomb fails it, not the suite."""
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
    path = write_book(tmp_path / "r.xlsx", {"花名册": [HEADERS] + [person(k) for k in range(1, 4)]})
    with pytest.raises(SwtalentError) as refused:
        run_check(path, CHUZHOU, max_rows=5)  # 5 KiB for a workbook whose parts take more
    assert [i.code for i in refused.value.issues] == ["file.too-large"]
    assert "--max-rows" in refused.value.issues[0].hint()
    assert len(run_check(path, CHUZHOU, max_rows=1000).frame) == 3


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
