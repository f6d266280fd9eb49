"""Caps and terms on every kind of rule (issue 12, item 6): a lifetime cap on monthly, yearly and
title allowances, a title paid as a yearly amount, an award won once only, places per value of a
field, nominees per unit and a waiting period after the hire date. Real roster workbooks, policy
files written next to them."""
from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal

import pytest

from swtalent.api import run_compute
from swtalent.engine import ERROR, INELIGIBLE, PAID
from swtalent.errors import SwtalentError
from swtalent.policy import load_policy, validate_policy
from swtalent.reports.explain import explain, find_person
from swtalent.reports.files import detail_records
from swtalent.reports.reasons import ineligible_reasons, line_details

from .conftest import CHUZHOU, HEADERS, ROOT, cn, make_id, person, write_roster
from .test_cli import invoke

POLICIES = ROOT / "policies"
AWARD = ROOT / "tests" / "policies" / "award-base.yaml"


def edited(tmp_path, base, *edits, name="policy.yaml"):
    """A policy file: a shipped one with (old, new) replacements, each of which must apply."""
    text = base.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def history(tmp_path, rows, name="previous.csv"):
    """--previous: person_id, rule_id, level, months, amount, 年度."""
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["person_id", "rule_id", "level", "months", "amount", "年度"])
        writer.writerows(rows)
    return path


def reasons_of(comp, lang="zh"):
    return list(ineligible_reasons(comp, lang))


# --- lifetime cap: monthly ---------------------------------------------------------------------

def monthly_capped(tmp_path, cap="1000"):
    return edited(tmp_path, CHUZHOU, ("    rate: highest_level_held\n",
                                      f"    rate: highest_level_held\n    lifetime_cap: {cap}\n"))


def test_monthly_cap_reached_on_a_month_boundary(tmp_path, roster):
    comp = run_compute(roster([person(1, qualified=date(2022, 1, 10))]), monthly_capped(tmp_path), "2023")
    (line,) = comp.lines.itertuples()
    assert (line.months, line.rate_fen, line.amount_fen, line.capped, line.earlier_fen) == (5, 20000, 100000, True, 0)
    assert list(line_details(comp, "zh")) == ["5个月（2023-01..2023-05）；终身上限 1000元，此前已发 0元，本次 1000元（已达上限）"]


def test_monthly_cap_pays_what_is_left_in_the_last_month(tmp_path, roster):
    path = roster([person(1, qualified=date(2022, 1, 10)), person(2, qualified=date(2022, 1, 10))])
    previous = history(tmp_path, [[make_id(1), "post-allowance", "assistant", 3, "700.00", 2022],
                                  [make_id(2), "post-allowance", "assistant", 5, "1000.00", 2022]])
    comp = run_compute(path, monthly_capped(tmp_path), "2023", previous=previous)
    (line,) = comp.lines.itertuples()
    # January 200, February the 100 left: two months, no single rate explains 300.
    assert (line.name, line.months, line.rate_fen, line.amount_fen, line.earlier_fen) == ("测试一", 2, -1, 30000, 70000)
    assert list(line_details(comp, "zh")) == ["2个月（2023-01..2023-02）；终身上限 1000元，此前已发 700元，本次 300元（已达上限）"]
    assert list(line_details(comp, "en")) == ["2 months (2023-01..2023-02); lifetime cap 1000 yuan, 700 yuan paid before, "
                                              "300 yuan now (cap reached)"]
    assert list(comp.status) == [PAID, INELIGIBLE]
    assert reasons_of(comp)[0].endswith("；岗位补贴：此前已发放的金额已达每人终身上限 1000 元")
    assert reasons_of(comp, "en")[0].endswith("; 岗位补贴: what was paid before reaches the lifetime cap of 1000 yuan per person")
    e = explain(comp, find_person(comp, make_id(1)), "zh")
    rows = next(r for r in e["rules"] if r["rule_id"] == "post-allowance")["rows"]
    assert [(m["first"], m["last"], m["why"]) for m in rows[0]["months"]] == [
        ("2023-01", "2023-01", "按 200 元发放"), ("2023-02", "2023-02", "按 200 元标准，达终身上限只发 100 元"),
        ("2023-03", "2023-12", "已达每人终身上限 1000 元")]


