"""Yearly amounts (深圳龙华): paid once for each year whose payment month the period holds, to those
holding the certificate and in post on that month's first day, at the highest level the person
holds then, for at most `max_years` years per person (earlier years from --previous)."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..money import to_fen
from ..periods import Period, month_index
from ..policy.model import Policy, YearlyRule, fen_on
from . import caps
from . import outcome as o
from .amounts import schedule_codes, schedules, table_entries
from .claims import NONE, PaidClaims, year_claim


def evaluate(rule: YearlyRule, policy: Policy, frame: pd.DataFrame, period: Period,
             previous: pd.DataFrame | None = None, paid_before: PaidClaims = NONE) -> o.RuleOutcome:
    res, usable, failed = o.begin(rule, frame)
    n = len(frame)
    limit = rule.max_years if rule.max_years is not None else np.iinfo(np.int64).max
    candidate = usable & (failed < 0)
    levels = frame["level"].cat.codes.to_numpy()
    ids = frame["person_id"].to_numpy()
    person = pd.factorize(ids)[0]
    years_before = _years_paid(rule, previous, ids)
    qualified = frame["qualified_on"].to_numpy(dtype="datetime64[D]")
    hired = frame["hired_on"].to_numpy(dtype="datetime64[D]")
    left = frame["left_on"].to_numpy(dtype="datetime64[D]")
    entry = table_entries(rule, policy, frame)
    if rule.amounts_by is not None:
        res.table_entry = entry
    code = schedule_codes(policy, frame, entry)  # -1 (no level) picks the 0 appended below
    plans = schedules(rule, policy)
    reason = np.full(n, o.YEARLY_NOT_PAY_MONTH, dtype=object)
    res.amount_fen = np.zeros(n, dtype=np.int64)
    paid_years = np.zeros(n, dtype=np.int64)
    claim_pos, claim_key, held = [], [], np.zeros(n, dtype=bool)
    # A lifetime cap: per person, what the history and this run's earlier years paid comes off it;
    # the year that reaches it pays what is left.
    cap = to_fen(rule.lifetime_cap) if rule.lifetime_cap is not None else None
    before = caps.paid_before(rule.id, previous, ids) if cap is not None else np.zeros(n, dtype=np.int64)
    so_far = np.zeros(n, dtype=np.int64)  # per row: what the person got in this run's earlier years
    res.capped = np.zeros(n, dtype=bool)
    for year in period.years_holding(rule.pay_month):
        day = date(year, rule.pay_month, 1)
        d = np.datetime64(day, "D")
        amount = np.array([fen_on(dated, day) for dated in plans] + [0], dtype=np.int64)[code]
        held_cert = ~np.isnat(qualified) & (qualified <= d)
        in_post = (np.isnat(hired) | (hired <= d)) & (np.isnat(left) | (left >= d))
        eligible = candidate & held_cert & in_post & (amount > 0)
        # One payment per person: the row of the highest level they hold that day.
        rank = np.where(eligible, levels, -1)
        best = pd.Series(rank).groupby(person).transform("max").to_numpy()
        top = eligible & (rank == best)
        first_best = top & ~pd.Series(np.where(top, person, -1)).duplicated().to_numpy()  # one row if two tie
        pays = first_best & (years_before + paid_years < limit)
        claimed = pays & paid_before.held(rule.id, ids, year_claim(year))  # the year was paid by a batch
        held |= claimed
        pays &= ~claimed
        due = np.where(pays, amount, 0)
        stopped = np.zeros(n, dtype=bool)
        if cap is not None:
            due = np.minimum(due, np.maximum(cap - before - so_far, 0))
            res.capped |= pays & (due < amount)
            stopped = pays & (due == 0)
            pays &= due > 0
        claim_pos.append(np.flatnonzero(pays))
        claim_key.append(np.full(int(pays.sum()), year_claim(year), dtype=object))
        res.amount_fen += due
        so_far += pd.Series(due).groupby(person).transform("sum").to_numpy(dtype=np.int64)
        paid_years += pd.Series(pays).groupby(person).transform("max").to_numpy(dtype=np.int64)
        res.first_month = np.where(pays & (res.first_month == 0), month_index(day), res.first_month).astype(np.int32)
        res.last_month = np.where(pays, month_index(day), res.last_month).astype(np.int32)
        why = np.select([pays, claimed, eligible & ~first_best, stopped, eligible, ~held_cert, ~in_post, amount == 0],
                        [o.PAID, o.LEDGER_PAID, o.YEARLY_SUPERSEDED, o.LIFETIME_CAP, o.YEARLY_MAX_YEARS,
                         o.YEARLY_NOT_HELD, o.YEARLY_NOT_IN_POST, o.ZERO_AMOUNT], default=o.ZERO_AMOUNT)
        reason = np.where(reason == o.PAID, o.PAID, why)  # paid in any year is paid
    res.set_claims(np.concatenate(claim_pos) if claim_pos else [], np.concatenate(claim_key) if claim_key else [])
    if held.any():
        res.paid_by = np.where(held, paid_before.paid_by(rule.id, ids), "")
    res.rate_fen = np.where(res.amount_fen > 0, res.amount_fen, -1)
    if cap is not None:  # all of the person's other payments came before the cap was reached
        res.earlier_fen = np.where(res.capped, before + so_far - res.amount_fen, 0)
    res.reason = np.where(~usable, o.NOT_EVALUATED, np.where(failed >= 0, o.CONDITION, reason)).astype(object)
    res.failed_condition = np.where(usable, failed, -1).astype(np.int16)
    return res


def _years_paid(rule: YearlyRule, previous: pd.DataFrame | None, ids: np.ndarray) -> np.ndarray:
    """Per row, how many distinct earlier years this rule paid the person (from --previous)."""
    if previous is None or previous.empty or rule.max_years is None:
        return np.zeros(len(ids), dtype=np.int64)
    mine = previous[previous["rule_id"].isin(["", rule.id]) & (previous["amount_fen"] > 0)]
    years = mine.groupby("person_id")["year"].nunique()
    return pd.Series(ids).map(years).fillna(0).to_numpy(dtype=np.int64)
