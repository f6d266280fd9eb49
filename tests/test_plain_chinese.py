"""Plain, consistent Chinese (issue 13, item 6): every message and hint of the catalogue as a township
clerk reads it, with no English word or quote leaking into the Chinese text except what a clerk or a
policy writer types (a policy key, a file name, an option, a program's name), listed below; and the
same messages as commands print them, filled with what a real roster or policy gave them."""
from __future__ import annotations

import csv
import json
import re
import string

import pytest

from swtalent.errors import CATALOGUE, Issue

from .conftest import CHUZHOU, HEADERS, make_id, person
from .formats import write_book
from .test_cli import invoke

# Every ASCII word the Chinese text may hold, and why. A word not here is English leaking in.
ALLOWED = {
    # programs, formats and standards a clerk knows by their names
    "Excel", "WPS", "CSV", "YAML", "UTF-8", "KB", "GB",  # GB 11643, the ID number standard
    "X", "O", "Y/N",  # the ID's check character X, the letter O typed for 0, Y/N for yes/no
    "I", "Z", "S", "V",  # the letters a unified social credit code never holds (GB 32100)
    ".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".yaml",
    # the command line as it is typed
    "swtalent", "compute", "ledger", "list", "show", "export",
    "--map", "--sheet", "--max-rows", "--commit", "--reason", "--ledger", "SWTALENT_LEDGER",
    # the policy guide, by its path and the titles of its sections
    "docs/policy-guide.md", "Conditions",
    # policy keys, as a policy writer types them
    "levels", "amounts", "id", "from", "source", "clause", "award", "fields", "values", "aliases",
    "value_aliases", "checks", "columns", "required", "not", "in_force_from", "cycle.first_year", "pay_month",
    "min_consecutive_months", "wait_months", "blank_hire_date", "in_post", "held", "qualified_until",
    "plausible_max", "title/name", "hukou", "insured_months", "blank", "passes", "fails", "unit",
    "candidates", "organisations", "people", "kind", "shortlist", "quota",
    # the English column names an earlier-payments file may use
    "person_id", "year", "rule_id",
}
PHRASES = ("Scenario tests",)  # a section title of the guide, in its own words
# ASCII quotes where the text speaks of the quote itself: the apostrophe that keeps an ID as text, the
# quote an unclosed CSV cell lacks, the quotes around a --reason typed on the command line.
QUOTES = {"roster.id-number": "'", "roster.code-number": "'", "roster.csv-quote": '"', "ledger.no-reason": '"'}
WORD = re.compile(r"(?:--|\.)?[A-Za-z][A-Za-z0-9_]*(?:[-./][A-Za-z0-9_]+)*")


def english(text: str, allowed: set[str] = ALLOWED) -> list[str]:
    """The ASCII words of a Chinese text that are not allowed (placeholders taken out)."""
    text = re.sub(r"\{[a-z_]+\}", "", text)
    for phrase in PHRASES:
        text = text.replace(phrase, "")
    return [w for w in WORD.findall(text) if w not in allowed]


def fields(template: str) -> set[str]:
    """A template's placeholders, a language's own (detail_zh, detail_en) named alike."""
    return {re.sub(r"_(zh|en)$", "", f[1]) for f in string.Formatter().parse(template) if f[1]}


@pytest.mark.parametrize("code", list(CATALOGUE))
def test_the_chinese_text_holds_no_english(code):
    entry = CATALOGUE[code]
    for text in (entry.zh, entry.hint_zh):
        assert not english(text), (code, text, english(text))
        quotes = {q for q in "'\"" if q in re.sub(r"\{[a-z_]+\}", "", text)}
        assert quotes <= set(QUOTES.get(code, "")), (code, text)


@pytest.mark.parametrize("code", list(CATALOGUE))
def test_chinese_and_english_take_the_same_placeholders(code):
    entry = CATALOGUE[code]
    assert fields(entry.zh) == fields(entry.en), code
    assert fields(entry.hint_zh) == fields(entry.hint_en), code
    assert bool(entry.hint_zh) == bool(entry.hint_en), code


def test_the_allow_list_holds_only_what_is_used():
    """So that it cannot grow into a list of exceptions: every word on it is in some Chinese text."""
    used = {w for e in CATALOGUE.values() for t in (e.zh, e.hint_zh) for w in WORD.findall(t)}
    assert ALLOWED <= used, ALLOWED - used