def test_monthly_cap_over_a_persons_two_levels(tmp_path, roster):
    """An upgrade in the run: the lower level's months come first, the cap cuts the higher level's."""
    pid = make_id(3)
    rows = [person(pid=pid, level="助理社会工作师", qualified=date(2022, 1, 10)),
            person(pid=pid, level="社会工作师", qualified=date(2023, 5, 20))]
    comp = run_compute(roster(rows), monthly_capped(tmp_path, "1500"), "2023")
    post = (comp.lines["rule_id"] == "post-allowance").to_numpy()
    got = [(r.level, r.months, r.rate_fen, r.amount_fen, r.capped, r.earlier_fen) for r in comp.lines[post].itertuples()]
    assert got == [("assistant", 5, 20000, 100000, False, 0), ("intermediate", 2, -1, 50000, True, 100000)]
    assert list(line_details(comp, "zh")[post])[1] == ("2个月（2023-06..2023-07）；终身上限 1500元，此前已发 1000元，"
                                                       "本次 500元（已达上限）")
    assert int(comp.lines["amount_fen"][post].sum()) == 150000


def test_monthly_cap_counts_what_the_ledger_paid(tmp_path, ledger_url):
    roster = write_roster(tmp_path / "r.xlsx", [person(1, qualified=date(2022, 1, 10))])
    policy = monthly_capped(tmp_path)

    def compute(period, *extra):
        result = invoke("compute", roster, "--policy", policy, "--period", period, "--ledger", ledger_url, "--json",
                        "--out", tmp_path / f"{period}.csv", *extra)
        assert result.exit_code == 0, result.output
        return Decimal(json.loads(result.stdout)["total"])

    assert compute("2023-01..2023-03", "--commit") == 600
    assert compute("2023", "--commit") == 400  # April and May: the cap's 1000 reached
    assert compute("2024") == 0


def test_many_people_capped_at_once(tmp_path, roster):
    """Everyone reaches the cap in the same run: one cumulative sum per person over the months."""
    people = [person(k, name=f"测试{cn(k)}", qualified=date(2022, 1, 10)) for k in range(1, 301)]
    previous = history(tmp_path, [[make_id(k), "post-allowance", "", "", f"{k}.00", 2022] for k in range(1, 301)])
    comp = run_compute(roster(people), monthly_capped(tmp_path), "2023", previous=previous)
    lines = comp.lines
    assert len(lines) == 300 and lines["capped"].all()
    assert (lines["amount_fen"] + lines["earlier_fen"] == 100000).all()
    assert list(lines["amount_fen"][:3]) == [99900, 99800, 99700]
    assert list(lines["months"][:3]) == [5, 5, 5]
    details = line_details(comp, "zh")
    assert details.iat[0] == "5个月（2023-01..2023-05）；终身上限 1000元，此前已发 1元，本次 999元（已达上限）"


# --- lifetime cap: yearly ----------------------------------------------------------------------

YEARLY_HEADERS = ["姓名", "身份证号", "证书等级", "取得证书日期", "工作领域"]


def yearly_roster(roster, people):
    return roster([[f"测试{cn(k)}", make_id(k), "社会工作师", date(2021, 5, 1), "养老服务"] for k in people],
                  headers=YEARLY_HEADERS)


def test_yearly_cap(tmp_path, roster):
    policy = edited(tmp_path, POLICIES / "longhua.yaml", ("    max_years: 3\n", "    max_years: 3\n    lifetime_cap: 25000\n"))
    previous = history(tmp_path, [[make_id(1), "talent-allowance", "", "", "10000", 2021],
                                  [make_id(1), "talent-allowance", "", "", "10000", 2022],
                                  [make_id(2), "talent-allowance", "", "", "25000", 2022]])
    comp = run_compute(yearly_roster(roster, [1, 2, 3]), policy, "2023", previous=previous)
    assert [(r.name, r.amount_fen, r.capped) for r in comp.lines.itertuples()] == [
        ("测试一", 500000, True), ("测试三", 1000000, False)]
    assert list(line_details(comp, "zh")) == ["2023 年度；终身上限 25000元，此前已发 20000元，本次 5000元（已达上限）",
                                              "2023 年度 10000元"]
    assert reasons_of(comp) == ["重点领域人才津贴：此前已发放的金额已达每人终身上限 25000 元"]
    # A run over two payment months: 10000 for 2023, what is left (5000) for 2024.
    two = run_compute(yearly_roster(roster, [1]), policy, "2023-01..2024-12",
                      previous=history(tmp_path, [[make_id(1), "talent-allowance", "", "", "10000", 2022]], "p2.csv"))
    assert two.total_fen == 1500000
    assert list(line_details(two, "zh")) == ["2023—2024 年度；终身上限 25000元，此前已发 10000元，本次 15000元（已达上限）"]


