"""Tools for people who write policy files: validate, schema, new-policy and scenario tests."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from swtalent.policy import validate_policy
from swtalent.policy.schema import schema_text
from swtalent.scenarios import run_file

from .conftest import CHUZHOU, ROOT
from .test_cli import invoke

POLICIES = sorted((ROOT / "policies").glob("*.yaml"))
SCENARIOS = sorted((ROOT / "policies" / "tests").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenarios_pass(path):
    outcomes = run_file(path)
    assert outcomes and all(o.passed for o in outcomes), [(o.name, o.failures, o.problems) for o in outcomes]


def test_every_shipped_policy_has_scenarios_and_validates_clean():
    tested = {(p.parent / run_policy(p)).resolve() for p in SCENARIOS}
    for policy in POLICIES:
        assert policy.resolve() in tested, f"{policy.name} has no scenario file in policies/tests"
        _, issues = validate_policy(policy)
        assert issues == [], [i.render() for i in issues]
    result = invoke("validate", *POLICIES)
    assert result.exit_code == 0 and result.stdout.count("未发现问题") == len(POLICIES)


def run_policy(scenario: Path) -> str:
    return next(line.split(":", 1)[1].strip() for line in scenario.read_text(encoding="utf-8").splitlines()
                if line.startswith("policy:"))


def test_a_failing_scenario_says_what_was_expected_and_exits_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"""policy: {CHUZHOU}
scenarios:
  - name: wrong on purpose
    period: 2023
    people:
      - {{name: 甲, category: 社区工作人员, level: 助理社会工作师, qualified_on: 2023-03-15, exam_place: 滁州市}}
    expect:
      甲: {{certificate-subsidy: 999, post-allowance: 1800}}
