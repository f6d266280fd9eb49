"""Policy files: the shipped one loads; each kind of mistake is found at its line and column."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from swtalent.errors import SwtalentError
from swtalent.policy import load_policy

from .conftest import CHUZHOU

GOOD = CHUZHOU.read_text(encoding="utf-8")


def test_shipped_policy_states_its_assumptions_and_loads():
    p = load_policy(CHUZHOU)
    assert p.in_force_from == date(2022, 1, 1)
    assert p.level_keys == ("assistant", "intermediate", "senior")
    one_off, monthly = p.rules
    assert (one_off.kind, one_off.qualified_from, one_off.upgrade) == ("one_off", date(2022, 1, 1), "full_amount")
    assert (monthly.first_month, monthly.leaving_month, monthly.blank_hire_date, monthly.rate) == (
        "after_qualifying", "paid", "in_post", "highest_level_held")
    assert {k: v[0].fen for k, v in one_off.amounts.items()} == {
        "assistant": 100000, "intermediate": 200000, "senior": 300000}
    assert {k: v[0].fen for k, v in monthly.amounts.items()} == {
        "assistant": 20000, "intermediate": 40000, "senior": 100000}
    assert len(p.assumptions) >= 6


def line_of(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based line and column of the nth occurrence of needle."""
    pos = -1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


# (name, edit of the good file as (old, new, count), code, needle locating the problem, nth occurrence)
BROKEN = [
    ("unknown key", ("first_month:", "frist_month:", 1), "policy.unknown-key", "frist_month", 1),
    ("duplicate key", ("city: 滁州市\n", "city: 滁州市\ncity: 滁州\n", 1), "policy.duplicate-key", "city: 滁州\n", 1),
    ("negative amount", ("value: 400}", "value: -400}", 1), "policy.invalid-value", "-400", 1),
    ("amount not a number", ("value: 400}", "value: 四百}", 1), "policy.invalid-value", "四百", 1),
    ("fractions of a fen", ("value: 400}", "value: 400.005}", 1), "policy.invalid-value", "400.005", 1),
    ("not a date", ("in_force_from: 2022-01-01", "in_force_from: 2022年1月", 1), "policy.invalid-value",
     "2022年1月", 1),
    ("unknown kind", ("kind: monthly", "kind: weekly", 1), "policy.invalid-value", "weekly", 1),
    ("bad option value", ("leaving_month: paid", "leaving_month: half", 1), "policy.invalid-value", "half", 1),
    ("unknown condition field", ("field: exam_place", "field: hometown", 1), "policy.unknown-field", "hometown", 1),
    ("missing key", ("    upgrade: full_amount\n", "", 1), "policy.missing-key", "- id: certificate-subsidy", 1),
    ("level not declared", ("      senior:\n        - {from: 2022-01-01, value: 1000}",
                            "      senior:\n        - {from: 2022-01-01, value: 1000}\n"
                            "      expert:\n        - {from: 2022-01-01, value: 1}", 1),
     "policy.unknown-level", "expert:", 1),
    ("level without amount", ("      senior:\n        - {from: 2022-01-01, value: 1000}\n", "", 1),
     "policy.level-without-amount", "amounts:", 2),
    ("duplicate rule id", ("id: post-allowance", "id: certificate-subsidy", 1), "policy.duplicate-rule",
     "certificate-subsidy", 2),
    ("dates out of order", ("        - {from: 2022-01-01, value: 200}",
                            "        - {from: 2023-01-01, value: 200}\n        - {from: 2022-06-01, value: 300}", 1),
     "policy.dates-out-of-order", "- {from: 2023-01-01, value: 200}", 1),
    ("value before the policy is in force", ("        - {from: 2022-01-01, value: 200}",
                                             "        - {from: 2021-01-01, value: 200}", 1),
     "policy.before-in-force", "2021-01-01", 1),
    ("one name for two levels", ("aliases: [中级,", "aliases: [初级, 中级,", 1), "policy.alias-twice",
     "intermediate:\n", 1),
    ("yaml syntax", ("city: 滁州市\n", "city: [滁州市\n", 1), "policy.yaml-syntax", None, 1),
    ("no such day", ("in_force_from: 2022-01-01", "in_force_from: 2022-02-30", 1), "policy.invalid-value",
     "2022-02-30", 1),
    ("absurd amount", ("value: 400}", "value: 1e400}", 1), "policy.invalid-value", "1e400", 1),
    ("unknown roster field in columns", ("levels:\n", "columns:\n  idnum: [证件号]\nlevels:\n", 1),
     "policy.invalid-value", "idnum", 1),
    ("operator the field's type lacks", ("op: contains_any", 'op: ">="', 1), "policy.op-for-type", '">="', 1),
    ("value where values are asked", ("        op: contains_any\n", "        op: contains_any\n        value: 滁州\n", 1),
     "policy.condition-shape", "滁州\n", 1),
    ("conditions that can never hold", ("        aliases: {社区工作人员: [社区工作者]}\n    first_month",
                                        "        aliases: {社区工作人员: [社区工作者]}\n"
                                        "      - {field: category, op: in, values: [社工机构从业人员]}\n    first_month", 1),
     "policy.condition-never", "{field: category, op: in, values: [社工机构从业人员]}", 1),
    ("a declared field named like a built-in one", ("\nrules:\n", "\nfields:\n  district: {name: 区县名称}\n\nrules:\n", 1),
     "policy.field-reserved", "district: {name", 1),
    ("a built-in field no condition may test", ("field: exam_place", "field: gender", 1), "policy.field-not-usable",
     "gender", 1),
    ("a declared field reading a built-in field's header", ("\nrules:\n", "\nfields:\n  org: {name: 单位名称}\n\nrules:\n", 1),
     "policy.field-header-taken", "单位名称}", 1),
]


