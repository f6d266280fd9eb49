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