""", encoding="utf-8")
    (outcome,) = run_file(bad)
    assert not outcome.passed and outcome.failures == [("甲", "certificate-subsidy", "999.00", "1000.00")]
    result = invoke("test", bad, "--json")
    assert result.exit_code == 1
    got = json.loads(result.stdout)
    assert got["ok"] is False and got["scenarios"][0]["failures"][0]["expected"] == "999.00"
    assert got["scenarios"][0]["line"] == 3


def test_validate_reports_every_file_with_positions_and_exit_codes(tmp_path):
    broken = tmp_path / "broken.yaml"
    text = CHUZHOU.read_text(encoding="utf-8")
    broken.write_text(text.replace("first_month:", "frist_month:").replace("value: 400}", "value: -1}"),
                      encoding="utf-8")
    result = invoke("validate", CHUZHOU, broken, "--json")
    assert result.exit_code == 1
    files = json.loads(result.stdout)["files"]
    assert [f["ok"] for f in files] == [True, False]
    assert sorted(p["code"] for p in files[1]["problems"]) == ["policy.invalid-value", "policy.unknown-key"]
    assert all(p["line"] and p["column"] and p["path"] for p in files[1]["problems"])
    text_result = invoke("validate", broken, "--lang", "en")
    assert f"{broken}:" in text_result.stdout and "rules[1].frist_month" in text_result.stdout
    assert "did you mean 'first_month'" in text_result.stdout


def test_missing_clause_and_source_are_warnings_not_errors(tmp_path):
    path = tmp_path / "no-clause.yaml"
    text = CHUZHOU.read_text(encoding="utf-8")
    text = text.replace("source: 《滁州日报》2023 年报道\n", "")
    text = "\n".join(line for line in text.splitlines() if "clause:" not in line or "rules[" in line) + "\n"
    path.write_text(text, encoding="utf-8")
    policy, issues = validate_policy(path)
    assert policy is not None
    assert sorted(i.code for i in issues) == ["policy.clause-missing", "policy.clause-missing", "policy.source-missing"]
    assert all(i.severity == "warning" for i in issues)
    result = invoke("validate", path)
    assert result.exit_code == 0 and "clause" in result.stdout


def test_schema_is_shipped_current_and_strict():
    shipped = (ROOT / "schema" / "policy.schema.json").read_text(encoding="utf-8")
    assert shipped == schema_text(), "run: swtalent schema --out schema/policy.schema.json"
    schema = json.loads(shipped)
    assert schema["additionalProperties"] is False  # unknown keys are flagged in the editor too
    assert set(schema["required"]) >= {"id", "city", "title", "in_force_from", "rules"}
    # levels: required unless the candidates are organisations (stations, agencies have no certificates)
    assert schema["else"] == {"required": ["levels"]} and schema["if"]["properties"]["candidates"] == {
        "const": "organisations"}
    assert schema["$defs"]["DatedAmount"]["required"] == ["from", "value"]
    assert invoke("schema").stdout == shipped
    for policy in POLICIES:  # each shipped policy tells editors where the schema is
        assert policy.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../schema/policy.schema.json")


def test_new_policy_validates_as_written(tmp_path):
    out = tmp_path / "wuhu.yaml"
    assert invoke("new-policy", "芜湖市", "--id", "wuhu", "--out", out).exit_code == 0
    policy, issues = validate_policy(out)
    assert issues == [] and policy.city == "芜湖市" and policy.id == "wuhu"
    assert [r.kind for r in policy.rules] == ["one_off", "monthly"]
    assert invoke("new-policy", "芜湖市", "--out", out).exit_code == 2  # never overwrites
    printed = invoke("new-policy", "芜湖市").stdout
    assert printed.startswith("# yaml-language-server: $schema=") and "芜湖市" in printed


def _code(line: str) -> str:
    """A template line without its comment: the YAML a policy writer keeps."""
    return "" if line.lstrip().startswith("#") else line.split(" #")[0].rstrip()


def test_new_policy_in_english_has_english_comments_and_the_same_policy(tmp_path):
    """--lang en writes the template's comments in English (and says 'written' in English); its keys and
    values are the Chinese template's, line for line, since a policy names its levels as its documents do."""
    import re

    import yaml

    zh_out, en_out = tmp_path / "zh.yaml", tmp_path / "en.yaml"
    assert invoke("new-policy", "芜湖市", "--id", "wuhu", "--out", zh_out).exit_code == 0
    result = invoke("new-policy", "芜湖市", "--id", "wuhu", "--out", en_out, "--lang", "en")
    assert result.exit_code == 0 and f"written: {en_out}" in result.stderr and "已写入" not in result.stderr
    zh, en = zh_out.read_text(encoding="utf-8"), en_out.read_text(encoding="utf-8")
    assert yaml.safe_load(en) == yaml.safe_load(zh)
    assert [c for c in map(_code, en.splitlines()) if c] == [c for c in map(_code, zh.splitlines()) if c]
    policy, issues = validate_policy(en_out)
    assert issues == [] and policy.id == "wuhu"
    # Every Chinese word left in the English comments is a value a policy holds (a level's alias, a header,
    # a field's name in a commented-out example), as the Chinese template writes it too, or the sample
    # document number X民发〔2023〕12号.
    comments = [line.split("#", 1)[1] for line in en.splitlines() if "#" in line]
    zh_examples = {line.split("#", 1)[1].strip() for line in zh.splitlines() if "#" in line}
    for comment in comments:
        for word in re.findall(r"[\u3400-\u9fff]+", comment):
            assert (word in "".join(map(_code, zh.splitlines())) or comment.strip() in zh_examples
                    or word == "民发"), comment
    refused = invoke("new-policy", "芜湖市", "--id", "Wuhu", "--lang", "en")
    assert refused.exit_code == 2 and "--id 'Wuhu': lower-case letters" in refused.stderr


def test_schema_takes_lang_for_its_messages(tmp_path):
    """schema --lang: the schema is one file for both languages (its descriptions are the model's own);
    --lang sets the language of what the command says."""
    out = tmp_path / "s.json"
    result = invoke("schema", "--out", out, "--lang", "en")
    assert result.exit_code == 0 and f"written: {out}" in result.stderr
    assert out.read_text(encoding="utf-8") == schema_text()
    missing = invoke("schema", "--out", tmp_path / "no" / "s.json", "--lang", "en")
    assert missing.exit_code == 2 and "the folder" in missing.stderr and "不存在" not in missing.stderr
    assert "输出文件夹" in invoke("schema", "--out", tmp_path / "no" / "s.json").stderr


