"""Title allowances (济南 "海右"): a monthly amount to the holders of an award's title during its
term, paid in one lump each year, in the run whose period holds the rule's payment month.

Holders are the award rule's winners: those this run selects, and, from --previous, those
selected in earlier years (rows of the award rule with their 年度). The term starts in the
selection month and lasts `term_years` years.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..periods import Period, month_start
from ..policy.model import Policy, TitleAllowanceRule
from . import outcome as o
from .award import SELECTED
from .claims import NONE, PaidClaims, year_claim


def evaluate(rule: TitleAllowanceRule, policy: Policy, frame: pd.DataFrame, period: Period,
             previous: pd.DataFrame | None, outcomes: list[o.RuleOutcome],
             paid_before: PaidClaims = NONE) -> o.RuleOutcome:
    res, usable, failed = o.begin(rule, frame)
    n = len(frame)
    award_rule = next(r for r in policy.rules if r.id == rule.award)
    award_res = next(r for r in outcomes if r.rule.id == rule.award)
    ids = frame["person_id"].to_numpy()
    # The selection year of each person's latest title (0: none): this run's, else the history's.
    since = pd.Series(0, index=range(n), dtype=np.int64)
    if previous is not None and not previous.empty:
        # Winners: rows of the award rule (or with no rule id, as a winners list may be kept).
        won = previous[previous["rule_id"].isin(["", rule.award]) & (previous["year"] > 0)].groupby("person_id")["year"].max()
        since = pd.Series(ids).map(won).fillna(0).astype(np.int64)
    if award_res.award is not None and award_res.award.year is not None:
        chosen = set(ids[award_res.award.status == SELECTED])
        since = since.where(~pd.Series(ids).isin(chosen), award_res.award.year)
    since = since.to_numpy()

    years = period.years_holding(rule.pay_month)
    start = np.where(since > 0, since * 12 + award_rule.cycle.month - 1, 0)
    end = np.where(since > 0, start + 12 * rule.term_years - 1, -1)
    candidate = usable & (failed < 0) & (since > 0)
    first_row = ~pd.Series(np.where(candidate, ids, None)).duplicated(keep="first").to_numpy() | ~candidate
    candidate &= first_row  # one payment per person
    months = np.array([m for y in years for m in range(y * 12, y * 12 + 12)], dtype=np.int64)
    rate = np.array([rule.monthly_on(month_start(int(m))) for m in months], dtype=np.int64)
    inside = candidate[:, None] & (months[None, :] >= start[:, None]) & (months[None, :] <= end[:, None]) & (rate > 0)
    # A year of the title paid by a batch in the ledger is not paid again.
    held = np.zeros(n, dtype=bool)
    for year in years:
        cols = months // 12 == year
        claimed = inside[:, cols].any(axis=1) & paid_before.held(rule.id, ids, year_claim(year))
        inside[claimed[:, None] & cols[None, :]] = False
        held |= claimed
    claim_pos = [np.flatnonzero(inside[:, months // 12 == year].any(axis=1)) for year in years]
    res.set_claims(np.concatenate(claim_pos) if years else [],
                   np.concatenate([np.full(len(p), year_claim(y), dtype=object) for p, y in zip(claim_pos, years)])
                   if years else [])
    res.months = inside.sum(axis=1).astype(np.int32)
    res.amount_fen = (inside * rate[None, :]).sum(axis=1).astype(np.int64)
    paid = res.amount_fen > 0
    idx = np.arange(len(months))
    first = np.where(inside, idx, len(months)).min(axis=1) if len(months) else np.zeros(n, dtype=np.int64)
    last = np.where(inside, idx, -1).max(axis=1) if len(months) else np.zeros(n, dtype=np.int64)
    res.first_month = np.where(paid, months[np.minimum(first, len(months) - 1)] if len(months) else 0, 0).astype(np.int32)
    res.last_month = np.where(paid, months[np.maximum(last, 0)] if len(months) else 0, 0).astype(np.int32)
    res.contiguous = ~paid | (last - first + 1 == res.months)
    low = np.where(inside, rate[None, :], np.iinfo(np.int64).max).min(axis=1) if len(months) else np.zeros(n)
    high = np.where(inside, rate[None, :], -1).max(axis=1) if len(months) else np.zeros(n)
    res.rate_fen = np.where(paid & (low == high), low, -1).astype(np.int64)
    all_held = held & ~paid
    if all_held.any():
        res.paid_by = np.where(all_held, paid_before.paid_by(rule.id, ids), "")
    res.reason = np.select(
        [~usable, failed >= 0, paid, since == 0, ~first_row, not years, all_held],
        [o.NOT_EVALUATED, o.CONDITION, o.PAID, o.TITLE_NOT_HOLDER, o.AWARD_SAME_PERSON, o.TITLE_NOT_PAY_MONTH,
         o.LEDGER_PAID], default=o.TITLE_OUT_OF_TERM).astype(object)
    res.failed_condition = np.where(usable, failed, -1).astype(np.int16)
    return res
