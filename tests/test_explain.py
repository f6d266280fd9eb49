"""swtalent explain: one person's every rule, in the words the workbook uses."""
from __future__ import annotations

import json

import openpyxl
import pytest

from swtalent.api import run_compute
from swtalent.reports.explain import explain, find_person
from swtalent.reports.files import write_outputs

from .conftest import CHUZHOU, EXAMPLE, person
from .test_cli import invoke


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    comp = run_compute(EXAMPLE, CHUZHOU, "2023")
    out = tmp_path_factory.mktemp("x") / "p.xlsx"
    write_outputs(comp, [out])
    return comp, openpyxl.load_workbook(out)


def sheet_rows(book, name, header_row):
    rows = list(book[name].iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_explain_agrees_with_the_workbook_for_every_person(example):
    comp, book = example
    not_paid = {r["来源行"]: r["原因"] for r in sheet_rows(book, "不予发放", 1)}
    details = {}
    for name, rule in (("发放花名册（一次性）", "一次性补助"), ("发放花名册（按月）", "岗位补贴")):
        for r in sheet_rows(book, name, 3):
            if isinstance(r["来源行"], (int, float)):  # a payment line (a person's further lines share 序号)
                details.setdefault((int(r["来源行"]), rule), []).append((r["计算说明"], r["金额（元）"]))
    ids = [i for i in dict.fromkeys(comp.roster.frame["person_id"]) if i]
    checked = 0
    for pid in ids:
        e = explain(comp, find_person(comp, pid), "zh")
        assert e["person_id"] == pid
        for row in e["rows"]:
            reasons = [f"{rule['title']}：{entry['reason']}" for rule in e["rules"] for entry in rule["rows"]
                       if entry["row"] == row["row"] and entry["reason"]]
            if row["status"] == "not_paid":
                assert "；".join(reasons) == not_paid[row["row"]], (pid, row)
                checked += 1
        for rule in e["rules"]:
            for entry in rule["rows"]:
                shown = [(line["detail"], float(line["amount"])) for line in entry["lines"]]
                assert shown == details.get((entry["row"], rule["title"]), []), (pid, entry["row"])
                paid_months = sum(m["count"] for m in entry.get("months", []) if m["paid"])
                assert paid_months == sum(line["months"] or 0 for line in entry["lines"])
    assert checked == len(not_paid)  # every row not paid was explained, in the same words


def test_months_counted_and_why_the_others_were_not(example):
    comp, _ = example
    e = explain(comp, find_person(comp, "孙志强"), "zh")
    monthly = next(r for r in e["rules"] if r["kind"] == "monthly")
    assert [(m["first"], m["last"], m["why"]) for m in monthly["rows"][0]["months"]] == [
        ("2023-01", "2023-05", "按 200 元发放"), ("2023-06", "2023-12", "按本人更高等级证书发放")]
    assert [(m["first"], m["last"], m["why"]) for m in monthly["rows"][1]["months"]] == [
        ("2023-01", "2023-05", "证书尚未计入（取证日期 2023-05-20）"), ("2023-06", "2023-12", "按 400 元发放")]
    assert e["total"] == "5800.00"
    cond = monthly["rows"][0]["conditions"][0]
    assert (cond["label"], cond["value"], cond["holds"]) == ("人员类别", "社区工作人员", True)


def test_a_condition_not_met_shows_the_value_seen(roster):
    comp = run_compute(roster([person(1, category="志愿者")]), CHUZHOU, "2023")
    e = explain(comp, find_person(comp, "测试一"), "zh")
    conds = e["rules"][1]["rows"][0]["conditions"]
    assert [(c["value"], c["holds"]) for c in conds] == [("志愿者", False)]
    assert e["rules"][1]["rows"][0]["reason"] == "人员类别「志愿者」须为 社区工作人员"


def test_person_by_masked_id_or_name_and_errors():
    masked = invoke("explain", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--person", "3411**********1032", "--json")
    assert masked.exit_code == 0 and json.loads(masked.stdout)["name"] == "孙志强"
    assert invoke("explain", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--person", "无此人").exit_code == 2
    text = invoke("explain", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--person", "孙志强")
    assert text.exit_code == 0 and "按本人更高等级证书发放" in text.stdout


def test_a_name_two_people_share_must_be_an_id(roster):
    comp = run_compute(roster([person(1, name="张伟"), person(2, name="张伟")]), CHUZHOU, "2023")
    from swtalent.errors import UsageError

    with pytest.raises(UsageError) as exc:
        find_person(comp, "张伟")
    assert "2 人" in exc.value.text("zh")


def test_rows_without_a_usable_id_are_never_grouped_together(roster):
    comp = run_compute(roster([person(1, name="甲", pid=""), person(2, name="乙", pid="")]), CHUZHOU, "2023")
    e = explain(comp, find_person(comp, "甲"), "zh")
    assert [r["row"] for r in e["rows"]] == [2] and e["name"] == "甲"
    assert [(p["row"], p["code"]) for p in e["problems"]] == [(2, "roster.id-missing")]
    assert e["rules"][0]["rows"][0]["status"] == "held"


def test_masked_id_with_the_policys_mask_character(tmp_path):
    text = CHUZHOU.read_text(encoding="utf-8").replace("\nnotice:\n", "\nnotice:\n  mask: \"#\"\n", 1)
    policy = tmp_path / "p.yaml"
    policy.write_text(text, encoding="utf-8")
    comp = run_compute(EXAMPLE, policy, "2023")
    assert explain(comp, find_person(comp, "3411##########1032"), "zh")["name"] == "孙志强"
    assert explain(comp, find_person(comp, "341122####1032"), "zh")["name"] == "孙志强"


def test_a_row_not_paid_says_each_rules_reason_once_and_no_missing_one(monkeypatch):
    """不予发放's reason: each rule's title and reason, joined, in rule order; a rule with no reason
    for the row (blank, or missing where a quoted field was empty) adds nothing."""
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    from swtalent.engine import INELIGIBLE
    from swtalent.reports import reasons

    index = pd.Index([0, 1, 2, 3, 4])
    texts = [pd.Series(["", "a理由", np.nan, "b理由", "a理由"], index=index, dtype=object),
             pd.Series(["c理由", "", "c理由", None, ""], index=index, dtype=object)]
    comp = SimpleNamespace(status=np.array([INELIGIBLE] * 5), roster=SimpleNamespace(frame=pd.DataFrame(index=index)),
                           outcomes=[SimpleNamespace(rule=SimpleNamespace(title="规则一")),
                                     SimpleNamespace(rule=SimpleNamespace(title="规则二"))])
    monkeypatch.setattr(reasons, "rule_reasons", lambda comp, lang, rows: [t.copy() for t in texts])
    assert reasons.ineligible_reasons(comp, "zh").tolist() == [
        "规则二：c理由", "规则一：a理由", "规则二：c理由", "规则一：b理由", "规则一：a理由"]
