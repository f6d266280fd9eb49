"""The Chuzhou assumptions, one test each, through real roster workbooks."""
from __future__ import annotations

from datetime import date

import pytest

from swtalent.api import run_compute
from swtalent.engine import ERROR, INELIGIBLE, PAID
from swtalent.reports.reasons import ineligible_reasons

from .conftest import CHUZHOU, make_id, person


def lines_of(comp):
    """{(row, rule_id, level): (months, amount yuan as str)} for easy comparison."""
    out = {}
    for rec in comp.lines.itertuples():
        months = int(rec.months) if rec.kind == "monthly" else None
        out[(int(rec.row), rec.rule_id, str(rec.level))] = (months, f"{rec.amount_fen / 100:.2f}")
    return out


def run(roster, rows, period="2023", policy=CHUZHOU):
    return run_compute(roster(rows), policy, period)


@pytest.mark.parametrize("level,one_off,rate", [("助理社会工作师", "1000.00", 200), ("社会工作师", "2000.00", 400),
                                                ("高级社会工作师", "3000.00", 1000)])
def test_amounts_by_level(roster, level, one_off, rate):
    comp = run(roster, [person(level=level, qualified=date(2023, 3, 15))])
    key = {"助理社会工作师": "assistant", "社会工作师": "intermediate", "高级社会工作师": "senior"}[level]
    assert lines_of(comp) == {(2, "certificate-subsidy", key): (None, one_off),
                              (2, "post-allowance", key): (9, f"{9 * rate:.2f}")}  # April..December


def test_in_force_from_2022_one_off_only_for_certificates_since(roster):
    comp = run(roster, [person(1, qualified=date(2021, 12, 31)), person(2, qualified=date(2022, 1, 1))], "2022")
    got = lines_of(comp)
    assert (2, "certificate-subsidy", "assistant") not in got
    assert got[(3, "certificate-subsidy", "assistant")] == (None, "1000.00")
    # The allowance of a certificate held before the policy starts from the in-force month.
    assert got[(2, "post-allowance", "assistant")] == (12, "2400.00")
    assert got[(3, "post-allowance", "assistant")] == (11, "2200.00")


def test_one_off_due_only_in_the_period_of_the_qualifying_date(roster):
    rows = [person(1, qualified=date(2022, 6, 10)), person(2, qualified=date(2023, 5, 1))]
    assert {k[0] for k in lines_of(run(roster, rows, "2023")) if k[1] == "certificate-subsidy"} == {3}
    assert {k[0] for k in lines_of(run(roster, rows, "2022")) if k[1] == "certificate-subsidy"} == {2}
    assert {k[0] for k in lines_of(run(roster, rows, "2023-05")) if k[1] == "certificate-subsidy"} == {3}
    assert {k[0] for k in lines_of(run(roster, rows, "2023-06..2023-12")) if k[1] == "certificate-subsidy"} == set()


def test_upgrade_pays_full_new_one_off_and_switches_rate_the_month_after(roster):
    pid = make_id(7)
    rows = [person(pid=pid, level="助理社会工作师", qualified=date(2022, 3, 1)),
            person(pid=pid, level="社会工作师", qualified=date(2023, 5, 20))]
    got = lines_of(run(roster, rows))
    assert got == {
        (3, "certificate-subsidy", "intermediate"): (None, "2000.00"),  # full amount, not the 1000 difference
        (2, "post-allowance", "assistant"): (5, "1000.00"),  # January..May at the old rate
        (3, "post-allowance", "intermediate"): (7, "2800.00"),  # June..December at the new rate
    }


def test_highest_level_held_each_month_across_rows_in_any_order(roster):
    pid = make_id(8)
    rows = [person(pid=pid, level="高级社会工作师", qualified=date(2023, 8, 1)),
            person(pid=pid, level="助理社会工作师", qualified=date(2020, 3, 1))]
    got = lines_of(run(roster, rows))
    assert got[(3, "post-allowance", "assistant")] == (8, "1600.00")  # Jan..Aug
    assert got[(2, "post-allowance", "senior")] == (4, "4000.00")  # Sep..Dec


def test_leaving_month_is_paid_in_full(roster):
    got = lines_of(run(roster, [person(qualified=date(2022, 1, 10), left=date(2023, 6, 15), level="社会工作师")]))
    assert got == {(2, "post-allowance", "intermediate"): (6, "2400.00")}


def test_hire_month_is_paid_and_blank_hire_date_means_in_post(roster):
    rows = [person(1, qualified=date(2021, 5, 1), hired=date(2023, 9, 30)),
            person(2, qualified=date(2021, 5, 1), hired=None)]
    got = lines_of(run(roster, rows))
    assert got[(2, "post-allowance", "assistant")] == (4, "800.00")  # September..December
    assert got[(3, "post-allowance", "assistant")] == (12, "2400.00")


