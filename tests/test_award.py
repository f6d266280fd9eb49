"""Award selection: quota, ties, tie-breaks, vacant places, unit quotas, repeat winners, cycles."""
from __future__ import annotations

import csv
import json
from decimal import Decimal

import openpyxl
import pytest

from swtalent.api import run_compute
from swtalent.engine import ERROR, INELIGIBLE, PAID
from swtalent.errors import SwtalentError
from swtalent.policy import load_policy
from swtalent.reports.files import detail_records
from swtalent.reports.reasons import ineligible_reasons

from .conftest import ROOT, cn, make_id
from .test_cli import invoke

POLICIES = ROOT / "tests" / "policies"
JIUJIANG = ROOT / "policies" / "jiujiang.yaml"
JIUJIANG_EXAMPLE = ROOT / "examples" / "jiujiang-candidates.xlsx"
HEADERS = ["姓名", "身份证号", "工作领域", "推荐单位", "证书等级", "从事社会工作年限", "评审得分"]


def cand(seq: int, score: object, *, field: str = "社会福利", unit: str = "甲单位", level: str = "社会工作师",
         years: object = 5) -> list:
    return [f"候选{cn(seq)}", make_id(seq), field, unit, level, years, score]


def run(roster, rows, policy="award-base", period="2023", **kw):
    path = roster(rows, headers=HEADERS)
    return run_compute(path, POLICIES / f"{policy}.yaml" if isinstance(policy, str) else policy, period, **kw)


def statuses(comp) -> list[str]:
    (res,) = [r for r in comp.outcomes if r.award is not None]
    return list(res.award.status)


def test_selection_exactly_at_the_quota(roster):
    comp = run(roster, [cand(1, 95), cand(2, 90.5), cand(3, 88), cand(4, 70), cand(5, 60)])
    assert statuses(comp) == ["selected", "selected", "selected", "not_selected", "not_selected"]
    assert [(r["name"], r["kind"], r["amount"], r["months"]) for r in detail_records(comp)] == [
        ("候选一", "award", "12000.00", None), ("候选二", "award", "12000.00", None), ("候选三", "award", "12000.00", None)]
    assert comp.award_counts() == {"selected": 3, "pending_tie": 0}
    assert list(comp.status) == [PAID, PAID, PAID, INELIGIBLE, INELIGIBLE]
    assert ineligible_reasons(comp, "zh")[3] == "优秀人才：排名在 3 个名额之外"


def test_a_tie_across_the_last_place_is_pending_and_fewer_are_selected(roster):
    comp = run(roster, [cand(1, 90), cand(2, 85), cand(3, 80), cand(4, 80), cand(5, 70)])
    assert statuses(comp) == ["selected", "selected", "pending", "pending", "not_selected"]
    assert comp.award_counts() == {"selected": 2, "pending_tie": 2}
    assert list(comp.roster.frame["row"][comp.status == PAID]) == [2, 3]
    (res,) = comp.outcomes
    assert list(res.award.rank) == [1, 2, 3, 3, 5]  # competition ranking
    assert "同分待定" in ineligible_reasons(comp, "zh")[2]


def test_equal_scores_typed_differently_are_one_score(roster):
    comp = run(roster, [cand(1, 90), cand(2, 85), cand(3, 80), cand(4, "80.0"), cand(5, " ８０ ")])
    assert statuses(comp) == ["selected", "selected", "pending", "pending", "pending"]


def test_a_tie_inside_the_quota_is_selected_whole(roster):
    comp = run(roster, [cand(1, 90), cand(2, 90), cand(3, 80), cand(4, 70)])
    assert statuses(comp) == ["selected", "selected", "selected", "not_selected"]


def test_tie_broken_by_level_then_years(roster):
    rows = [cand(1, 90), cand(2, 85), cand(3, 80, level="助理社会工作师", years=9),
            cand(4, 80, level="高级社会工作师", years=1), cand(5, 80, level="助理社会工作师", years=12)]
    comp = run(roster, rows, "award-tiebreak")
    assert statuses(comp) == ["selected", "selected", "not_selected", "selected", "not_selected"]
    rows[4][-2] = 9  # now two assistants tie on level and years as well: still not separated
    rows[3][-3] = "助理社会工作师"
    comp = run(roster, rows, "award-tiebreak")
    assert statuses(comp) == ["selected", "selected", "pending", "not_selected", "pending"]


