"""A 合计 under every column of money: 汇总's 按项目, 按等级 and 按区县 tables, the 区县汇总 sheet
(whose chart still shows the 区县 alone) and the terminal's table; each adds up, in integer fen, to
the run's grand total, and its 人数 counts each person once."""
from __future__ import annotations

import re
import shutil
import zipfile

import openpyxl
import pytest
from rustpy_xlsxwriter import FastExcel

from swtalent.api import run_compute
from swtalent.reports.chartrows import leave_out_last_rows
from swtalent.reports.files import write_outputs

from .conftest import CHUZHOU, EXAMPLE, ROOT, make_id, person, write_roster
from .test_award import JIUJIANG, JIUJIANG_EXAMPLE
from .test_cli import invoke
from .test_districts import summary_table


def fen(value) -> int:
    """A yuan cell as integer fen (the cell holds fen / 100 as a double)."""
    return round(value * 100)


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("totals") / "payments.xlsx"
    comp = run_compute(EXAMPLE, CHUZHOU, "2023")
    write_outputs(comp, [out])
    return comp, out, openpyxl.load_workbook(out)


def check_table(rows: list, comp) -> None:
    """The parts and their 合计 row: lines and fen add up to the 合计, which is the run's total."""
    *parts, total = rows
    assert total[0] == "合计" and all(r[0] != "合计" for r in parts)
    assert sum(fen(r[4]) for r in parts) == fen(total[4]) == comp.total_fen
    assert sum(int(r[3]) for r in parts) == int(total[3]) == len(comp.lines)
    assert int(total[2]) == comp.lines["person_id"].nunique()  # each person once, however many lines


def test_summary_tables_each_end_in_a_total_that_is_the_grand_total(example):
    comp, _, book = example
    rows = list(book["汇总"].iter_rows(values_only=True))
    for heading in ("按项目", "按等级", "按区县"):
        check_table(summary_table(rows, heading), comp)
    assert comp.total_fen == 17_520_000


