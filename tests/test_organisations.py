"""Organisations as candidates (issue 15, candidates: organisations): a roster keyed by the unified
social credit code (GB 32100), checked as python-stdnum checks it; the shipped 十佳社工站 example
(made-up city, illustrative figures) reproduced by hand, a cap and the tie at the tenth place
included; the payroll, notice list, 评选结果 and explain naming the organisation."""
from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
import openpyxl
import pytest
from stdnum.cn import uscc

from swtalent.api import run_check, run_compute, run_explain
from swtalent.errors import SwtalentError
from swtalent.policy import load_policy
from swtalent.roster.codes import ALPHABET, check_character, check_codes

from .conftest import ROOT
from .test_check import STATION_CODE, STATION_HEADERS, book, station
from .test_cli import invoke

YUNXI = ROOT / "policies" / "yunxi-stations.yaml"
EXAMPLE = ROOT / "examples" / "yunxi-stations.xlsx"


def test_the_check_character_is_python_stdnums_over_a_whole_column():
    rng = random.Random(15)
    bodies = [f"{rng.choice('159')}{rng.choice('123')}{rng.randint(110000, 659999)}"
              + "".join(rng.choice(ALPHABET) for _ in range(9)) for _ in range(3000)]
    right = [b + uscc.calc_check_digit(b) for b in bodies]
    wrong = [b + ALPHABET[(ALPHABET.index(uscc.calc_check_digit(b)) + 1 + k % 30) % 31] for k, b in enumerate(bodies)]
    found = check_codes(np.array(right + wrong + ["", "91110000600037341", "91110000600O37341L"], dtype=object))
    assert list(found.checksum_ok) == [uscc.is_valid(c) for c in right + wrong] + [False] * 3
    assert found.checksum_ok[:3000].all() and not found.checksum_ok[3000:].any()
    assert list(found.expected[3000:3010]) == [uscc.calc_check_digit(b) for b in bodies[:10]]
    assert list(found.shaped[-3:]) == [False, False, False] and found.length[-2] == 17
    assert check_character("91110000600037341") == "L" == uscc.calc_check_digit("91110000600037341")


def _stations(tmp_path, rows, headers=STATION_HEADERS):
    return book(tmp_path, rows, headers)


def test_a_code_as_clerks_write_it_is_read_and_each_bad_one_is_held_on_its_cell(tmp_path):
    rows = [station(1, " 52369901-mj0001001u "),  # spaces, a hyphen, lower case: the same valid code
            station(2, STATION_CODE),  # the same code again: a duplicate of row 2
            station(3, STATION_CODE[:-1] + "0"),  # check character wrong: U expected
            station(4, "52369901MJ0001001")]  # 17 characters
    roster = run_check(_stations(tmp_path, rows), YUNXI)
    said = [(i.code, i.location.row, i.location.column) for i in roster.issues if i.severity == "error"]
    assert said == [("roster.duplicate", 3, "统一社会信用代码"), ("roster.code-checksum", 4, "统一社会信用代码"),
                    ("roster.code-format", 5, "统一社会信用代码")]
    assert roster.frame["person_id"].iat[0] == STATION_CODE
    checksum = next(i for i in roster.issues if i.code == "roster.code-checksum")
    assert "应为 U" in checksum.message("zh") and "should be U" in checksum.message("en")
    duplicate = next(i for i in roster.issues if i.code == "roster.duplicate")
    assert "同一统一社会信用代码" in duplicate.message("zh")
    assert list(roster.frame["error"]) == [False, True, True, True]


def test_a_persons_headers_do_not_key_an_organisations_roster(tmp_path):
    headers = ["姓名", "身份证号", *STATION_HEADERS[2:]]
    with pytest.raises(SwtalentError) as refused:
        run_check(_stations(tmp_path, [station(1)], headers), YUNXI)
    (issue,) = refused.value.issues  # no column is the key, and the message names the one it looks for
    assert issue.code == "roster.header-not-found" and "「统一社会信用代码」" in issue.message("zh")
    # A code column beside a person's name: the name of the organisation is what is missing.
    headers = ["姓名", "统一社会信用代码", *STATION_HEADERS[2:]]
    with pytest.raises(SwtalentError) as refused:
        run_check(_stations(tmp_path, [station(1)], headers), YUNXI)
    (missing,) = [dict(i.params) for i in refused.value.issues if i.code == "roster.column-missing"]
    assert missing["column"] == "机构名称" and "社工站名称" in missing["aliases"]


