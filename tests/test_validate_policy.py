"""What `validate` tells a bureau writing a policy (issue 12 review): each mistake at its line, in
words that name what to write, with no internal names of the model and no English in Chinese."""
from __future__ import annotations

import pytest

from swtalent.policy import validate_policy

from .test_conditions import HEAD, RULE


def found(tmp_path, conditions: str, fields: str = "", head: str = HEAD, rule: str = RULE):
    """The policy's text and its problems (the unused-field warnings aside) as (code, line, zh)."""
    path = tmp_path / "p.yaml"
    text = head + fields + rule.format(conditions=conditions)
    path.write_text(text, encoding="utf-8")
    issues = [i for i in validate_policy(path)[1] if i.code != "policy.field-unused"]
    return text, [(i.code, i.location.line, i.message("zh")) for i in issues], issues


def line(text: str, needle: str, after: str = "") -> int:
    """The line of needle (its first occurrence after `after`)."""
    pos = text.index(needle, text.index(after) if after else 0)
    return text.count("\n", 0, pos) + 1


@pytest.mark.parametrize("written,meant", [("al", "all"), ("nto", "not"), ("ayn", "any")])
def test_a_misspelt_any_all_or_not_is_one_unknown_key_with_a_suggestion(tmp_path, written, meant):
    inner = '{field: months, op: ">=", value: 12}'
    inner = inner if meant == "not" else f"[{inner}]"
    text, problems, issues = found(tmp_path, f"      - {written}: {inner}")
    assert [(c, n) for c, n, _ in problems] == [("policy.unknown-key", line(text, f"{written}:"))]
    assert f"未知的键「{written}」，是否应为「{meant}」？" in problems[0][2]
    assert f"did you mean '{meant}'?" in issues[0].render("en")
    assert "any, all, not" in issues[0].hint("zh")


@pytest.mark.parametrize("condition,needle,path", [
    ('not: [{field: months, op: ">=", value: 12}]', "not:", "rules[0].conditions[0].not"),
    ("not: 5", "not:", "rules[0].conditions[0].not"),
    ("any: [5]", "any:", "rules[0].conditions[0].any[0]"),
    ('{field: months, op: ">=", value: [1]}', "value: [1]", "rules[0].conditions[0].value"),
    ('{field: kind, op: in, values: [{a: 1}]}', "{a: 1}", "rules[0].conditions[0].values[0]"),
    ('not: {field: months, op: ">=", value: {a: 1}}', "{a: 1}", "rules[0].conditions[0].not.value"),
])
def test_no_name_of_the_model_in_a_path(tmp_path, condition, needle, path):
    text, problems, issues = found(tmp_path, f"      - {condition}")
    assert [(c, n) for c, n, _ in problems] == [("policy.invalid-value", line(text, needle))]
    assert issues[0].location.path == path
    for internal in ("leaf", "date", "decimal", "any_of", "not_of", "金额"):
        assert internal not in issues[0].location.path + problems[0][2]


def test_a_condition_value_that_is_a_list_is_told_once_not_as_an_amount(tmp_path):
    _, problems, issues = found(tmp_path, '      - {field: months, op: ">=", value: [1]}')
    assert problems[0][2] == "取值无效：应为单个值：文本、数字、日期或 true/false，而不是列表或映射"
    assert "not a list or a mapping" in issues[0].render("en")


def test_a_score_that_is_not_a_number_is_not_told_of_as_an_amount(tmp_path):
    from .test_conditions import AWARD

    path = tmp_path / "a.yaml"
    text = AWARD.replace("TIES", "").replace("    quota: 1\n", "    quota: 1\n    min_score: 很高\n    min_years: [1]\n")
    path.write_text(text, encoding="utf-8")
    issues = [i for i in validate_policy(path)[1] if i.severity == "error"]
    said = {i.location.path: i.message("zh") for i in issues}
    assert said == {"rules[0].min_score": "取值无效：应为数字，如 12 或 12.5",
                    "rules[0].min_years": "取值无效：应为数字，如 12 或 12.5"}


