"""Where an award's score comes from (issue 15): judges' sheets (trimmed mean, long and wide layout),
service records (points, caps), weighted parts; every figure checked against hand arithmetic, the
评选结果 sheet and explain read back, and each bad mark located in the score workbook."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest

from swtalent.api import run_check, run_compute, run_explain
from swtalent.errors import SwtalentError, UsageError
from swtalent.policy.model import Rounding
from swtalent.scores.compute import rounded

from .conftest import ROOT, cn, make_id
from .test_cli import invoke

POLICIES = ROOT / "tests" / "policies"
RECORDS = POLICIES / "award-records.yaml"
PARTS = POLICIES / "award-parts.yaml"
JUDGES_POLICY = """\
id: judges-test
city: 测试市
title: 测试评选
in_force_from: 2023-01-01
levels:
  assistant: {name: 助理社会工作师}
rules:
  - id: talent
    kind: award
    title: 优秀人才
    cycle: {every_years: 2, first_year: 2023}
    quota: 2
    score:
      judges: {drop_highest: 1, drop_lowest: 1, min_judges: 4}
      round: {places: 2, mode: half_up}
    amount:
      - {from: 2023-01-01, value: 10000}
"""


def workbook(path, sheets: dict[str, list[list]]):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def candidates(tmp_path, names, extra_headers=(), extra=None):
    rows = [["姓名", "身份证号", *extra_headers]]
    rows += [[n, make_id(k), *((extra or {}).get(n, ()))] for k, n in enumerate(names, 1)]
    return workbook(tmp_path / "candidates.xlsx", {"候选人": rows})


@pytest.fixture
def judges_policy(tmp_path):
    path = tmp_path / "judges.yaml"
    path.write_text(JUDGES_POLICY, encoding="utf-8")
    return path


# Five judges, the highest and lowest dropped:
#   甲 90 92 88 95 80 -> drop 95 and 80 -> (90 + 92 + 88) / 3 = 90.00
#   乙 85 91 86 88 84 -> drop 91 and 84 -> (85 + 86 + 88) / 3 = 86.333… -> 86.33
#   丙 88 90 93 89 85 -> drop 93 and 85 -> (88 + 90 + 89) / 3 = 89.00
#   丁 95 90 84 87 93 -> drop 95 and 84 -> (90 + 87 + 93) / 3 = 90.00, a tie with 甲 for the first place
WIDE = [["2023 年优秀社会工作人才评审打分表"], ["序号", "姓名", "评委一", "评委二", "评委三", "评委四", "评委五", "平均分"],
        [1, "甲", 90, 92, 88, 95, 80, "=AVERAGE(C3:G3)"], [2, "乙", 85, 91, 86, 88, 84, None],
        [3, "丙", 88, 90, 93, 89, 85, None], [4, "丁", 95, 90, 84, 87, 93, None]]


def test_trimmed_mean_wide_layout_with_a_title_row_and_a_tie(tmp_path, judges_policy):
    roster = candidates(tmp_path, ["甲", "乙", "丙", "丁"])
    scores = workbook(tmp_path / "judges.xlsx", {"评分": WIDE})
    comp = run_compute(roster, judges_policy, "2023", scores=scores)
    got = comp.scores["talent"]
    assert list(got.final) == [Decimal("90.00"), Decimal("86.33"), Decimal("89.00"), Decimal("90.00")]
    (res,) = comp.outcomes
    # 甲 and 丁 tie at 90.00 for two places: both selected, the tie inside the quota; 丙 third.
    assert list(res.award.status) == ["selected", "not_selected", "not_selected", "selected"]
    assert [i.code for i in comp.roster.issues] == ["scores.columns-ignored"]  # 序号, 平均分: computed here
    marks = {m.judge: (m.value, m.dropped) for m in got.parts[0][0].marks}
    assert marks["评委四"] == (Decimal(95), "highest") and marks["评委五"] == (Decimal(80), "lowest")


def test_a_tie_across_the_last_place_stays_pending(tmp_path, judges_policy):
    # 乙 now 90 90 90 90 90 -> 90.00: 甲, 乙 and 丁 tie at 90.00 for two places: all pending.
    rows = [r[:] for r in WIDE]
    rows[3] = [2, "乙", 90, 90, 90, 90, 90, None]
    comp = run_compute(candidates(tmp_path, ["甲", "乙", "丙", "丁"]), judges_policy, "2023",
                       scores=workbook(tmp_path / "judges.xlsx", {"评分": rows}))
    assert list(comp.outcomes[0].award.status) == ["pending", "pending", "not_selected", "pending"]


def test_long_layout_gives_the_same_scores_and_locates_every_bad_mark(tmp_path, judges_policy):
    long = [["评委", "候选人", "分数"]]
    for r in WIDE[2:]:
        long += [[f"评委{cn(j + 1)}", r[1], r[2 + j]] for j in range(5)]
    long += [["评委一", "戊", 101], ["评委二", "戊", 90], ["评委三", "戊", "九十"], ["评委四", "戊", 80],
             ["评委五", "戊", 70], ["评委五", "戊", 70],  # 戊: out of range, not a number, scored twice
             ["评委一", "己", 80], ["评委二", "己", 80], ["评委三", "己", 80], ["评委四", "己", 80],  # 评委五 none
             ["评委一", "庚", 80]]  # 庚 is not on the roster
    roster = candidates(tmp_path, ["甲", "乙", "丙", "丁", "戊", "己", "辛"])
    comp = run_compute(roster, judges_policy, "2023", scores=workbook(tmp_path / "long.xlsx", {"打分": long}))
    assert list(comp.scores["talent"].final[:4]) == [Decimal("90.00"), Decimal("86.33"), Decimal("89.00"),
                                                     Decimal("90.00")]
    where = sorted((i.code, i.location.sheet, i.location.row, i.location.column) for i in comp.roster.issues)
    assert where == sorted([
        ("scores.out-of-range", "打分", 22, "分数"), ("scores.not-a-number", "打分", 24, "分数"),
        ("scores.scored-twice", "打分", 27, "分数"), ("scores.judge-missing", "打分", 28, "候选人"),
        ("scores.candidate-unknown", "打分", 32, "候选人"),
        ("scores.candidate-unscored", "候选人", 8, "姓名"),  # 辛: on the roster, scored by no one
    ])
    assert all(str(i.location.file).endswith("long.xlsx") for i in comp.roster.issues if i.code != "scores.candidate-unscored")
    assert list(comp.status[4:]) == ["error", "error", "error"]  # 戊, 己, 辛 held, never ranked on part of their marks


def test_a_judge_standing_aside_is_not_a_gap_until_too_few_are_left(tmp_path, judges_policy):
    rows = [["姓名", "评委一", "评委二", "评委三", "评委四", "评委五"],
            ["甲", 90, "回避", 80, 85, 95],  # 4 marks: drop 95 and 80 -> (90 + 85) / 2 = 87.50
            ["乙", 90, "回避", "回避", 85, 95]]  # 3 marks, fewer than min_judges 4
    comp = run_compute(candidates(tmp_path, ["甲", "乙"]), judges_policy, "2023",
                       scores=workbook(tmp_path / "j.xlsx", {"Sheet": rows}))
    assert comp.scores["talent"].final[0] == Decimal("87.50")
    (issue,) = [i for i in comp.roster.issues if i.code == "scores.too-few-judges"]
    assert (issue.location.row, issue.location.column) == (3, "姓名")


def test_records_with_points_and_a_cap(tmp_path):
    # 来信 0.1 each, at most 20; 个案 2 each; 志愿者 0.5 each, at most 10; rounded to 1 place:
    #   甲 250 letters -> 25 capped at 20; 3 cases -> 6; 4 volunteers -> 2   = 28.0
    #   乙 120 letters -> 12;              5 cases -> 10; 30 volunteers -> 15 capped at 10 = 32.0
    #   丙  37 letters -> 3.7;              0 cases;  blank volunteers -> 0  = 3.7
    roster = candidates(tmp_path, ["甲", "乙", "丙"], ("来信回复数", "个案结案数", "动员志愿者人数"),
                        {"甲": (250, 3, 4), "乙": (120, 5, 30), "丙": (37, 0, None)})
    comp = run_compute(roster, RECORDS, "2023")
    got = comp.scores["service-star"]
    assert list(got.final) == [Decimal("28.0"), Decimal("32.0"), Decimal("3.7")]
    assert list(comp.outcomes[0].award.status) == ["selected", "selected", "not_selected"]
    letters = got.parts[0][0].records[0]
    assert (letters.count, letters.points, letters.capped) == (250, Decimal(20), True)


def test_a_record_count_that_is_not_whole_is_a_problem_on_its_cell(tmp_path):
    roster = candidates(tmp_path, ["甲", "乙"], ("来信回复数", "个案结案数", "动员志愿者人数"),
                        {"甲": (12.5, 3, 4), "乙": (-1, 0, 0)})
    issues = run_check(roster, RECORDS).issues
    assert [(i.code, i.location.row, i.location.column, i.value) for i in issues] == [
        ("roster.record-not-whole", 2, "来信回复数", "12.5"), ("roster.record-not-whole", 3, "来信回复数", "-1")]


def test_two_weighted_parts_from_two_panels(tmp_path):
    # 材料评审 60%, 5 judges, highest and lowest dropped; 现场答辩 40%, 3 judges, plain mean:
    #   甲 材料 80 85 90 70 95 -> (80 + 85 + 90) / 3 = 85.00; 答辩 88 90 86 -> 88.00
    #      85.00 × 0.6 + 88.00 × 0.4 = 51.00 + 35.20 = 86.20
    #   乙 材料 90 90 91 89 60 -> (90 + 90 + 89) / 3 = 89.666… -> 89.67; 答辩 80 81 81 -> 80.666… -> 80.67
    #      89.67 × 0.6 + 80.67 × 0.4 = 53.802 + 32.268 = 86.07
    #   丙 材料 70 70 70 70 70 -> 70.00; 答辩 95 95 95 -> 95.00: 42 + 38 = 80.00
    material = [["姓名", "专家A", "专家B", "专家C", "专家D", "专家E"], ["甲", 80, 85, 90, 70, 95],
                ["乙", 90, 90, 91, 89, 60], ["丙", 70, 70, 70, 70, 70]]
    defence = [["评委", "姓名", "得分"], *[[j, "甲", s] for j, s in zip("张王李", (88, 90, 86))],
               *[[j, "乙", s] for j, s in zip("张王李", (80, 81, 81))], *[[j, "丙", 95] for j in "张王李"]]
    scores = workbook(tmp_path / "scores.xlsx", {"材料评审": material, "现场答辩": defence})
    comp = run_compute(candidates(tmp_path, ["甲", "乙", "丙"]), PARTS, "2023", scores=scores)
    got = comp.scores["talent"]
    assert list(got.final) == [Decimal("86.20"), Decimal("86.07"), Decimal("80.00")]
    assert [(p.name, p.score, p.weight) for p in got.parts[1]] == [("材料评审", Decimal("89.67"), Decimal("0.6")),
                                                                  ("现场答辩", Decimal("80.67"), Decimal("0.4"))]
    assert list(comp.outcomes[0].award.status) == ["selected", "selected", "not_selected"]


def test_the_selection_sheet_and_explain_show_every_mark(tmp_path, judges_policy):
    roster = candidates(tmp_path, ["甲", "乙", "丙", "丁"])
    scores = workbook(tmp_path / "judges.xlsx", {"评分": WIDE})
    out = tmp_path / "result.xlsx"
    result = invoke(*["compute", str(roster), "--scores", str(scores), "--policy", str(judges_policy), "--period", "2023",
                     "--out", str(out)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["评选结果"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    first = dict(zip(head, rows[1]))  # rank 1, in roster order: 甲
    assert first["姓名"] == "甲" and first["得分"] == 90
    assert (first["评委一"], first["评委四"], first["评委五"]) == (90, "95（去掉最高分）", "80（去掉最低分）")
    assert first["得分计算"] == "评委：评委一 90、评委二 92、评委三 88、评委四 95（去掉最高分）、评委五 80（去掉最低分） → 平均 90.00"
    said = run_explain(roster, judges_policy, "2023", "乙", scores=scores)
    score = said["rules"][0]["rows"][0]["score"]
    assert score["final"] == "86.33"
    assert [(j["judge"], j["score"], j["dropped"]) for j in score["parts"][0]["judges"]] == [
        ("评委一", "85", ""), ("评委二", "91", "highest"), ("评委三", "86", ""), ("评委四", "88", ""), ("评委五", "84", "lowest")]
    english = invoke(*["explain", str(roster), "--scores", str(scores), "--policy", str(judges_policy), "--period", "2023",
                      "--person", "乙", "--lang", "en"])
    assert "91 (highest, dropped)" in english.output and "mean 86.33" in english.output


def test_judges_source_without_the_sheets_is_a_usage_error(tmp_path, judges_policy):
    with pytest.raises(UsageError):
        run_compute(candidates(tmp_path, ["甲"]), judges_policy, "2023")
    result = invoke(*["compute", str(candidates(tmp_path, ["甲"])), "--policy", str(judges_policy), "--period", "2023"])
    assert result.exit_code == 2 and "请用 --scores 给出评分表文件" in result.output


def test_a_missing_sheet_is_named(tmp_path):
    scores = workbook(tmp_path / "scores.xlsx", {"材料评审": [["姓名", "甲评委"], ["甲", 90]]})
    with pytest.raises(SwtalentError) as exc:
        run_compute(candidates(tmp_path, ["甲"]), PARTS, "2023", scores=scores)
    assert [i.code for i in exc.value.issues] == ["scores.sheet-not-found"]


@pytest.mark.parametrize("value,mode,want", [
    (Fraction(259, 3), "half_up", "86.33"), (Fraction(17245, 200), "half_up", "86.23"),  # 86.225 -> 86.23
    (Fraction(17245, 200), "half_even", "86.22"), (Fraction(17245, 200), "down", "86.22"),
    (Fraction(17241, 200), "up", "86.21"), (Decimal("90"), "half_up", "90.00")])
def test_rounding_is_exact_and_as_stated(value, mode, want):
    assert str(rounded(value, Rounding(places=2, mode=mode))) == want


def test_the_jiujiang_example_from_its_judges_sheet_selects_as_the_typed_scores_do():
    # Each candidate's seven marks drop to five whose mean is their typed 评审得分, so the selection is
    # the example's under policies/jiujiang.yaml: 18 selected, three tied on 86.50 across places 19-21,
    # pending while one candidate is held (a mark typed 八十), who may take one of those places.
    comp = run_compute(ROOT / "examples" / "jiujiang-candidates.xlsx", ROOT / "policies" / "jiujiang-judges.yaml",
                       "2023", scores=ROOT / "examples" / "jiujiang-judges.xlsx")
    typed = run_compute(ROOT / "examples" / "jiujiang-candidates.xlsx", ROOT / "policies" / "jiujiang.yaml", "2023")
    assert comp.award_counts() == typed.award_counts() == {"selected": 18, "pending_tie": 0, "pending_held": 3}
    assert list(comp.outcomes[0].award.status) == list(typed.outcomes[0].award.status)
    (bad,) = [i for i in comp.roster.issues if i.code == "scores.not-a-number"]
    assert (bad.location.sheet, bad.location.row, bad.location.column, bad.value) == ("评委打分", 33, "评委一", "八十")


def test_one_judge_spelled_two_ways_is_one_judge(tmp_path, judges_policy):
    """评委 一 and 评委１ are 评委一 written with a space and a full-width digit: a mark under either
    beside 评委一's own is that judge scoring twice, never a sixth and seventh judge."""
    long = [["评委", "候选人", "分数"]]
    for r in WIDE[2:]:
        long += [[f"评委{cn(j + 1)}", r[1], r[2 + j]] for j in range(5)]
    long += [["评委 一", "甲", 99], ["评委１", "甲", 98]]
    comp = run_compute(candidates(tmp_path, ["甲", "乙", "丙", "丁"]), judges_policy, "2023",
                       scores=workbook(tmp_path / "long.xlsx", {"打分": long}))
    twice = [(i.code, i.location.row) for i in comp.roster.issues if i.code == "scores.scored-twice"]
    assert twice == [("scores.scored-twice", 22), ("scores.scored-twice", 23)]
    assert comp.scores["talent"].judges[""] == [f"评委{cn(j + 1)}" for j in range(5)]
    assert comp.status[0] == "error"  # 甲 held, not ranked on 7 marks