def test_policy_guide_documents_every_message_and_every_key():
    from swtalent.errors import CATALOGUE, with_policy_messages
    from swtalent.policy import model

    guide = (ROOT / "docs" / "policy-guide.md").read_text(encoding="utf-8")
    assert guide == with_policy_messages(guide), "regenerate the guide's message list (see its last section)"
    for code in (c for c in CATALOGUE if c.startswith("policy.")):
        assert f"`{code}`" in guide
    for cls in (model.Policy, model.LevelDef, model.Notice, model.Condition, model.OneOffRule, model.MonthlyRule,
                model.AwardRule, model.Cycle, model.TieBreak, model.QuotaPer, model.DatedAmount, model.AmountsBy,
                model.FieldDef, model.Check, model.Offset, model.AnyOf, model.AllOf, model.NotOf, model.YearlyRule,
                model.TitleAllowanceRule, model.ScoreSource, model.ScorePart, model.ScoreRound, model.JudgeScores,
                model.RecordItem,
                model.Rounding):
        for name, info in cls.model_fields.items():
            assert f"`{info.alias or name}`" in guide, f"{cls.__name__}.{name} is not in docs/policy-guide.md"


GOOD_SCENARIO = f"""policy: {CHUZHOU}
scenarios:
  - name: one
    period: 2023
    people:
      - {{name: 甲, category: 社区工作人员, level: 助理社会工作师, qualified_on: 2023-03-15, exam_place: 滁州市}}
    expect:
      甲: {{certificate-subsidy: 1000, post-allowance: 1800}}
"""


@pytest.mark.parametrize("old,new,needle", [
    ("certificate-subsidy: 1000", "certificate-subsidie: 1000", "certificate-subsidie"),  # a typo in a rule id
    ("      甲: {", "      乙: {", "乙: {"),  # a name not among the people
    ("    expect:", "    expct:", "expct"),  # an unknown key: the scenario would check nothing
    ("    period: 2023\n", "", "- name: one"),  # no period
    ("1000, post", "999.999, post", "999.999"),  # not exact to the fen
    ("    expect:\n      甲: {certificate-subsidy: 1000, post-allowance: 1800}\n",
     "    selected: {post-allowance: []}\n", "post-allowance: []"),  # selected on a rule that is not an award
    ("    expect:\n      甲: {certificate-subsidy: 1000, post-allowance: 1800}\n", "", "- name: one"),  # checks nothing
    ("    expect:", "    previous:\n      - {name: 丙, rule_id: post-allowance, months: 3}\n    expect:", "- {name: 丙"),
])
def test_a_scenario_file_that_would_check_nothing_is_refused_at_its_line(tmp_path, old, new, needle):
    from swtalent.errors import SwtalentError

    assert old in GOOD_SCENARIO
    text = GOOD_SCENARIO.replace(old, new, 1)
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SwtalentError) as exc:
        run_file(path)
    lines = {i.location.line for i in exc.value.issues}
    assert {i.code for i in exc.value.issues} == {"scenario.invalid"}
    assert text[:text.index(needle)].count("\n") + 1 in lines
    result = invoke("test", path)
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_a_scenario_persons_data_problem_is_reported_at_the_person(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD_SCENARIO.replace("level: 助理社会工作师", "level: 心理咨询师"), encoding="utf-8")
    (outcome,) = run_file(path)
    assert not outcome.passed
    (issue,) = outcome.problems
    assert issue.code == "roster.level-unknown" and issue.location.file == str(path)
    assert issue.location.line == 6 and issue.location.path == "scenarios[0].people[0].level"  # at the key


@pytest.mark.parametrize("old,new,needle", [
    ("    expect:", "    selected: [甲]\n    expect:", "selected: [甲]"),  # selected must map rule ids to names
    ("exam_place: 滁州市}", "exam_place: 滁州市, levl: 初级}", "levl"),  # not a roster field
    ("    period: 2023", "    period: 2023-13", "2023-13"),  # not a period
])
def test_scenario_shapes_that_used_to_slip_through(tmp_path, old, new, needle):
    from swtalent.errors import SwtalentError

    text = GOOD_SCENARIO.replace(old, new, 1)
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SwtalentError) as exc:
        run_file(path)
    assert text[:text.index(needle)].count("\n") + 1 in {i.location.line for i in exc.value.issues}
    assert all(i.location.file == str(path) for i in exc.value.issues)