@pytest.mark.parametrize("code_header,name_header", [("信用代码", "单位名称"), ("社会信用代码", "站点名称"),
                                                      ("机构代码", "机构名称"), ("统一社会信用代码（18位）", "社工站")])
def test_every_common_header_spelling_is_read(tmp_path, code_header, name_header):
    headers = [name_header, code_header, *STATION_HEADERS[2:]]
    roster = run_check(_stations(tmp_path, [station(1)], headers), YUNXI)
    assert not [i for i in roster.issues if i.severity == "error"]
    assert (roster.frame["name"].iat[0], roster.frame["person_id"].iat[0]) == ("第一社工站", STATION_CODE)


def test_a_policy_for_organisations_has_awards_only_and_no_levels(tmp_path):
    assert load_policy(YUNXI).organisations and not load_policy(YUNXI).levels
    people = YUNXI.read_text(encoding="utf-8").replace("candidates: organisations\n", "")
    path = tmp_path / "people.yaml"
    path.write_text(people, encoding="utf-8")
    with pytest.raises(SwtalentError) as refused:
        load_policy(path)  # a policy for people without levels
    assert [(i.code, dict(i.params)["key"]) for i in refused.value.issues] == [("policy.missing-key", "levels")]


# The shipped example, worked by hand (points: 来信 0.1 each ≤ 20, 一对一 0.5 ≤ 30, 小组 2 ≤ 20,
# 个案 1 ≤ 20, 督导 0.2 an hour ≤ 10; the total rounded to one place):
#   the station of 753 letters, 115 pupils, 13 groups, 8 cases, 36 hours:
#     753 × 0.1 = 75.3 → capped at 20; 115 × 0.5 = 57.5 → 30; 13 × 2 = 26 → 20; 8 × 1 = 8; 36 × 0.2 = 7.2
#     20 + 30 + 20 + 8 + 7.2 = 85.2, second of 30 (behind 93.0)
#   the station of 124 letters, 50 pupils, 7 groups, 15 cases, 20 hours:
#     12.4 + 25 + 14 + 15 + 4.0 = 70.4, no cap reached; level with the station of
#     200 letters, 40 pupils, 5 groups, 16 cases, 22 hours: 20 (200 × 0.1 = 20, at the cap, not over it)
#     + 20 + 10 + 16 + 4.4 = 70.4. Nine stations score above 70.4 (93.0 … 71.3): the two share the tenth
#     place of ten, and the engine never breaks a tie the policy does not break: both are pending
#     (同分待定), nine are selected, the tenth place waits for the committee.
def test_the_ten_best_stations_example_reproduces_the_hand_arithmetic():
    comp = run_compute(EXAMPLE, YUNXI, "2024")
    frame, got = comp.roster.frame, comp.scores["ten-best-stations"]
    assert len(frame) == 30 and not frame["error"].any()
    records = frame[["letters", "one_to_one", "groups", "cases", "supervision"]].astype(int).to_numpy().tolist()
    capped = records.index([753, 115, 13, 8, 36])
    tied = [records.index([124, 50, 7, 15, 20]), records.index([200, 40, 5, 16, 22])]
    assert got.final[capped] == Decimal("85.2")
    parts = got.parts[capped][0].records
    assert [(r.points, r.capped) for r in parts] == [(Decimal(20), True), (Decimal(30), True), (Decimal(20), True),
                                                    (Decimal(8), False), (Decimal("7.2"), False)]
    assert [got.final[i] for i in tied] == [Decimal("70.4"), Decimal("70.4")]
    assert [r.capped for r in got.parts[tied[1]][0].records] == [False] * 5  # 20 is the cap, not past it
    award = comp.outcomes[0].award
    assert comp.award_counts() == {"selected": 9, "pending_tie": 2}
    assert [award.status[i] for i in tied] == ["pending", "pending"] and award.status[capped] == "selected"
    assert [int(award.rank[i]) for i in tied] == [10, 10]
    above = sorted((s for s in got.final if s > Decimal("70.4")), reverse=True)
    assert len(above) == 9 and above[0] == Decimal("93.0") and above[-1] == Decimal("71.3")
    assert int(comp.outcomes[0].amount_fen.sum()) == 9 * 30000 * 100


