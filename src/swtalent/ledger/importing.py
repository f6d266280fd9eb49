"""Payments made before swtalent, into the ledger (`swtalent ledger import`): the --previous file's
rows become one batch of kind `import`, each with the claims it made, so that nothing it paid is
paid again. A monthly payment must say which months it covered (a 期间 such as 2023-01..2023-06,
or a year with 12 months): a count of months alone cannot say which months are taken."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.claims import cycle_claim, month_claim, once_claim, year_claim
from ..errors import Issue, Location, SwtalentError, UsageError
from ..fields import header_key
from ..periods import Period, month_label
from ..policy import Policy
from ..roster.cells import per_distinct
from ..roster.needs import RosterNeeds
from .store import BatchInfo


def import_rows(frame: pd.DataFrame, policy: Policy, path: Path, info: BatchInfo) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(lines, claims, period covered) of the earlier payments in `frame` (load_previous, as written),
    column by column: each distinct rule, level, period and year is looked at once, and a monthly
    payment's claims are its months spread out (a million lines of history import in seconds)."""
    rules = {r.id: r for r in policy.rules}
    levels = RosterNeeds.of(policy).level_lookup()
    n = len(frame)
    line_no = np.arange(1, n + 1)  # every row of the file counts, the ones with a problem too
    given = frame["rule_id"].to_numpy(dtype=object)
    rule_id = np.where(given == "", policy.rules[0].id if len(policy.rules) == 1 else "", given).astype(object)
    kind = per_distinct(rule_id, lambda r: rules[r].kind if r in rules else "", object)
    written = frame["level"].to_numpy(dtype=object)
    level = per_distinct(written, lambda t: levels.get(header_key(t)) if t else None, object)
    amount = frame["amount_fen"].to_numpy(dtype=np.int64)
    year = frame["year"].to_numpy(dtype=np.int64)
    monthly = kind == "monthly"
    period = frame["period"].to_numpy(dtype=object)
    spans = per_distinct(np.where(monthly, period, ""), _span, object)  # (first, last, a year alone) or None
    first = np.array([s[0] if s else 0 for s in spans], dtype=np.int64) if n else np.zeros(0, np.int64)
    last = np.array([s[1] if s else -1 for s in spans], dtype=np.int64) if n else np.zeros(0, np.int64)
    year_alone = np.array([bool(s and s[2]) for s in spans], dtype=bool)
    months, months_given = frame["months"].to_numpy(dtype=np.int64), frame["months_given"].to_numpy(dtype=bool)
    count = last - first + 1
    checks = [  # each row is said once, by the first of these it fails, in this order
        (kind == "", lambda i: (f"规则编号「{given[i]}」不是本政策的规则（现有：{'、'.join(rules)}）",
                                f"rule id '{given[i]}' is not a rule of this policy ({', '.join(rules)})")),
        ((kind == "one_off") & (level == None), lambda i: (  # noqa: E711 - elementwise, on objects
            f"一次性补助须写明等级（「{written[i]}」不是本政策的等级）",
            f"a one-off needs its level ('{written[i]}' is not one of this policy's)")),
        ((amount <= 0) & (kind != "award"), lambda i: (  # a payment of nothing would still claim it
            "须写明大于 0 的金额（没有金额的记录会把该项标为已发放）",
            "the amount must be given and above 0 (a row without one would mark it paid)")),
        (monthly & ((count <= 0) | (months_given & (months != count)) | (year_alone & ~months_given)), lambda i: (
            "按月发放的记录须写明期间（如 2023-01..2023-06），且与月数一致；只写年度时月数须为 12",
            "a monthly payment needs its period (such as 2023-01..2023-06), agreeing with its months; a year alone "
            "needs 12 months")),
        (~monthly & (kind != "") & (year == 0), lambda i: ("缺少年度", "the year is missing")),
    ]
    rows = frame["row"].to_numpy(dtype=np.int64)
    ok, problems = np.ones(n, dtype=bool), []
    for failed, said in checks:
        failed = failed & ok
        problems += [(i, _bad(Location(file=str(path), row=int(rows[i])), *said(i))) for i in np.flatnonzero(failed)]
        ok &= ~failed
    problems = [issue for _, issue in sorted(problems, key=lambda p: p[0])]
    first = np.where(monthly, first, year * 12)
    last = np.where(monthly, last, year * 12)
    at = np.flatnonzero(ok)
    labels = per_distinct(np.concatenate([first[at], last[at]]), month_label, object)
    lines = pd.DataFrame({
        "batch_id": info.id, "line_no": line_no[at], "person_id": frame["person_id"].to_numpy(dtype=object)[at],
        "name": "", "rule_id": rule_id[at], "kind": kind[at], "level": level[at],
        "months": np.where(monthly[at], count[at], np.nan),  # none for a one-off, an award, a year's amount
        "first_month": labels[:len(at)], "last_month": labels[len(at):], "year": first[at] // 12,
        "amount_fen": amount[at]})
    claims = _claims(lines, monthly[at], first[at], count[at], policy.id)
    # The same month, level or year twice in the file: one of the rows is a mistake.
    keys = ["person_id", "rule_id", "claim"]
    earlier = claims.groupby(keys, sort=False)["line_no"].transform("first").to_numpy()
    said, line = claims["claim"].to_numpy(), claims["line_no"].to_numpy()
    for j in np.flatnonzero(line != earlier):
        here, there = int(rows[line[j] - 1]), int(rows[earlier[j] - 1])
        problems.append(_bad(Location(file=str(path), row=here), f"与第 {there} 行重复（{said[j]}）",
                             f"repeats row {there} ({said[j]})"))
    if problems:
        raise SwtalentError(problems)
    if lines.empty:
        raise SwtalentError([_bad(Location(file=str(path)), "文件中没有发放记录", "the file holds no payment")])
    return lines, claims, Period(int(first[at].min()), int(last[at].max())).label()


