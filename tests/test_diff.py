"""政策测算: the same roster under two policies."""
from __future__ import annotations

import json
from decimal import Decimal

import openpyxl

from .conftest import CHUZHOU, EXAMPLE
from .test_cli import invoke


def raised(tmp_path):
    """Chuzhou with the intermediate allowance raised 400 -> 500 from 2024."""
    text = CHUZHOU.read_text(encoding="utf-8").replace(
        "        - {from: 2022-01-01, value: 400}\n",
        "        - {from: 2022-01-01, value: 400}\n        - {from: 2024-01-01, value: 500}\n", 1)
    path = tmp_path / "raised.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def diff_json(*args):
    result = invoke("diff", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_policy_against_itself_changes_nothing():
    d = diff_json(EXAMPLE, "--policy", CHUZHOU, "--policy", CHUZHOU, "--period", "2023")
    assert d["a"] == d["b"] == "175200.00" and d["diff"] == "0.00"
    assert all(r["diff"] == "0.00" for part in ("by_rule", "by_level", "by_district") for r in d[part])
    assert d["gain"] == d["lose"] == 0 and d["people"] == [] and d["unchanged"] > 0


def test_raising_the_intermediate_allowance(tmp_path):
    d = diff_json(EXAMPLE, "--policy", CHUZHOU, "--policy", raised(tmp_path), "--period", "2024")
    levels = {r["key"]: r for r in d["by_level"]}
    assert levels["assistant"]["diff"] == levels["senior"]["diff"] == "0.00"
    gain = Decimal(levels["intermediate"]["diff"])
    assert gain > 0 and Decimal(d["diff"]) == gain
    for part in ("by_rule", "by_district"):  # every breakdown adds up to the total difference
        assert sum(Decimal(r["diff"]) for r in d[part]) == Decimal(d["diff"])
    assert sum(Decimal(p["diff"]) for p in d["people"]) == Decimal(d["diff"])
    assert d["lose"] == 0 and d["gain"] == len(d["people"])
    # 100 yuan more for each month paid at the intermediate rate
    assert all(Decimal(p["diff"]) % 100 == 0 and Decimal(p["diff"]) > 0 for p in d["people"])
    assert Decimal(d["b"]) - Decimal(d["a"]) == Decimal(d["diff"])


def test_diff_workbook_and_terminal(tmp_path):
    out = tmp_path / "what-if.xlsx"
    result = invoke("diff", EXAMPLE, "--policy", CHUZHOU, "--policy", raised(tmp_path), "--period", "2024", "--out", out)
    assert result.exit_code == 0 and "增加人数" in result.stdout
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["政策测算", "变动人员"]
    summary = list(book["政策测算"].iter_rows(min_row=3, values_only=True))
    total = summary[0]
    assert total[0] == "合计" and Decimal(str(total[3])) == Decimal(str(total[2])) - Decimal(str(total[1]))
    people = list(book["变动人员"].iter_rows(min_row=2, values_only=True))
    assert sum(Decimal(str(p[5])) for p in people) == Decimal(str(total[3]))


def test_diff_needs_exactly_two_policies():
    assert invoke("diff", EXAMPLE, "--policy", CHUZHOU, "--period", "2024").exit_code == 2


def test_every_breakdown_adds_up_with_awards_and_a_renamed_rule(tmp_path):
    from .conftest import ROOT

    jiujiang = ROOT / "policies" / "jiujiang.yaml"
    text = jiujiang.read_text(encoding="utf-8")
    richer = tmp_path / "richer.yaml"
    richer.write_text(text.replace("value: 10000", "value: 12000", 1), encoding="utf-8")
    d = diff_json(ROOT / "examples" / "jiujiang-candidates.xlsx", "--policy", jiujiang, "--policy", richer,
                  "--period", "2023")
    assert d["diff"] == "36000.00"  # 18 selected, 2000 more each
    for part in ("by_rule", "by_level"):
        assert sum(Decimal(r["diff"]) for r in d[part]) == Decimal(d["diff"]), part
    assert [r["level"] if "level" in r else r["key"] for r in d["by_level"]] == [""]  # awards carry no level

    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(CHUZHOU.read_text(encoding="utf-8").replace("id: post-allowance", "id: post-allowance-2024"),
                       encoding="utf-8")
    d = diff_json(EXAMPLE, "--policy", CHUZHOU, "--policy", renamed, "--period", "2023")
    assert [(r["key"], r["only"]) for r in d["by_rule"]] == [
        ("certificate-subsidy", ""), ("post-allowance", "a"), ("post-allowance-2024", "b")]
    assert d["diff"] == "0.00" and sum(Decimal(r["diff"]) for r in d["by_rule"]) == 0
    out = tmp_path / "d.xlsx"
    assert invoke("diff", EXAMPLE, "--policy", CHUZHOU, "--policy", renamed, "--period", "2023", "--out", out).exit_code == 0
    items = [r[0] for r in openpyxl.load_workbook(out)["政策测算"].iter_rows(min_row=3, values_only=True) if r[0]]
    assert "岗位补贴（仅原政策）" in items and "岗位补贴（仅新政策）" in items
    assert any(i.startswith("不变人数：") for i in items)  # head counts as words, not in a money column


def test_one_policy_as_it_stood_on_two_dates(tmp_path):
    """The raise dated 2024-01-01 inside one file: its cost is the same as comparing two files."""
    policy = raised(tmp_path)
    by_date = diff_json(EXAMPLE, "--policy", policy, "--as-of", "2023-12-31", "--as-of", "2024-01-01", "--period", "2024")
    by_file = diff_json(EXAMPLE, "--policy", CHUZHOU, "--policy", policy, "--period", "2024")
    assert by_date["diff"] == by_file["diff"] != "0.00"
    assert by_date["files"] == [f"{policy} @ 2023-12-31", f"{policy} @ 2024-01-01"]
    assert [p["diff"] for p in by_date["people"]] == [p["diff"] for p in by_file["people"]]
    assert invoke("diff", EXAMPLE, "--policy", policy, "--as-of", "2023-12-31", "--period", "2024").exit_code == 2
    assert invoke("diff", EXAMPLE, "--policy", policy, "--as-of", "x", "--as-of", "y", "--period", "2024").exit_code == 2


def test_every_shipped_policy_has_versions_by_date():
    from datetime import date

    from swtalent.policy import load_policy

    from .conftest import ROOT

    for path in sorted((ROOT / "policies").glob("*.yaml")):
        policy = load_policy(path)
        early, late = policy.as_of(date(2000, 1, 1)), policy.as_of(date(2100, 1, 1))
        assert [r.kind for r in early.rules] == [r.kind for r in late.rules] == [r.kind for r in policy.rules]
        for rule in early.rules:  # before anything was in force, every amount is 0
            entries = rule.amount if rule.kind == "award" else rule.dated() if rule.kind == "title_allowance" else \
                [e for v in rule.amounts.values() for e in v]
            assert all(e.value == 0 for e in entries), (path.name, rule.id)
