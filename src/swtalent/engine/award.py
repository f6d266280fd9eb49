"""Award selection: eligibility, ranking, quota, and ties that are never broken silently.

Candidates are ranked by score, highest first, then by the policy's tie-break keys. Walking
down the ranking one group of equal candidates at a time, a group that fits in the places
left is selected; a group that does not fit while places are left is pending (同分待定) as a
whole, for the committee, and everyone below it is not selected. A per-unit quota works the
same way inside each unit. The walk is over groups of candidates (tens to a few thousand),
after the ranking itself is done over whole columns.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..periods import Period
from ..policy.model import AwardRule, Policy
from . import outcome as o

SELECTED, PENDING, NOT_SELECTED, INELIGIBLE = "selected", "pending", "not_selected", "ineligible"
SCORE_SCALE = 10_000  # scores compare rounded to 1/10000: 92.5 typed as text or number are one score


@dataclass
class AwardDecision:
    """Per roster row: the selection year, rank among eligible candidates (0 if not ranked), status."""

    year: int | None
    rank: np.ndarray
    status: np.ndarray


def selection_year(rule: AwardRule, period: Period) -> int | None:
    """The selection year the period covers, or None when it covers none."""
    years = [y for y in range(period.first // 12, period.last // 12 + 1) if rule.cycle.selects_in(y)]
    if len(years) > 1:
        raise UsageError(f"期间 {period} 包含多个评选年度（{'、'.join(map(str, years))}），请逐年计算",
                         f"the period {period} covers several selection years ({', '.join(map(str, years))}); "
                         "compute one at a time")
    return years[0] if years else None


def evaluate(rule: AwardRule, policy: Policy, frame: pd.DataFrame, period: Period,
             previous: pd.DataFrame | None = None) -> o.RuleOutcome:
    res, usable, failed = o.begin(rule, frame)
    n = len(frame)
    year = selection_year(rule, period)
    rank = np.zeros(n, dtype=np.int64)
    status = np.full(n, INELIGIBLE, dtype=object)
    res.failed_condition = np.where(usable, failed, -1).astype(np.int16)
    if year is None:
        res.reason = np.where(usable, o.AWARD_NOT_SELECTION_YEAR, o.NOT_EVALUATED).astype(object)
        res.award = AwardDecision(None, rank, status)
        return res

    years = frame["years"].to_numpy()
    too_new = np.zeros(n, dtype=bool) if rule.min_years is None else ~(years >= float(rule.min_years))
    won_before = _recent_winners(rule, frame, previous, year)
    # One candidacy per person: where a policy also pays by certificate, a person may have several rows.
    later_row = (frame["person_id"].duplicated(keep="first") & (frame["person_id"] != "")).to_numpy()
    reason = np.select([~usable, failed >= 0, too_new, won_before, later_row],
                       [o.NOT_EVALUATED, o.CONDITION, o.AWARD_MIN_YEARS, o.AWARD_REPEAT, o.AWARD_SAME_PERSON],
                       default=o.PAID).astype(object)
    eligible = reason == o.PAID
    score = np.nan_to_num(np.round(frame["score"].to_numpy() * SCORE_SCALE), nan=-1).astype(np.int64)
    below = eligible & (False if rule.min_score is None else score < int(rule.min_score * SCORE_SCALE))

    keys = _rank_keys(rule, policy, frame, score)  # larger is better, first key first
    candidates = np.flatnonzero(eligible)
    order = candidates[np.lexsort([k[candidates] for k in reversed(keys)])[::-1]]
    ranked = np.stack([k[order] for k in keys], axis=1)
    new_group = np.r_[True, (ranked[1:] != ranked[:-1]).any(axis=1)] if len(order) else np.zeros(0, bool)
    starts = np.flatnonzero(new_group)
    rank[order] = np.repeat(starts + 1, np.diff(np.r_[starts, len(order)]))  # competition ranking 1224

    unit = frame[rule.quota_per.field].to_numpy() if rule.quota_per else None
    taken, unit_taken = 0, {}
    for begin, end in zip(starts, np.r_[starts[1:], len(order)]):
        group = order[begin:end]
        if below[group[0]]:
            status[group], reason[group] = NOT_SELECTED, o.AWARD_BELOW_MIN_SCORE
            continue
        fits, held, unit_full, reserved = _by_unit(group, unit, unit_taken, rule)
        status[unit_full], reason[unit_full] = NOT_SELECTED, o.AWARD_UNIT_FULL
        places = rule.quota - taken
        need = len(fits) + reserved
        if places <= 0:
            status[fits], reason[fits] = NOT_SELECTED, o.AWARD_QUOTA_FULL
            status[held], reason[held] = NOT_SELECTED, o.AWARD_QUOTA_FULL
        elif need <= places:
            status[fits], reason[fits] = SELECTED, o.PAID
            status[held], reason[held] = PENDING, o.AWARD_PENDING_TIE
            taken += need
        else:  # the group straddles the last place: the committee decides
            status[fits], reason[fits] = PENDING, o.AWARD_PENDING_TIE
            status[held], reason[held] = PENDING, o.AWARD_PENDING_TIE
            taken = rule.quota
    paid = status == SELECTED
    res.amount_fen = np.where(paid, rule.amount_in(year), 0).astype(np.int64)
    res.first_month = res.last_month = np.full(n, year * 12, dtype=np.int32)
    res.reason = reason
    res.award = AwardDecision(year, rank, status)
    return res


def _by_unit(group: np.ndarray, unit: np.ndarray | None, unit_taken: dict, rule: AwardRule):
    """Split a group of equal candidates by their unit's quota: (fit, pending within the unit,
    unit already full, places reserved for the pending). Updates unit_taken."""
    if unit is None:
        return group, group[:0], group[:0], 0
    fits, held, full, reserved = [], [], [], 0
    for u in pd.unique(unit[group]):
        members = group[unit[group] == u]
        left = rule.quota_per.max - unit_taken.get(u, 0)
        if left <= 0:
            full.extend(members)
        elif len(members) <= left:
            fits.extend(members)
            unit_taken[u] = unit_taken.get(u, 0) + len(members)
        else:  # more equal candidates than the unit's places left
            held.extend(members)
            reserved += left
            unit_taken[u] = rule.quota_per.max
    as_array = lambda xs: np.array(xs, dtype=np.int64)  # noqa: E731
    return as_array(fits), as_array(held), as_array(full), reserved


def _rank_keys(rule: AwardRule, policy: Policy, frame: pd.DataFrame, score: np.ndarray) -> list[np.ndarray]:
    keys = [score]
    for tb in rule.tie_break:
        if tb.field == "level":
            key = frame["level"].cat.codes.to_numpy().astype(np.int64)  # -1 (no level) ranks lowest
        else:
            key = np.nan_to_num(frame["years"].to_numpy() * SCORE_SCALE, nan=-1).astype(np.int64)
        keys.append(key if tb.order == "desc" else -key)
    return keys


def _recent_winners(rule: AwardRule, frame: pd.DataFrame, previous: pd.DataFrame | None, year: int) -> np.ndarray:
    """Rows of people who won this award in one of the last `no_repeat_cycles` cycles."""
    if not rule.no_repeat_cycles or previous is None or previous.empty:
        return np.zeros(len(frame), dtype=bool)
    since = year - rule.no_repeat_cycles * rule.cycle.every_years
    recent = previous[(previous["rule_id"].isin(["", rule.id])) & (previous["year"] >= since)
                      & (previous["year"] < year)]
    return frame["person_id"].isin(set(recent["person_id"])).to_numpy()