def test_two_columns_for_one_judge_in_the_wide_layout(tmp_path, judges_policy):
    rows = [r[:] for r in WIDE]
    rows[1] = rows[1][:7] + ["评委 一"] + rows[1][8:]  # the 平均分 column re-headed as 评委一 again
    rows[2][7] = 91
    comp = run_compute(candidates(tmp_path, ["甲", "乙", "丙", "丁"]), judges_policy, "2023",
                       scores=workbook(tmp_path / "judges.xlsx", {"评分": rows}))
    twice = [i for i in comp.roster.issues if i.code == "scores.scored-twice"]
    assert [(i.location.row, i.location.col) for i in twice] == [(3, 8)]  # 甲's second mark, in column H
    assert "另见 C3 单元格" in twice[0].message("zh")  # the judge's first column named
    # 乙 丙 丁: their empty H is nothing. 甲 held may rank first once corrected: of 2 places, 1 is
    # certain (丁, 90.00); 丙 (89.00) is pending until 甲 is settled.
    assert list(comp.outcomes[0].award.status) == ["ineligible", "not_selected", "pending_held", "selected"]


# --- two rounds: records shortlist, judges rank the shortlisted (issue 15) ----------------------------
ROUNDS = POLICIES / "award-rounds.yaml"
# Round 1, records: 来信 0.1 each, at most 20; 个案 2 each; shortlist 4:
#   甲 200 letters -> 20; 3 cases -> 6   = 26.00  1st
#   乙 150 letters -> 15; 2 cases -> 4   = 19.00  2nd
#   丙 100 letters -> 10; 4 cases -> 8   = 18.00  3rd
#   丁  80 letters ->  8; 3 cases -> 6   = 14.00  4th, tied
#   戊  60 letters ->  6; 4 cases -> 8   = 14.00  4th, tied: both through (5 shortlisted)
#   己  50 letters ->  5; 1 case  -> 2   =  7.00  6th, not shortlisted
ROUND_ONE = {"甲": (200, 3), "乙": (150, 2), "丙": (100, 4), "丁": (80, 3), "戊": (60, 4), "己": (50, 1)}
# Round 2, four judges, the highest and lowest dropped:
#   甲 80 85 90 95 -> (85 + 90) / 2 = 87.50
#   乙 90 92 94 96 -> (92 + 94) / 2 = 93.00  1st: selected
#   丙 70 75 80 85 -> (75 + 80) / 2 = 77.50
#   丁 88 90 91 99 -> (90 + 91) / 2 = 90.50  2nd: selected (shortlisted only through the tie)
#   戊 85 86 87 88 -> (86 + 87) / 2 = 86.50
ROUND_TWO = [["姓名", "评委一", "评委二", "评委三", "评委四"], ["甲", 80, 85, 90, 95], ["乙", 90, 92, 94, 96],
             ["丙", 70, 75, 80, 85], ["丁", 88, 90, 91, 99], ["戊", 85, 86, 87, 88]]


