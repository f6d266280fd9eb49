"""Issue 12, item 5: one-off variants — the first certificate only (upgrade: first_only), a window
closed at both ends (qualified_until), and amounts that differ by district or another text column
(amounts_by) for one-off, monthly and yearly rules. Real policy files and real roster workbooks."""
from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from swtalent.api import run_compute
from swtalent.engine import outcome as o
from swtalent.errors import SwtalentError
from swtalent.policy import load_policy, validate_policy
from swtalent.reports.explain import explain, find_person
from swtalent.reports.files import write_outputs
from swtalent.reports.reasons import ineligible_reasons, line_details

from .conftest import HEADERS, ROOT, cn, make_id
from .conftest import person as roster_row
from .test_cli import invoke
from .test_policy import line_of

QINGLAN = ROOT / "policies" / "qinglan.yaml"

HEAD = """id: variants
city: 测试市
title: 测试政策
source: 测试
in_force_from: 2024-01-01
levels:
  assistant: {name: 助理社会工作师, aliases: [助理]}
  intermediate: {name: 社会工作师, aliases: [中级]}
  senior: {name: 高级社会工作师, aliases: [高级]}
"""

ONE_OFF = """rules:
  - id: subsidy
    kind: one_off
    title: 一次性补助
    clause: 测试
    upgrade: {upgrade}
{extra}    amounts:
      assistant: [{{from: 2024-01-01, value: 1000}}]
      intermediate: [{{from: 2024-01-01, value: 2000}}]
      senior: [{{from: 2024-01-01, value: 3000}}]
"""

DISTRICTS = """    amounts_by:
      field: district
      values:
        北山县:
          assistant: [{from: 2024-01-01, value: 1500}]
          intermediate: [{from: 2024-01-01, value: 3000}]
        "云台县（山区）":
          assistant: [{from: 2024-01-01, value: 1800}]
      aliases: {北山县: [北山]}
"""


def person(seq: int = 1, **kw) -> list:
    """A roster row as conftest's, qualified in 2024 (the test policies are in force from 2024)."""
    return roster_row(seq, **{"qualified": date(2024, 3, 15), **kw})