def test_places_below_the_minimum_score_stay_vacant(roster):
    comp = run(roster, [cand(1, 90), cand(2, 85), cand(3, 79.5), cand(4, 60)], "award-min-score")
    assert statuses(comp) == ["selected", "selected", "not_selected", "not_selected"]
    assert comp.award_counts()["selected"] == 2
    assert ineligible_reasons(comp, "zh")[2] == "优秀人才：得分低于最低分数线 80 分，名额空缺"


def test_quota_per_unit(roster):
    rows = [cand(1, 95, unit="甲"), cand(2, 94, unit="甲"), cand(3, 90, unit="乙"), cand(4, 85, unit="丙"),
            cand(5, 80, unit="丁")]
    comp = run(roster, rows, "award-unit-quota")
    assert statuses(comp) == ["selected", "not_selected", "selected", "selected", "not_selected"]
    assert ineligible_reasons(comp, "zh")[1] == "优秀人才：本单位 1 个名额已满"


def test_tie_inside_one_unit_across_its_quota_is_pending(roster):
    rows = [cand(1, 95, unit="甲"), cand(2, 95, unit="甲"), cand(3, 90, unit="乙"), cand(4, 85, unit="丙")]
    comp = run(roster, rows, "award-unit-quota")
    assert statuses(comp) == ["pending", "pending", "selected", "selected"]


def test_repeat_winners_from_the_previous_file(roster, tmp_path):
    previous = tmp_path / "winners.csv"
    with previous.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["年度", "姓名", "身份证号"])
        w.writerow(["2021", "候选一", make_id(1)])  # won last cycle: barred in 2023
        w.writerow(["2019", "候选二", make_id(2)])  # two cycles ago: may win again
    rows = [cand(1, 95), cand(2, 90), cand(3, 85), cand(4, 80)]
    comp = run(roster, rows, "award-no-repeat", previous=previous)
    assert statuses(comp) == ["ineligible", "selected", "selected", "selected"]
    assert ineligible_reasons(comp, "zh")[0] == "优秀人才：近 1 届内已获评，本届不再参评"
    assert statuses(run(roster, rows, "award-no-repeat")) == ["selected", "selected", "selected", "not_selected"]


def test_previous_file_without_a_year_column(roster, tmp_path):
    previous = tmp_path / "winners.csv"
    previous.write_text("身份证号\n" + make_id(1) + "\n", encoding="utf-8")
    with pytest.raises(SwtalentError) as exc:
        run(roster, [cand(1, 95)], "award-no-repeat", previous=previous)
    assert [i.code for i in exc.value.issues] == ["previous.column-missing"]


def test_minimum_years_in_social_work(roster):
    comp = run(roster, [cand(1, 95, years=2), cand(2, 90, years=3), cand(3, 85, years="3.5")], "award-min-years")
    assert statuses(comp) == ["ineligible", "selected", "selected"]
    assert ineligible_reasons(comp, "zh")[0] == "优秀人才：从事社会工作年限不足 3 年"


def test_fields_outside_the_list_and_aliases(roster):
    comp = run(roster, [cand(1, 99, field="心理咨询"), cand(2, 90, field="社区服务"), cand(3, 85)])
    assert statuses(comp) == ["ineligible", "selected", "selected"]
    assert ineligible_reasons(comp, "zh")[0].startswith("优秀人才：工作领域「心理咨询」须为 社会福利、社会救助、社区管理服务")


def test_non_selection_year_selects_nobody_and_says_so(roster):
    path = roster([cand(1, 95)], headers=HEADERS)
    result = invoke("compute", path, "--policy", POLICIES / "award-base.yaml", "--period", "2024", "--json")
    assert result.exit_code == 0
    got = json.loads(result.stdout)
    assert (got["selected"], got["pending_tie"], got["total"], got["rows_ineligible"]) == (0, 0, "0.00", 1)
    assert got["notes"] == ["2024 不含「优秀人才」的评选月份（自 2021 年起每 2 年评选一次，于当年 1 月评选），本期无人入选"]