@pytest.mark.parametrize("fields,needle,zh,en", [
    ("  extra: {name: 其他, required: 否}\n", "否}", "取值无效：应为 true 或 false", "expected true or false"),
    ("  extra: {name: ''}\n", "''", "取值无效：不能为空", "cannot be empty"),
    ("  extra: {name: 其他, type: [text]}\n", "[text]", "取值无效", ""),
])
def test_wrong_types_in_fields_are_said_in_chinese(tmp_path, fields, needle, zh, en):
    text, problems, issues = found(tmp_path, '      - {field: months, op: ">=", value: 12}', fields)
    assert [(c, n) for c, n, _ in problems] == [("policy.invalid-value", line(text, needle))]
    assert problems[0][2].startswith(zh) and en in issues[0].render("en")
    assert not any(word in problems[0][2] for word in ("Input", "should", "String"))


def test_an_empty_check_message_and_a_long_mask_are_said_in_chinese(tmp_path):
    checks = ("checks:\n  - {field: bank_branch, op: contains_any, values: [农行], message: ''}\n"
              "notice: {mask: '**'}\n")
    text, problems, _ = found(tmp_path, '      - {field: months, op: ">=", value: 12}', checks)
    errors = [(c, n, m) for c, n, m in problems if c == "policy.invalid-value"]
    assert errors == [("policy.invalid-value", line(text, "''"), "取值无效：不能为空"),
                      ("policy.invalid-value", line(text, "'**'"), "取值无效：至多 1 个字符")]


