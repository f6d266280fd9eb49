"""The newer policy shapes through every output: yearly amounts, title allowances, a yearly
payment of a monthly rate; and the policy mistakes they add."""
from __future__ import annotations

import csv
from datetime import date

import openpyxl
import pytest

from swtalent.api import run_compute
from swtalent.errors import SwtalentError
from swtalent.policy import load_policy
from swtalent.reports.explain import explain, find_person
from swtalent.reports.files import write_outputs

from .conftest import ROOT, make_id
from .formats import write_book

POLICIES = ROOT / "policies"


def test_title_allowance_and_award_through_the_workbook_csv_and_explain(tmp_path):
    roster = write_book(tmp_path / "r.xlsx", {"名单": [["姓名", "身份证号"], ["甲", make_id(1)], ["乙", make_id(2)]]})
    history = tmp_path / "prev.csv"
    history.write_text(f"person_id,rule_id,年度\n{make_id(1)},haiyou,2023\n", encoding="utf-8")
    comp = run_compute(roster, POLICIES / "jinan.yaml", "2024", previous=history)
    assert comp.total_fen == 1200000
    write_outputs(comp, [tmp_path / "p.xlsx", tmp_path / "p.csv"])
    book = openpyxl.load_workbook(tmp_path / "p.xlsx")
    assert "发放花名册（称号津贴）" in book.sheetnames
    rows = list(csv.DictReader((tmp_path / "p.csv").open(encoding="utf-8")))
    assert [(r["rule_id"], r["kind"], r["months"], r["amount"]) for r in rows] == [
        ("haiyou-allowance", "title_allowance", "12", "12000.00")]
    e = explain(comp, find_person(comp, "乙"), "zh")
    allowance = next(r for r in e["rules"] if r["rule_id"] == "haiyou-allowance")
    assert allowance["rows"][0]["reason"] == "未获得该称号（本期未入选，往期名单中也没有）"


def test_yearly_rule_through_the_workbook(tmp_path):
    headers = ["姓名", "身份证号", "证书等级", "取得证书日期", "工作领域"]
    roster = write_book(tmp_path / "r.xlsx", {"花名册": [headers, ["甲", make_id(1), "社会工作师", date(2021, 5, 1), "养老服务"]]})
    comp = run_compute(roster, POLICIES / "longhua.yaml", "2023")
    write_outputs(comp, [tmp_path / "p.xlsx"])
    sheet = openpyxl.load_workbook(tmp_path / "p.xlsx")["发放花名册（按年）"]
    details = [r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], (int, float))]
    assert len(details) == 1 and "2023 年度 10000元" in details[0]


def test_a_title_allowance_must_name_an_earlier_award(tmp_path):
    text = (POLICIES / "jinan.yaml").read_text(encoding="utf-8").replace("award: haiyou", "award: haiyo")
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SwtalentError) as exc:
        load_policy(path)
    (issue,) = exc.value.issues
    assert issue.code == "policy.unknown-award" and issue.location.path == "rules[1].award"
    assert issue.location.line == text[:text.index("award: haiyo")].count("\n") + 1


def test_a_run_without_a_selection_needs_no_scores(tmp_path):
    """济南 in 2024 lists the title holders; 九江 in 2024 needs no 评审得分 column either."""
    roster = write_book(tmp_path / "r.xlsx", {"名单": [["姓名", "身份证号", "工作领域"], ["甲", make_id(1), "社会救助"]]})
    comp = run_compute(roster, POLICIES / "jiujiang.yaml", "2024")
    assert comp.total_fen == 0 and not [i for i in comp.roster.issues if i.severity == "error"]
    with pytest.raises(SwtalentError) as exc:  # the selection year needs them
        run_compute(roster, POLICIES / "jiujiang.yaml", "2023")
    assert [i.code for i in exc.value.issues] == ["roster.column-missing"]