def test_a_period_over_two_selection_years_is_a_usage_error(roster):
    path = roster([cand(1, 95)], headers=HEADERS)
    result = invoke("compute", path, "--policy", POLICIES / "award-base.yaml", "--period", "2021-01..2023-12")
    assert result.exit_code == 2 and "多个评选年度" in result.stderr


@pytest.mark.parametrize("score,code", [(None, "roster.number-missing"), ("八十", "roster.number-invalid")])
def test_score_problems_name_the_cell(roster, score, code):
    comp = run(roster, [cand(1, 95), cand(2, score)])
    assert [(i.code, i.location.row, i.location.column) for i in comp.roster.issues] == [(code, 3, "评审得分")]
    assert list(comp.status) == [PAID, ERROR]


def test_award_policy_mistakes_are_found(tmp_path):
    text = JIUJIANG.read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("quota: 20", "quota: 0").replace("every_years: 2", "evry_years: 2"), encoding="utf-8")
    with pytest.raises(SwtalentError) as exc:
        load_policy(bad)
    found = sorted((i.code, i.location.path) for i in exc.value.issues)
    assert found == [("policy.invalid-value", "rules[0].quota"), ("policy.unknown-key", "rules[0].cycle.evry_years")]


def test_jiujiang_example_end_to_end(tmp_path):
    """The shipped example: 20 places, a three-way tie at 86.5 across places 19-21, four candidates
    outside the listed fields, one score typed as words (八十). That candidate, held, may take one of
    places 19-20 once corrected, so the tie is not the committee's to settle yet: 待定, not 同分待定."""
    out, detail = tmp_path / "result.xlsx", tmp_path / "detail.csv"
    result = invoke("compute", JIUJIANG_EXAMPLE, "--policy", JIUJIANG, "--period", "2023", "--out", out,
                    "--out", detail, "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert (got["rows_in"], got["selected"], got["pending_tie"], got["pending_held"], got["rows_with_errors"]) == (
        46, 18, 0, 3, 1)
    assert got["rows_paid"] + got["rows_ineligible"] + got["rows_with_errors"] == got["rows_in"]
    assert got["total"] == "180000.00" and got["total_capital"] == "壹拾捌万元整"
    with detail.open(encoding="utf-8-sig") as fh:
        lines = list(csv.DictReader(fh))
    assert len(lines) == 18 and {(r["kind"], r["amount"], r["months"]) for r in lines} == {("award", "10000.00", "")}
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "评选结果", "发放花名册（评选）", "不予发放", "数据问题", "计算依据"]
    sheet = list(wb["评选结果"].iter_rows(values_only=True))
    header, body = sheet[0], sheet[1:]
    assert header[:3] == ("排名", "姓名", "身份证号") and "状态" in header and "原因" in header
    status = [dict(zip(header, r))["状态"] for r in body]
    assert status.count("入选") == 18 and status.count("待定") == 3
    assert status.count("不符合条件") == 4 and status.count("数据待更正") == 1  # fields outside the list; 八十
    pending = [dict(zip(header, r)) for r in body if dict(zip(header, r))["状态"] == "待定"]
    assert {(p["排名"], p["得分"]) for p in pending} == {(19, 86.5)}
    assert sum(Decimal(r["amount"]) for r in lines) == Decimal(got["total"])


def test_the_same_person_twice_is_a_row_problem(roster):
    rows = [cand(1, 95), cand(2, 90), cand(1, 80, unit="乙单位")]
    comp = run(roster, rows)
    assert [(i.code, i.location.row) for i in comp.roster.issues] == [("roster.duplicate", 4)]
    assert statuses(comp) == ["selected", "selected", "ineligible"]


def test_values_no_rule_depends_on_are_warnings_not_exclusions(roster):
    """Jiujiang does not use 证书等级 or years: a stray '无' or '5年' must not remove a candidate."""
    rows = [cand(1, 95, level="无"), cand(2, 90, years="5年"), cand(3, 85)]
    comp = run(roster, rows, JIUJIANG, "2023")
    assert [(i.code, i.severity) for i in comp.roster.issues] == [("roster.level-ignored", "warning"),
                                                                    ("roster.number-ignored", "warning")]
    assert statuses(comp) == ["selected", "selected", "selected"]


