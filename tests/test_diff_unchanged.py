"""`diff` when nothing changes says so, and why, rather than print a table of zeros; the README's
--as-of example is one that shows a change (旌阳's rates on 2021-04-01)."""
from __future__ import annotations

import json
import shlex

import openpyxl

from .conftest import CHUZHOU, EXAMPLE, ROOT
from .test_cli import invoke

JINGYANG = ROOT / "policies" / "jingyang.yaml"
JINGYANG_ROSTER = ROOT / "examples" / "jingyang-roster.csv"


def readme_example() -> list[str]:
    """The README's `diff --as-of` command, as its arguments."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if line.startswith("swtalent diff") and "--as-of" in line)
    return shlex.split(line)[1:]


def test_the_readme_as_of_example_shows_the_rate_change():
    args = readme_example()
    assert "examples/jingyang-roster.csv" in args and "policies/jingyang.yaml" in args
    args = [str(ROOT / a) if a.startswith(("examples/", "policies/")) else a for a in args]
    shown = invoke(*args)
    assert shown.exit_code == 0, shown.output
    total = next(line for line in shown.stdout.splitlines() if line.startswith("│ 合计"))
    assert [c.strip() for c in total.split("│")[1:-1]] == ["合计", "12300.00", "25800.00", "13500.00"]
    assert "增加人数 7  减少人数 0" in shown.stdout and "没有任何金额变化" not in shown.stdout
    d = json.loads(invoke(*args, "--json").stdout)
    assert (d["a"], d["b"], d["diff"], d["gain"], d["notes"]) == ("12300.00", "25800.00", "13500.00", 7, [])


def test_as_of_two_dates_with_the_same_amounts_says_nothing_changed_and_when_amounts_do():
    # The README's former example: the shipped Chuzhou policy has one amount per level since 2022.
    args = ("diff", EXAMPLE, "--policy", CHUZHOU, "--as-of", "2023-12-31", "--as-of", "2024-07-01", "--period", "2024")
    shown = invoke(*args)
    assert shown.exit_code == 0, shown.output
    said = " ".join(shown.stdout.split())  # however the terminal wraps it
    assert ("政策文件在 2023-12-31 与 2024-07-01 施行的金额相同（两个日期之间没有金额调整）：没有任何金额变化。"
            "本文件金额的生效日期：2022-01-01；比较一次调整，请在其前后各取一个日期") in said
    english = " ".join(invoke(*args, "--lang", "en").stdout.split())
    assert "amounts in force on 2023-12-31 and on 2024-07-01 are the same" in english and "2022-01-01" in english
    d = json.loads(invoke(*args, "--json").stdout)
    assert d["diff"] == "0.00" and len(d["notes"]) == 1 and "没有任何金额变化" in d["notes"][0]


def test_as_of_across_a_change_nobody_on_the_roster_is_paid():
    # 旌阳's rates change on 2021-04-01, but nobody on the Chuzhou roster holds one of its roles.
    shown = invoke("diff", EXAMPLE, "--policy", JINGYANG, "--as-of", "2021-03-31", "--as-of", "2021-04-01",
                   "--period", "2021")
    assert shown.exit_code == 0, shown.output
    said = " ".join(shown.stdout.split())
    assert "政策文件在 2021-03-31 与 2021-04-01 之间调整了金额（2021-04-01 起），但本花名册在 2021 无人领取调整的金额" in said


def test_two_policies_that_pay_alike(tmp_path):
    out = tmp_path / "same.xlsx"
    shown = invoke("diff", EXAMPLE, "--policy", CHUZHOU, "--policy", CHUZHOU, "--period", "2023", "--out", out)
    assert shown.exit_code == 0, shown.output
    assert "两个政策对本花名册在 2023 的计算结果相同：没有任何金额变化" in " ".join(shown.stdout.split())
    cells = [r[0] for r in openpyxl.load_workbook(out)["政策测算"].iter_rows(values_only=True)]
    assert "两个政策对本花名册在 2023 的计算结果相同：没有任何金额变化" in cells  # the workbook says it too


def test_a_change_is_not_called_nothing(tmp_path):
    d = json.loads(invoke("diff", JINGYANG_ROSTER, "--policy", JINGYANG, "--as-of", "2021-01-01", "--as-of",
                          "2021-12-31", "--period", "2021-06", "--json").stdout)
    # June: 100 more for each of the 2 assistants paid, 250 for each of the 4 社会工作师
    assert d["diff"] == "1200.00" and d["notes"] == []