def rounds_roster(tmp_path, one=ROUND_ONE):
    return candidates(tmp_path, list(one), ("来信回复数", "个案结案数"), {n: v for n, v in one.items()})


def test_two_rounds_a_tie_at_the_shortlists_last_place_goes_through(tmp_path):
    comp = run_compute(rounds_roster(tmp_path), ROUNDS, "2023",
                       scores=workbook(tmp_path / "j.xlsx", {"第二轮": ROUND_TWO}))
    got = comp.scores["two-rounds"]
    assert [p[0].score for p in got.parts] == [Decimal(v) for v in ("26.00", "19.00", "18.00", "14.00", "14.00",
                                                                     "7.00")]
    assert list(got.shortlist) == ["in", "in", "in", "in", "in", "out"]
    assert list(got.final) == [Decimal("87.50"), Decimal("93.00"), Decimal("77.50"), Decimal("90.50"),
                               Decimal("86.50"), None]
    (res,) = comp.outcomes
    assert list(res.award.status) == ["not_selected", "selected", "not_selected", "selected", "not_selected",
                                      "ineligible"]
    assert res.reason[5] == "award.not_shortlisted"
    assert comp.roster.issues == []  # 己, not shortlisted, is absent from the judges' sheet: no problem
    assert list(comp.status) == ["ineligible", "paid", "ineligible", "paid", "ineligible", "ineligible"]