def test_payroll_notice_selection_and_explain_name_the_organisation(tmp_path):
    out, notice = tmp_path / "result.xlsx", tmp_path / "notice.xlsx"
    result = invoke("compute", str(EXAMPLE), "--policy", str(YUNXI), "--period", "2024", "--out", str(out),
                    "--notice", str(notice))
    assert result.exit_code == 0, result.output
    source = {r[3]: r for r in openpyxl.load_workbook(EXAMPLE)["社工站"].iter_rows(min_row=3, values_only=True)}
    book_ = openpyxl.load_workbook(out)
    pay = list(book_["发放花名册（评选）"].iter_rows(values_only=True))
    head = pay[2]
    assert head[:4] == ("序号", "机构名称", "统一社会信用代码", "法定代表人")
    assert {"账户名称", "银行账号", "开户行"} <= set(head) and "姓名" not in head and "身份证号" not in head
    first = dict(zip(head, pay[3]))
    row = source[first["统一社会信用代码"]]  # the code in full, as the roster has it
    assert (first["机构名称"], first["法定代表人"], first["账户名称"], first["银行账号"]) == (row[2], row[4], row[10], row[11])
    selection = list(book_["评选结果"].iter_rows(values_only=True))
    assert selection[0][1:3] == ("机构名称", "统一社会信用代码")
    listed = list(openpyxl.load_workbook(notice).active.iter_rows(values_only=True))
    assert listed[0][0].startswith("云溪市十佳社工站") and "人才补贴" not in listed[0][0]  # the item's own name
    assert "工作领域" not in selection[0]  # a column stations do not have is not printed empty
    header = next(r for r in listed if r and r[0] == "序号")
    assert header[:4] == ("序号", "机构名称", "统一社会信用代码", "法定代表人")
    assert not {"账户名称", "银行账号", "开户行"} & set(header)
    codes = [r[2] for r in listed[listed.index(header) + 1:] if r and isinstance(r[0], (int, float))]
    assert len(codes) == 9 and all(c in source for c in codes)  # published in full: public information
    text = "\n".join(str(c) for r in listed for c in r if c is not None)
    assert not any(str(r[11]) in text for r in source.values())  # no account anywhere on the notice
    english = invoke("compute", str(EXAMPLE), "--policy", str(YUNXI), "--period", "2024", "--lang", "en", "--out",
                     str(tmp_path / "en.xlsx"))
    assert english.exit_code == 0
    head_en = list(openpyxl.load_workbook(tmp_path / "en.xlsx")["Payroll (award)"].iter_rows(values_only=True))[2]
    assert head_en[1:4] == ("Organisation", "Unified social credit code", "Legal representative")
    # explain by code and by name
    by_code = run_explain(EXAMPLE, YUNXI, "2024", first["统一社会信用代码"].lower())
    by_name = run_explain(EXAMPLE, YUNXI, "2024", first["机构名称"])
    assert by_code["person_id"] == by_name["person_id"] == first["统一社会信用代码"]
    assert by_code["rules"][0]["rows"][0]["score"]["final"] == by_name["rules"][0]["rows"][0]["score"]["final"]


def test_an_organisations_judges_sheet_names_them_by_code_or_name(tmp_path):
    policy = YUNXI.read_text(encoding="utf-8").split("fields:")[0] + """\
rules:
  - id: best-agency
    kind: award
    title: 优秀社工机构
    clause: 示例
    cycle: {every_years: 1, first_year: 2024}
    quota: 1
    score:
      judges: {drop_highest: 1, drop_lowest: 1, min_judges: 3}
    amount:
      - {from: 2024-01-01, value: 20000}
"""
    path = tmp_path / "agencies.yaml"
    path.write_text(policy, encoding="utf-8")
    second = "52369901MJ0001002" + check_character("52369901MJ0001002")
    roster = book(tmp_path, [["甲机构", STATION_CODE, "张三"], ["乙机构", second, "李四"]], ["机构名称", "统一社会信用代码", "法定代表人"])
    # 甲 80 90 85 → 85.00; 乙 70 95 75 → 75.00; the 法定代表人 column is no judge
    sheet = tmp_path / "judges.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in (["统一社会信用代码", "法定代表人", "评委一", "评委二", "评委三"], [STATION_CODE, "张三", 80, 90, 85],
              [second, "李四", 70, 95, 75]):
        ws.append(r)
    wb.save(sheet)
    comp = run_compute(roster, path, "2024", scores=sheet)
    assert list(comp.scores["best-agency"].final) == [Decimal("85.00"), Decimal("75.00")]
    assert list(comp.outcomes[0].award.status) == ["selected", "not_selected"]