@pytest.mark.parametrize("period,selects", [("2023", True), ("2023-01", True), ("2022-07..2023-06", True),
                                            ("2023-06", False), ("2023-02..2023-12", False),
                                            ("2023-12..2024-01", False)])
def test_only_the_run_holding_the_selection_month_selects(roster, period, selects):
    comp = run(roster, [cand(1, 95)], period=period)
    assert statuses(comp) == (["selected"] if selects else ["ineligible"])
    assert (comp.total_fen > 0) == selects


def test_an_error_on_a_persons_first_row_does_not_void_a_valid_later_row(roster):
    rows = [cand(1, None), cand(2, 90), cand(1, 95, unit="乙单位")]
    comp = run(roster, rows)
    assert statuses(comp) == ["ineligible", "selected", "selected"]
    assert [(i.code, i.location.row) for i in comp.roster.issues] == [("roster.number-missing", 2)]


def test_zero_amount_selects_but_says_why_nothing_is_paid(roster, tmp_path):
    policy = tmp_path / "zero.yaml"
    policy.write_text((POLICIES / "award-base.yaml").read_text(encoding="utf-8").replace("value: 12000", "value: 0"),
                      encoding="utf-8")
    comp = run(roster, [cand(1, 95)], policy)
    assert statuses(comp) == ["selected"] and comp.total_fen == 0
    assert ineligible_reasons(comp, "zh")[0] == "优秀人才：适用金额为 0"


def test_blank_unit_under_a_unit_quota_is_a_row_problem(roster):
    comp = run(roster, [cand(1, 95, unit=""), cand(2, 90, unit="")], "award-unit-quota")
    assert [(i.code, i.location.column) for i in comp.roster.issues] == [("roster.value-required", "推荐单位")] * 2


def test_district_quota_says_district(roster, tmp_path):
    policy = tmp_path / "district.yaml"
    policy.write_text((POLICIES / "award-unit-quota.yaml").read_text(encoding="utf-8").replace(
        "field: unit, max: 1", "field: district, max: 1"), encoding="utf-8")
    rows = [cand(1, 95) + ["浔阳区"], cand(2, 90) + ["浔阳区"], cand(3, 85) + ["濂溪区"]]
    comp = run_compute(roster(rows, headers=HEADERS + ["区县"]), policy, "2023")
    assert statuses(comp) == ["selected", "not_selected", "selected"]
    assert ineligible_reasons(comp, "zh")[1] == "优秀人才：本区县 1 个名额已满"


def test_blank_tie_break_values_do_not_separate(roster):
    rows = [cand(1, 90), cand(2, 85), cand(3, 80, level=""), cand(4, 80, level="高级社会工作师"), cand(5, 70)]
    comp = run(roster, rows, "award-tiebreak")
    assert statuses(comp) == ["selected", "selected", "pending", "pending", "not_selected"]
    assert ineligible_reasons(comp, "zh")[2] == "优秀人才：同分待定：2 人排名相同，争 1 个名额，由评审委员会决定"


def test_ascending_tie_break(roster, tmp_path):
    policy = tmp_path / "asc.yaml"
    policy.write_text((POLICIES / "award-tiebreak.yaml").read_text(encoding="utf-8").replace(
        "{field: level, order: desc}", "{field: level, order: asc}"), encoding="utf-8")
    rows = [cand(1, 90), cand(2, 85), cand(3, 80, level="高级社会工作师"), cand(4, 80, level="助理社会工作师")]
    assert statuses(run(roster, rows, policy)) == ["selected", "selected", "not_selected", "selected"]


def test_min_score_compares_exact_decimals(roster, tmp_path):
    policy = tmp_path / "exact.yaml"
    policy.write_text((POLICIES / "award-min-score.yaml").read_text(encoding="utf-8").replace(
        "min_score: 80", "min_score: 80.1235"), encoding="utf-8")
    comp = run(roster, [cand(1, 80.1235), cand(2, "80.1234"), cand(3, 0)], policy)
    assert statuses(comp) == ["selected", "not_selected", "not_selected"]