def test_two_rounds_a_mark_for_someone_not_shortlisted_is_a_warning(tmp_path):
    rows = ROUND_TWO + [["己", 99, 99, 99, 99]]
    comp = run_compute(rounds_roster(tmp_path), ROUNDS, "2023", scores=workbook(tmp_path / "j.xlsx", {"打分": rows}))
    (issue,) = comp.roster.issues
    assert (issue.code, issue.severity, issue.location.row, issue.value) == ("scores.not-shortlisted", "warning", 7, "己")
    assert comp.scores["two-rounds"].final[5] is None and comp.status[5] == "ineligible"


def test_two_rounds_a_shortlisted_candidate_without_marks_is_held(tmp_path):
    rows = [r for r in ROUND_TWO if r[0] != "丁"]
    comp = run_compute(rounds_roster(tmp_path), ROUNDS, "2023", scores=workbook(tmp_path / "j.xlsx", {"打分": rows}))
    assert [i.code for i in comp.roster.issues] == ["scores.candidate-unscored"]
    # 丁 held: one place may be theirs once marked. 乙 93.00 ranks first, but with one held and a
    # quota of 2 only 1 place is certain: 乙 selected; 甲 87.50 for the last place pending (待定).
    (res,) = comp.outcomes
    assert comp.status[3] == "error"
    assert list(res.award.status[[1, 0, 4, 2]]) == ["selected", "pending_held", "not_selected", "not_selected"]