def test_a_rule_that_is_a_list_is_said_in_chinese(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(HEAD + "rules:\n  - [1]\n", encoding="utf-8")
    issues = [i for i in validate_policy(path)[1] if i.severity == "error"]
    assert [(i.code, i.location.path, i.message("zh")) for i in issues] == [
        ("policy.invalid-value", "rules[0]", "取值无效：应为映射（键: 值）")]


@pytest.mark.parametrize("condition,needle", [
    ("{field: kind, op: in, values: [社工机构]}", "社工机构]"),
    ("{field: kind, op: not_in, values: [事业单位, 社工机构]}", "社工机构]"),
    ('{field: kind, op: "==", value: 社工机构}', "社工机构}"),
    ('not: {field: kind, op: "!=", value: 社工机构}', "社工机构}"),
])
def test_a_choice_alias_in_a_condition_names_the_value_to_write(tmp_path, condition, needle):
    text, problems, issues = found(tmp_path, f"      - {condition}")
    assert problems == [("policy.value-is-alias", line(text, needle, "rules:"),
                         "「社工机构」是「社会组织」的别名，条件中请写「社会组织」")]
    assert "单元格写「社工机构」时读作「社会组织」" in issues[0].hint("zh")
    assert issues[0].render("en").split(": ", 1)[1].startswith("'社工机构' is an alias of '社会组织'; write '社会组织'")


def test_a_choice_alias_in_an_amounts_table_or_a_quota_names_the_value_to_write(tmp_path):
    table = RULE.replace("    amounts:\n", "    amounts_by:\n      field: kind\n      values:\n"
                         "        社工机构: {{assistant: [{{from: 2023-01-01, value: 1500}}]}}\n    amounts:\n")
    text, problems, _ = found(tmp_path, '      - {field: months, op: ">=", value: 12}', rule=table)
    assert problems == [("policy.value-is-alias", line(text, "社工机构:", "rules:"), "「社工机构」是「社会组织」的别名，金额表中请写「社会组织」")]
    from .test_conditions import AWARD

    path = tmp_path / "a.yaml"
    award = AWARD.replace("  cases: {name: 结案个案数, type: number}\n",
                          "  kind: {name: 单位性质, type: choice, values: [社会组织, 事业单位], value_aliases: {社会组织: [社工机构]}}\n")
    award = award.replace("    tie_break: [TIES]\n", "    tie_break: [{field: applied}]\n"
                          "    quota_per: {field: kind, max: {社工机构: 1}, others: 1}\n")
    path.write_text(award, encoding="utf-8")
    issues = [i for i in validate_policy(path)[1] if i.severity == "error"]
    assert [(i.code, i.location.line, i.message("zh")) for i in issues] == [
        ("policy.value-is-alias", line(award, "社工机构: 1"), "「社工机构」是「社会组织」的别名，名额中请写「社会组织」")]


@pytest.mark.parametrize("declared,needle,code,zh", [
    ("values: [社会组织, 事业单位, 社会组织]", "社会组织]", "policy.value-repeated",
     "字段「单位性质」的值「社会组织」重复出现（全角、半角视为同一写法）"),
    ("values: [社会组织, 事业单位], value_aliases: {社会组织: [社工机构, 事业单位]}", "事业单位]}", "policy.value-twice",
     "写法「事业单位」同时指向字段「单位性质」的「事业单位」和「社会组织」"),
    ("values: [社会组织, 事业单位], value_aliases: {社会组织: [机构], 事业单位: [机构]}", "机构]}", "policy.value-twice",
     "写法「机构」同时指向字段「单位性质」的「社会组织」和「事业单位」"),
    ("values: [社会组织, '']", "''", "policy.invalid-value", "取值无效：选项值不能是空文本：空单元格就是空白，由各条件的 blank: 决定"),
])
def test_a_choice_field_names_each_value_once(tmp_path, declared, needle, code, zh):
    head = HEAD.replace("values: [社会组织, 事业单位], value_aliases: {社会组织: [社工机构]}", declared)
    text, problems, _ = found(tmp_path, "      - {field: kind, op: in, values: [社会组织]}", head=head)
    assert problems == [(code, line(text, needle, declared), zh)]


@pytest.mark.parametrize("condition", ['{field: hukou, op: contains_any, values: [溪源, ""]}',
                                       "{field: hukou, op: \"==\", value: ''}"])
def test_an_empty_text_is_no_condition_value(tmp_path, condition):
    text, problems, _ = found(tmp_path, f"      - {condition}")
    assert problems == [("policy.invalid-value", line(text, condition),
                         "取值无效：条件的值不能是空文本（contains_any 的空文本对每一行都成立）；空单元格由 blank: 决定")]


@pytest.mark.parametrize("fields,needle,zh", [
    ("  org: {name: 单位, aliases: [服务机构]}\n", "单位,", "字段「org」的列名「单位」已是内置字段 unit（工作单位）的列名，同一列不能读作两个字段"),
    ("  org: {name: 服务机构, aliases: [' 区 县 ']}\n", "' 区 县 '", "字段「org」的列名「 区 县 」已是内置字段 district（区县）的列名，同一列不能读作两个字段"),
    ("  org: {name: 服务机构, aliases: [社保月数]}\n", "社保月数]", "字段「org」的列名「社保月数」已是本政策的字段 months（社保缴纳月数）的列名，同一列不能读作两个字段"),
    ("  org: {name: 证件号}\ncolumns: {person_id: [证件号]}\n", "证件号}", "字段「org」的列名「证件号」已是内置字段 person_id（身份证号）的列名，同一列不能读作两个字段"),
])
def test_a_declared_field_may_not_read_a_header_another_field_reads(tmp_path, fields, needle, zh):
    condition = '      - {field: months, op: ">=", value: 12}\n      - {field: org, op: contains_any, values: [社工]}'
    text, problems, issues = found(tmp_path, condition, fields)
    assert problems == [("policy.field-header-taken", line(text, needle, "org:"), zh)]
    assert "columns" in issues[0].hint("zh") and "columns" in issues[0].hint("en")


NEVER = [
    ('{field: payroll, op: "==", value: true}', '{field: payroll, op: "==", value: false}',
     "「是否在编 须为 是」与「是否在编 须为 否」不可能同时满足"),
    ('{field: kind, op: "==", value: 事业单位}', '{field: kind, op: "!=", value: 事业单位}',
     "「单位性质 须为 事业单位」与「单位性质 不能为 事业单位」不可能同时满足"),
    ("{field: months, op: in, values: [3, 6]}", '{field: months, op: ">=", value: 12}',
     "「社保缴纳月数 须为 3、6」与「社保缴纳月数 须不少于 12」不可能同时满足"),
    ('{field: months, op: "==", value: 12}', '{field: months, op: "!=", value: 12}',
     "「社保缴纳月数 须为 12」与「社保缴纳月数 不能为 12」不可能同时满足"),
    ('{field: hukou, op: "==", value: 溪源市}', "{field: hukou, op: not_in, values: [溪源市, 临江市]}",
     "「户籍所在地 须为 溪源市」与「户籍所在地 不能为 溪源市、临江市」不可能同时满足"),
    ('{field: applied, op: ">", value: 2023-01-01}', '{field: applied, op: "<", value: 2023-01-02}',
     "「申请日期 须晚于 2023-01-01」与「申请日期 须早于 2023-01-02」不可能同时满足"),
    ('{field: level, op: ">", value: assistant}', '{field: level, op: "<", value: intermediate}',
     "「证书等级 须大于 助理社会工作师」与「证书等级 须小于 社会工作师」不可能同时满足"),
    ('{field: months, op: ">=", value: 12}', 'not: {field: months, op: ">=", value: 6}',
     "「社保缴纳月数 须不少于 12」与「并非（社保缴纳月数 须不少于 6）」不可能同时满足"),
    ('{field: payroll, op: "==", value: true, blank: passes}', '{field: payroll, op: "==", value: false}',
     "「是否在编 须为 是（为空视为符合）」与「是否在编 须为 否」不可能同时满足"),
    ('{field: months, op: ">=", value: 12}', 'all: [{field: kind, op: in, values: [社会组织]}, {field: months, op: "<", value: 6}]',
     "「社保缴纳月数 须不少于 12」与「社保缴纳月数 须小于 6」不可能同时满足"),
]


@pytest.mark.parametrize("first,second,zh", NEVER, ids=[n[2] for n in NEVER])
def test_conditions_that_can_never_all_hold(tmp_path, first, second, zh):
    text, problems, issues = found(tmp_path, f"      - {first}\n      - {second}")
    assert problems == [("policy.condition-never", line(text, second), f"条件永远不能满足：{zh}")]
    assert "can never all hold" in issues[0].message("en")


def test_a_choice_that_excludes_every_value_never_holds(tmp_path):
    text, problems, _ = found(tmp_path, "      - {field: kind, op: not_in, values: [社会组织, 事业单位]}")
    assert problems == [("policy.condition-never", line(text, "{field: kind, op: not_in"),
                         "条件永远不能满足：「单位性质」没有值能满足「单位性质 不能为 社会组织、事业单位」")]


@pytest.mark.parametrize("conditions", [
    '      - {field: months, op: ">", value: 11}\n      - {field: months, op: "<", value: 12}',  # 11.5
    '      - {field: applied, op: ">", value: 2023-01-01}\n      - {field: applied, op: "<", value: 2023-01-03}',
    "      - {field: hukou, op: contains_any, values: [溪源]}\n      - {field: hukou, op: contains_any, values: [北]}\n"
    "      - {field: hukou, op: not_in, values: [溪源北]}",  # 溪源市北区
    '      - {field: payroll, op: "==", value: true, blank: passes}\n'
    '      - {field: payroll, op: "==", value: false, blank: passes}',  # a blank cell
    '      - {field: months, op: ">=", value: 12}\n      - any: [{field: months, op: "<", value: 6}, '
    "{field: kind, op: in, values: [社会组织]}]",
    '      - {field: hukou, op: "==", value: 溪源市}\n'
    "      - {field: hukou, op: in, values: [溪源], aliases: {溪源: [溪源市]}}",  # the alias is a spelling met
    '      - {field: hired_on, op: "<=", other: qualified_on}\n      - {field: hired_on, op: ">", other: qualified_on}',
])
def test_conditions_that_some_row_can_meet_are_not_refused(tmp_path, conditions):
    _, problems, _ = found(tmp_path, conditions)
    assert [p for p in problems if p[0] == "policy.condition-never"] == []


@pytest.mark.parametrize("condition", ["{field: hukou, op: \"==\", value: null}", "{field: kind, op: \"==\", value: null}",
                                       "{field: months, op: \"==\", value: null}"])
def test_a_null_value_is_one_problem_not_a_condition_that_never_holds(tmp_path, condition):
    other = {"hukou": "{field: hukou, op: \"==\", value: 溪源}", "kind": "{field: kind, op: in, values: [社会组织]}",
             "months": "{field: months, op: \">=\", value: 3}"}[condition.split(",")[0].split(": ")[1]]
    text, problems, _ = found(tmp_path, f"      - {condition}\n      - {other}")
    assert [(c, n) for c, n, _ in problems] == [("policy.condition-shape", line(text, condition))]


@pytest.mark.parametrize("condition,warned", [
    ('not: {field: payroll, op: "==", value: true, blank: passes}', True),
    ('not: {any: [{field: payroll, op: "==", value: true, blank: passes}, {field: months, op: "<", value: 3}]}', True),
    ('not: {not: {field: payroll, op: "==", value: true, blank: passes}}', False),  # not of not: its own problem
    ('any: [{field: payroll, op: "==", value: true, blank: passes}, {field: months, op: ">", value: 3}]', False),
    ('not: {field: payroll, op: "==", value: true}', False),
])
def test_blank_passes_under_a_not_is_warned_of(tmp_path, condition, warned):
    text, problems, issues = found(tmp_path, f"      - {condition}")
    said = [(n, m) for c, n, m in problems if c == "policy.blank-under-not"]
    if not warned:
        assert said == []
        return
    assert said == [(line(text, "blank: passes"), "not 之内的 blank: passes 会把「是否在编」为空的行排除在外："
                     "空白先使内层条件成立，not 再把它变为不成立，与字面意思相反")]
    (issue,) = [i for i in issues if i.code == "policy.blank-under-not"]
    assert issue.severity == "warning" and issue.location.path.endswith(".blank")
    assert issue.hint("zh") == "要让空白行通过整个条件，在 not 之内保留 blank: fails（默认值，不写即可）"


def test_a_field_that_exists_but_cannot_be_used_here_is_not_called_undeclared(tmp_path):
    checks = "checks:\n  - {field: bank_account, op: contains_any, values: ['622848'], message: 须为农行卡}\n"
    text, problems, issues = found(tmp_path, '      - {field: gender, op: "==", value: 女}', checks)
    assert problems == [
        ("policy.field-not-usable", line(text, "bank_account"), "「bank_account」是内置的号码字段「银行账号」，不能用于检查"),
        ("policy.field-not-usable", line(text, "gender"), "「gender」是内置的文本字段「性别」，不能用于条件")]
    assert issues[1].hint("zh").startswith("此处可用：category, exam_place")
    assert "undeclared" not in issues[1].render("en") and "nor declared" not in issues[1].render("en")


@pytest.mark.parametrize("edit,needle,zh", [
    (("tie_break: [TIES]", "tie_break: [{field: hukou}]"), "hukou}",
     "「hukou」是本政策的文本字段「户籍所在地」，不能用于同分排序（tie_break）"),
    (("tie_break: [TIES]", "tie_break: [{field: district}]"), "district}",
     "「district」是内置的文本字段「区县」，不能用于同分排序（tie_break）"),
    (("tie_break: [TIES]", "tie_break: []\n    quota_per: {field: cases, max: 1}"), "cases, max",
     "「cases」是本政策的数字字段「结案个案数」，不能用于入选名额"),
])
def test_a_tie_break_or_a_quota_on_a_field_of_the_wrong_kind(tmp_path, edit, needle, zh):
    from .test_conditions import AWARD

    text = AWARD.replace("  cases:", "  hukou: {name: 户籍所在地}\n  cases:").replace(*edit)
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    issues = [i for i in validate_policy(path)[1] if i.severity == "error"]
    assert [(i.code, i.location.line, i.message("zh")) for i in issues] == [
        ("policy.field-not-usable", line(text, needle, "rules:"), zh)]
    assert issues[0].hint("zh").startswith("此处可用：")


def test_an_amounts_table_on_a_number_field(tmp_path):
    table = RULE.replace("    amounts:\n", "    amounts_by:\n      field: months\n      values:\n"
                         "        '12': {{assistant: [{{from: 2023-01-01, value: 1500}}]}}\n    amounts:\n")
    text, problems, issues = found(tmp_path, '      - {field: months, op: ">=", value: 12}', rule=table)
    assert problems == [("policy.field-not-usable", line(text, "field: months", "amounts_by"),
                         "「months」是本政策的数字字段「社保缴纳月数」，不能用于金额表（amounts_by）")]
    assert issues[0].hint("zh") == "此处可用：district, unit, category, exam_place, service_field, review, bank_branch, kind, hukou"


def test_the_schema_offers_the_text_fields_for_tables_and_quotas():
    import json

    from swtalent.fields import TEXT_FIELDS
    from swtalent.policy.model import IDENT_PATTERN
    from swtalent.policy.schema import schema_text

    defs = json.loads(schema_text())["$defs"]
    for model in ("AmountsBy", "QuotaPer"):
        assert defs[model]["properties"]["field"]["anyOf"] == [
            {"enum": list(TEXT_FIELDS)}, {"type": "string", "pattern": IDENT_PATTERN}], model
    assert "district" in TEXT_FIELDS and "unit" in TEXT_FIELDS


@pytest.mark.parametrize("low,high", [("9e999999", "9.5e999999"), ("12", "12.0000000000000000000000000000000000001")])
def test_numbers_at_the_edge_are_tried_exactly(tmp_path, low, high):
    """Beyond the decimal context's range, or closer than its precision: no crash, no false never."""
    _, problems, _ = found(tmp_path, f'      - {{field: months, op: ">", value: "{low}"}}\n'
                                     f'      - {{field: months, op: "<", value: "{high}"}}')
    assert problems == []