# --- a title paid as a yearly amount ----------------------------------------------------------

def jinan_yearly(tmp_path, value="100000.01", month=4, cap=None):
    edits = [("cycle: {every_years: 3, first_year: 2023, month: 1}", f"cycle: {{every_years: 3, first_year: 2023, month: {month}}}"),
             ("    amounts:\n      - {from: 2023-01-01, value: 1000}",
              f"    yearly_amounts:\n      - {{from: 2023-01-01, value: {value}}}\n    part_year: pro_rata_half_up"
              + (f"\n    lifetime_cap: {cap}" if cap else ""))]
    return edited(tmp_path, POLICIES / "jinan.yaml", *edits)


@pytest.mark.parametrize("period,fen,months", [  # December pays the year; April (a selection) is not in the period
    ("2023-05..2023-12", 7500001, 9),  # April..December: 100000.01 x 9 / 12 = 75000.0075, half up 75000.01
    ("2024", 10000001, 12),  # a whole year pays the yearly amount exactly
    ("2026-12", 2500000, 3),  # January..March: 25000.0025, 25000.00; the term's total 300000.03 = 3 x 100000.01
])
def test_title_yearly_amount_pro_rata_by_months(tmp_path, period, fen, months):
    roster = write_roster(tmp_path / "r.xlsx", [["甲", make_id(1)]], headers=["姓名", "身份证号"])
    previous = history(tmp_path, [[make_id(1), "haiyou", "", "", "", 2023]])
    comp = run_compute(roster, jinan_yearly(tmp_path), period, previous=previous)
    (line,) = comp.lines.itertuples()
    assert (line.months, line.amount_fen, line.rate_fen) == (months, fen, -1)
    text = line_details(comp, "zh").iat[0]
    assert text.startswith(f"年标准 100000.01元 × {months}/12（")
    assert text.endswith("按年四舍五入到分") == (months != 12)
    assert detail_records(comp)[0]["months"] == months


def test_title_yearly_amount_in_whole_years_and_the_cap(tmp_path):
    roster = write_roster(tmp_path / "r.xlsx", [["甲", make_id(1)], ["乙", make_id(2)]], headers=["姓名", "身份证号"])
    previous = history(tmp_path, [[make_id(1), "haiyou", "", "", "", 2023], [make_id(2), "haiyou", "", "", "", 2023],
                                  [make_id(2), "haiyou-allowance", "", "", "190000", 2024]])
    comp = run_compute(roster, jinan_yearly(tmp_path, "120000", 1, cap="200000"), "2025", previous=previous)
    # 甲: 12 x 10000; 乙: 190000 paid before, the 10000 left: January whole.
    assert [(r.name, r.months, r.amount_fen, r.capped) for r in comp.lines.itertuples()] == [
        ("甲", 12, 12000000, False), ("乙", 1, 1000000, True)]
    assert list(line_details(comp, "zh")) == [
        "年标准 120000元 × 12/12（2025-01..2025-12）",
        "年标准 120000元 × 1/12（2025-01）；终身上限 200000元，此前已发 190000元，本次 10000元（已达上限）"]


@pytest.mark.parametrize("edit,code,key", [
    (("    amounts:\n      - {from: 2023-01-01, value: 1000}",
      "    amounts:\n      - {from: 2023-01-01, value: 1000}\n    yearly_amounts:\n      - {from: 2023-01-01, value: 1}"
      "\n    part_year: pro_rata_half_up"), "policy.keys-exclusive", "yearly_amounts"),
    (("    amounts:\n      - {from: 2023-01-01, value: 1000}", "    yearly_amounts:\n      - {from: 2023-01-01, value: 1}"),
     "policy.needs-key", "yearly_amounts"),
    (("    amounts:\n      - {from: 2023-01-01, value: 1000}", "    pay_month: 12"), "policy.missing-key", None),
    (("    term_years: 3\n", "    term_years: 3\n    part_year: pro_rata_half_up\n"), "policy.key-unused", "part_year"),
])
def test_title_amount_keys_are_checked(tmp_path, edit, code, key):
    if edit[1] == "    pay_month: 12":  # neither amount: drop the amounts, keep the file valid YAML
        edit = (edit[0], "")
    path = edited(tmp_path, POLICIES / "jinan.yaml", edit)
    _, issues = validate_policy(path)
    errors = [i for i in issues if i.severity == "error"]
    assert [i.code for i in errors] == [code], [i.render() for i in errors]
    text = path.read_text(encoding="utf-8")
    if key:
        assert errors[0].location.line == text[:text.index(f"    {key}:")].count("\n") + 1