def test_absent_hire_and_leave_columns_mean_in_post(roster):
    rows = [person(1, qualified=date(2022, 12, 1))[:6]]
    comp = run_compute(roster(rows, headers=["姓名", "身份证号", "人员类别", "证书等级", "取得证书日期", "报考地"]),
                       CHUZHOU, "2023")
    assert lines_of(comp) == {(2, "post-allowance", "assistant"): (12, "2400.00")}


def test_qualifying_in_december_pays_one_off_now_and_allowance_from_january(roster):
    rows = [person(qualified=date(2023, 12, 5), level="高级社会工作师")]
    assert lines_of(run(roster, rows, "2023")) == {(2, "certificate-subsidy", "senior"): (None, "3000.00")}
    assert lines_of(run(roster, rows, "2024")) == {(2, "post-allowance", "senior"): (12, "12000.00")}


def test_categories_and_exam_place(roster):
    rows = [person(1, category="社工机构从业人员"), person(2, category="社会工作从业人员"),
            person(3, place="合肥市"), person(4, category="志愿者"), person(5, place="安徽省天长市")]
    got = lines_of(run(roster, rows))
    assert set(got) == {
        (2, "certificate-subsidy", "assistant"),  # agency worker: one-off only
        (3, "certificate-subsidy", "assistant"),
        (4, "post-allowance", "assistant"),  # exam outside Chuzhou: allowance only
        (6, "certificate-subsidy", "assistant"), (6, "post-allowance", "assistant"),
    }


def test_every_row_is_accounted_for_with_a_reason(roster):
    rows = [person(1), person(2, category="志愿者"), person(3, level="心理咨询师"),
            person(4, qualified=date(2021, 1, 1), left=date(2022, 5, 1))]
    comp = run(roster, rows)
    assert list(comp.status) == [PAID, INELIGIBLE, ERROR, INELIGIBLE]
    counts = comp.counts()
    assert counts["rows_paid"] + counts["rows_ineligible"] + counts["rows_with_errors"] == counts["rows_in"] == 4
    reasons = ineligible_reasons(comp, "zh")
    assert reasons[1] == ("一次性补助：人员类别「志愿者」须为 社区工作人员、社工机构从业人员、社会工作从业人员；"
                          "岗位补贴：人员类别「志愿者」须为 社区工作人员")
    assert reasons[3] == ("一次性补助：取证日期 2021-01-01 早于 2022-01-01，该日期前取得的证书不补助；"
                          "岗位补贴：离职日期 2022-05-01 早于本期可发放月份")
    assert "qualified on 2021-01-01" in ineligible_reasons(comp, "en")[3]


def test_total_is_the_exact_sum_of_lines(roster):
    rows = [person(i, level=lv, qualified=date(2022 + i % 2, 1 + i % 12, 1))
            for i, lv in zip(range(1, 40), ["助理社会工作师", "社会工作师", "高级社会工作师"] * 13)]
    comp = run(roster, rows)
    assert comp.total_fen == sum(int(a) for a in comp.lines["amount_fen"])
    assert comp.lines["amount_fen"].dtype.kind == "i"


def test_dated_rate_change_mid_year(roster, tmp_path):
    """旌阳: 100/150 from 2021-01 to 2021-03, then 200/400: a holder all of 2021 is paid 2100 or 4050."""
    text = CHUZHOU.read_text(encoding="utf-8")
    text = text.replace("in_force_from: 2022-01-01", "in_force_from: 2021-01-01").replace(
        "qualified_from: 2022-01-01", "qualified_from: 2021-01-01").replace("2022-01-01, value", "2021-01-01, value")
    text = text.replace("- {from: 2021-01-01, value: 200}", "- {from: 2021-01-01, value: 100}\n"
                        "        - {from: 2021-04-01, value: 200}")
    text = text.replace("- {from: 2021-01-01, value: 400}", "- {from: 2021-01-01, value: 150}\n"
                        "        - {from: 2021-04-01, value: 400}")
    policy = tmp_path / "deyang.yaml"
    policy.write_text(text, encoding="utf-8")
    rows = [person(1, qualified=date(2020, 12, 1)), person(2, qualified=date(2020, 12, 1), level="社会工作师")]
    comp = run_compute(roster(rows), policy, "2021")
    got = lines_of(comp)
    assert got[(2, "post-allowance", "assistant")] == (12, "2100.00")
    assert got[(3, "post-allowance", "intermediate")] == (12, "4050.00")


def test_a_rate_change_is_explained_month_run_by_month_run(roster, tmp_path):
    from swtalent.reports.reasons import line_details

    text = CHUZHOU.read_text(encoding="utf-8").replace(
        "- {from: 2022-01-01, value: 200}", "- {from: 2022-01-01, value: 200}\n        - {from: 2023-07-01, value: 300}")
    policy = tmp_path / "raise.yaml"
    policy.write_text(text, encoding="utf-8")
    comp = run_compute(roster([person(qualified=date(2022, 5, 1))]), policy, "2023")
    assert lines_of(comp) == {(2, "post-allowance", "assistant"): (12, "3000.00")}
    assert list(line_details(comp, "zh")) == ["200元 × 6个月（2023-01..2023-06）+ 300元 × 6个月（2023-07..2023-12）"]
