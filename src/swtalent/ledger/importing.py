"""Payments made before swtalent, into the ledger (`swtalent ledger import`): the --previous file's
rows become one batch of kind `import`, each with the claims it made, so that nothing it paid is
paid again. A monthly payment must say which months it covered (a 期间 such as 2023-01..2023-06,
or a year with 12 months): a count of months alone cannot say which months are taken."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..engine.claims import cycle_claim, month_claim, once_claim, year_claim
from ..errors import Issue, Location, SwtalentError, UsageError
from ..fields import header_key
from ..periods import Period, month_label
from ..policy import Policy
from ..roster.needs import RosterNeeds
from .store import BatchInfo


def import_rows(frame: pd.DataFrame, policy: Policy, path: Path, info: BatchInfo) -> tuple[list[dict], list[dict], str]:
    """(lines, claims, period covered) of the earlier payments in `frame` (load_previous, as written)."""
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


def _bad(at: Location, zh: str, en: str) -> Issue:
    return Issue.make("ledger.import-row", at, detail_zh=zh, detail_en=en)