def test_previous_file_problems(roster, tmp_path):
    import xlsxwriter

    numeric = tmp_path / "winners.xlsx"
    book = xlsxwriter.Workbook(str(numeric))
    ws = book.add_worksheet()
    ws.write_row(0, 0, ["年度", "身份证号"])
    ws.write_row(1, 0, [2021, float(make_id(1))])
    book.close()
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    for path, code in ((numeric, "roster.id-number"), (empty, "previous.column-missing")):
        with pytest.raises(SwtalentError) as exc:
            run(roster, [cand(1, 95)], "award-no-repeat", previous=path)
        assert [i.code for i in exc.value.issues] == [code]


def test_previous_file_in_gbk_with_a_rule_id_column(roster, tmp_path):
    previous = tmp_path / "winners.csv"
    previous.write_bytes(("规则编号,年度,姓名,身份证号\ntalent,2021,候选一," + make_id(1).lower() +
                          "\nother,2021,候选二," + make_id(2) + "\n").encode("gbk"))
    comp = run(roster, [cand(1, 95), cand(2, 90)], "award-no-repeat", previous=previous)
    assert statuses(comp) == ["ineligible", "selected"]  # only the talent row bars
    from swtalent.reports.summary import notes
    assert notes(comp, "zh") == ["往期名单中的规则编号「other」不是本政策的规则，这些行未使用"]


def test_two_award_rules_get_their_own_sheets(roster, tmp_path):
    text = (POLICIES / "award-base.yaml").read_text(encoding="utf-8")
    rule = text[text.index("  - id: talent"):]
    policy = tmp_path / "two.yaml"
    policy.write_text(text + rule.replace("id: talent", "id: excellent-social-work-talent-award-two"),
                      encoding="utf-8")
    out = tmp_path / "r.xlsx"
    path = roster([cand(1, 95)], headers=HEADERS)
    result = invoke("compute", path, "--policy", policy, "--period", "2023", "--out", out)
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames[:3] == ["汇总", "评选结果1", "评选结果2"]