def test_the_check_finds_what_leaked_before():
    """What issue 13 found, and what a pydantic message would have leaked, are caught."""
    assert "or" in english("应为 'after_qualifying' or 'qualifying_month' 之一")
    assert english("取值无效：String should have at most 1 character")[:2] == ["String", "should"]
    assert english("用 --map 证件号=身份证号 指定；见 docs/policy-guide.md 的「Scenario tests」一节") == []


def test_no_roster_message_speaks_of_a_policy_that_was_not_given():
    """check runs without --policy: the roster's and the file's messages never say 本政策."""
    for code, entry in CATALOGUE.items():
        if code.split(".")[0] in ("file", "roster", "previous", "output"):
            assert "本政策" not in entry.zh + entry.hint_zh, code


def _problems(result) -> list[dict]:
    return json.loads(result.stdout)["problems"]


def test_a_totals_row_is_named_by_the_label_it_holds(tmp_path):
    """A 小计 row is told to change 小计, not 合计; each label as it is written."""
    rows = [person(1), ["南谯区小计"] + [None] * 8, person(2), ["总计：2 人"] + [None] * 8, ["合  计"] + [None] * 8,
            [None, None, None, None, None, None, None, None, "共计"]]
    path = write_book(tmp_path / "roster.xlsx", {"花名册": [HEADERS, *rows]})
    result = invoke("check", path, "--json")
    assert result.exit_code == 0, result.output
    totals = [p for p in _problems(result) if p["code"] == "roster.total-row"]
    assert [(p["row"], p["message"].split("，")[0], p["hint"]) for p in totals] == [
        (3, "本行是小计行", "无需处理；如本行其实是人员，请改掉「小计」字样"),
        (5, "本行是总计行", "无需处理；如本行其实是人员，请改掉「总计」字样"),
        (6, "本行是合计行", "无需处理；如本行其实是人员，请改掉「合计」字样"),
        (7, "本行是共计行", "无需处理；如本行其实是人员，请改掉「共计」字样")]
    en = _problems(invoke("check", path, "--json", "--lang", "en"))
    assert "remove the word 小计" in [p for p in en if p["code"] == "roster.total-row"][0]["hint"]


def _messy(tmp_path, suffix=".xlsx"):
    """A roster with most of what a clerk gets wrong, and an extra column nobody uses."""
    rows = [person(1), person(2, level="心理咨询师"), person(3, name=""), person(4, pid=make_id(4)[:-1] + "0"),
            person(5, qualified="去年"), person(1), person(6, category="社区工作人员", district="琅琊区"),
            person(7, pid=341102199001010000)]
    rows = [r + ["是" if k == 6 else None] for k, r in enumerate(rows)]  # a 性别 of 是: a column typed askew
    rows += [["南谯区小计"] + [None] * 9, ["制表人：张三", None, "审核人：李四", None, "日期：2024.1.8"]]
    return write_book(tmp_path / f"roster{suffix}", {"花名册": [HEADERS + ["性别"], *rows]})


@pytest.mark.parametrize("policy", [None, CHUZHOU], ids=["no policy", "chuzhou"])
def test_a_messy_roster_is_told_in_plain_chinese(tmp_path, policy):
    """check as a clerk types it, with and without --policy: every message and hint, filled in, holds no
    English beyond the allow-list and what the roster itself holds (its cells, headers and file name)."""
    path = _messy(tmp_path)
    args = ["check", path, "--json"] + (["--policy", policy] if policy else [])
    result = invoke(*args)
    assert result.exit_code == 1, result.output
    problems = _problems(result)
    assert len({p["code"] for p in problems}) >= 7, [p["code"] for p in problems]
    for p in problems:
        own = {p["value"] or "", p["column"] or "", str(path)}
        text = p["message"] + " " + p["hint"]
        for s in sorted(own, key=len, reverse=True):
            text = text.replace(s, "") if s else text
        assert not english(text), (p["code"], p["message"], p["hint"])
        assert "本政策" not in text or policy is not None, p
    assert not any(ch in p["message"] + p["hint"] for p in problems for ch in "'\"" if p["code"] not in QUOTES)


def test_check_on_a_terminal_says_its_counts_and_places_in_chinese(tmp_path):
    """What the clerk reads: the place of each problem in words, the colon and brackets Chinese."""
    path = _messy(tmp_path)
    result = invoke("compute", path, "--policy", CHUZHOU, "--period", "2023")
    assert result.exit_code == 0, result.output
    assert re.search(r"数据问题（错误 \d+，警告 \d+）", result.stdout), result.stdout
    quiet = invoke("check", path, "--quiet")
    assert "工作表「花名册」第 3 行「证书等级」列：证书等级「心理咨询师」" in quiet.stderr, quiet.stderr
    assert ", 第" not in quiet.stderr and "列: " not in quiet.stderr