def test_title_yearly_amount_is_held_to_twelve_months_of_the_bound(tmp_path):
    _, issues = validate_policy(jinan_yearly(tmp_path, "130000"))
    (issue,) = issues
    assert issue.code == "policy.amount-implausible" and "120,000" in issue.message()


# --- awards: never again, places per value, nominees per unit ----------------------------------

AWARD_HEADERS = ["姓名", "身份证号", "工作领域", "推荐单位", "人员类别", "评审得分"]


def cand(seq, score, *, unit="甲单位", category="社区工作者", field="社会福利"):
    return [f"候选{cn(seq)}", make_id(seq), field, unit, category, score]


def statuses(comp):
    (res,) = [r for r in comp.outcomes if r.award is not None]
    return list(res.award.status)


def test_no_repeat_ever_bars_a_winner_of_any_earlier_year(tmp_path, roster):
    policy = edited(tmp_path, AWARD, ("    quota: 3\n", "    quota: 3\n    no_repeat: ever\n"))
    previous = history(tmp_path, [[make_id(1), "talent", "", "", "", 2011], [make_id(2), "talent", "", "", "", 2023],
                                  [make_id(3), "other", "", "", "", 2019]])
    comp = run_compute(roster([cand(1, 99), cand(2, 98), cand(3, 97), cand(4, 96)], headers=AWARD_HEADERS), policy,
                       "2023", previous=previous)
    # 2011, long before the last cycle, still bars; this year's own list does not; another rule's win does not.
    assert statuses(comp) == ["ineligible", "selected", "selected", "selected"]
    assert reasons_of(comp) == ["优秀人才：此前已获评，本奖项每人只能获得一次"]
    assert reasons_of(comp, "en") == ["优秀人才: won before; this award is won once only"]


def test_no_repeat_and_no_repeat_cycles_exclude_each_other(tmp_path):
    path = edited(tmp_path, AWARD, ("    quota: 3\n", "    quota: 3\n    no_repeat_cycles: 2\n    no_repeat: ever\n"))
    with pytest.raises(SwtalentError) as exc:
        load_policy(path)
    (issue,) = exc.value.issues
    assert issue.code == "policy.keys-exclusive" and issue.location.path == "rules[0].no_repeat"


def per_category(tmp_path, others="1"):
    quota = ("    quota_per:\n      field: category\n      max: {社工站人员: 2, 机构人员: 1}\n"
             f"      others: {others}\n")
    return edited(tmp_path, AWARD, ("    quota: 3\n", "    quota: 5\n" + quota))


def test_places_per_kind_of_post(tmp_path, roster):
    rows = [cand(1, 95, category="社工站人员", unit="一"), cand(2, 94, category="社工站人员", unit="二"),
            cand(3, 93, category="社工站人员", unit="三"), cand(4, 92, category="机构人员", unit="四"),
            cand(5, 91, category="机构人员", unit="五"), cand(6, 90, unit="六"), cand(7, 89, unit="七"),
            cand(8, 88, category="医务社工", unit="八")]
    comp = run_compute(roster(rows, headers=AWARD_HEADERS), per_category(tmp_path), "2023")
    assert statuses(comp) == ["selected", "selected", "not_selected", "selected", "not_selected", "selected",
                              "not_selected", "selected"]
    assert reasons_of(comp) == ["优秀人才：人员类别「社工站人员」的 2 个名额已满", "优秀人才：人员类别「机构人员」的 1 个名额已满",
                                "优秀人才：人员类别「社区工作者」的 1 个名额已满"]
    assert reasons_of(comp, "en")[0] == "优秀人才: the 2 place(s) for category '社工站人员' are taken"
    # others: unlimited: the two 社区工作者 both take places, the last place goes by score.
    comp = run_compute(roster(rows, headers=AWARD_HEADERS), per_category(tmp_path, "unlimited"), "2023")
    assert statuses(comp) == ["selected", "selected", "not_selected", "selected", "not_selected", "selected",
                              "selected", "not_selected"]


