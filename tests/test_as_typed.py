"""Rosters the way a township clerk types them: the header names real notices use, the level written
as people say it, and the sign-off lines under the table (制表人：…　审核人：…　日期：…)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from swtalent.api import run_check
from swtalent.errors import SwtalentError
from swtalent.fields import FIELDS, alias_table, field_of, likely_field
from swtalent.roster.needs import RosterNeeds

from .conftest import CHUZHOU, HEADERS, make_id, person
from .formats import write_book
from .test_cli import invoke

R = "花名册"


def book(tmp: Path, rows: list[list], headers: list[str] = HEADERS, suffix: str = ".xlsx") -> Path:
    return write_book(tmp / f"roster{suffix}", {R: [headers] + rows})


def codes(issues) -> list[str]:
    return [i.code for i in issues]


NEW_HEADERS = [
    ("取得证书时间", "qualified_on"), ("证书取得时间", "qualified_on"), ("资格取得时间", "qualified_on"),
    ("发证时间", "qualified_on"), ("获证日期", "qualified_on"),
    ("到岗时间", "hired_on"), ("到岗日期", "hired_on"), ("上岗日期", "hired_on"), ("聘用时间", "hired_on"),
    ("持证等级", "level"), ("职业水平等级", "level"), ("资格级别", "level"), ("取得证书级别", "level"),
    ("人员身份", "category"), ("岗位类别", "category"), ("人员性质", "category"),
    ("离岗时间", "left_on"), ("报考地区", "exam_place"), ("所在区县", "district"), ("区（县）", "district"),
    ("居民身份证号码", "person_id"), ("身份证件号码", "person_id"), ("人员姓名", "name"),
]


@pytest.mark.parametrize(("header", "key"), NEW_HEADERS)
def test_each_header_as_notices_write_it_maps(tmp_path, header, key):
    headers = [header if FIELDS[key].zh == h else h for h in HEADERS]
    assert header in headers  # it replaced the standard name
    ros = run_check(book(tmp_path, [person(1, hired=date(2022, 1, 1))], headers), CHUZHOU)
    assert ros.headers[key] == header
    assert "roster.columns-ignored" not in codes(ros.issues)
    assert not [i for i in ros.issues if i.severity == "error"], [i.render() for i in ros.issues]


def test_career_start_is_not_the_hire_date():
    """参加工作时间 is when one's whole working life began, not this post: never 入职日期."""
    table = alias_table()
    assert field_of(table, "参加工作时间") is None
    assert likely_field(table, "参加工作时间") is None


@pytest.mark.parametrize(("spelling", "key"), [
    ("中级社会工作者", "intermediate"), ("助理社工", "assistant"), ("初级社会工作者", "assistant"),
    ("中级社工", "intermediate"), ("社工师", "intermediate"), ("高级社会工作者", "senior"),
    ("高级社工", "senior"), ("助理社会工作师证", "assistant"), ("中级证书", "intermediate"),
    ("助理社会工作师（初级）", "assistant"), ("助理 社工", "assistant"),
])
def test_each_level_spelling_is_accepted(tmp_path, spelling, key):
    ros = run_check(book(tmp_path, [person(1, level=spelling)]), CHUZHOU)  # with a city's policy
    assert list(ros.frame["level"]) == [key]
    assert "roster.level-unknown" not in codes(ros.issues)
    national = run_check(book(tmp_path, [person(1, level=spelling)]), None)  # and with the national rules
    assert list(national.frame["level"]) == [key]


def test_a_policy_own_alias_wins_over_a_national_name():
    """A national name never gives a spelling a second level: the policy's own spelling stands."""
    needs = RosterNeeds(required=(), required_values=frozenset(), conditions=frozenset(),
                        levels={"assistant": ("助理社会工作师", ("中级社工",)), "intermediate": ("社会工作师", ())},
                        certificates=True, awards=False)
    lookup = needs.level_lookup()
    assert lookup["中级社工"] == "assistant"
    assert lookup["中级社会工作者"] == "intermediate"
    assert "高级社会工作者" not in lookup  # the policy has no senior level


def test_unused_column_says_which_field_it_probably_is(tmp_path):
    headers = [("取得社工证书日期" if h == "取得证书日期" else h) for h in HEADERS] + ["备注"]
    with pytest.raises(SwtalentError) as exc:  # the run stops: 取得证书日期 is required
        run_check(book(tmp_path, [person(1) + ["x"]], headers), CHUZHOU)
    issues = exc.value.issues
    assert "roster.column-missing" in codes(issues)
    ignored = next(i for i in issues if i.code == "roster.columns-ignored")
    zh, en = ignored.message("zh"), ignored.message("en")
    assert "「取得社工证书日期」应是「取得证书日期」" in zh
    assert "--map 取得社工证书日期=取得证书日期" in zh and "--map 取得社工证书日期=取得证书日期" in en
    assert "备注」应是" not in zh  # no guess for a column that is nothing we know


def test_no_guess_for_a_field_already_in_the_sheet(tmp_path):
    ros = run_check(book(tmp_path, [person(1) + ["2023-01-01"]], HEADERS + ["取得社工证书日期"]), CHUZHOU)
    ignored = next(i for i in ros.issues if i.code == "roster.columns-ignored")
    assert "--map" not in ignored.message("zh")


SIGNOFF = [
    ["制表人：张三", None, "审核人：李四", None, "日期：2024.1.8"],
    ["制表人:", "王五", "联系电话：", "0550-1234567", None, None, "2024年1月8日"],
    ["单位（盖章）", None, None, "填报日期：", date(2024, 1, 8)],
    ["注：1.本表由各乡镇（街道）填报；2.身份证号须为18位。"],
    ["制表人：赵六　审核人：钱七　负责人：孙八　日期：2024.1.8"],
]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_signoff_lines_are_listed_and_not_counted(tmp_path, suffix):
    rows = [person(1), person(2), *SIGNOFF]
    ros = run_check(book(tmp_path, rows, suffix=suffix), CHUZHOU)
    assert len(ros.frame) == 2  # rows_in
    assert [i.location.row for i in ros.issues if i.code == "roster.signoff-row"] == [4, 5, 6, 7, 8]
    assert not [i for i in ros.issues if i.severity == "error"], [i.render() for i in ros.issues]


def test_signoff_line_in_check_json(tmp_path):
    path = book(tmp_path, [person(1), SIGNOFF[0]])
    report = json.loads(invoke("check", str(path), "--policy", str(CHUZHOU), "--json").stdout)
    assert report["rows_in"] == 1 and report["ok"] is True
    assert [p["code"] for p in report["problems"]] == ["roster.signoff-row"]


def test_a_person_whose_unit_holds_a_label_stays_a_person(tmp_path):
    headers = HEADERS + ["工作单位"]
    rows = [person(1) + ["说明：幸福社区"], person(2, pid="") + ["备注：和平社区居委会"],
            person(3) + ["日期社区"]]
    ros = run_check(book(tmp_path, rows, headers), CHUZHOU)
    assert len(ros.frame) == 3
    assert "roster.signoff-row" not in codes(ros.issues)
    assert [i.location.row for i in ros.issues if i.code == "roster.id-missing"] == [3]


def test_a_line_with_an_id_is_a_person(tmp_path):
    rows = [person(1), ["备注：补报", make_id(2), None, "助理社会工作师", date(2023, 3, 15), "滁州市"]]
    ros = run_check(book(tmp_path, rows), CHUZHOU)
    assert len(ros.frame) == 2
    assert "roster.signoff-row" not in codes(ros.issues)
