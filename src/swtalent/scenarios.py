"""Policy scenario tests (OpenFisca style): a few people, a period, the amount each rule should pay.

    # policies/tests/jingyang.yaml
    policy: ../jingyang.yaml          # relative to this file
    scenarios:
      - name: 助理社会工作师全年在岗
        period: 2021
        people:
          - {name: 张三, category: 社区工作者, level: 助理社会工作师, qualified_on: 2020-06-01}
        expect:
          张三: {certificate-subsidy: 0, post-allowance: 2100}
        selected: {}                  # award rules: rule id -> the names selected
        previous:                     # earlier payments (the --previous file), by name
          - {name: 张三, rule_id: post-allowance, months: 12, amount: 2400, year: 2020}

Within a scenario, rows with the same name are one person (one row per certificate).

Each scenario's people become a real roster file (CSV, with the standard headers, and a valid ID
made up for anyone given none), which goes through the same reading, checks and rules as a
run of `swtalent compute`. `swtalent test` runs the files; pytest runs every file under
policies/tests.
"""
from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
from stdnum.cn.ric import calc_check_digit

from .errors import Issue, Location, SwtalentError, UsageError
from .fields import FIELDS, ORG_FIELDS
from .money import format_yuan
from .periods import Period
from .policy.yamlsource import load_source


@dataclass
class Outcome:
    """One scenario's result: every (person, rule) whose amount differs from the expected one."""

    file: str
    name: str
    line: int
    failures: list[tuple[str, str, str, str]] = field(default_factory=list)  # person, rule, expected, got
    problems: list[Issue] = field(default_factory=list)  # row problems in the scenario's people
    refused: bool = False  # the run refused the scenario's people (problems says why): nothing was checked

    @property
    def passed(self) -> bool:
        return not self.refused and not self.failures and not any(i.severity == "error" for i in self.problems)


def made_up_id(seq: int, organisations: bool = False) -> str:
    """A valid ID (checksum included) for a scenario person given none, or a valid unified social
    credit code (a 民政-registered social service agency's, 52…) for an organisation; one per name."""
    if organisations:
        from .roster.codes import check_character

        body = f"52110101MJ{seq:07d}"
        return body + check_character(body)
    body = f"11010119800101{seq:03d}"
    return body + calc_check_digit(body + "0")


def run_file(path: str | Path) -> list[Outcome]:
    """Every scenario of a file; a file that is not well formed stops with its problems at file:line,
    so that a typo (a rule id, a name, a key) can never make a scenario pass by checking nothing.
    Each scenario then runs on its own: one whose people the run refuses (a column the policy
    requires is missing, say) fails alone, with its problems at the scenario."""
    from .policy import load_policy

    path = Path(path)
    src = load_source(path)
    if src.data is None:
        raise SwtalentError(src.issues or [Issue.make("policy.not-found", Location(file=str(path)))])
    data = src.data
    problems = _shape(data, src)
    if problems:
        raise SwtalentError(problems)
    policy = load_policy((path.parent / str(data["policy"])).resolve())
    problems = [p for k, sc in enumerate(data["scenarios"]) for p in _against_policy(sc, k, policy, src)]
    if problems:
        raise SwtalentError(problems)
    with tempfile.TemporaryDirectory(prefix="swtalent-scenario-") as tmp:
        return [_run_one(path, src, k, sc, policy, Path(tmp)) for k, sc in enumerate(data["scenarios"])]