def test_two_rounds_a_candidate_held_in_round_one_keeps_the_shortlists_last_places_open(tmp_path):
    # 己's case count 1.5 is not whole: held, and once corrected may rank anywhere in round 1. With
    # one held, places 1-3 (甲 0, 乙 1, 丙 2 ranked above, +1 held < 4) are certain; 丁 and 戊 (3
    # above, +1 held = 4) may be pushed off: 入围待定, judged but not ranked, their places kept open.
    # Held for the final: 己, 丁, 戊 = 3 people against a quota of 2: no place is certain, so 乙 (93.00)
    # and 甲 (87.50) are pending_held for the 2 places, 丙 ranked outside them.
    one = {**ROUND_ONE, "己": (50, 1.5)}
    comp = run_compute(rounds_roster(tmp_path, one), ROUNDS, "2023",
                       scores=workbook(tmp_path / "j.xlsx", {"打分": ROUND_TWO}))
    got, (res,) = comp.scores["two-rounds"], comp.outcomes
    assert list(got.shortlist) == ["in", "in", "in", "pending", "pending", ""]
    assert list(res.award.status) == ["pending_held", "pending_held", "not_selected", "pending_held", "pending_held",
                                      "ineligible"]
    assert list(res.reason[3:5]) == ["award.shortlist_pending"] * 2
    assert [(i.code, i.location.row) for i in comp.roster.issues] == [("roster.record-not-whole", 7)]
    assert comp.status[5] == "error"