def test_district_sheet_has_a_total_row_and_its_chart_leaves_it_out(example):
    comp, path, book = example
    sheet = book["区县汇总"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    check_table([(r[0], None, r[1], r[2], r[3]) for r in rows], comp)
    assert sheet.cell(row=len(rows) + 1, column=1).font.b  # the 合计 row in bold
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        refs = re.findall(r"<c:f>([^<]*)</c:f>", z.read("xl/charts/chart1.xml").decode())
    last = len(rows)  # the sheet row of the last 区县: the header is row 1, 合计 row len(rows) + 1
    assert f"区县汇总!$A$2:$A${last}" in refs and f"区县汇总!$D$2:$D${last}" in refs


def test_award_lines_are_a_part_of_the_levels_total(tmp_path):
    comp = run_compute(JIUJIANG_EXAMPLE, JIUJIANG, "2023")
    write_outputs(comp, [tmp_path / "p.xlsx"])
    rows = list(openpyxl.load_workbook(tmp_path / "p.xlsx")["汇总"].iter_rows(values_only=True))
    levels = summary_table(rows, "按等级")
    check_table(levels, comp)
    assert len(levels) == 2 and comp.total_fen > 0  # the award's winners, then 合计


def test_a_blank_district_is_a_part_of_the_districts_total(tmp_path, roster):
    path = roster([person(1, district="琅琊区"), person(2, district=""), person(3, district="全椒县")])
    comp = run_compute(path, CHUZHOU, "2023")
    write_outputs(comp, [tmp_path / "p.xlsx"])
    book = openpyxl.load_workbook(tmp_path / "p.xlsx")
    check_table(summary_table(list(book["汇总"].iter_rows(values_only=True)), "按区县"), comp)
    rows = list(book["区县汇总"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["琅琊区", "全椒县", "（未填区县）", "合计"]


def test_terminal_table_total_has_the_head_count():
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023")
    total = next(line for line in result.stdout.splitlines() if line.startswith("│ 合计"))
    assert [cell.strip() for cell in total.split("│")[1:-1]] == ["合计", "", "61", "83", "175200.00"]


def test_shortening_a_chart_rewrites_only_the_end_of_the_file(tmp_path):
    """The worksheets before the chart keep their bytes: a 100,000-line payroll is not written twice."""
    import pandas as pd

    frame = pd.DataFrame({"区县": [f"区{k}" for k in range(2000)] + ["合计"], "金额": [1.0] * 2000 + [2000.0]})
    first = tmp_path / "a.xlsx"
    book = FastExcel(str(first))
    book.sheet("大表", frame)
    book.sheet("图", frame, charts=[{"type": "column", "series": ["金额"], "categories": "区县"}])
    book.save()
    second = tmp_path / "b.xlsx"
    shutil.copy(first, second)
    leave_out_last_rows(second, {"图": 1})
    with zipfile.ZipFile(first) as z:
        chart_at = z.getinfo("xl/charts/chart1.xml").header_offset
        assert all(i.header_offset < chart_at for i in z.infolist() if i.filename.startswith("xl/worksheets/sheet"))
    assert second.read_bytes()[:chart_at] == first.read_bytes()[:chart_at]
    with zipfile.ZipFile(second) as z:
        assert z.testzip() is None
        xml = z.read("xl/charts/chart1.xml").decode()
    assert "图!$A$2:$A$2001<" in xml and "图!$B$2:$B$2001<" in xml and "$2002" not in xml
    assert openpyxl.load_workbook(second)["图"].max_row == 2002


def _plain_breakdown(comp, key_of) -> dict:
    """{group: (lines, persons, fen)} by a loop over the payment lines, persons by their ID."""
    got: dict = {}
    for line in comp.lines.itertuples(index=False):
        key = key_of(line)
        lines, people, fen_ = got.get(key, (0, set(), 0))
        got[key] = (lines + 1, people | {line.person_id}, fen_ + int(line.amount_fen))
    return {k: (n, len(p), f) for k, (n, p, f) in got.items()}


def _shili(tmp_path):  # titles paid monthly (title_allowance) beside the selection year's awards
    from .test_caps import history

    headers = ["姓名", "身份证号", "人员类别", "工作单位", "评审得分"]
    rows = [["甲", make_id(1), "乡镇（街道）社工站人员", "东城街道社工站", None],
            ["乙", make_id(2), "乡镇（街道）社工站人员", "东城街道社工站", 90],
            ["丙", make_id(3), "乡镇（街道）社工站人员", "西城街道社工站", 85]]
    previous = history(tmp_path, [[make_id(1), "leading-talent", "", "", "", 2024]])
    return write_roster(tmp_path / "r.xlsx", rows, headers=headers), ROOT / "policies" / "shili.yaml", "2027", previous


CASES = {
    "chuzhou": lambda tmp: (EXAMPLE, CHUZHOU, "2023", None),
    "chuzhou-march": lambda tmp: (EXAMPLE, CHUZHOU, "2023-03", None),
    "award": lambda tmp: (JIUJIANG_EXAMPLE, JIUJIANG, "2023", None),
    "assistants-only": lambda tmp: (write_roster(tmp / "a.xlsx", [person(k, district=d) for k, d in
                                                                 enumerate(["琅琊区", "南谯区", "", "琅琊区"], 1)]),
                                    CHUZHOU, "2023", None),
    "titles": _shili,
}


@pytest.mark.parametrize("counted", ["by a table", "by sorting"])
@pytest.mark.parametrize("case", CASES)
def test_breakdowns_are_what_a_plain_loop_over_the_lines_finds(case, counted, tmp_path, monkeypatch):
    """By rule, by level (award and title lines, and lines without a level, under '') and by 区县:
    a group with no line is not listed, and each listed one has its lines, people and fen. People
    are counted by a table of marks for a few groups, by sorting for many: both ways are held."""
    from swtalent.reports import summary
    from swtalent.reports.summary import by_district, by_level, by_rule, persons_paid

    if counted == "by sorting":
        monkeypatch.setattr(summary, "TABLE_CELLS", 0)
    roster, policy, period, previous = CASES[case](tmp_path)
    comp = run_compute(roster, policy, period, previous=previous)
    assert len(comp.lines)
    assert persons_paid(comp) == comp.lines["person_id"].nunique()
    rules = _plain_breakdown(comp, lambda line: line.rule_id)
    assert {r["rule_id"]: (r["lines"], r["persons"], r["amount_fen"]) for r in by_rule(comp) if r["lines"]} == rules
    assert all(r["lines"] == r["persons"] == r["amount_fen"] == 0 for r in by_rule(comp) if r["rule_id"] not in rules)
    levels = _plain_breakdown(comp, lambda line: "" if line.kind in ("award", "title_allowance") or
                              not isinstance(line.level, str) else line.level)
    assert {r["level"]: (r["lines"], r["persons"], r["amount_fen"]) for r in by_level(comp)} == levels
    if "district" in comp.roster.headers:
        districts = _plain_breakdown(comp, lambda line: line.district)
        assert {d["district"]: (d["lines"], d["persons"], d["amount_fen"]) for d in by_district(comp)} == districts