def _run_one(path: Path, src, k: int, sc: dict, policy, tmp: Path) -> Outcome:
    from .api import run_compute

    where = src.where(("scenarios", k))
    outcome = Outcome(str(path), str(sc.get("name", f"#{k + 1}")), where.line or 0)
    roster, previous = tmp / f"scenario-{k}.csv", tmp / f"previous-{k}.csv"
    people = sc.get("people") or []
    names, keys = _write_roster(roster, people, policy)
    # Problems are said at the scenario, never at the temporary files (gone once the run is over).
    files = {str(roster): ("people", keys), str(previous): ("previous", _PREVIOUS_HEADERS)}
    place = _Relocate(src, k, files, str(tmp), f"{path}:{where.line}", _headers(policy))
    try:
        comp = run_compute(roster, policy, str(sc["period"]),
                           previous=_write_previous(previous, sc.get("previous"), names))
    except SwtalentError as exc:
        outcome.refused, outcome.problems = True, [place(i) for i in exc.issues]
        return outcome
    except UsageError as exc:  # a period the policy cannot compute in one run (two selection years)
        outcome.refused = True
        outcome.problems = [Issue.make("scenario.invalid", where, detail_zh=place.text(exc.text("zh")),
                                       detail_en=place.text(exc.text("en")))]
        return outcome
    got: dict[tuple[str, str], int] = {}
    for pid, rule, fen in zip(comp.lines["person_id"], comp.lines["rule_id"].astype(str), comp.lines["amount_fen"]):
        got[(names[pid], rule)] = got.get((names[pid], rule), 0) + int(fen)
    # A data problem in the people is reported at the scenario's person, not the temporary file.
    outcome.problems = [place(i) for i in comp.roster.issues if i.severity == "error"]
    for person, rules in (sc.get("expect") or {}).items():
        for rule, amount in rules.items():
            want = int(Decimal(amount) * 100)
            have = got.get((str(person), str(rule)), 0)
            if want != have:
                outcome.failures.append((str(person), str(rule), format_yuan(want), format_yuan(have)))
    ids = comp.roster.frame["person_id"].to_numpy()
    for rule_id, expected in (sc.get("selected") or {}).items():
        decision = next(r for r in comp.outcomes if r.rule.id == rule_id).award
        # The names selected, in the order of selection (rank, then roster row); those expected as
        # the file writes them. Whether they agree does not depend on the order.
        won = sorted(np.flatnonzero(decision.status == "selected"), key=lambda i: (decision.rank[i], i))
        chosen = list(dict.fromkeys(names[ids[i]] for i in won))
        wanted = [str(n) for n in expected]
        if sorted(chosen) != sorted(wanted):
            outcome.failures.append(("、".join(wanted) or "—", f"{rule_id} selected", "、".join(wanted) or "—",
                                     "、".join(chosen) or "—"))
    return outcome


@dataclass
class _Relocate:
    """An issue of a run on a scenario's temporary files, moved to the scenario in the YAML file: a
    roster row's to the person (and the key, when the cell's column is one the person has), a
    previous row's to that row, anything else (a missing column) to the scenario; and no path of
    the temporary files left in its text."""

    src: object
    k: int
    files: dict[str, tuple[str, dict | None]]  # temporary file -> (scenario key, header -> people key)
    tmp: str
    label: str  # file:line of the scenario, which replaces a temporary path in a message
    known: dict[str, str]  # people key -> header (_headers)

    def __call__(self, issue: Issue) -> Issue:
        at, loc = ("scenarios", self.k), issue.location
        params = dict(issue.params)
        key = next((k for k, h in self.known.items() if h == params.get("column")), None)
        if issue.code == "roster.column-missing" and key is not None:  # said as a key of the people
            return Issue.make("scenario.invalid", self.src.where(at),
                              detail_zh=f"people 中没有「{key}」（{params['column']}），本政策在该期间需要这一列：给每人写上 {key}",
                              detail_en=f"the people have no '{key}' ({params['column']}), a column the policy needs in "
                                        f"this period: give each person a {key}")
        part, headers = self.files.get(loc.file, ("", None))
        if part and loc.row is not None and loc.row >= 2:
            at += (part, loc.row - 2)
            if headers and loc.column in headers:
                at += (headers[loc.column],)
        return replace(issue, location=self.src.where(at), value=self.text(issue.value),
                       params=tuple((key, self.text(v)) for key, v in issue.params))

    def text(self, text: str) -> str:
        for file in self.files:
            text = text.replace(file, self.label)
        return text.replace(self.tmp, self.label)


_FILE_KEYS = {"policy", "scenarios"}
_SCENARIO_KEYS = {"name", "period", "people", "expect", "selected", "previous"}
# An earlier payment or win (a row of the --previous file): whose (a name of the people, or an ID),
# which rule, the year, and what was paid.
_PREVIOUS_KEYS = ("name", "person_id", "rule_id", "year", "level", "months", "amount")
_PREVIOUS_HEADERS = {"person_id": "person_id", "rule_id": "rule_id", "level": "level", "months": "months",
                     "amount": "amount", "年度": "year"}  # as _write_previous writes them -> key


