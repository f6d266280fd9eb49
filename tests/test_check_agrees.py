"""`check` refuses whatever `compute` would refuse, with and without --policy, on rosters made the
way a township clerk makes them (issue 13, item 1)."""
from __future__ import annotations

from datetime import date

import pytest

from .conftest import CHUZHOU, HEADERS, person
from .formats import write_book
from .test_cli import invoke


def _without(header: str) -> tuple[list[str], list[list]]:
    j = HEADERS.index(header)
    return HEADERS[:j] + HEADERS[j + 1:], [person(1)[:j] + person(1)[j + 1:]]


def _renamed(header: str, to: str) -> list[str]:
    return [to if h == header else h for h in HEADERS]


ROSTERS = {
    "date column under a name no roster alias knows": lambda: (_renamed("取得证书日期", "证书上的日子"), [person(1)]),
    "no ID column": lambda: _without("身份证号"),
    "no level column": lambda: _without("证书等级"),
    "a header row only": lambda: (HEADERS, []),
    "rows with problems": lambda: (HEADERS, [person(1, level="心理咨询师"), person(2, qualified="明年")]),
    "a clean roster": lambda: (HEADERS, [person(1), person(2, qualified=date(2023, 6, 1))]),
}


@pytest.mark.parametrize("name", sorted(ROSTERS))
def test_check_exits_1_wherever_compute_would(tmp_path, name):
    headers, rows = ROSTERS[name]()
    path = write_book(tmp_path / "r.xlsx", {"花名册": [headers] + rows})
    computed = invoke("compute", path, "--policy", CHUZHOU, "--period", "2023").exit_code
    with_policy = invoke("check", path, "--policy", CHUZHOU).exit_code
    without = invoke("check", path).exit_code
    assert computed in (0, 1) and with_policy in (0, 1) and without in (0, 1)
    if computed == 1:
        assert with_policy == 1 and without == 1, (with_policy, without)


def test_a_date_is_quoted_back_as_it_was_written(tmp_path):
    """2023年5月 is what the clerk wrote: 计算说明 and the reasons do not make up a day (item 7)."""
    import openpyxl

    path = write_book(tmp_path / "r.xlsx", {"花名册": [HEADERS, person(1, qualified="2023年5月")]})
    out = tmp_path / "p.xlsx"
    assert invoke("compute", path, "--policy", CHUZHOU, "--period", "2023", "--out", out).exit_code == 0
    book = openpyxl.load_workbook(out, read_only=True)
    payroll = book["发放花名册（一次性）"]
    texts = [str(c) for r in payroll.iter_rows(values_only=True) for c in r if c]
    assert any("取证日期 2023年5月" in t for t in texts) and not any("2023-05-01" in t for t in texts)
    later = invoke("compute", path, "--policy", CHUZHOU, "--period", "2022", "--out", tmp_path / "q.xlsx")
    unpaid = [str(c) for r in openpyxl.load_workbook(tmp_path / "q.xlsx", read_only=True)["不予发放"].iter_rows(
        values_only=True) for c in r if c]
    assert later.exit_code == 0 and any("2023年5月" in t for t in unpaid)


def test_an_excel_serial_in_a_csv_date_column_says_what_day_it_is(tmp_path):
    path = write_book(tmp_path / "r.csv", {"花名册": [HEADERS, person(1, hired="45078")]})
    result = invoke("check", path, "--policy", CHUZHOU)
    assert result.exit_code == 1 and "2023-06-01" in result.stdout and "roster.date-serial" in result.stdout


def test_every_problem_names_its_sheet_when_there_are_several(tmp_path):
    """Item 4: 第 2 行「性别」 alone cannot be found in a workbook of one sheet per district."""
    headers = HEADERS + ["性别"]
    path = write_book(tmp_path / "r.xlsx", {"琅琊区": [headers, person(1) + ["女"]], "南谯区": [headers, person(2) + ["?"]]})
    result = invoke("compute", path, "--policy", CHUZHOU, "--period", "2023")
    lines = [line for line in result.stdout.splitlines() if "「性别」" in line]
    assert result.exit_code == 0 and len(lines) == 2
    assert any("工作表「琅琊区」第 2 行" in line for line in lines) and any("工作表「南谯区」第 2 行" in line for line in lines)


def test_check_and_validate_take_quiet_like_compute(tmp_path):
    """Item 9: --quiet means the same on every command that reports problems: the errors only."""
    path = write_book(tmp_path / "r.xlsx", {"花名册": [HEADERS, person(1, level="心理咨询师"), person(2)]})
    checked = invoke("check", path, "--policy", CHUZHOU, "--quiet")
    assert checked.exit_code == 1 and checked.stdout == ""
    assert "心理咨询师" in checked.stderr and len(checked.stderr.strip().splitlines()) == 1
    broken = tmp_path / "p.yaml"
    broken.write_text(CHUZHOU.read_text(encoding="utf-8").replace("first_month:", "frist_month:"), encoding="utf-8")
    validated = invoke("validate", broken, "--quiet")
    assert validated.exit_code == 1 and validated.stdout == "" and "frist_month" in validated.stderr


