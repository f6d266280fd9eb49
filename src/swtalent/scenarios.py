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
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from .errors import Issue, Location, SwtalentError
from .fields import FIELDS
from .money import format_yuan
from .policy.yamlsource import load_source

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass
class Outcome:
    """One scenario's result: every (person, rule) whose amount differs from the expected one."""

    file: str
    name: str
    line: int
    failures: list[tuple[str, str, str, str]] = field(default_factory=list)  # person, rule, expected, got
    problems: list[Issue] = field(default_factory=list)  # row problems in the scenario's people

    @property
    def passed(self) -> bool:
        return not self.failures and not any(i.severity == "error" for i in self.problems)


def made_up_id(seq: int) -> str:
    """A valid ID (checksum included) for a scenario person given none; one per name."""
    body = f"11010119800101{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS)) % 11]


def run_file(path: str | Path) -> list[Outcome]:
    from .api import run_compute

    path = Path(path)
    src = load_source(path)
    if src.data is None:
        raise SwtalentError(src.issues or [Issue.make("policy.not-found", Location(file=str(path)))])
    data = src.data
    if not isinstance(data, dict) or "policy" not in data or not isinstance(data.get("scenarios"), list):
        raise SwtalentError([Issue.make("policy.invalid-value", src.where(()), detail_zh="场景文件需要 policy 和 scenarios 两项",
                                        detail_en="a scenario file needs policy and scenarios")])
    policy = (path.parent / str(data["policy"])).resolve()
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="swtalent-scenario-") as tmp:
        for k, sc in enumerate(data["scenarios"]):
            where = src.where(("scenarios", k))
            roster = Path(tmp) / f"scenario-{k}.csv"
            names = _write_roster(roster, sc.get("people") or [])
            previous = _write_previous(Path(tmp) / f"previous-{k}.csv", sc.get("previous"), names)
            comp = run_compute(roster, policy, str(sc["period"]), previous=previous)
            got: dict[tuple[str, str], int] = {}
            for pid, rule, fen in zip(comp.lines["person_id"], comp.lines["rule_id"].astype(str), comp.lines["amount_fen"]):
                got[(names[pid], rule)] = got.get((names[pid], rule), 0) + int(fen)
            outcome = Outcome(str(path), str(sc.get("name", f"#{k + 1}")), where.line or 0,
                              problems=[i for i in comp.roster.issues if i.severity == "error"])
            for person, rules in (sc.get("expect") or {}).items():
                for rule, amount in rules.items():
                    want = int((Decimal(str(amount)) * 100).to_integral_value())
                    have = got.get((str(person), str(rule)), 0)
                    if want != have:
                        outcome.failures.append((str(person), str(rule), format_yuan(want), format_yuan(have)))
            for rule_id, expected in (sc.get("selected") or {}).items():
                res = next((r for r in comp.outcomes if r.rule.id == rule_id and r.award is not None), None)
                chosen = sorted({names[p] for p, st in zip(comp.roster.frame["person_id"], res.award.status)
                                 if st == "selected"}) if res is not None else []
                if chosen != sorted(map(str, expected)):
                    outcome.failures.append(("、".join(map(str, expected)) or "—", f"{rule_id} selected",
                                             "、".join(sorted(map(str, expected))), "、".join(chosen) or "—"))
            outcomes.append(outcome)
    return outcomes


def _write_previous(path: Path, rows: list[dict] | None, names: dict[str, str]) -> Path | None:
    """Earlier payments, by name, as a --previous file (the CSV detail columns and the year)."""
    if not rows:
        return None
    ids = {name: pid for pid, name in names.items()}
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["person_id", "rule_id", "level", "months", "amount", "年度"])
        for row in rows:
            writer.writerow([ids.get(str(row.get("name")), row.get("person_id", "")), row.get("rule_id", ""),
                             row.get("level", ""), row.get("months", ""), row.get("amount", ""), row.get("year", "")])
    return path


def _write_roster(path: Path, people: list[dict]) -> dict[str, str]:
    """The people as a CSV roster with the standard headers; person_id -> name."""
    keys = list(dict.fromkeys(["name", "person_id", *(k for p in people for k in p)]))
    unknown = [k for k in keys if k not in FIELDS]
    if unknown:
        raise SwtalentError([Issue.make("policy.invalid-value", Location(file=str(path)),
                                        detail_zh=f"场景人员的字段 {unknown} 不是花名册字段（可用：{', '.join(FIELDS)}）",
                                        detail_en=f"scenario fields {unknown} are not roster fields ({', '.join(FIELDS)})")])
    names, made_up = {}, {}
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([FIELDS[k].zh for k in keys])
        for person in people:
            # Within a scenario one name is one person (one row per certificate), unless IDs are given.
            pid = person.get("person_id") or made_up.setdefault(person.get("name"), made_up_id(len(made_up) + 1))
            row = {**person, "person_id": str(pid)}
            names[row["person_id"].upper()] = str(person.get("name", ""))
            writer.writerow(["" if row.get(k) is None else row[k].isoformat() if isinstance(row.get(k), date)
                             else str(row[k]) for k in keys])
    return names