def _bad(src, path: tuple, zh: str, en: str, key: bool = False) -> Issue:
    return Issue.make("scenario.invalid", src.where(path, key=key), detail_zh=zh, detail_en=en)


def _shape(data: object, src) -> list[Issue]:
    """The file's structure: keys, types, and amounts that are exact to the fen."""
    if not isinstance(data, dict) or not isinstance(data.get("policy"), str) or not data.get("scenarios") \
            or not isinstance(data["scenarios"], list):
        return [_bad(src, (), "场景文件需要 policy（政策文件路径）和至少一个 scenarios",
                     "a scenario file needs policy (the policy file) and at least one scenario")]
    out = [_bad(src, (key,), f"未知的键「{key}」", f"unknown key '{key}'", key=True) for key in data if key not in _FILE_KEYS]
    for k, sc in enumerate(data["scenarios"]):
        at = ("scenarios", k)
        if not isinstance(sc, dict):
            out.append(_bad(src, at, "每个场景应为映射（name、period、people、expect……）",
                            "each scenario must be a mapping (name, period, people, expect …)"))
            continue
        out += [_bad(src, at + (key,), f"未知的键「{key}」（可用：{'、'.join(sorted(_SCENARIO_KEYS))}）",
                     f"unknown key '{key}' (allowed: {', '.join(sorted(_SCENARIO_KEYS))})", key=True)
                for key in sc if key not in _SCENARIO_KEYS]
        if "period" not in sc:
            out.append(_bad(src, at, "缺少 period（如 2023）", "period is missing (such as 2023)"))
        else:
            try:
                Period.parse(str(sc["period"]))
            except UsageError as exc:
                out.append(_bad(src, at + ("period",), exc.text("zh"), exc.text("en")))
        people = sc.get("people")
        if not isinstance(people, list) or not people or not all(isinstance(p, dict) for p in people):
            out.append(_bad(src, at + ("people",), "people 应为人员列表，每人一个映射", "people must be a list of mappings, one per row"))
        # The keys of the people are checked against the policy's fields too (_against_policy).
        selected = sc.get("selected") or {}
        if not isinstance(selected, dict) or not all(isinstance(v, list) for v in selected.values()):
            out.append(_bad(src, at + ("selected",), "selected 应为 规则编号: [姓名, …]", "selected must be rule id: [name, …]"))
        previous = sc.get("previous") or []
        if not isinstance(previous, list) or not all(isinstance(v, dict) for v in previous):
            out.append(_bad(src, at + ("previous",), "previous 应为往期记录的列表，每条一个映射",
                            "previous must be a list of earlier payments, one mapping each"))
        else:  # a misspelt key would leave the row counting for nothing
            out += [_bad(src, at + ("previous", j, key), f"往期记录的键「{key}」不可用（可用：{'、'.join(_PREVIOUS_KEYS)}）",
                         f"'{key}' is not a key of an earlier payment ({', '.join(_PREVIOUS_KEYS)})", key=True)
                    for j, row in enumerate(previous) for key in row if key not in _PREVIOUS_KEYS]
        if not sc.get("expect") and not sc.get("selected"):
            out.append(_bad(src, at, "场景没有 expect 或 selected：什么也不检查", "the scenario has no expect or selected: it checks nothing"))
        expect = sc.get("expect") or {}
        if not isinstance(expect, dict) or not all(isinstance(v, dict) for v in expect.values()):
            out.append(_bad(src, at + ("expect",), "expect 应为 姓名: {规则编号: 金额}", "expect must be name: {rule id: amount}"))
            continue
        for person, rules in expect.items():
            for rule, amount in rules.items():
                if not isinstance(amount, Decimal) or amount < 0 or amount != amount.quantize(Decimal("0.01")):
                    out.append(_bad(src, at + ("expect", person, rule), f"金额「{amount}」应为不小于 0、最多两位小数的数字",
                                    f"amount '{amount}' must be a number of at least 0 with at most two decimals"))
    return out