POLICY_MISTAKES = {
    "upgrade: full_amount": "upgrade: yes",  # YAML reads yes as true
    "id: chuzhou": "id: chuzhou\nnotice: {mask: '**'}",
    "first_month: after_qualifying": "first_month: next_month",
    "in_force_from: 2022-01-01": "in_force_from: 2022-13-01",
    "op: contains_any": "op: like",
    "    name: 社会工作师\n": "    name: 社会工作师\n    alias: [中级]\n",
}


def test_validate_speaks_chinese_about_a_policy_full_of_mistakes(tmp_path):
    """validate a policy as a writer gets it wrong: each message names the writer's keys and values,
    and nothing else in English (a pydantic message never reaches the Chinese text)."""
    text = CHUZHOU.read_text(encoding="utf-8")
    for old, new in POLICY_MISTAKES.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke("validate", path, "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["files"][0]["problems"]
    assert len(problems) >= len(POLICY_MISTAKES), problems
    typed = set(WORD.findall("\n".join(line.split("#")[0] for line in text.splitlines())))  # keys and values
    for p in problems:
        said = p["message"] + " " + p["hint"]
        assert not english(said, ALLOWED | typed | _policy_words()), (p["path"], said)
    assert any("「true」应为" in p["message"] for p in problems)  # as YAML reads it, not Python's True
    assert any("至多 1 个字符" in p["message"] for p in problems)


def _policy_words() -> set[str]:
    """The policy language's own words, as its schema has them: every key and every choice."""
    from swtalent.policy.schema import policy_schema

    words: set[str] = {"true", "false"}

    def walk(node) -> None:
        if isinstance(node, dict):
            words.update(node.get("properties", {}))
            words.update(str(v) for v in node.get("enum", ()))
            if "const" in node:
                words.add(str(node["const"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(policy_schema())
    return words


def test_a_claim_taken_already_is_said_in_words(tmp_path):
    """ledger import of a file already imported: which payment, in words (一次性补助（社会工作师）, 2023-01 月),
    not the ledger's keys (once:intermediate)."""
    ledger = f"sqlite:///{tmp_path / 'ledger.db'}"
    old = tmp_path / "old.csv"
    pid = "341122199411281032"
    with old.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["身份证号", "规则编号", "等级", "期间", "月数", "金额"])
        w.writerow([pid, "post-allowance", "intermediate", "2023-01..2023-01", "1", "400.00"])
        w.writerow([pid, "certificate-subsidy", "intermediate", "2022-05", "", "2000.00"])
    first = invoke("ledger", "import", old, "--policy", CHUZHOU, "--ledger", ledger)
    assert first.exit_code == 0, first.output
    again = invoke("ledger", "import", old, "--policy", CHUZHOU, "--ledger", ledger, "--json")
    assert again.exit_code == 1
    said = [p["message"] for p in json.loads(again.stdout)["problems"]]
    assert any("「岗位补贴」2023-01 月已由批次" in m for m in said), said
    assert any("「一次性补助」一次性补助（社会工作师）已由批次" in m for m in said), said
    assert not any(":" in m.split("已由批次")[0] for m in said), said
    en = invoke("ledger", "import", old, "--policy", CHUZHOU, "--ledger", ledger, "--json", "--lang", "en")
    assert any("one-off (社会工作师)" in p["message"] for p in json.loads(en.stdout)["problems"])


def test_rendered_issue_places_read_as_chinese():
    from swtalent.errors import Location

    issue = Issue.make("roster.gender-unknown", Location(file="r.xlsx", sheet="花名册", row=3, column="性别"), "x")
    assert issue.render("zh") == "r.xlsx 工作表「花名册」第 3 行「性别」列：无法识别的性别「x」 — 填写「男」或「女」"
    assert issue.render("en").startswith("r.xlsx, sheet '花名册', row 3, column '性别': ")
    policy = Issue.make("policy.missing-key", Location(file="p.yaml", line=3, col=4, path="rules[0]"), key="id")
    assert policy.render("zh").startswith("p.yaml:3:4 rules[0]: ")  # the file:line:col form editors read