def test_two_rounds_on_the_sheet_and_in_explain(tmp_path):
    out = tmp_path / "out.xlsx"
    roster = rounds_roster(tmp_path)
    judges = workbook(tmp_path / "j.xlsx", {"第二轮": ROUND_TWO})
    result = invoke(*["compute", str(roster), "--scores", str(judges), "--policy", str(ROUNDS), "--period", "2023",
                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["评选结果"]
    head = [c.value for c in ws[1]]
    first, mark, second = head.index("第一轮得分"), head.index("第二轮·评委一"), head.index("第二轮得分")
    assert first < head.index("是否入围") < mark < second
    rows = {r[head.index("姓名")]: r for r in ws.iter_rows(min_row=2, values_only=True) if r[head.index("姓名")]}
    assert (rows["己"][first], rows["己"][head.index("是否入围")], rows["己"][second]) == (7, "未入围", None)
    assert (rows["丁"][first], rows["丁"][head.index("是否入围")], rows["丁"][second]) == (14, "入围", 90.5)
    got = run_explain(roster, ROUNDS, "2023", "丁", scores=judges)
    score = got["rules"][0]["rows"][0]["score"]
    assert (score["final"], score["shortlist"], [p["round"] for p in score["parts"]]) == ("90.50", "入围", [1, 2])
    assert "第一轮" in score["text"] and "平均 90.50" in score["text"]
    missed = run_explain(roster, ROUNDS, "2023", "己", scores=judges)["rules"][0]["rows"][0]["score"]
    assert (missed["final"], missed["shortlist"]) == (None, "未入围")


def test_two_rounds_in_english(tmp_path):
    # The held-in-round-1 case above: 丁 is 入围待定 (shortlist pending), its status pending_held.
    roster = rounds_roster(tmp_path, {**ROUND_ONE, "己": (50, 1.5)})
    judges = workbook(tmp_path / "j.xlsx", {"打分": ROUND_TWO})
    said = invoke(*["explain", str(roster), "--scores", str(judges), "--policy", str(ROUNDS), "--period", "2023",
                    "--person", "丁", "--lang", "en"])
    assert said.exit_code == 0, said.output
    flat = " ".join(said.output.split())
    assert "round 1:" in flat and "round 2:" in flat and "mean 90.50" in flat
    assert "pending (a held candidate may take the place)" in flat and "shortlist pending:" in flat