def test_a_tie_inside_a_kinds_places_is_pending(tmp_path, roster):
    rows = [cand(1, 95, category="社工站人员", unit="一"), cand(2, 90, category="社工站人员", unit="二"),
            cand(3, 90, category="社工站人员", unit="三"), cand(4, 80, category="机构人员", unit="四")]
    comp = run_compute(roster(rows, headers=AWARD_HEADERS), per_category(tmp_path), "2023")
    assert statuses(comp) == ["selected", "pending", "pending", "selected"]


def test_a_blank_value_under_a_quota_by_category_is_a_row_problem(tmp_path, roster):
    rows = [cand(1, 95, category="社工站人员"), cand(2, 94, category="")]
    comp = run_compute(roster(rows, headers=AWARD_HEADERS), per_category(tmp_path), "2023")
    assert [(i.code, i.location.row, i.location.column) for i in comp.roster.issues] == [
        ("roster.value-required", 3, "人员类别")]
    assert list(comp.status) == [PAID, ERROR]


def nominations(tmp_path, spec="{field: unit, max: 2}"):
    return edited(tmp_path, AWARD, ("    quota: 3\n", f"    quota: 3\n    nominations_per: {spec}\n"))


def test_a_unit_nominating_too_many_has_all_its_nominees_held(tmp_path, roster):
    rows = [cand(1, 95), cand(2, 94, unit="乙单位"), cand(3, 93), cand(4, 60), cand(5, 99, field="心理咨询")]
    comp = run_compute(roster(rows, headers=AWARD_HEADERS), nominations(tmp_path), "2023")
    found = [(i.code, i.location.row, i.location.column, i.value) for i in comp.roster.issues]
    assert found == [("roster.too-many-nominees", r, "推荐单位", "甲单位") for r in (2, 4, 5)]
    assert comp.roster.issues[0].message() == ("推荐单位「甲单位」推荐了 3 人，超过「优秀人才」每个推荐单位至多 2 人的推荐名额；"
                                               "该推荐单位的推荐均暂不参评")
    # Held whatever their score or place in the sheet; the row outside the award's fields is no nominee.
    assert list(comp.status) == [ERROR, PAID, ERROR, ERROR, INELIGIBLE]
    assert comp.counts()["rows_with_errors"] == 3 and statuses(comp)[1] == "selected"
    # A run that selects nobody lists no nominees: nothing is held.
    later = run_compute(roster(rows, headers=AWARD_HEADERS), nominations(tmp_path), "2024")
    assert later.roster.issues == []


def test_nominations_per_kind_of_unit_and_check(tmp_path, roster):
    spec = "{field: category, max: {社工站人员: 1}, others: unlimited}"
    rows = [cand(1, 95, category="社工站人员"), cand(2, 94, category="社工站人员", unit="乙"), cand(3, 93), cand(4, 92)]
    path = roster(rows, headers=AWARD_HEADERS)
    comp = run_compute(path, nominations(tmp_path, spec), "2023")
    assert [i.location.row for i in comp.roster.issues] == [2, 3]
    assert list(comp.status) == [ERROR, ERROR, PAID, PAID]
    checked = invoke("check", path, "--policy", nominations(tmp_path, spec), "--json")
    assert checked.exit_code == 1 and "roster.too-many-nominees" in checked.stdout


# --- waiting period ----------------------------------------------------------------------------

def waiting(tmp_path, wait_from="hire_month", blank="held"):
    return edited(tmp_path, CHUZHOU, ("    blank_hire_date: in_post\n",
                                      f"    blank_hire_date: {blank}\n    wait_months: 12\n    wait_from: {wait_from}\n"))


@pytest.mark.parametrize("wait_from,hired,months", [
    ("hire_month", date(2022, 3, 15), 10),  # 2022-03..2023-02 in post: paid from 2023-03
    ("month_after_hire", date(2022, 3, 15), 9),  # 2022-04..2023-03: paid from 2023-04
    ("hire_month", date(2022, 12, 1), 1),
])
def test_wait_months_after_the_hire_date(tmp_path, roster, wait_from, hired, months):
    comp = run_compute(roster([person(1, qualified=date(2021, 6, 1), hired=hired)]), waiting(tmp_path, wait_from), "2023")
    (line,) = [r for r in comp.lines.itertuples() if r.rule_id == "post-allowance"]
    assert (line.months, line.amount_fen) == (months, months * 20000)


