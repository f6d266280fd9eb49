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

from .conftest import ROOT, cn, make_id
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


def _jinan(tmp_path, **edits) -> object:
    """济南 with a title term longer than the award's cycle (5 years, every 3), and other edits."""
    text = (POLICIES / "jinan.yaml").read_text(encoding="utf-8").replace("term_years: 3", "term_years: 5")
    for old, new in edits.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "jinan5.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_title_holder_without_a_score_in_a_selection_year_keeps_the_allowance(tmp_path):
    """2026 selects again; 甲 won in 2023 (term to 2027-12) and is on the roster for the allowance,
    with no 评审得分: not a candidate, not a data problem."""
    from swtalent.engine import PAID
    from swtalent.reports.reasons import ineligible_reasons
    from swtalent.reports.summary import notes

    headers = ["姓名", "身份证号", "评审得分"]
    roster = write_book(tmp_path / "r.xlsx", {"名单": [headers, [f"甲{cn(1)}", make_id(1), None],
                                                      [f"乙{cn(2)}", make_id(2), 90], [f"丙{cn(3)}", make_id(3), None]]})
    history = tmp_path / "prev.csv"
    history.write_text(f"person_id,rule_id,年度\n{make_id(1)},haiyou,2023\n", encoding="utf-8")
    comp = run_compute(roster, _jinan(tmp_path), "2026", previous=history)
    assert [i.code for i in comp.roster.issues] == []
    assert list(comp.status) == [PAID, PAID, "ineligible"]
    award, allowance = comp.outcomes
    assert list(award.award.status) == ["ineligible", "selected", "ineligible"]
    assert list(award.award.rank) == [0, 1, 0]
    assert list(allowance.amount_fen) == [1200000, 1200000, 0]
    assert ineligible_reasons(comp, "zh")[2].startswith("“海右”社会工作人才选拔：未参评（无评审得分）")
    assert any("2 行无评审得分" in n for n in notes(comp, "zh"))
    assert any("2 row(s) have no score" in n for n in notes(comp, "en"))


@pytest.mark.parametrize("score,code", [("八十", "roster.number-invalid"), ("缺考", "roster.number-invalid")])
def test_a_score_that_is_not_a_number_is_still_a_problem_beside_title_holders(tmp_path, score, code):
    roster = write_book(tmp_path / "r.xlsx", {"名单": [["姓名", "身份证号", "评审得分"], ["甲", make_id(1), score]]})
    comp = run_compute(roster, _jinan(tmp_path), "2026")
    assert [(i.code, i.location.column) for i in comp.roster.issues] == [(code, "评审得分")]
    assert list(comp.status) == ["error"]


def test_a_candidates_years_and_unit_are_required_only_of_candidates(tmp_path):
    """min_years and quota_per: a holder with no score needs neither; a candidate (a score given)
    with either blank is held, said on the cell."""
    policy = _jinan(tmp_path, **{"quota: 10": "quota: 10\n    min_years: 3\n    quota_per: {field: unit, max: 2}"})
    headers = ["姓名", "身份证号", "评审得分", "从事社会工作年限", "工作单位"]
    rows = [headers, ["甲", make_id(1), None, None, None], ["乙", make_id(2), 90, 5, "甲单位"],
            ["丙", make_id(3), 85, None, "甲单位"], ["丁", make_id(4), 80, 4, None],
            ["戊", make_id(5), None, "五年", None]]
    roster = write_book(tmp_path / "r.xlsx", {"名单": rows})
    history = tmp_path / "prev.csv"
    history.write_text(f"person_id,rule_id,年度\n{make_id(1)},haiyou,2023\n", encoding="utf-8")
    comp = run_compute(roster, policy, "2026", previous=history)
    assert [(i.code, i.severity, i.location.row, i.location.column) for i in comp.roster.issues] == [
        ("roster.candidate-value-missing", "error", 4, "从事社会工作年限"),
        ("roster.candidate-value-missing", "error", 5, "工作单位"),
        ("roster.number-ignored", "warning", 6, "从事社会工作年限")]
    assert list(comp.status) == ["paid", "paid", "error", "error", "ineligible"]
    assert list(comp.outcomes[0].award.status) == ["ineligible", "selected", "ineligible", "ineligible", "ineligible"]


def test_an_award_alone_still_needs_every_score(tmp_path):
    """A policy of awards only: the roster is the candidate list, and a blank score is a gap in it."""
    text = (POLICIES / "jinan.yaml").read_text(encoding="utf-8")
    path = tmp_path / "award-only.yaml"
    path.write_text(text[:text.index("  - id: haiyou-allowance")], encoding="utf-8")
    roster = write_book(tmp_path / "r.xlsx", {"名单": [["姓名", "身份证号", "评审得分"], ["甲", make_id(1), None],
                                                      ["乙", make_id(2), 90]]})
    comp = run_compute(roster, path, "2026")
    assert [(i.code, i.location.row) for i in comp.roster.issues] == [("roster.number-missing", 2)]
    assert list(comp.status) == ["error", "ineligible"]  # 乙 is selected, but the award pays 0