def _against_policy(sc: dict, k: int, policy, src) -> list[Issue]:
    """Every rule id is the policy's, every name is one of the scenario's people."""
    rules = {r.id: r for r in policy.rules}
    names = {str(p.get("name")) for p in sc["people"]}
    at = ("scenarios", k)
    known = _headers(policy)
    out = [_bad(src, at + ("people", j, key), f"「{key}」不是花名册字段，也不是本政策 fields 声明的字段（可用：{', '.join(known)}）",
                f"'{key}' is neither a roster field nor one the policy declares under fields ({', '.join(known)})", key=True)
           for j, person in enumerate(sc["people"]) for key in person if key not in known]
    for person, expected in (sc.get("expect") or {}).items():
        if str(person) not in names:
            out.append(_bad(src, at + ("expect", person), f"「{person}」不在本场景的 people 中", f"'{person}' is not among the scenario's people"))
        out += [_bad(src, at + ("expect", person, rule), f"规则「{rule}」不在政策中（现有：{'、'.join(rules)}）",
                     f"rule '{rule}' is not in the policy ({', '.join(rules)})", key=True) for rule in expected if rule not in rules]
    for rule, chosen in (sc.get("selected") or {}).items():
        if rules.get(rule) is None or rules[rule].kind != "award":
            out.append(_bad(src, at + ("selected", rule), f"「{rule}」不是本政策的评选规则", f"'{rule}' is not an award rule of the policy"))
        out += [_bad(src, at + ("selected", rule), f"「{n}」不在本场景的 people 中", f"'{n}' is not among the scenario's people")
                for n in chosen or [] if str(n) not in names]
    for j, row in enumerate(sc.get("previous") or []):
        if not isinstance(row, dict) or (str(row.get("name")) not in names and not row.get("person_id")):
            out.append(_bad(src, at + ("previous", j), "往期记录须写 people 中的姓名（或 person_id）",
                            "an earlier payment must name one of the people (or give person_id)"))
        elif row.get("rule_id") not in (None, "") and str(row["rule_id"]) not in rules:
            out.append(_bad(src, at + ("previous", j, "rule_id"), f"规则「{row['rule_id']}」不在政策中（现有：{'、'.join(rules)}）",
                            f"rule '{row['rule_id']}' is not in the policy ({', '.join(rules)})"))
    return out


def _write_previous(path: Path, rows: list[dict] | None, names: dict[str, str]) -> Path | None:
    """Earlier payments, by name, as a --previous file (the CSV detail columns and the year)."""
    if not rows:
        return None
    ids = {name: pid for pid, name in names.items()}
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(list(_PREVIOUS_HEADERS))
        for row in rows:
            writer.writerow([ids.get(str(row.get("name")), row.get("person_id", "")), row.get("rule_id", ""),
                             row.get("level", ""), row.get("months", ""), row.get("amount", ""), row.get("year", "")])
    return path


def _headers(policy) -> dict[str, str]:
    """What a person's key may be, with the header it is written under: a roster field (its standard
    header), or a field the policy declares (its name)."""
    org = {key: spec.zh for key, spec in ORG_FIELDS.items()} if policy.organisations else {}
    return {**{key: spec.zh for key, spec in FIELDS.items()}, **org,
            **{key: declared.name for key, declared in policy.fields.items() if key not in FIELDS}}


def _write_roster(path: Path, people: list[dict], policy) -> tuple[dict[str, str], dict[str, str]]:
    """The people as a CSV roster under the standard headers (a declared field's under its name):
    person_id -> name, and header -> key. A yes or no (true, false) is written 是 or 否."""
    known = _headers(policy)
    keys = list(dict.fromkeys(["name", "person_id", *(k for p in people for k in p)]))
    names, made_up = {}, {}
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([known[k] for k in keys])
        for person in people:
            # Within a scenario one name is one person (one row per certificate), unless IDs are given.
            pid = person.get("person_id") or made_up.setdefault(person.get("name"), made_up_id(len(made_up) + 1, policy.organisations))
            row = {**person, "person_id": str(pid)}
            names[row["person_id"].upper()] = str(person.get("name", ""))
            writer.writerow([_cell(row.get(k)) for k in keys])
    return names, {known[k]: k for k in keys}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value.isoformat() if isinstance(value, date) else str(value)
