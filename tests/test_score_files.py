"""A score workbook (--scores) is read as a roster is: under --max-rows and the same limits, so a
hostile or huge file is refused with the same file.* problems before it is inflated, and CSV in GBK,
.xls and .ods are read like a workbook (issue 15's safety)."""
from __future__ import annotations

import re
import zipfile
from decimal import Decimal

import pytest

from swtalent.api import run_compute
from swtalent.errors import SwtalentError

from .test_hostile_roster import _limited
from .test_scores import JUDGES_POLICY, WIDE, candidates, workbook

SCORES = [Decimal("90.00"), Decimal("86.33"), Decimal("89.00"), Decimal("90.00")]  # see test_scores.WIDE


@pytest.fixture
def policy(tmp_path):
    path = tmp_path / "judges.yaml"
    path.write_text(JUDGES_POLICY, encoding="utf-8")
    return path


def _padded(path, size: int):
    """The score workbook with `size` blank bytes in its sheet: compresses about a thousand times."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"</worksheet>", b" " * size + b"</worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_a_score_workbook_that_inflates_a_thousand_times_is_refused_before_it_is_inflated(tmp_path, policy):
    roster = candidates(tmp_path, ["甲", "乙", "丙", "丁"])
    bomb = _padded(workbook(tmp_path / "bomb.xlsx", {"评分": WIDE}), 300 * 2**20)  # 300 MB from 0.3 MB
    assert bomb.stat().st_size < 2**20
    done, seconds = _limited(["compute", str(roster), "--scores", str(bomb), "--policy", str(policy),
                              "--period", "2023", "--json"])
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert '"code": "file.inflates"' in done.stdout and "bomb.xlsx" in done.stdout and seconds < 20


def test_a_score_workbook_past_max_rows_is_refused_and_max_rows_raises_it(tmp_path, policy):
    roster = candidates(tmp_path, ["甲", "乙", "丙", "丁"])
    # A 备注 column of 9 KB a row, 400 rows of notes below the marks: 3.6 MB of text
    notes = [WIDE[0], WIDE[1] + ["备注"], *(row + [f"{k}" + "备" * 3000] for k, row in enumerate(WIDE[2:]))]
    scores = workbook(tmp_path / "big.xlsx", {"评分": notes + [[None] * 8 + [f"{k}" + "备" * 3000] for k in range(400)]})
    with pytest.raises(SwtalentError) as refused:
        run_compute(roster, policy, "2023", scores=scores, max_rows=100)
    assert [(i.code, i.location.file) for i in refused.value.issues] == [("file.too-large", str(scores))]
    assert list(run_compute(roster, policy, "2023", scores=scores, max_rows=10_000).scores["talent"].final) == SCORES


def test_a_score_sheet_with_a_stray_cell_in_column_xfd_is_refused_with_its_sheet(tmp_path, policy):
    import xlsxwriter

    path = tmp_path / "wide.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("评分")
    for k, row in enumerate(WIDE):
        ws.write_row(k, 0, row)
    ws.write(2999, 16383, "x")  # 3,000 rows by 16,384 columns when laid out
    book.close()
    with pytest.raises(SwtalentError) as refused:
        run_compute(candidates(tmp_path, ["甲", "乙", "丙", "丁"]), policy, "2023", scores=path)
    (issue,) = refused.value.issues
    assert (issue.code, issue.location.sheet) == ("file.too-wide", "评分") and "XFD3000" in issue.message("en")


def test_a_score_sheet_that_is_not_a_spreadsheet_is_refused(tmp_path, policy):
    path = tmp_path / "scores.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(SwtalentError) as refused:
        run_compute(candidates(tmp_path, ["甲"]), policy, "2023", scores=path)
    assert [i.code for i in refused.value.issues] == ["file.format"]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_score_sheets_as_csv_in_gbk_or_utf8_are_read(tmp_path, policy, encoding):
    path = tmp_path / "scores.csv"
    text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in WIDE[1:])  # no title row
    path.write_bytes(text.replace("=AVERAGE(C3:G3)", "").encode(encoding))
    comp = run_compute(candidates(tmp_path, ["甲", "乙", "丙", "丁"]), policy, "2023", scores=path)
    assert list(comp.scores["talent"].final) == SCORES
    assert list(comp.outcomes[0].award.status) == ["selected", "not_selected", "not_selected", "selected"]


def test_a_sheet_starting_below_and_right_of_a1_is_located_as_excel_shows_it(tmp_path, policy):
    rows = [[None, None, *r] for r in WIDE[1:]]  # the table starts in C1; 乙's 评委三 typed as text
    rows[2][2 + 4] = "八十六"
    scores = workbook(tmp_path / "judges.xlsx", {"评分": [[], [], *rows]})  # and in row 3
    comp = run_compute(candidates(tmp_path, ["甲", "乙", "丙", "丁"]), policy, "2023", scores=scores)
    (bad,) = [i for i in comp.roster.issues if i.code == "scores.not-a-number"]
    assert (bad.location.sheet, bad.location.row, bad.location.col, bad.location.column) == ("评分", 5, 7, "评委三")


def test_a_hidden_score_sheet_is_not_read_and_is_said_once(tmp_path, policy):
    import openpyxl

    path = workbook(tmp_path / "judges.xlsx", {"评分": WIDE, "草稿": [["姓名", "评委一"], ["甲", 1]],
                                                "旧稿": [["姓名", "评委一"], ["甲", 2]]})
    book = openpyxl.load_workbook(path)
    book["草稿"].sheet_state = "hidden"
    book.save(path)
    comp = run_compute(candidates(tmp_path, ["甲", "乙", "丙", "丁"]), policy, "2023",
                       scores=workbook(tmp_path / "one.xlsx", {"评分": WIDE}))
    assert not [i for i in comp.roster.issues if i.code == "scores.sheet-hidden"]
    book = openpyxl.load_workbook(path)
    del book["旧稿"]
    book.save(path)
    comp = run_compute(candidates(tmp_path, ["甲", "乙", "丙", "丁"]), policy, "2023", scores=path)
    assert [(i.code, i.location.sheet) for i in comp.roster.issues if i.code == "scores.sheet-hidden"] == [
        ("scores.sheet-hidden", "草稿")]
    assert list(comp.scores["talent"].final) == SCORES
    assert re.search("隐藏", comp.roster.issues[-1].message("zh"))