def test_outputs_into_a_missing_folder_are_usage_errors(tmp_path):
    assert invoke("schema", "--out", tmp_path / "no" / "s.json").exit_code == 2
    assert invoke("new-policy", "芜湖市", "--out", tmp_path / "no" / "w.yaml").exit_code == 2


TWO_MORE = """  - name: two lacks a column
    period: 2023
    people:
      - {name: 乙, category: 社区工作人员, qualified_on: 2023-03-15, exam_place: 滁州市}
    expect:
      乙: {certificate-subsidy: 0}
  - name: three
    period: 2023
    people:
      - {name: 丙, category: 社区工作人员, level: 助理社会工作师, qualified_on: 2023-03-15, exam_place: 滁州市}
    expect:
      丙: {certificate-subsidy: 1000}
"""


def test_a_scenario_whose_roster_is_refused_fails_alone_at_its_line(tmp_path):
    """Scenario two's people have no 证书等级, which the policy requires: that scenario fails, at its
    own line, and the others still run; nothing names the temporary roster file."""
    path = tmp_path / "s.yaml"
    text = GOOD_SCENARIO + TWO_MORE
    path.write_text(text, encoding="utf-8")
    one, two, three = run_file(path)
    assert one.passed and three.passed
    assert not two.passed and two.failures == []
    assert two.line == text[:text.index("- name: two")].count("\n") + 1
    (issue,) = two.problems
    assert issue.code == "scenario.invalid" and issue.location.file == str(path)
    assert "people" in issue.message("en") and "level (证书等级)" in issue.message("en").replace("'", "")
    assert issue.location.line == two.line and issue.location.path == "scenarios[1]"
    for lang in ("zh", "en"):
        result = invoke("test", path, "--lang", lang)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "swtalent-scenario-" not in result.output and ".csv" not in result.output
        assert f"{path}:{two.line}" in result.output.replace("\n", "")
    got = json.loads(invoke("test", path, "--json").stdout)
    assert [s["passed"] for s in got["scenarios"]] == [True, False, True]
    assert "swtalent-scenario-" not in json.dumps(got, ensure_ascii=False)


def test_a_scenario_persons_bad_value_is_located_at_the_key(tmp_path):
    """A row problem points at the person's key in the YAML file (scenarios[0].people[0].qualified_on)."""
    path = tmp_path / "s.yaml"
    text = GOOD_SCENARIO.replace("qualified_on: 2023-03-15", "qualified_on: 2023年13月")
    path.write_text(text, encoding="utf-8")
    (outcome,) = run_file(path)
    (issue,) = outcome.problems
    assert issue.code == "roster.date-invalid" and issue.location.path == "scenarios[0].people[0].qualified_on"
    assert issue.location.col == text.splitlines()[5].index("qualified_on") + 1 + len("qualified_on: ")


def test_a_scenario_whose_period_spans_two_selections_fails_alone(tmp_path):
    from .conftest import ROOT

    path = tmp_path / "s.yaml"
    path.write_text(f"""policy: {ROOT / "policies" / "jinan.yaml"}
scenarios:
  - name: two selection years in one period
    period: 2023-01..2026-12
    people:
      - {{name: 甲, score: 90}}
    expect:
      甲: {{haiyou: 0}}
  - name: fine
    period: 2023
    people:
      - {{name: 甲, score: 90}}
    selected:
      haiyou: [甲]
""", encoding="utf-8")
    bad, good = run_file(path)
    assert good.passed and not bad.passed
    (issue,) = bad.problems
    assert issue.code == "scenario.invalid" and issue.location.line == 3 and "2023、2026" in issue.message("zh")