def test_still_waiting_is_a_reason_and_explain_says_which_months(tmp_path, roster):
    rows = [person(1, qualified=date(2021, 6, 1), hired=date(2023, 3, 1)),
            person(2, qualified=date(2021, 6, 1), hired=date(2022, 3, 15))]
    comp = run_compute(roster(rows), waiting(tmp_path), "2023")
    assert reasons_of(comp)[0].endswith("；岗位补贴：入职日期 2023-03-01，在岗满 12 个月后发放（自入职当月起算），本期内尚未满")
    e = explain(comp, find_person(comp, make_id(2)), "zh")
    months = next(r for r in e["rules"] if r["rule_id"] == "post-allowance")["rows"][0]["months"]
    assert [(m["first"], m["last"], m["why"]) for m in months] == [
        ("2023-01", "2023-02", "在岗未满 12 个月（入职日期 2022-03-15）"), ("2023-03", "2023-12", "按 200 元发放")]


def test_a_blank_hire_date_under_a_waiting_period_is_held(tmp_path, roster):
    comp = run_compute(roster([person(1, qualified=date(2021, 6, 1))]), waiting(tmp_path), "2023")
    assert [(i.code, i.location.column) for i in comp.roster.issues] == [("roster.date-missing", "入职日期")]
    assert list(comp.status) == [ERROR]
    no_column = write_roster(tmp_path / "n.xlsx", [person(1)[:6]], headers=HEADERS[:6])
    with pytest.raises(SwtalentError) as exc:
        run_compute(no_column, waiting(tmp_path), "2023")
    assert [i.code for i in exc.value.issues] == ["roster.column-missing"]


@pytest.mark.parametrize("edit,code,key", [
    (("    blank_hire_date: in_post\n", "    blank_hire_date: held\n    wait_months: 12\n"), "policy.needs-key", "wait_months"),
    (("    blank_hire_date: in_post\n", "    blank_hire_date: in_post\n    wait_months: 12\n    wait_from: hire_month\n"),
     "policy.wait-needs-hire-date", "blank_hire_date"),
    (("    blank_hire_date: in_post\n", "    blank_hire_date: in_post\n    wait_from: hire_month\n"),
     "policy.key-unused", "wait_from"),
])
def test_waiting_keys_are_checked_at_their_line(tmp_path, edit, code, key):
    path = edited(tmp_path, CHUZHOU, edit)
    _, issues = validate_policy(path)
    (issue,) = [i for i in issues if i.severity == "error"]
    text = path.read_text(encoding="utf-8")
    assert issue.code == code and issue.location.line == text[:text.index(f"    {key}:")].count("\n") + 1


# --- quota shapes in the policy file -----------------------------------------------------------

@pytest.mark.parametrize("quota,code,path,words", [
    ("{field: categroy, max: 1}", "policy.unknown-group-field", "rules[0].quota_per.field", "是否应为「category」"),
    ("{field: category, max: {a: 1}}", "policy.needs-key", "rules[0].quota_per.max", "others"),
    ("{field: unit, max: 1, others: 2}", "policy.key-unused", "rules[0].quota_per.others", "others"),
    ("{field: unit, max: {a: -1}, others: 1}", "policy.invalid-value", "rules[0].quota_per.max.a", "应不小于 0"),
    ("{field: unit, max: {a: 1}, others: lots}", "policy.invalid-value", "rules[0].quota_per.others",
     "应为整数，或「lots」应为 unlimited 之一"),
    ("{field: unit, max: many}", "policy.invalid-value", "rules[0].quota_per.max", "应为整数，或应为映射"),
    ("{field: unit, max: {a: 1}, otehrs: 1}", "policy.unknown-key", "rules[0].quota_per.otehrs", "是否应为「others」"),
])
def test_quota_mistakes_are_said_at_their_key(tmp_path, quota, code, path, words):
    policy = edited(tmp_path, AWARD, ("    quota: 3\n", f"    quota: 3\n    quota_per: {quota}\n"))
    _, issues = validate_policy(policy)
    errors = [i for i in issues if i.severity == "error"]
    assert [(i.code, i.location.path) for i in errors][:1] == [(code, path)], [i.render() for i in errors]
    assert words in errors[0].render(), errors[0].render()


