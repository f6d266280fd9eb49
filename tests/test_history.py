"""Rules that depend on what was paid before (--previous): the difference on upgrade, a lifetime
cap (威海) and a maximum number of months (屏南), in the workbook's and explain's words."""
from __future__ import annotations

import csv
from datetime import date

from swtalent.api import run_compute
from swtalent.engine import INELIGIBLE, PAID
from swtalent.reports.explain import explain, find_person
from swtalent.reports.reasons import ineligible_reasons, line_details

from .conftest import HEADERS, ROOT, make_id, person

WEIHAI = ROOT / "policies" / "weihai.yaml"
PINGNAN = ROOT / "policies" / "pingnan.yaml"


def previous_file(tmp_path, rows):
    path = tmp_path / "previous.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["person_id", "name", "rule_id", "kind", "level", "months", "amount", "年度"])
        writer.writerows(rows)
    return path


def test_difference_on_upgrade_says_what_was_paid_before(tmp_path, roster):
    path = roster([person(1, category="执业社会工作者", level="社会工作师", qualified=date(2023, 6, 1))])
    history = previous_file(tmp_path, [[make_id(1), "测试一", "qualification-subsidy", "one_off", "assistant", "",
                                        "1000.00", "2022"]])
    comp = run_compute(path, WEIHAI, "2023", previous=history)
    assert comp.total_fen == 100000
    assert list(line_details(comp, "zh")) == ["取证日期 2023-06-01，标准 2000元，此前已发 1000元，本次 1000元"]


def test_lifetime_cap_reached_is_a_reason_not_a_silent_zero(tmp_path, roster):
    path = roster([person(1, category="执业社会工作者", level="社会工作师", qualified=date(2023, 6, 1))])
    history = previous_file(tmp_path, [[make_id(1), "测试一", "qualification-subsidy", "one_off", "intermediate", "",
                                        "2000.00", "2021"]])
    comp = run_compute(path, WEIHAI, "2023", previous=history)
    assert list(comp.status) == [INELIGIBLE]
    assert list(ineligible_reasons(comp, "zh")) == ["职业资格补贴：此前已领取的补助已达本等级标准或终身上限"]
    # without the history the same roster pays 2000: the file is what decides
    assert run_compute(path, WEIHAI, "2023").total_fen == 200000


def test_max_months_counts_earlier_months_first(tmp_path, roster):
    headers = HEADERS
    path = roster([person(1, level="社会工作师", qualified=date(2021, 1, 10))], headers=headers)
    history = previous_file(tmp_path, [[make_id(1), "测试一", "living-allowance", "monthly", "intermediate", "30",
                                        "4500.00", "2023"]])
    comp = run_compute(path, PINGNAN, "2024", previous=history)
    monthly = next(r for r in comp.outcomes if r.rule.id == "living-allowance")
    assert (int(monthly.months[0]), int(monthly.amount_fen[0])) == (6, 90000)
    assert list(comp.status) == [PAID]
    e = explain(comp, find_person(comp, make_id(1)), "zh")
    months = next(r for r in e["rules"] if r["rule_id"] == "living-allowance")["rows"][0]["months"]
    assert [(m["first"], m["last"], m["why"]) for m in months] == [
        ("2024-01", "2024-06", "按 150 元发放"), ("2024-07", "2024-12", "已发满每人至多 36 个月")]


def test_history_file_with_a_bad_amount_stops_the_run(tmp_path, roster):
    import pytest

    from swtalent.errors import SwtalentError

    path = roster([person(1, level="社会工作师", qualified=date(2021, 1, 10))])
    history = previous_file(tmp_path, [[make_id(1), "测试一", "living-allowance", "monthly", "intermediate", "十二",
                                        "1800.00", "2023"]])
    with pytest.raises(SwtalentError) as exc:
        run_compute(path, PINGNAN, "2024", previous=history)
    assert [(i.code, i.location.row, i.location.column) for i in exc.value.issues] == [
        ("previous.number-invalid", 2, "months")]


def test_history_rows_that_count_for_no_one_or_pay_back_stop_the_run(tmp_path, roster):
    import pytest

    from swtalent.errors import SwtalentError

    path = roster([person(1, category="执业社会工作者", level="社会工作师", qualified=date(2023, 6, 1))])
    for row, code, column in [(["", "", "qualification-subsidy", "one_off", "assistant", "", "1000.00", "2022"],
                               "previous.id-missing", "person_id"),
                              ([make_id(1), "", "qualification-subsidy", "one_off", "assistant", "", "-1000", "2022"],
                               "previous.number-invalid", "amount"),
                              ([make_id(1), "", "qualification-subsidy", "one_off", "assistant", "1.5", "", "2022"],
                               "previous.number-invalid", "months")]:
        history = previous_file(tmp_path, [row])
        with pytest.raises(SwtalentError) as exc:
            run_compute(path, WEIHAI, "2023", previous=history)
        assert [(i.code, i.location.row, i.location.column) for i in exc.value.issues] == [(code, 2, column)]


def test_a_policy_that_needs_history_says_when_none_was_given(tmp_path, roster):
    from swtalent.reports.summary import notes

    comp = run_compute(roster([person(1, category="执业社会工作者", level="社会工作师", qualified=date(2023, 6, 1))]),
                       WEIHAI, "2023")
    assert any("未提供 --previous" in n and "职业资格补贴" in n for n in notes(comp, "zh"))


def test_title_holders_from_a_plain_winners_list(tmp_path):
    from .formats import write_book

    roster = write_book(tmp_path / "r.xlsx", {"名单": [["姓名", "身份证号"], ["甲", make_id(1)]]})
    winners = tmp_path / "winners.csv"
    winners.write_text(f"身份证号,年度\n{make_id(1)},2023\n", encoding="utf-8")  # no rule id: a winners list
    comp = run_compute(roster, ROOT / "policies" / "jinan.yaml", "2024", previous=winners)
    assert comp.total_fen == 1200000