@pytest.mark.parametrize("edit,message", [
    (("quota: 3", "quota: 0"), "应不小于 1"),
    (("quota: 3", "quota: 2.5"), "应为整数"),
    (("quota: 3", "quota: 3\n    min_score: -1"), "应不小于 0"),
    (("first_year: 2021", "first_year: 2019"), "首次评选（2019-01-01）早于政策施行日期"),
    (("quota: 3", "quota: 3\n    tie_break: [{field: years}, {field: years}]"), "同分排序键「years」重复"),
])
def test_award_policy_messages_say_what_is_wrong(tmp_path, edit, message):
    path = tmp_path / "bad.yaml"
    path.write_text((POLICIES / "award-base.yaml").read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    with pytest.raises(SwtalentError) as exc:
        load_policy(path)
    assert any(message in i.message() for i in exc.value.issues), [i.render() for i in exc.value.issues]


def test_places_a_held_candidate_may_take_are_pending_not_paid(roster):
    """A candidate held for a data problem (a score typed 八十) is not ranked; once corrected they
    may rank anywhere, so of the 3 places only 2 are certain. The third is pending (待定), not paid:
    paying it now would make 4 winners when 八十 is corrected to 96."""
    comp = run(roster, [cand(1, 95), cand(2, 90), cand(3, 85), cand(4, 80), cand(5, "八十")])
    assert statuses(comp) == ["selected", "selected", "pending_held", "not_selected", "ineligible"]
    assert comp.award_counts() == {"selected": 2, "pending_tie": 0, "pending_held": 1}
    assert comp.total_fen == 2 * 1_200_000
    reason = ineligible_reasons(comp, "zh")[2]
    assert "1 名候选人因数据问题未参加排名" in reason and "最后 1 个名额" in reason
    assert "1 candidate(s) held" in ineligible_reasons(comp, "en")[2]


def test_as_many_held_as_places_leaves_every_place_pending(roster):
    comp = run(roster, [cand(1, 95), cand(2, 90), cand(3, None), cand(4, "八十"), cand(5, "x")])
    assert statuses(comp) == ["pending_held", "pending_held", "ineligible", "ineligible", "ineligible"]
    assert comp.total_fen == 0 and comp.award_counts()["pending_held"] == 2


def test_a_row_with_no_score_and_another_problem_is_not_a_candidate_held(tmp_path):
    """Where a blank score marks a row that is not a candidate (Jiujiang: one candidate, row 34, held
    for a score typed 八十, so 19 places are certain and the tie at 86.5 across places 19-21 waits),
    a row held for a bad ID with no score holds no place; three more held rows with a score hold
    three: 16 places are certain, ranks 17 and 18 and the tie are pending."""
    import openpyxl

    def with_rows(rows, name):
        wb = openpyxl.load_workbook(JIUJIANG_EXAMPLE)
        for row in rows:
            wb.active.append(row)
        wb.save(tmp_path / name)
        return tmp_path / name

    bad_id = "36042819861104000X"  # the check character is wrong
    no_score = with_rows([[47, "无分某", bad_id, "社会救助", "都昌县民政局", "社会工作师", 6, None]], "a.xlsx")
    comp = run_compute(no_score, JIUJIANG, "2023")
    # 18 certain; the tie at 86.5 on places 19-20 waits for the held 八十 (which may take one of them)
    assert comp.award_counts() == {"selected": 18, "pending_tie": 0, "pending_held": 3} and comp.total_fen == 18_000_000
    scored = with_rows([[47 + k, f"待更正{k}", bad_id[:-2] + f"{k}X", "社会救助", "都昌县民政局", "社会工作师", 6, 60]
                        for k in range(3)], "b.xlsx")
    comp = run_compute(scored, JIUJIANG, "2023")
    assert comp.award_counts() == {"selected": 16, "pending_tie": 0, "pending_held": 5}  # ranks 17, 18 and the tie
    assert comp.total_fen == 16_000_000


def test_a_tie_across_the_last_place_waits_for_a_held_candidate(roster):
    """Review: 甲 90, 乙 丙 丁 85 and 戊 typed 八十, 3 places. 戊 may take a place once corrected, so
    only 2 are certain: 甲's. The tie is not for 2 places (the committee would pick two, 戊 at 95
    would then make four winners): it waits, 待定, and nothing is paid for it."""
    comp = run(roster, [cand(1, 90), cand(2, 85), cand(3, 85), cand(4, 85), cand(5, "八十")])
    assert statuses(comp) == ["selected", "pending_held", "pending_held", "pending_held", "ineligible"]
    assert comp.award_counts() == {"selected": 1, "pending_tie": 0, "pending_held": 3}
    assert comp.total_fen == 1_200_000
    from swtalent.reports.summary import summary

    assert any("3 人待定" in n and "不再增补" in n for n in summary(comp)["notes"])  # said before a commit


def test_a_held_candidate_keeps_their_units_place_open(roster):
    """Review: one place per unit, 3 places. 甲 (unit 甲, 90) would be certain overall, but 戊 (unit 甲,
    typed 八十) may beat 甲 for unit 甲's one place: 甲 waits; 乙 (unit 乙) is certain."""
    rows = [cand(1, 90), cand(2, 88, unit="乙单位"), cand(3, 80, unit="丙单位"), cand(5, "八十")]
    comp = run(roster, rows, policy="award-unit-quota")
    assert statuses(comp)[:3] == ["pending_held", "selected", "selected"]
    assert comp.total_fen == 2 * 1_200_000


def test_a_person_ranked_on_one_row_is_not_held_again_on_another(roster):
    """Review: 甲 on two rows, one with 八十: 甲 is ranked on the good row, so no place waits for the
    other; 乙 and 丙 are certain. (The two rows of one person are a problem said on the row.)"""
    rows = [cand(1, 95), cand(2, 90), cand(3, 85), cand(4, 70), cand(1, "八十")]
    comp = run(roster, rows)
    assert comp.award_counts().get("pending_held", 0) == 0