@pytest.mark.parametrize("name,edit,code,needle,nth", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_policy_reports_code_and_position(tmp_path, name, edit, code, needle, nth):
    old, new, count = edit
    assert old in GOOD, f"fixture edit for {name!r} no longer applies"
    text = GOOD.replace(old, new, count)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SwtalentError) as exc:
        load_policy(path)
    issues = exc.value.issues
    assert [i.code for i in issues] == [code], [i.render() for i in issues]
    loc = issues[0].location
    assert loc.file == str(path)
    if needle is not None:
        line, col = line_of(text, needle, nth)
        if code == "policy.missing-key":
            assert loc.line == line  # the mapping that lacks the key
        else:
            assert (loc.line, loc.col) == (line, col)
    assert issues[0].render().startswith(f"{path}:{loc.line}:{loc.col}")


def test_unknown_key_suggests_the_right_one_in_both_languages(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text(GOOD.replace("first_month:", "frist_month:"), encoding="utf-8")
    with pytest.raises(SwtalentError) as exc:
        load_policy(path)
    (issue,) = exc.value.issues
    assert issue.location.path == "rules[1].frist_month"
    assert "是否应为「first_month」" in issue.render("zh")
    assert "did you mean 'first_month'" in issue.render("en")


def test_all_problems_reported_at_once(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text(GOOD.replace("first_month:", "frist_month:").replace("value: 400}", "value: -1}"),
                    encoding="utf-8")
    with pytest.raises(SwtalentError) as exc:
        load_policy(path)
    assert sorted(i.code for i in exc.value.issues) == ["policy.invalid-value", "policy.unknown-key"]


def test_amounts_are_exact_decimals_not_floats(tmp_path):
    path = tmp_path / "cents.yaml"
    path.write_text(GOOD.replace("value: 200}", "value: 0.1}"), encoding="utf-8")
    rule = load_policy(path).rules[1]
    assert rule.amounts["assistant"][0].value == Decimal("0.1")
    assert rule.amounts["assistant"][0].fen == 10


def test_missing_policy_file(tmp_path):
    with pytest.raises(SwtalentError) as exc:
        load_policy(tmp_path / "nope.yaml")
    assert exc.value.issues[0].code == "policy.not-found"


def test_policy_that_is_not_utf8_text(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(GOOD.encode("gbk"))
    with pytest.raises(SwtalentError) as exc:
        load_policy(path)
    assert [i.code for i in exc.value.issues] == ["policy.unreadable"]
    assert "UTF-8" in exc.value.issues[0].hint()


JIUJIANG = CHUZHOU.parent / "jiujiang.yaml"
JINAN = CHUZHOU.parent / "jinan.yaml"
SHILI = CHUZHOU.parent / "shili.yaml"
KIND_QUOTA = CHUZHOU.parent.parent / "tests" / "policies" / "award-kind-quota.yaml"
XIYUAN = CHUZHOU.parent / "xiyuan.yaml"
RECORDS = CHUZHOU.parent.parent / "tests" / "policies" / "award-records.yaml"
PARTS = CHUZHOU.parent.parent / "tests" / "policies" / "award-parts.yaml"
ROUNDS = CHUZHOU.parent.parent / "tests" / "policies" / "award-rounds.yaml"
# The mistakes only other shapes of policy can make: (base file, edit, code, needle).
OTHER_BROKEN = [
    ("first selection before the policy", JIUJIANG, ("first_year: 2023", "first_year: 2021", 1),
     "policy.cycle-before-amount", "2021, month"),
    ("tie-break key twice", JIUJIANG, ("tie_break: []", "tie_break: [{field: level}, {field: level}]", 1),
     "policy.tie-break-twice", "{field: level}]"),
    ("min_consecutive_months without pay_month", CHUZHOU.parent / "shanghang.yaml",
     ("    pay_month: 12\n", "", 1), "policy.needs-pay-month", "min_consecutive_months: 6"),
    ("alias of no value", CHUZHOU, ("aliases: {社区工作人员: [社区工作者]}\n      - field: exam_place",
                                    "aliases: {社区工作员: [社区工作者]}\n      - field: exam_place", 1),
     "policy.alias-not-a-value", "社区工作员"),
    ("title of no award", JINAN, ("award: haiyou", "award: nothing", 1), "policy.unknown-award", "nothing\n"),
    ("two repeat bans", SHILI, ("    no_repeat: ever\n", "    no_repeat: ever\n    no_repeat_cycles: 1\n", 1),
     "policy.keys-exclusive", "no_repeat: ever"),
    ("places per value without others", SHILI, ("      others: 1\n", "", 1), "policy.needs-key", "max: {乡镇"),
    ("others beside one number", SHILI, ("{field: unit, max: 2}", "{field: unit, max: 2, others: 1}", 1),
     "policy.key-unused", "others: 1}"),
    ("nominations by no field", SHILI, ("{field: unit, max: 2}", "{field: unti, max: 2}", 1),
     "policy.unknown-group-field", "unti,"),
    ("a value the choice field has not", KIND_QUOTA, ("部门: 1}", "街道: 1}", 1), "policy.quota-value-unknown",
     "街道: 1}"),
    ("a waiting period reading a blank hire date as in post", CHUZHOU,
     ("    blank_hire_date: in_post\n", "    blank_hire_date: in_post\n    wait_months: 12\n    wait_from: hire_month\n", 1),
     "policy.wait-needs-hire-date", "in_post\n    wait"),
    ("a choice's alias where its value belongs", XIYUAN, ("values: [社会组织, 其他]}", "values: [社工机构, 其他]}", 1),
     "policy.value-is-alias", "社工机构, 其他]"),
    ("a choice listed twice", XIYUAN, ("国有企业, 社会组织, 其他]", "国有企业, 社会组织, 其他, 机关]", 1),
     "policy.value-repeated", "机关]"),
    ("a choice's alias that is another value", XIYUAN, ("事业单位: [事业]", "事业单位: [事业, 国有企业]", 1),
     "policy.value-twice", "国有企业]"),
    ("a score record naming no declared column", RECORDS, ("{field: cases, points: 2}", "{field: case, points: 2}", 1),
     "policy.score-unknown-field", "case, points: 2}"),
    ("a score column no roster field declares", RECORDS, ("      records:\n        - {field: letters, points: 0.1, max: 20}\n"
                                                          "        - {field: cases, points: 2}\n"
                                                          "        - {field: volunteers, points: 0.5, max: 10}\n",
                                                          "      column: 服务得分\n", 1),
     "policy.score-unknown-field", "服务得分"),
    ("an organisations' policy with a rule that is no award", CHUZHOU.parent / "yunxi-stations.yaml",
     ("    amount:\n      - {from: 2024-01-01, value: 30000}\n",
      "    amount:\n      - {from: 2024-01-01, value: 30000}\n  - id: station-title\n    kind: title_allowance\n"
      "    title: 称号期内经费\n    clause: 示例\n    award: ten-best-stations\n    term_years: 3\n    pay_month: 12\n"
      "    amounts:\n      - {from: 2024-01-01, value: 1000}\n", 1),
     "policy.candidates-rule-kind", "title_allowance"),
    ("a shortlist smaller than the quota", ROUNDS, ("shortlist: 4", "shortlist: 1  # 少于名额", 1),
     "policy.shortlist-below-quota", "1  #"),
    ("a second round with a shortlist", ROUNDS, ("        - judges: {drop_highest: 1",
                                                  "        - shortlist: 3  # 第二轮\n          judges: {drop_highest: 1", 1),
     "policy.score-source-shape", "3  #"),
    ("judges' drops leaving no mark", PARTS, ("drop_lowest: 1, min_judges: 4", "drop_lowest: 1, min_judges: 2", 1),
     "policy.score-source-shape", "2}}"),
]


@pytest.mark.parametrize("name,base,edit,code,needle", OTHER_BROKEN, ids=[b[0] for b in OTHER_BROKEN])
def test_other_shapes_broken_report_code_and_position(tmp_path, name, base, edit, code, needle):
    text = base.read_text(encoding="utf-8")
    assert edit[0] in text, f"fixture edit for {name!r} no longer applies"
    text = text.replace(*edit)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SwtalentError) as exc:
        load_policy(path)
    (issue,) = exc.value.issues
    line, col = line_of(text, needle)
    assert (issue.code, issue.location.line, issue.location.col) == (code, line, col)


def test_every_policy_error_code_has_a_broken_fixture():
    from swtalent.errors import CATALOGUE

    from .test_one_off_variants import VARIANT_CODES
    from .test_policy_limits import LIMIT_CODES

    covered = ({b[2] for b in BROKEN} | {b[3] for b in OTHER_BROKEN} | {"policy.not-found", "policy.unreadable"}
               | LIMIT_CODES | VARIANT_CODES)
    errors = {c for c, e in CATALOGUE.items() if c.startswith("policy.") and e.severity == "error"}
    assert errors <= covered, errors - covered


def test_meaning_is_checked_even_where_another_part_has_a_type_error(tmp_path):
    """A typo in one rule must not hide an undeclared level in another: all problems at once."""
    text = GOOD.replace("first_month:", "frist_month:").replace(
        "      senior:\n        - {from: 2022-01-01, value: 3000}",
        "      senior:\n        - {from: 2022-01-01, value: 3000}\n      expert:\n        - {from: 2022-01-01, value: 1}", 1)
    path = tmp_path / "two.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SwtalentError) as exc:
        load_policy(path)
    found = [(i.code, i.location.line) for i in exc.value.issues]
    assert ("policy.unknown-key", line_of(text, "frist_month")[0]) in found
    assert ("policy.unknown-level", line_of(text, "expert:")[0]) in found
    assert [i.location.line for i in exc.value.issues] == sorted(i.location.line for i in exc.value.issues)