def test_a_selected_mismatch_keeps_the_names_as_written_and_in_rank_order(tmp_path):
    from .conftest import ROOT

    path = tmp_path / "s.yaml"
    path.write_text(f"""policy: {ROOT / "policies" / "jinan.yaml"}
scenarios:
  - name: wrong on purpose
    period: 2023
    people:
      - {{name: 乙, score: 80}}
      - {{name: 甲, score: 95}}
      - {{name: 丙, score: 90}}
    selected:
      haiyou: [丙, 甲]
  - name: same names in another order pass
    period: 2023
    people:
      - {{name: 乙, score: 80}}
      - {{name: 甲, score: 95}}
    selected:
      haiyou: [乙, 甲]
""", encoding="utf-8")
    wrong, right = run_file(path)
    assert right.passed
    assert wrong.failures == [("丙、甲", "haiyou selected", "丙、甲", "甲、丙、乙")]


def test_scenario_people_may_use_the_policys_declared_fields(tmp_path):
    """A people key that is a field the policy declares is accepted and written under its name."""
    import csv

    from swtalent.policy import load_policy
    from swtalent.scenarios import _write_roster

    policy_path = tmp_path / "p.yaml"
    policy_path.write_text(CHUZHOU.read_text(encoding="utf-8").replace(
        "\nrules:", "\nfields:\n  hukou: {name: 户籍所在地, aliases: [户籍]}\n  insured: {name: 参加社保, type: yes_no, required: false}\nrules:", 1),
        encoding="utf-8")
    policy = load_policy(policy_path)
    roster = tmp_path / "r.csv"
    _write_roster(roster, [{"name": "甲", "hukou": "滁州市", "insured": True}], policy)
    with roster.open(encoding="utf-8") as fh:
        header, row = list(csv.reader(fh))
    assert header == ["姓名", "身份证号", "户籍所在地", "参加社保"] and row[2:] == ["滁州市", "是"]
    path = tmp_path / "s.yaml"
    path.write_text(GOOD_SCENARIO.replace(str(CHUZHOU), str(policy_path)).replace(
        "exam_place: 滁州市}", "exam_place: 滁州市, hukou: 滁州市}"), encoding="utf-8")
    (outcome,) = run_file(path)
    assert outcome.passed, (outcome.failures, outcome.problems)
    path.write_text(GOOD_SCENARIO.replace(str(CHUZHOU), str(policy_path)).replace(
        "exam_place: 滁州市}", "exam_place: 滁州市, hukuo: 滁州市}"), encoding="utf-8")
    from swtalent.errors import SwtalentError

    with pytest.raises(SwtalentError) as exc:
        run_file(path)
    (issue,) = exc.value.issues
    assert issue.code == "scenario.invalid" and "hukuo" in issue.message("en") and "hukou" in issue.message("en")


def test_a_scenarios_previous_rows_are_checked_and_their_problems_located(tmp_path):
    """A previous row's problem is said at that row of the YAML file; a key or rule id it cannot
    mean (yaer, a rule the policy lacks) refuses the file, since the row would count for nothing."""
    from swtalent.errors import SwtalentError

    from .conftest import ROOT

    text = f"""policy: {ROOT / "policies" / "jinan.yaml"}
scenarios:
  - name: holders
    period: 2024
    people:
      - {{name: 甲}}
    previous:
      - {{name: 甲, rule_id: haiyou, year: 2023}}
      - {{person_id: "110101198001010019", rule_id: haiyou, year: 2023}}
    expect:
      甲: {{haiyou-allowance: 12000}}
"""
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    (outcome,) = run_file(path)
    (issue,) = outcome.problems
    assert issue.code == "previous.id-invalid" and issue.location.path == "scenarios[0].previous[1].person_id"
    assert issue.location.line == 9 and "swtalent-scenario-" not in issue.render("en")
    for old, new, needle in [("year: 2023}\n      - {", "yaer: 2023}\n      - {", "yaer"),
                             ("rule_id: haiyou, year: 2023}\n      - {", "rule_id: haiyu, year: 2023}\n      - {",
                              "haiyu")]:
        bad = text.replace(old, new, 1)
        assert bad != text
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(SwtalentError) as exc:
            run_file(path)
        (issue,) = exc.value.issues
        assert issue.code == "scenario.invalid" and issue.location.line == 8 and needle in issue.message("en")
