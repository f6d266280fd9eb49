"""A table longer than an Excel sheet (1,048,576 rows) continues on further sheets, never cut short.

A payroll is cut between people, so that nobody's lines are on two sheets, and each sheet has its
own subtotals and 本表合计; the summary says so. Other tables (不予发放, the notice list) continue
row for row, each part with the title and header. Excel's limit is lowered here (sheets.EXCEL_ROWS)
so that the example roster's 83 lines take several sheets; the code reads it at every call."""
from __future__ import annotations

import openpyxl
import pytest

from swtalent.api import run_compute
from swtalent.reports import sheets
from swtalent.reports.files import write_outputs
from swtalent.reports.summary import summary

from .conftest import CHUZHOU, EXAMPLE

ROWS = 20  # the lowered limit: 3 title and header rows, 4 under the lines, at most 8 subtotals, 5 lines


@pytest.fixture(scope="module")
def long_book(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setattr(sheets, "EXCEL_ROWS", ROWS)
    try:
        out = tmp_path_factory.mktemp("long")
        comp = run_compute(EXAMPLE, CHUZHOU, "2023")
        write_outputs(comp, [out / "payments.xlsx"], notice=out / "notice.xlsx")
        said = summary(comp)
    finally:
        mp.undo()
    return comp, openpyxl.load_workbook(out / "payments.xlsx"), openpyxl.load_workbook(out / "notice.xlsx"), said


def fen(value) -> int:
    return round(value * 100)


def payroll_parts(book, name: str) -> list:
    names = [name] + [f"{name}之{k}" for k in range(2, 100)]
    return [book[n] for n in names if n in book.sheetnames]


def lines_of(ws) -> list[tuple]:
    """(序号, 姓名, 身份证号, 金额) of each payment line: the rows under the header up to 本表合计,
    less the subtotals; a person's second line has a blank 序号 (its cells are merged)."""
    header = [c.value for c in ws[3]]
    amount = header.index("金额（元）")
    out = []
    for row in ws.iter_rows(min_row=4, values_only=True):
        if row[1] in ("本表合计", "合计"):
            break
        if row[1] != "小计":
            out.append((row[0], row[1], row[2], row[amount]))
    return out


@pytest.mark.parametrize("kind, name", [("monthly", "发放花名册（按月）"), ("one_off", "发放花名册（一次性）")])
def test_a_payroll_longer_than_a_sheet_continues_cut_between_people(long_book, kind, name):
    comp, book, _, _ = long_book
    parts = payroll_parts(book, name)
    assert len(parts) > 2
    lines = comp.lines[comp.lines["kind"] == kind]
    seen, people_on = [], {}
    for k, ws in enumerate(parts, 1):
        assert ws.max_row <= ROWS
        assert f"第 {k} 张，共 {len(parts)} 张" in ws["A2"].value
        part = lines_of(ws)
        assert part, ws.title
        rows = list(ws.iter_rows(min_row=4, values_only=True))
        total = next(r for r in rows if r[1] == "本表合计")
        amount = [c.value for c in ws[3]].index("金额（元）")
        assert fen(total[amount]) == sum(fen(x[3]) for x in part)  # the sheet's own total adds up
        person = None
        for seq, pname, pid, _ in part:
            person = pid if seq is not None else person  # a continued line belongs to the person above
            people_on.setdefault(person, set()).add(k)
        seen += part
    assert len(seen) == len(lines)  # every line, once
    assert sum(fen(x[3]) for x in seen) == int(lines["amount_fen"].sum())
    assert all(len(on) == 1 for on in people_on.values())  # nobody's lines on two sheets
    assert len(people_on) == lines["person_id"].nunique()


def test_the_summary_says_the_payroll_continues(long_book):
    comp, book, _, said = long_book
    note = next(n for n in said["notes"] if "发放花名册（按月）" in n)
    assert "48 笔" in note and "发放花名册（按月）之2" in note
    cells = [c for name in book.sheetnames if name.startswith("汇总")  # 20 rows: 汇总 continues too
             for row in book[name].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert note in cells
    assert summary(comp)["notes"] == [n for n in summary(comp)["notes"] if "接续" not in n]  # at Excel's size, no note


def test_other_tables_continue_row_for_row_with_their_header(long_book):
    comp, _, notice, _ = long_book
    parts = [notice[n] for n in notice.sheetnames]
    assert len(parts) > 2 and parts[1].title == "公示名单之2"
    header = [c.value for c in parts[0][3]]
    body = []
    for ws in parts:
        assert ws.max_row <= ROWS
        assert [c.value for c in ws[3]] == header and ws["A1"].value == parts[0]["A1"].value
        body += [r for r in ws.iter_rows(min_row=4, values_only=True) if any(v is not None for v in r)]
    issuer = "滁州市民政局"
    assert body[-2][0] == issuer and all(r[0] != issuer for r in body[:-2])  # the issuer once, at the end
    assert len(body) - 2 == len(comp.lines)  # the date row under it, then every line once