def test_diff_takes_quiet_like_compute(tmp_path):
    """diff --quiet: no progress bar and no comparison; the roster's errors only, one line each."""
    path = write_book(tmp_path / "r.xlsx", {"花名册": [HEADERS, person(1, level="心理咨询师"), person(2)]})
    out = tmp_path / "what-if.xlsx"
    result = invoke("diff", path, "--policy", CHUZHOU, "--policy", CHUZHOU, "--period", "2023", "--quiet", "--out", out)
    assert result.exit_code == 0 and result.stdout == "" and out.exists()
    assert "心理咨询师" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_check_with_a_period_takes_a_title_holders_roster_as_compute_does(tmp_path):
    """济南: a 2024 roster lists the title holders, without 评审得分 (no selection in 2024). compute
    for 2024 takes it; so does check --period 2024. Without a period, check holds it to a selection
    year, which needs the score column."""
    from .conftest import ROOT, cn, make_id

    jinan = ROOT / "policies" / "jinan.yaml"
    path = write_book(tmp_path / "r.xlsx", {"花名册": [["姓名", "身份证号", "工作单位"], [f"持有人{cn(1)}", make_id(1), "甲单位"]]})
    assert invoke("compute", path, "--policy", jinan, "--period", "2024").exit_code == 0
    assert invoke("check", path, "--policy", jinan, "--period", "2024").exit_code == 0
    assert invoke("check", path, "--policy", jinan, "--period", "2026").exit_code == 1  # selects: 评审得分 needed
    assert invoke("check", path, "--policy", jinan).exit_code == 1
    assert invoke("check", path, "--period", "2024").exit_code == 2  # a period means something only with a policy


XIYUAN_HEADERS = ["姓名", "身份证号", "户籍所在地", "工作单位", "社保缴纳月数", "是否在编", "单位性质", "申请日期", "证书等级",
                  "取得证书日期", "入职日期", "开户行"]


def _xy(seq: int, **change) -> list:
    from .conftest import cn, make_id

    row = {"name": f"溪源{cn(seq)}", "id": make_id(seq), "hukou": "溪源市", "unit": "溪源市社工站", "months": 24,
           "payroll": "否", "kind": "社会组织", "applied": date(2023, 3, 1), "level": "社会工作师",
           "qualified": date(2023, 5, 1), "hired": date(2020, 1, 1), "bank": "农业银行"}
    row.update(change)
    return list(row.values())


XIYUAN_ROSTERS = {
    "clean": lambda: (XIYUAN_HEADERS, [_xy(1)]),
    "no 社保 column": lambda: (XIYUAN_HEADERS[:4] + XIYUAN_HEADERS[5:], [_xy(1)[:4] + _xy(1)[5:]]),
    "a yes/no that is neither": lambda: (XIYUAN_HEADERS, [_xy(1, payroll="也许")]),
    "a month where the day decides": lambda: (XIYUAN_HEADERS, [_xy(1, hired="2022年5月")]),
    "a bank the policy refuses": lambda: (XIYUAN_HEADERS, [_xy(1, bank="工商银行")]),
    "a blank the policy calls a problem": lambda: (XIYUAN_HEADERS, [_xy(1, applied=None)]),
}


@pytest.mark.parametrize("name", sorted(XIYUAN_ROSTERS))
def test_check_agrees_with_compute_on_a_policys_own_fields(tmp_path, name):
    """What compute holds or refuses under a policy's own fields and checks, check finds first: the
    same problems, by code and cell."""
    from swtalent.api import run_check, run_compute
    from swtalent.errors import SwtalentError

    from .conftest import ROOT

    xiyuan = ROOT / "policies" / "xiyuan.yaml"
    headers, rows = XIYUAN_ROSTERS[name]()
    path = write_book(tmp_path / "r.xlsx", {"花名册": [headers] + rows})

    def found(run) -> set:
        try:
            issues = run()
        except SwtalentError as exc:
            issues = exc.issues
        return {(i.code, i.location.row, i.location.column) for i in issues if i.severity == "error"}
    by_compute = found(lambda: run_compute(path, xiyuan, "2023").roster.issues)
    assert found(lambda: run_check(path, xiyuan, period="2023").issues) == by_compute
    assert found(lambda: run_check(path, xiyuan).issues) == by_compute
    assert (name == "clean") == (not by_compute)
