"""`ledger import` turns a file of earlier payments into a batch column by column (100,000 lines: 6.97 s
to 4.44 s for the whole command, most of the rest the database's own insert), held here to the
import by row that it replaced, kept as the reference: the same lines, claims and period for
policies of every kind of rule, and for rows with mistakes the same problems in the same order."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from swtalent.engine.claims import cycle_claim, month_claim, once_claim, year_claim
from swtalent.errors import Location, SwtalentError, UsageError
from swtalent.fields import header_key
from swtalent.ledger.importing import _bad, import_rows
from swtalent.ledger.store import BatchInfo
from swtalent.periods import Period, month_label
from swtalent.policy import Policy, load_policy
from swtalent.roster.needs import RosterNeeds

ROOT = Path(__file__).resolve().parent.parent
INFO = BatchInfo(id="b1", period="", policy_id="p", policy_file="", policy_sha256="", roster_file="", roster_sha256="",
                 swtalent_version="", operator="", kind="import")


def reference(frame: pd.DataFrame, policy: Policy, path: Path, info: BatchInfo) -> tuple[list[dict], list[dict], str]:
    """The per-row import kept as the reference (before the column-wise one)."""
    rules = {r.id: r for r in policy.rules}
    levels = RosterNeeds.of(policy).level_lookup()
    lines, claims, problems, months_seen = [], [], [], []
    for k, row in enumerate(frame.itertuples(index=False), start=1):
        at = Location(file=str(path), row=int(row.row))
        rule_id = row.rule_id or (policy.rules[0].id if len(policy.rules) == 1 else "")
        rule = rules.get(rule_id)
        if rule is None:
            problems.append(_bad(at, f"规则编号「{row.rule_id}」不是本政策的规则（现有：{'、'.join(rules)}）",
                                 f"rule id '{row.rule_id}' is not a rule of this policy ({', '.join(rules)})"))
            continue
        level = levels.get(header_key(row.level)) if row.level else None
        if rule.kind == "one_off" and level is None:
            problems.append(_bad(at, f"一次性补助须写明等级（「{row.level}」不是本政策的等级）",
                                 f"a one-off needs its level ('{row.level}' is not one of this policy's)"))
            continue
        if row.amount_fen <= 0 and rule.kind != "award":  # a payment of nothing would still claim it
            problems.append(_bad(at, "须写明大于 0 的金额（没有金额的记录会把该项标为已发放）",
                                 "the amount must be given and above 0 (a row without one would mark it paid)"))
            continue
        if rule.kind == "monthly":
            try:
                span = Period.parse(row.period) if row.period else None
            except UsageError:
                span = None
            whole_year = span is not None and span.last - span.first == 11 and len(row.period.strip()) == 4
            if span is None or (row.months_given and row.months != span.last - span.first + 1) or (
                    whole_year and not row.months_given):
                problems.append(_bad(at, "按月发放的记录须写明期间（如 2023-01..2023-06），且与月数一致；只写年度时月数须为 12",
                                     "a monthly payment needs its period (such as 2023-01..2023-06), agreeing with its "
                                     "months; a year alone needs 12 months"))
                continue
            keys = [month_claim(int(m)) for m in span.months]
            first, last, months = span.first, span.last, len(keys)
        else:
            if not row.year:
                problems.append(_bad(at, "缺少年度", "the year is missing"))
                continue
            first = last = row.year * 12
            months = None
            keys = [once_claim(level) if rule.kind == "one_off" else cycle_claim(row.year) if rule.kind == "award"
                    else year_claim(row.year)]  # a yearly amount or a title allowance: paid once a year
        months_seen += [first, last]
        lines.append({"batch_id": info.id, "line_no": k, "person_id": row.person_id, "name": "", "rule_id": rule.id,
                      "kind": rule.kind, "level": level, "months": months, "first_month": month_label(first),
                      "last_month": month_label(last), "year": first // 12, "amount_fen": int(row.amount_fen)})
        claims += [{"batch_id": info.id, "line_no": k, "policy_id": policy.id, "person_id": row.person_id,
                    "rule_id": rule.id, "claim": key} for key in keys]
    seen: dict[tuple, int] = {}
    for c in claims:  # the same month, level or year twice in the file: one of the rows is a mistake
        key = (c["person_id"], c["rule_id"], c["claim"])
        if key in seen and seen[key] != c["line_no"]:
            row = int(frame.iloc[c["line_no"] - 1].row)
            problems.append(_bad(Location(file=str(path), row=row), f"与第 {int(frame.iloc[seen[key] - 1].row)} 行重复（{c['claim']}）",
                                 f"repeats row {int(frame.iloc[seen[key] - 1].row)} ({c['claim']})"))
        seen.setdefault(key, c["line_no"])
    if problems:
        raise SwtalentError(problems)
    if not lines:
        raise SwtalentError([_bad(Location(file=str(path)), "文件中没有发放记录", "the file holds no payment")])
    return lines, claims, Period(min(months_seen), max(months_seen)).label()




def _frame(policy, rows: int, seed: int, mistakes: bool) -> pd.DataFrame:
    """Rows as load_previous gives them, right for the rule each names; with `mistakes`, some rows
    get one thing wrong, and people repeat (some months twice)."""
    rng = random.Random(seed)
    kinds = {r.id: r.kind for r in policy.rules}
    rules = list(kinds) + ([""] if len(kinds) == 1 else [])
    out = []
    for k in range(rows):
        rule_id = rng.choice(rules)
        if kinds[rule_id or policy.rules[0].id] == "monthly":
            start, months = rng.choice([1, 4, 7]), rng.choice([3, 6, 12])
            months = min(months, 13 - start)
            period = "2023" if months == 12 and rng.random() < 0.5 else f"2023-{start:02d}..2023-{start + months - 1:02d}"
        else:
            months, period = 0, rng.choice(["2022", "2023"])
        row = {"person_id": f"3411021985{rng.randrange(300) if mistakes else k:08d}", "rule_id": rule_id,
               "year": int(period[:4]), "level": rng.choice(["社会工作师", "assistant", "高级"]), "months": months,
               "amount_fen": rng.choice([100000, 40000, 1]), "period": period, "row": k + 2, "months_given": months > 0}
        if mistakes and rng.random() < 0.15:
            key = rng.choice(["rule_id", "level", "amount_fen", "period", "year", "months"])
            row[key] = {"rule_id": "nope", "level": rng.choice(["未知", ""]), "amount_fen": 0,
                        "period": rng.choice(["", "2023-13", "明年"]), "year": 0, "months": 5}[key]
        out.append(row)
    return pd.DataFrame(out)


def _lines(lines) -> pd.DataFrame:
    frame = pd.DataFrame(lines).reset_index(drop=True)
    frame["months"] = [None if pd.isna(v) else int(v) for v in frame["months"]]
    frame["level"] = [None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in frame["level"]]
    return frame.astype({c: object for c in frame.columns})


POLICIES = ["policies/chuzhou.yaml", "policies/jiujiang.yaml", "policies/jinan.yaml", "policies/longhua.yaml"]


@pytest.mark.parametrize("policy_file", POLICIES)
@pytest.mark.parametrize("seed", [1, 2])
def test_the_same_batch_as_the_import_by_row(policy_file, seed):
    policy = load_policy(ROOT / policy_file)
    frame = _frame(policy, 400, seed, mistakes=False)
    old = reference(frame, policy, Path("p.csv"), INFO)
    lines, claims, period = import_rows(frame, policy, Path("p.csv"), INFO)
    assert period == old[2] and len(lines) == 400
    pd.testing.assert_frame_equal(_lines(lines), _lines(old[0]))
    pd.testing.assert_frame_equal(claims.reset_index(drop=True).astype(object), pd.DataFrame(old[1]).astype(object))


@pytest.mark.parametrize("policy_file", POLICIES)
@pytest.mark.parametrize("seed", [3, 4])
def test_the_same_problems_as_the_import_by_row(policy_file, seed):
    policy = load_policy(ROOT / policy_file)
    frame = _frame(policy, 400, seed, mistakes=True)
    with pytest.raises(SwtalentError) as new:
        import_rows(frame, policy, Path("p.csv"), INFO)
    with pytest.raises(SwtalentError) as old:
        reference(frame, policy, Path("p.csv"), INFO)
    said = [str(i) for i in new.value.issues]
    assert len(said) > 20 and said == [str(i) for i in old.value.issues]


def test_a_file_of_monthly_payments_only():
    policy = load_policy(ROOT / "policies/chuzhou.yaml")
    frame = pd.DataFrame({"person_id": ["341102198500000001", "341102198500000002"], "rule_id": "post-allowance",
                          "year": 2023, "level": "社会工作师", "months": [6, 12], "amount_fen": [240000, 480000],
                          "period": ["2023-01..2023-06", "2023"], "row": [2, 3], "months_given": True})
    lines, claims, period = import_rows(frame, policy, Path("p.csv"), INFO)
    assert period == "2023" and lines["months"].tolist() == [6, 12] and len(claims) == 18
    assert claims["claim"].tolist()[:7] == ["2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06", "2023-01"]
