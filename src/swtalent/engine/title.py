"""Title allowances (济南 "海右"): a monthly amount to the holders of an award's title during its
term, paid in one lump each year, in the run whose period holds the rule's payment month.

Holders are the award rule's winners: those this run selects, and, from --previous, those
selected in earlier years (rows of the award rule with their 年度). The term starts in the
selection month and lasts `term_years` years.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..money import to_fen
from ..periods import Period, month_start
from ..policy.model import Policy, TitleAllowanceRule
from . import caps
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
    days = [month_start(int(m)) for m in months]
    if rule.amounts is not None:
        rate = np.array([rule.monthly_on(d) for d in days], dtype=np.int64)
    else:  # the yearly amount in force each month; a month is paid through part_year's rounding
        rate = np.array([rule.yearly_on(d) for d in days], dtype=np.int64)
    inside = candidate[:, None] & (months[None, :] >= start[:, None]) & (months[None, :] <= end[:, None]) & (rate > 0)
    # A year of the title paid by a batch in the ledger is not paid again.
    held = np.zeros(n, dtype=bool)
    for year in years:
        cols = months // 12 == year
        claimed = inside[:, cols].any(axis=1) & paid_before.held(rule.id, ids, year_claim(year))
        inside[claimed[:, None] & cols[None, :]] = False
        held |= claimed
    pay = inside * rate[None, :] if rule.amounts is not None else pro_rata(inside, rate, len(years))
    full = pay.sum(axis=1)
    res.capped = np.zeros(n, dtype=bool)
    if rule.lifetime_cap is not None:  # one row per person: months in order against what is left
        limited = caps.apply_cap(pay, pd.factorize(ids)[0], caps.paid_before(rule.id, previous, ids),
                                 to_fen(rule.lifetime_cap))
        pay, res.capped = limited.pay, limited.cut
        res.earlier_fen = np.where(limited.cut, limited.earlier, 0)
    inside = pay > 0
    claim_pos = [np.flatnonzero(inside[:, months // 12 == year].any(axis=1)) for year in years]
    res.set_claims(np.concatenate(claim_pos) if years else [],
                   np.concatenate([np.full(len(p), year_claim(y), dtype=object) for p, y in zip(claim_pos, years)])
                   if years else [])
    res.months = inside.sum(axis=1).astype(np.int32)
    res.amount_fen = pay.sum(axis=1).astype(np.int64)
    paid = res.amount_fen > 0
    idx = np.arange(len(months))
    first = np.where(inside, idx, len(months)).min(axis=1) if len(months) else np.zeros(n, dtype=np.int64)
    last = np.where(inside, idx, -1).max(axis=1) if len(months) else np.zeros(n, dtype=np.int64)
    res.first_month = np.where(paid, months[np.minimum(first, len(months) - 1)] if len(months) else 0, 0).astype(np.int32)
    res.last_month = np.where(paid, months[np.maximum(last, 0)] if len(months) else 0, 0).astype(np.int32)
    res.contiguous = ~paid | (last - first + 1 == res.months)
    low = np.where(inside, rate[None, :], np.iinfo(np.int64).max).min(axis=1) if len(months) else np.zeros(n)
    high = np.where(inside, rate[None, :], -1).max(axis=1) if len(months) else np.zeros(n)
    # One monthly rate over the months paid makes the amount; a yearly amount or a month the cap
    # cut short does not (rate_fen -1: the line's text says how the amount was reached).
    whole = (rule.amounts is not None) & ((inside * rate[None, :]).sum(axis=1) == res.amount_fen)
    res.rate_fen = np.where(paid & (low == high) & whole, low, -1).astype(np.int64)
    stopped = res.capped & ~paid & (full > 0)
    all_held = held & ~paid
    if all_held.any():
        res.paid_by = np.where(all_held, paid_before.paid_by(rule.id, ids), "")
    res.reason = np.select(
        [~usable, failed >= 0, paid, since == 0, ~first_row, not years, all_held, stopped],
        [o.NOT_EVALUATED, o.CONDITION, o.PAID, o.TITLE_NOT_HOLDER, o.AWARD_SAME_PERSON, o.TITLE_NOT_PAY_MONTH,
         o.LEDGER_PAID, o.LIFETIME_CAP], default=o.TITLE_OUT_OF_TERM).astype(object)
    res.failed_condition = np.where(usable, failed, -1).astype(np.int16)
    return res


def pro_rata(inside: np.ndarray, yearly: np.ndarray, n_years: int) -> np.ndarray:
    """part_year: pro_rata_half_up. rows x months (whole calendar years, in order) of fen: each
    calendar year pays the sum of its months' yearly amounts / 12, rounded half up to the fen, and
    that year's amount is spread over its months by rounding the running sum (so a full year of
    100000 yuan pays exactly 100000, 5 months of it 41666.67). Whole columns at a time."""
    n = len(inside)
    running = (inside * yearly[None, :]).reshape(n, n_years, 12).cumsum(axis=2)
    rounded = (2 * running + 12) // 24  # half up of running / 12, in integers (running is never negative)
    return np.diff(rounded, axis=2, prepend=0).reshape(n, n_years * 12).astype(np.int64)