def policy_file(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def one_off(tmp_path: Path, upgrade: str = "full_amount", extra: str = "", table: str = "") -> Path:
    return policy_file(tmp_path, HEAD + ONE_OFF.format(upgrade=upgrade, extra=extra) + table)


def paid(comp, rule: str = "subsidy") -> dict[int, str]:
    """{sheet row: yuan} of a rule's lines."""
    lines = comp.lines[(comp.lines["rule_id"] == rule).to_numpy()]
    return {int(r): f"{a / 100:.2f}" for r, a in zip(lines["row"], lines["amount_fen"])}


def reason_of(comp, row: int, rule: int = 0) -> str:
    pos = int((comp.roster.frame["row"] == row).to_numpy().nonzero()[0][0])
    return comp.outcomes[rule].reason[pos]


def write_previous(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """A --previous file: (person_id, rule_id, level, amount yuan)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["person_id", "rule_id", "level", "amount", "年度"])
        out.writerows([(*r, 2024) for r in rows])
    return path


# --- upgrade: first_only ---------------------------------------------------------------------------

def test_first_only_pays_the_earliest_certificate_and_says_why_not_the_upgrade(roster, tmp_path):
    policy = one_off(tmp_path, "first_only")
    pid = make_id(7)
    rows = [person(1, pid=pid, level="社会工作师", qualified=date(2024, 9, 1)),  # listed first, obtained later
            person(1, pid=pid, level="助理社会工作师", qualified=date(2024, 3, 15)),
            person(3, level="社会工作师", qualified=date(2024, 9, 1))]  # someone else: not affected
    comp = run_compute(roster(rows), policy, "2024")
    assert paid(comp) == {3: "1000.00", 4: "2000.00"}
    assert reason_of(comp, 2) == o.ONE_OFF_NOT_FIRST
    zh, en = ineligible_reasons(comp, "zh"), ineligible_reasons(comp, "en")
    assert zh.iat[0] == "一次性补助：每人只补助首张证书：本人首张为 2024-03-15 取得的助理社会工作师，本证书不再补助"
    assert en.iat[0] == ("一次性补助: only a person's first certificate is paid: this person's first is 助理社会工作师 "
                         "of 2024-03-15; this one is not paid")


def test_first_only_on_one_date_pays_the_lower_level(roster, tmp_path):
    policy = one_off(tmp_path, "first_only")
    pid = make_id(8)
    rows = [person(1, pid=pid, level="高级社会工作师", qualified=date(2024, 5, 1)),
            person(1, pid=pid, level="社会工作师", qualified=date(2024, 5, 1))]
    comp = run_compute(roster(rows), policy, "2024")
    assert paid(comp) == {3: "2000.00"}
    assert reason_of(comp, 2) == o.ONE_OFF_NOT_FIRST


def test_first_only_the_first_may_be_due_in_an_earlier_period(roster, tmp_path):
    """The 2025 roster lists both certificates: the 2024 one was the first (due in 2024), so the
    2025 upgrade pays nothing, even with no earlier payments given."""
    policy = one_off(tmp_path, "first_only")
    pid = make_id(9)
    rows = [person(1, pid=pid, level="助理社会工作师", qualified=date(2024, 3, 1)),
            person(1, pid=pid, level="社会工作师", qualified=date(2025, 6, 1))]
    comp = run_compute(roster(rows), policy, "2025")
    assert paid(comp) == {}
    assert reason_of(comp, 2) == o.ONE_OFF_EARLIER_PERIOD and reason_of(comp, 3) == o.ONE_OFF_NOT_FIRST
    assert run_compute(roster(rows), one_off(tmp_path, "full_amount"), "2025").total_fen == 200000  # without it


def test_first_only_a_certificate_the_rule_never_paid_does_not_use_the_one_payment(roster, tmp_path):
    """Before qualified_from, failing a condition, or a level paying 0: not under the rule."""
    policy = one_off(tmp_path, "first_only", extra="    qualified_from: 2024-06-01\n    conditions:\n"
                     "      - {field: category, op: in, values: [社区工作人员]}\n")
    a, b = make_id(10), make_id(11)
    rows = [person(1, pid=a, level="助理社会工作师", qualified=date(2024, 3, 1)),  # before qualified_from
            person(1, pid=a, level="社会工作师", qualified=date(2024, 8, 1)),
            person(2, pid=b, level="助理社会工作师", qualified=date(2024, 7, 1), category="志愿者"),
            person(2, pid=b, level="社会工作师", qualified=date(2024, 8, 1), category="志愿者"),
            person(3, level="助理社会工作师", qualified=date(2024, 7, 1))]
    comp = run_compute(roster(rows), policy, "2024")
    assert paid(comp) == {3: "2000.00", 6: "1000.00"}
    assert [reason_of(comp, r) for r in (2, 4, 5)] == [o.ONE_OFF_BEFORE_FROM, o.CONDITION, o.CONDITION]


def test_first_only_reads_earlier_payments_from_previous(roster, tmp_path):
    policy = one_off(tmp_path, "first_only")
    a, b, c = make_id(12), make_id(13), make_id(14)
    previous = write_previous(tmp_path / "previous.csv", [(a, "subsidy", "assistant", "1000"),
                                                          (b, "other-rule", "assistant", "1000")])
    rows = [person(1, pid=a, level="社会工作师", qualified=date(2025, 4, 1)),
            person(2, pid=b, level="社会工作师", qualified=date(2025, 4, 1)),
            person(3, pid=c, level="社会工作师", qualified=date(2025, 4, 1))]
    comp = run_compute(roster(rows), policy, "2025", previous=previous)
    assert paid(comp) == {3: "2000.00", 4: "2000.00"}  # another rule's payment does not count
    assert reason_of(comp, 2) == o.ONE_OFF_PAID_ONCE
    assert ineligible_reasons(comp, "zh").iat[0] == (
        "一次性补助：每人只补助首张证书，本规则此前已补助过本人（往期发放记录），本证书不再补助")
    assert load_policy(policy).history_rules() == [load_policy(policy).rules[0]]


def test_first_only_reads_the_ledger(tmp_path):
    """2024 pays the 助理 certificate and is committed; the 2025 roster lists only the new 社会工作师
    certificate: the ledger's history says the one payment is made."""
    policy = one_off(tmp_path, "first_only")
    ledger = f"sqlite:///{tmp_path}/ledger.db"
    pid = make_id(15)
    from .conftest import write_roster

    first = write_roster(tmp_path / "2024.xlsx", [person(1, pid=pid, qualified=date(2024, 3, 1))])
    second = write_roster(tmp_path / "2025.xlsx", [person(1, pid=pid, level="社会工作师", qualified=date(2025, 6, 1)),
                                                   person(2, level="社会工作师", qualified=date(2025, 6, 1))])
    for roster_file, period, total in ((first, "2024", "1000.00"), (second, "2025", "2000.00")):
        result = invoke("compute", roster_file, "--policy", policy, "--period", period, "--ledger", ledger, "--json",
                        "--commit", "--out", tmp_path / f"{period}.csv")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["total"] == total
    explained = invoke("explain", second, "--policy", policy, "--period", "2025", "--ledger", ledger,
                       "--person", pid, "--json")
    assert explained.exit_code == 0 and "此前已补助过本人" in explained.stdout


def test_first_only_a_lower_certificate_found_later_pays_nothing_and_the_paid_one_names_its_batch(tmp_path):
    """The ledger paid the 社会工作师 certificate; a corrected roster of the same year adds an earlier
    助理 one. The 助理 one is now the first, but the one payment is made: nothing more is paid, and
    the row paid says by which batch, not that it is an upgrade."""
    from .conftest import write_roster

    policy = one_off(tmp_path, "first_only")
    ledger = f"sqlite:///{tmp_path}/ledger.db"
    pid = make_id(16)
    paid_row = person(1, pid=pid, level="社会工作师", qualified=date(2024, 9, 1))
    first = write_roster(tmp_path / "first.xlsx", [paid_row])
    again = write_roster(tmp_path / "again.xlsx", [paid_row, person(1, pid=pid, qualified=date(2024, 3, 1))])
    result = invoke("compute", first, "--policy", policy, "--period", "2024", "--ledger", ledger, "--json",
                    "--commit", "--out", tmp_path / "first.csv")
    assert result.exit_code == 0 and json.loads(result.stdout)["total"] == "2000.00", result.output
    comp = run_compute(again, policy, "2024", ledger=_open(ledger))
    assert comp.total_fen == 0
    assert [reason_of(comp, 2), reason_of(comp, 3)] == [o.LEDGER_PAID, o.ONE_OFF_PAID_ONCE]


def _open(url: str):
    from swtalent.ledger import open_ledger

    return open_ledger(url)


# --- qualified_until --------------------------------------------------------------------------------

def test_qualified_until_closes_the_window_inclusively(roster, tmp_path):
    policy = one_off(tmp_path, extra="    qualified_until: 2024-06-30\n")
    rows = [person(1, qualified=date(2024, 6, 30)), person(2, qualified=date(2024, 7, 1))]
    comp = run_compute(roster(rows), policy, "2024")
    assert paid(comp) == {2: "1000.00"}
    assert reason_of(comp, 3) == o.ONE_OFF_AFTER_UNTIL
    assert ineligible_reasons(comp, "zh").iat[0] == "一次性补助：取证日期 2024-07-01 晚于 2024-06-30，该日期后取得的证书不补助"
    assert "qualified on 2024-07-01, after 2024-06-30" in ineligible_reasons(comp, "en").iat[0]


@pytest.mark.parametrize("extra,since_key", [
    ("    qualified_from: 2024-06-01\n    qualified_until: 2024-05-31\n", "qualified_from"),
    ("    qualified_until: 2023-12-31\n", "in_force_from"),
])
def test_qualified_until_before_the_window_opens_is_an_error_at_the_key(tmp_path, extra, since_key):
    path = one_off(tmp_path, extra=extra)
    text = path.read_text(encoding="utf-8")
    with pytest.raises(SwtalentError) as exc:
        load_policy(path)
    (issue,) = exc.value.issues
    assert issue.code == "policy.until-before-from"
    assert (issue.location.line, issue.location.col) == line_of(text, "qualified_until")
    assert since_key in issue.render("zh") and since_key in issue.render("en")
    # The same day at both ends is a window of one day, not a mistake.
    same = one_off(tmp_path, extra="    qualified_from: 2024-06-01\n    qualified_until: 2024-06-01\n")
    assert load_policy(same).rules[0].qualified_until == date(2024, 6, 1)


# --- amounts_by ----------------------------------------------------------------------------------

def test_one_off_amounts_by_district(roster, tmp_path):
    policy = one_off(tmp_path, table=DISTRICTS)
    rows = [person(1, district="北山县"), person(2, district="北山"),  # an alias
            person(3, district="云台县(山区)"),  # half-width brackets match the policy's full-width ones
            person(4, district="城关区"), person(5, district=""),  # not in the table, blank: the default
            person(6, district="云台县（山区）", level="社会工作师"),  # the entry lists no 社会工作师: the default
            person(7, district="北山县", level="高级社会工作师")]
    comp = run_compute(roster(rows), policy, "2024")
    assert paid(comp) == {2: "1500.00", 3: "1500.00", 4: "1800.00", 5: "1000.00", 6: "1000.00", 7: "2000.00",
                          8: "3000.00"}
    details = list(line_details(comp, "zh"))
    assert details[0] == "取证日期 2024-03-15，一次性 1500元，按区县「北山县」标准"
    assert details[2] == "取证日期 2024-03-15，一次性 1800元，按区县「云台县（山区）」标准"
    assert details[3] == details[4] == "取证日期 2024-03-15，一次性 1000元，按一般标准"
    assert details[5].endswith("按一般标准")
    assert list(line_details(comp, "en"))[0].endswith("; at the rate for district 北山县")


def test_amounts_by_unit_for_a_monthly_rule_with_a_dated_change_in_the_table(roster, tmp_path):
    policy = policy_file(tmp_path, HEAD + """rules:
  - id: allowance
    kind: monthly
    title: 岗位补贴
    clause: 测试
    first_month: after_qualifying
    leaving_month: paid
    blank_hire_date: in_post
    rate: highest_level_held
    amounts:
      assistant: [{from: 2024-01-01, value: 200}]
      intermediate: [{from: 2024-01-01, value: 400}]
      senior: [{from: 2024-01-01, value: 1000}]
    amounts_by:
      field: unit
      values:
        青山街道:
          assistant:
            - {from: 2024-01-01, value: 300}
            - {from: 2024-07-01, value: 350}
""")
    headers = [*HEADERS, "工作单位"]
    pid = make_id(20)
    rows = [person(1, qualified=date(2023, 5, 1)) + ["青山街道"],
            person(2, qualified=date(2023, 5, 1)) + ["绿水社区"],
            person(3, pid=pid, qualified=date(2023, 5, 1)) + ["青山街道"],
            person(3, pid=pid, level="社会工作师", qualified=date(2024, 9, 10)) + ["青山街道"]]
    comp = run_compute(roster(rows, headers=headers), policy, "2024")
    assert paid(comp, "allowance") == {2: "3900.00", 3: "2400.00", 4: "2850.00", 5: "1200.00"}
    details = list(line_details(comp, "zh"))
    assert details[0] == "300元 × 6个月（2024-01..2024-06）+ 350元 × 6个月（2024-07..2024-12），按工作单位「青山街道」标准"
    assert details[1] == "200元 × 12个月（2024-01..2024-12），按一般标准"
    assert details[3] == "400元 × 3个月（2024-10..2024-12），按一般标准"  # the entry has no 社会工作师
    e = explain(comp, find_person(comp, pid), "zh")
    (rule,) = e["rules"]
    assert [m["why"] for m in rule["rows"][0]["months"]] == ["按 300 元发放", "按 350 元发放", "按本人更高等级证书发放"]
    assert rule["rows"][0]["amount_table"]["text"] == "工作单位「青山街道」：按金额表中「青山街道」的标准"
    assert rule["rows"][1]["amount_table"]["text"] == "工作单位「青山街道」：金额表中「青山街道」未列本等级，按一般标准"


def test_amounts_by_for_a_yearly_rule(roster, tmp_path):
    policy = policy_file(tmp_path, HEAD + """rules:
  - id: yearly
    kind: yearly
    title: 年度补贴
    clause: 测试
    amounts:
      assistant: [{from: 2024-01-01, value: 5000}]
      intermediate: [{from: 2024-01-01, value: 8000}]
      senior: [{from: 2024-01-01, value: 10000}]
    amounts_by:
      field: district
      values:
        北山县:
          intermediate: [{from: 2024-01-01, value: 9000}]
""")
    rows = [person(1, district="北山县", level="社会工作师", qualified=date(2023, 1, 1)),
            person(2, district="北山县", qualified=date(2023, 1, 1)),
            person(3, district="城关区", level="社会工作师", qualified=date(2023, 1, 1))]
    comp = run_compute(roster(rows), policy, "2024")
    assert paid(comp, "yearly") == {2: "9000.00", 3: "5000.00", 4: "8000.00"}
    assert list(line_details(comp, "zh"))[0] == "2024 年度 9000元，按区县「北山县」标准"


def test_the_table_column_is_required(roster, tmp_path):
    policy = one_off(tmp_path, table=DISTRICTS)
    assert "district" in load_policy(policy).required_fields()
    headers = HEADERS[:-1]
    with pytest.raises(SwtalentError) as exc:
        run_compute(roster([person(1)[:-1]], headers=headers), policy, "2024")
    assert [i.code for i in exc.value.issues] == ["roster.column-missing"]


def test_the_lookup_is_per_distinct_value_not_per_row(roster, tmp_path, monkeypatch):
    """Many rows, few districts: the table is consulted once per distinct district."""
    from swtalent.policy.model import AmountsBy

    policy = one_off(tmp_path, table=DISTRICTS)
    rows = [person(i, district=("北山县", "城关区", "云台县（山区）")[i % 3], pid=make_id(i)) for i in range(1, 301)]
    path = roster(rows)
    calls = []
    original = AmountsBy.lookup
    monkeypatch.setattr(AmountsBy, "lookup", lambda self: calls.append(1) or original(self))
    comp = run_compute(path, policy, "2024")
    assert comp.total_fen == 100 * (150000 + 100000 + 180000)
    assert len(calls) <= 2  # one table: looked up once, however many rows


def test_as_of_freezes_the_table_too(tmp_path):
    table = DISTRICTS.replace("assistant: [{from: 2024-01-01, value: 1500}]",
                              "assistant: [{from: 2024-01-01, value: 1500}, {from: 2025-01-01, value: 1700}]")
    policy = load_policy(one_off(tmp_path, table=table))
    early, late = policy.as_of(date(2024, 6, 1)), policy.as_of(date(2025, 6, 1))
    for version, fen in ((early, 150000), (late, 170000)):
        rule = version.rules[0]
        assert rule.amounts_by.values["北山县"]["assistant"][0].fen == fen
        assert rule.amount_on("assistant", date(2024, 2, 1), 1) == fen  # the same every day once frozen


def test_basis_sheet_and_explain_show_the_table(roster, tmp_path):
    policy = one_off(tmp_path, "first_only", extra="    qualified_until: 2026-12-31\n", table=DISTRICTS)
    comp = run_compute(roster([person(1, district="北山")]), policy, "2024")
    out = tmp_path / "out.xlsx"
    write_outputs(comp, [out])
    basis = [r[1] for r in openpyxl.load_workbook(out)["计算依据"].iter_rows(values_only=True)]
    assert "2024-01-01 至 2026-12-31" in basis
    assert "不再补助：每人只补助首张证书（取证日期最早的；同日取得的，按较低等级）" in basis
    assert "助理社会工作师（一般标准）：2024-01-01 起 1000 元" in basis
    assert "按区县区分：下列各值按其标准，其他值和空白按一般标准" in basis
    assert "区县「北山县」（又作：北山） · 助理社会工作师：2024-01-01 起 1500 元" in basis
    assert "区县「云台县（山区）」 · 助理社会工作师：2024-01-01 起 1800 元" in basis
    e = explain(comp, find_person(comp, f"测试{cn(1)}"), "zh")
    assert e["rules"][0]["rows"][0]["amount_table"] == {
        "field": "district", "value": "北山", "entry": "北山县", "text": "区县「北山」：按金额表中「北山县」的标准"}
    shown = invoke("explain", comp.roster.file, "--policy", policy, "--period", "2024", "--person", f"测试{cn(1)}")
    assert shown.exit_code == 0 and "金额表：区县「北山」：按金额表中「北山县」的标准" in shown.stdout


# --- validation -------------------------------------------------------------------------------------

def problems(path: Path) -> list:
    return validate_policy(path)[1]


def test_a_misspelt_key_inside_the_table_suggests_the_right_one(tmp_path):
    for typo, right in (("valuse:", "values"), ("feild:", "field"), ("aliasses:", "aliases")):
        old = {"values": "      values:", "field": "      field:", "aliases": "      aliases:"}[right]
        path = one_off(tmp_path, table=DISTRICTS.replace(old, f"      {typo}", 1))
        found = [i for i in problems(path) if i.code == "policy.unknown-key"]
        assert found and f"是否应为「{right}」" in found[0].render("zh"), [i.render() for i in problems(path)]
    path = one_off(tmp_path, table=DISTRICTS.replace("value: 1500", "vaule: 1500"))
    (issue,) = [i for i in problems(path) if i.code == "policy.unknown-key"]
    assert issue.location.path.endswith("amounts_by.values.北山县.assistant[0].vaule") and "did you mean 'value'" in issue.render("en")


def test_an_unknown_table_field_is_an_error_with_did_you_mean(tmp_path):
    path = one_off(tmp_path, table=DISTRICTS.replace("field: district", "field: distrct"))
    text = path.read_text(encoding="utf-8")
    (issue,) = problems(path)
    assert issue.code == "policy.unknown-field"
    assert (issue.location.line, issue.location.col) == line_of(text, "distrct")
    assert "是否应为「district」" in issue.render("zh") and "did you mean 'district'" in issue.render("en")
    assert "bank_branch" in issue.hint("en")
    # A number column is not a text field either: said to be one that cannot key a table, not an unknown one.
    (issue,) = problems(one_off(tmp_path, table=DISTRICTS.replace("field: district", "field: score")))
    assert issue.code == "policy.field-not-usable"
    assert issue.message("zh") == "「score」是内置的数字字段「评审得分」，不能用于金额表（amounts_by）"


def test_a_declared_text_or_choice_field_may_key_a_table(tmp_path):
    declared = """fields:
  hukou: {name: 户籍所在地}
  post: {name: 岗位类型, type: choice, values: [专职, 兼职]}
  months: {name: 社保月数, type: number}
"""
    def with_field(field: str, values: tuple[str, str] = ("北山县", "云台县（山区）")) -> Path:
        table = DISTRICTS.replace("field: district", f"field: {field}").replace("北山县:", f"{values[0]}:").replace(
            '"云台县（山区）":', f'"{values[1]}":').replace("{北山县: [北山]}", "{}")
        return policy_file(tmp_path, HEAD + declared + ONE_OFF.format(upgrade="full_amount", extra="") + table)

    def problems(path: Path) -> list:  # the fields this test declares and leaves unused are warned of
        return [i for i in validate_policy(path)[1] if i.code != "policy.field-unused"]
    assert problems(with_field("hukou")) == []
    policy = load_policy(with_field("hukou"))
    assert policy.text_fields()[-2:] == ("hukou", "post") and "hukou" in policy.required_fields()
    assert problems(with_field("post", ("专职", "兼职"))) == []
    text = with_field("post", ("专职", "临时")).read_text(encoding="utf-8")
    (issue,) = problems(with_field("post", ("专职", "临时")))
    assert issue.code == "policy.not-a-choice" and (issue.location.line, issue.location.col) == line_of(text, '"临时"')
    assert [i.code for i in problems(with_field("months"))] == ["policy.field-not-usable"]  # a number keys no table


TABLE_BROKEN = [
    ("level not declared in an entry", ("          intermediate: [{from: 2024-01-01, value: 3000}]",
                                        "          expert: [{from: 2024-01-01, value: 3000}]"),
     "policy.unknown-level", "expert:"),
    ("dates out of order in an entry", ("[{from: 2024-01-01, value: 1800}]",
                                        "[{from: 2025-01-01, value: 1800}, {from: 2024-06-01, value: 1900}]"),
     "policy.dates-out-of-order", "[{from: 2025-01-01"),
    ("an entry dated before the policy", ("[{from: 2024-01-01, value: 1800}]", "[{from: 2023-01-01, value: 1800}]"),
     "policy.before-in-force", "2023-01-01"),
    ("one spelling for two values", ("{北山县: [北山]}", '{北山县: [北山], "云台县（山区）": [北山]}'),
     "policy.value-twice", '"云台县（山区）": [北山]'),
    ("two values the same once normalised", ('"云台县（山区）":', '" 北山县 ":'), "policy.value-twice", '" 北山县 ":'),
    ("alias of no value", ("{北山县: [北山]}", "{北山: [北山县]}"), "policy.alias-not-a-value", "北山: [北山县]"),
    ("empty table", ("      values:\n", "      values: {}\n      x:\n"), "policy.invalid-value", "{}"),
]


@pytest.mark.parametrize("name,edit,code,needle", TABLE_BROKEN, ids=[b[0] for b in TABLE_BROKEN])
def test_a_table_is_checked_as_amounts_are(tmp_path, name, edit, code, needle):
    assert edit[0] in DISTRICTS, f"fixture edit for {name!r} no longer applies"
    path = one_off(tmp_path, table=DISTRICTS.replace(*edit, 1))
    text = path.read_text(encoding="utf-8")
    found = [i for i in problems(path) if i.severity == "error"]
    assert found and found[0].code == code, [i.render() for i in found]
    assert (found[0].location.line, found[0].location.col) == line_of(text, needle)


def test_an_implausible_table_amount_warns_at_its_value(tmp_path):
    path = one_off(tmp_path, table=DISTRICTS.replace("value: 1800", "value: 180000"))
    text = path.read_text(encoding="utf-8")
    policy, issues = validate_policy(path)
    assert policy is not None
    (issue,) = issues
    assert issue.code == "policy.amount-implausible" and (issue.location.line, issue.location.col) == line_of(text, "180000")


# Every new error code of the policy file has a fixture here (test_policy checks the catalogue).
VARIANT_CODES = {"policy.until-before-from", "policy.unknown-field", "policy.not-a-choice", "policy.value-twice"}


# --- the shipped example --------------------------------------------------------------------------

def test_qinglan_policy_reads_as_the_guide_says():
    policy = load_policy(QINGLAN)
    subsidy, allowance = policy.rules
    assert (subsidy.upgrade, subsidy.qualified_from, subsidy.qualified_until) == (
        "first_only", date(2024, 1, 1), date(2026, 12, 31))
    assert subsidy.amounts_by.field == allowance.amounts_by.field == "district"
    assert subsidy.amount_on("assistant", date(2024, 5, 1), subsidy.entry_of("北山")) == 150000
    assert subsidy.amount_on("senior", date(2024, 5, 1), subsidy.entry_of("北山县")) == 300000  # the default
    assert subsidy.amounts_by.values["云台县"]["intermediate"][0].value == Decimal(3000)