def _claims(lines: pd.DataFrame, monthly: np.ndarray, first: np.ndarray, count: np.ndarray, policy_id: str) -> pd.DataFrame:
    """Each line's claims, in line order: a monthly line's months in order, another line's one claim
    (its level for a one-off, its cycle for an award, its year for a yearly amount or title allowance)."""
    times = np.where(monthly, count, 1)
    at = np.repeat(np.arange(len(lines)), times)
    step = np.arange(len(at)) - np.repeat(np.cumsum(times) - times, times)  # 0, 1, 2 … within each line
    month = first[at] + step
    kind, level, year = lines["kind"].to_numpy()[at], lines["level"].to_numpy()[at], lines["year"].to_numpy()[at]
    once = per_distinct(level, lambda v: once_claim(v) if v is not None else "", object)
    claim = np.where(monthly[at], per_distinct(month, lambda m: month_claim(int(m)), object),
                     np.where(kind == "one_off", once,
                              np.where(kind == "award", per_distinct(year, lambda y: cycle_claim(int(y)), object),
                                       per_distinct(year, lambda y: year_claim(int(y)), object))))
    return pd.DataFrame({"batch_id": lines["batch_id"].to_numpy()[at], "line_no": lines["line_no"].to_numpy()[at],
                         "policy_id": policy_id, "person_id": lines["person_id"].to_numpy()[at],
                         "rule_id": lines["rule_id"].to_numpy()[at], "claim": claim})


def _span(text: str) -> tuple[int, int, bool] | None:
    """A monthly payment's 期间 as (first month, last month, whether it was a year alone), or None."""
    if not text:
        return None
    try:
        span = Period.parse(text)
    except UsageError:
        return None
    return span.first, span.last, span.last - span.first == 11 and len(text.strip()) == 4


def _bad(at: Location, zh: str, en: str) -> Issue:
    return Issue.make("ledger.import-row", at, detail_zh=zh, detail_en=en)