def test_a_quota_by_a_declared_choice_field_checks_its_values(tmp_path):
    fields = "fields:\n  unit_type: {name: 单位类型, type: choice, values: [乡镇, 部门]}\nrules:\n"
    quota = "    quota_per: {field: unit_type, max: {乡镇: 2, 街道: 1}, others: 0}\n"
    policy = edited(tmp_path, AWARD, ("rules:\n", fields), ("    quota: 3\n", "    quota: 3\n" + quota))
    _, issues = validate_policy(policy)
    assert [(i.code, i.location.path) for i in issues if i.severity == "error"] == [
        ("policy.quota-value-unknown", "rules[0].quota_per.max.街道")]
    pol = load_policy(edited(tmp_path, policy, ("街道: 1", "部门: 1"), name="ok.yaml"))
    assert "unit_type" in pol.required_fields() and "unit_type" in pol.required_values()  # a selecting run needs it


def test_places_and_nominees_by_a_declared_field(tmp_path, roster):
    """单位类型, a column the policy declares (choice, with another spelling): places per type, and at
    most so many nominees per type; a blank type on a candidate's row is a problem at its cell."""
    fields = ("fields:\n  unit_type:\n    name: 单位类型\n    type: choice\n    values: [乡镇, 部门]\n"
              "    value_aliases: {乡镇: [街道]}\nrules:\n")
    quota = ("    quota_per: {field: unit_type, max: {乡镇: 2}, others: 1}\n"
             "    nominations_per: {field: unit_type, max: {部门: 2}, others: unlimited}\n")
    policy = edited(tmp_path, AWARD, ("rules:\n", fields), ("    quota: 3\n", "    quota: 5\n" + quota))
    headers = ["姓名", "身份证号", "工作领域", "推荐单位", "单位类型", "评审得分"]
    rows = [[f"候选{cn(k)}", make_id(k), "社会福利", f"单位{cn(k)}", kind, score]
            for k, kind, score in ((1, "乡镇", 95), (2, "街道", 94), (3, "乡镇", 93), (4, "部门", 92), (5, "部门", 91))]
    comp = run_compute(roster(rows, headers=headers), policy, "2023")
    assert statuses(comp) == ["selected", "selected", "not_selected", "selected", "not_selected"]
    assert reasons_of(comp)[0] == "优秀人才：单位类型「乡镇」的 2 个名额已满"
    rows.append([f"候选{cn(6)}", make_id(6), "社会福利", "单位六", "部门", 60])  # a third 部门 nominee
    comp = run_compute(roster(rows, headers=headers), policy, "2023")
    assert [(i.code, i.location.row, i.location.column) for i in comp.roster.issues] == [
        ("roster.too-many-nominees", r, "单位类型") for r in (5, 6, 7)]
    rows[5][4] = ""
    comp = run_compute(roster(rows, headers=headers), policy, "2023")
    assert [(i.code, i.location.row, i.location.column) for i in comp.roster.issues] == [
        ("roster.value-required", 7, "单位类型")]


def test_earlier_title_holders_on_the_roster_are_no_nominees(tmp_path):
    """示例市 in 2027: the roster lists the 2024 title holder (no score) beside this year's nominees;
    only the rows with a score count against the unit's two nominees."""
    headers = ["姓名", "身份证号", "人员类别", "工作单位", "评审得分"]
    rows = [["甲", make_id(1), "乡镇（街道）社工站人员", "东城街道社工站", None],
            ["乙", make_id(2), "乡镇（街道）社工站人员", "东城街道社工站", 90],
            ["丙", make_id(3), "乡镇（街道）社工站人员", "东城街道社工站", 85]]
    path = write_roster(tmp_path / "r.xlsx", rows, headers=headers)
    previous = history(tmp_path, [[make_id(1), "leading-talent", "", "", "", 2024]])
    comp = run_compute(path, POLICIES / "shili.yaml", "2027", previous=previous)
    assert [i.code for i in comp.roster.issues if i.severity == "error"] == []
    assert statuses(comp) == ["ineligible", "selected", "selected"]
    assert comp.total_fen == 2916667 + 2 * 2083333  # 甲's last 7 months; 乙 and 丙 from August
    rows.append(["丁", make_id(4), "乡镇（街道）社工站人员", "东城街道社工站", 80])
    comp = run_compute(write_roster(tmp_path / "r2.xlsx", rows, headers=headers), POLICIES / "shili.yaml", "2027",
                       previous=previous)
    assert [i.location.row for i in comp.roster.issues if i.code == "roster.too-many-nominees"] == [3, 4, 5]
