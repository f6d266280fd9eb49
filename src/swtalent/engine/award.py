"""Award selection: eligibility, ranking, quota, and ties that are never broken silently.

Candidates are ranked by score, highest first, then by the policy's tie-break keys; a key that
is blank for anyone in a tie does not separate that tie. Walking down the ranking one group of
equal candidates at a time, a group that fits in the places left is selected; a group that does
not fit while places are left is pending (同分待定) as a whole, for the committee, and everyone
below it is not selected. A per-unit quota works the same way inside each unit.

Eligibility is decided over whole columns; the walk is over the groups of eligible candidates
(tens to a few thousand), compared as exact decimals.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..periods import Period, month_index
from ..policy.model import AwardRule
from . import outcome as o
from .claims import NONE, PaidClaims, cycle_claim

SELECTED, PENDING, NOT_SELECTED, INELIGIBLE = "selected", "pending", "not_selected", "ineligible"
PENDING_HELD = "pending_held"  # a place a candidate held for a data problem may take once corrected


@dataclass
class AwardDecision:
    """Per roster row: rank among eligible candidates (0 if not ranked) and status; for pending
    candidates, how many are tied and for how many places."""

    year: int | None  # the selection year of the run, None when the period holds no selection
    rank: np.ndarray
    status: np.ndarray
    tied: np.ndarray
    places: np.ndarray


def selection_year(rule: AwardRule, period: Period) -> int | None:
    """The year whose selection month the period holds, or None."""
    years = [y for y in period.years_holding(rule.cycle.month) if rule.cycle.selects_in(y)]
    if len(years) > 1:
        raise UsageError(f"期间 {period} 包含多个评选年度（{'、'.join(map(str, years))}），请逐年计算",
                         f"the period {period} covers several selection years ({', '.join(map(str, years))}); "
                         "compute one at a time")
    return years[0] if years else None


def evaluate(rule: AwardRule, policy, frame: pd.DataFrame, period: Period,
             previous: pd.DataFrame | None = None, paid_before: PaidClaims = NONE, scores=None) -> o.RuleOutcome:
    """`scores`: the rule's scores from its score source (scores.RuleScores), where it has one;
    otherwise the roster's 评审得分 as typed."""
    res, usable, failed = o.begin(rule, frame)
    n = len(frame)
    decision = AwardDecision(selection_year(rule, period), np.zeros(n, dtype=np.int64),
                             np.full(n, INELIGIBLE, dtype=object), np.zeros(n, dtype=np.int64),
                             np.zeros(n, dtype=np.int64))
    res.award = decision
    res.failed_condition = np.where(usable, failed, -1).astype(np.int16)
    year = decision.year
    if year is None:
        res.reason = np.where(usable, o.AWARD_NOT_SELECTION_YEAR, o.NOT_EVALUATED).astype(object)
        return res

    too_new, recent, later_row = bars(rule, frame, usable, year, previous)
    # No score on a row without a data problem: not a candidate (a title holder of an earlier cycle
    # on the roster of a policy that pays more than the award; Policy.blank_score_not_candidate).
    held_rows = _held_rows(frame, usable, scores, not policy.blank_score_not_candidate())
    held_candidates = _held_count(frame, usable, held_rows, not policy.blank_score_not_candidate(), rule)
    unit_held = _held_per_unit(frame, held_rows, rule)
    stage = scores.shortlist if scores is not None else None
    scores = scores.final if scores is not None else frame["score_exact"].to_numpy()
    no_score = pd.isna(scores).astype(bool)
    reason = np.select([~usable, no_score, failed >= 0, too_new, recent, later_row],
                       [o.NOT_EVALUATED, o.AWARD_NOT_CANDIDATE, o.CONDITION, o.AWARD_MIN_YEARS,
                        o.AWARD_NEVER_AGAIN if rule.no_repeat == "ever" else o.AWARD_REPEAT, o.AWARD_SAME_PERSON],
                       default=o.PAID).astype(object)

    if stage is not None:  # two rounds: no final score because not (or not certainly) shortlisted
        unscored = reason == o.AWARD_NOT_CANDIDATE
        reason[unscored & (stage == "out")] = o.AWARD_NOT_SHORTLISTED
        waiting = unscored & (stage == "pending")
        reason[waiting], status_waiting = o.AWARD_SHORTLIST_PENDING, waiting
    else:
        status_waiting = None
    groups = _ranked_groups(rule, frame, np.flatnonzero(reason == o.PAID), scores)
    unit = frame[rule.quota_per.field].to_numpy() if rule.quota_per else None
    # Candidates held for a data problem are not ranked, and once corrected any of them may rank
    # first: only the places they cannot take are certain. The places they may take are pending
    # (待定), never given, so that correcting them never makes more winners than the quota.
    certain = rule.quota - held_candidates
    status, taken, unit_taken, position = decision.status, 0, {}, 1
    covered: dict = {}  # unit -> its held people whose place is already kept open within the unit
    for group in groups:
        decision.rank[group] = position
        position += len(group)
        if rule.min_score is not None and scores[group[0]] < rule.min_score:
            status[group], reason[group] = NOT_SELECTED, o.AWARD_BELOW_MIN_SCORE
            continue
        fits, held, unit_full, reserved = _by_unit(group, unit, unit_taken, rule)
        status[unit_full], reason[unit_full] = NOT_SELECTED, o.AWARD_UNIT_FULL
        places = rule.quota - taken
        contenders = np.r_[fits, held].astype(np.int64)
        # A unit's place a held candidate of that unit may take is no more certain than the award's.
        unsure = _unit_unsure(fits, unit, unit_taken, unit_held, rule)
        # A held person whose unit's place is already kept open takes no other place.
        sure = certain + sum(covered.values())
        if len(fits) and unsure.any():
            for u in pd.unique(unit[fits[unsure]]):
                covered[u] = min(unit_held[u], covered.get(u, 0) + int((unit[fits[unsure]] == u).sum()))
        if places <= 0:
            status[contenders], reason[contenders] = NOT_SELECTED, o.AWARD_QUOTA_FULL
        elif held_candidates and taken + len(fits[~unsure]) + reserved > sure or unsure.all() and len(fits) and not len(held):
            # Past the certain places (a tie across the last place too: a held candidate may take
            # one of them), or every place in the group is one a held candidate of its unit may take.
            status[contenders], reason[contenders] = PENDING_HELD, o.AWARD_PENDING_HELD
            decision.tied[contenders] = held_candidates or sum(unit_held.values())
            decision.places[contenders] = max(rule.quota - max(certain, 0), 1)
            taken = min(rule.quota, taken + len(fits) + reserved)
        elif len(fits) + reserved <= places and unsure.any():
            status[fits[unsure]], reason[fits[unsure]] = PENDING_HELD, o.AWARD_PENDING_HELD
            decision.tied[fits[unsure]], decision.places[fits[unsure]] = sum(unit_held.values()), 1
            status[fits[~unsure]], reason[fits[~unsure]] = SELECTED, o.PAID
            _pend(decision, reason, held, reserved)
            taken += len(fits) + reserved
        elif len(fits) + reserved <= places:
            status[fits], reason[fits] = SELECTED, o.PAID
            _pend(decision, reason, held, reserved)
            taken += len(fits) + reserved
        else:  # the group straddles the last place: the committee decides
            _pend(decision, reason, contenders, places)
            taken = rule.quota

    if status_waiting is not None:  # their places are kept open: pending, like a held candidate's
        status[status_waiting] = PENDING_HELD
    amount = rule.amount_in(year)
    selected = status == SELECTED
    if amount == 0:
        reason[selected] = o.ZERO_AMOUNT
    # A cycle the ledger has paid is not paid again: its winners are paid already, and while any of
    # them stands, nobody else is paid for it (a new ranking must not add winners past the quota),
    # except a winner whose payment came back from the bank.
    ids, claim = frame["person_id"].to_numpy(), cycle_claim(year)
    held = selected & paid_before.held(rule.id, ids, claim)
    closed = selected & ~held & paid_before.any_for(rule.id, claim) & ~paid_before.released_for(rule.id, ids, claim)
    reason[held], reason[closed] = o.LEDGER_PAID, o.AWARD_CYCLE_PAID
    decision.status[closed] = NOT_SELECTED  # not winners: a title allowance must not pay them either
    if held.any():
        res.paid_by = np.where(held, paid_before.paid_by(rule.id, ids), "")
    selected &= ~held & ~closed
    res.set_claims(np.flatnonzero(selected & (amount > 0)), np.full(int((selected & (amount > 0)).sum()), claim))
    res.amount_fen = np.where(selected, amount, 0).astype(np.int64)
    res.first_month = res.last_month = np.full(n, month_index(rule.cycle.selection_day(year)), dtype=np.int32)
    res.reason = reason
    return res


def bars(rule: AwardRule, frame: pd.DataFrame, usable: np.ndarray, year: int, previous: pd.DataFrame | None):
    """Rows that are no candidate whatever their score: (too few years, a recent winner, a person's
    later row). Also what a two-round selection's shortlist leaves out (scores.compute)."""
    years = frame["years_exact"].to_numpy()
    too_new = np.zeros(len(frame), dtype=bool) if rule.min_years is None else np.array(
        [y is None or y < rule.min_years for y in years], dtype=bool)
    # One candidacy per person: where a policy also pays by certificate, a person may have several rows.
    ids = frame["person_id"].where(usable, None)
    later_row = (ids.duplicated(keep="first") & ids.notna()).to_numpy()
    return too_new, _recent_winners(rule, frame, previous, year), later_row


def _held_rows(frame: pd.DataFrame, usable: np.ndarray, scores, every_row: bool) -> np.ndarray:
    """Rows held for a data problem that may be candidates once corrected: with a score source,
    those it counts as candidates; on a roster of candidates (`every_row`), every row held;
    otherwise those with something under 评审得分. A person ranked on another row is not held again."""
    candidate = np.ones(len(frame), dtype=bool) if every_row else frame["score_given"].to_numpy(dtype=bool)
    held = scores.held.copy() if scores is not None and scores.held is not None else ~usable & candidate
    ids = frame["person_id"].to_numpy()
    standing = ids[usable & candidate & ~held & (ids != "")]  # ranked on a row of their own
    if held.any() and len(standing):
        held &= ~np.isin(ids, standing)
    return held


def _held_count(frame: pd.DataFrame, usable: np.ndarray, held: np.ndarray, every_row: bool,
                rule: AwardRule) -> int:
    """How many people the held rows are (one person on several rows once, a row without an ID
    alone). Under `nominations_per`, a unit brings back no more nominees than its places left
    beside its nominees not held (a unit that nominated too many has all held)."""
    ids = frame["person_id"].to_numpy()
    if rule.nominations_per is None:
        return _people(ids[held])
    candidate = np.ones(len(frame), dtype=bool) if every_row else frame["score_given"].to_numpy(dtype=bool)
    units = frame[rule.nominations_per.field].to_numpy()
    count = 0
    for u in pd.unique(units[held]):  # the units with someone held: a few
        mine = held & (units == u)
        limit = rule.nominations_per.limit_of(u)
        standing = _people(ids[usable & candidate & (units == u)])
        count += _people(ids[mine]) if limit is None else min(_people(ids[mine]), max(limit - standing, 0))
    return count


def _held_per_unit(frame: pd.DataFrame, held: np.ndarray, rule: AwardRule) -> dict:
    """Under `quota_per`, the people held in each unit: each may take one of its unit's places."""
    if rule.quota_per is None or not held.any():
        return {}
    units, ids = frame[rule.quota_per.field].to_numpy(), frame["person_id"].to_numpy()
    return {u: _people(ids[held & (units == u)]) for u in pd.unique(units[held])}


def _unit_unsure(fits: np.ndarray, unit: np.ndarray | None, unit_taken: dict, unit_held: dict,
                 rule: AwardRule) -> np.ndarray:
    """Of the candidates fitting their unit's quota, those whose place a held candidate of the
    same unit may take: the unit's places taken so far pass its limit less its held people."""
    unsure = np.zeros(len(fits), dtype=bool)
    if unit is None or not unit_held:
        return unsure
    for k, i in enumerate(fits):
        u = unit[i]
        limit = rule.quota_per.limit_of(u)
        if limit is not None and unit_held.get(u, 0) and unit_taken.get(u, 0) > limit - unit_held[u]:
            unsure[k] = True
    return unsure


def _people(ids: np.ndarray) -> int:
    """People among rows: by ID, each row without one alone."""
    return len(pd.unique(ids[ids != ""])) + int((ids == "").sum())


def _pend(decision: AwardDecision, reason: np.ndarray, rows: np.ndarray, places: int) -> None:
    decision.status[rows], reason[rows] = PENDING, o.AWARD_PENDING_TIE
    decision.tied[rows], decision.places[rows] = len(rows), places


def _ranked_groups(rule: AwardRule, frame: pd.DataFrame, candidates: np.ndarray, scores: np.ndarray) -> list:
    """Candidates in rank order, as groups of equals: by exact score, then each tie-break key for
    as long as every member of a tie has a value for it."""
    by_score: dict = {}
    for i in candidates:
        by_score.setdefault(scores[i], []).append(i)
    groups = [np.array(by_score[s], dtype=np.int64) for s in sorted(by_score, reverse=True)]
    for tb in rule.tie_break:
        values = _tie_values(frame, tb.field)
        refined = []
        for group in groups:
            keys = [values[i] for i in group]
            if len(group) == 1 or any(k is None for k in keys):
                refined.append(group)
                continue
            for key in sorted(set(keys), reverse=tb.order == "desc"):
                refined.append(group[[k == key for k in keys]])
        groups = refined
    return groups


def _tie_values(frame: pd.DataFrame, field: str) -> list:
    """Per row, the value a tie-break orders by (None for a blank): the level's rank, a number's
    exact value, a date's day."""
    if field == "level":  # the declared order of levels ranks them; no level is no value
        codes = frame["level"].cat.codes.to_numpy()
        return [None if c < 0 else int(c) for c in codes]
    if f"{field}_exact" in frame:
        return list(frame[f"{field}_exact"].to_numpy())
    days = frame[field].to_numpy().astype("datetime64[D]")
    return [None if np.isnat(d) else int(d.astype(np.int64)) for d in days]


def _by_unit(group: np.ndarray, unit: np.ndarray | None, unit_taken: dict, rule: AwardRule):
    """Split a group of equal candidates by their unit's quota: (fit, pending within the unit,
    unit already full, places reserved for the pending). Updates unit_taken."""
    if unit is None:
        return group, group[:0], group[:0], 0
    fits, held, full, reserved = [], [], [], 0
    for u in pd.unique(unit[group]):
        members = group[unit[group] == u]
        limit = rule.quota_per.limit_of(u)
        if limit is None:  # a value with no limit of its own (others: unlimited)
            fits.extend(members)
            continue
        left = limit - unit_taken.get(u, 0)
        if left <= 0:
            full.extend(members)
        elif len(members) <= left:
            fits.extend(members)
            unit_taken[u] = unit_taken.get(u, 0) + len(members)
        else:  # more equal candidates than the unit's places left
            held.extend(members)
            reserved += left
            unit_taken[u] = limit
    return (np.array(fits, dtype=np.int64), np.array(held, dtype=np.int64), np.array(full, dtype=np.int64),
            reserved)


def _recent_winners(rule: AwardRule, frame: pd.DataFrame, previous: pd.DataFrame | None, year: int) -> np.ndarray:
    """Rows of people who won this award in one of the last `no_repeat_cycles` cycles, or, with
    `no_repeat: ever`, in any year before this selection's."""
    since = rule.barred_since(year)
    if since is None or previous is None or previous.empty:
        return np.zeros(len(frame), dtype=bool)
    recent = previous[(previous["rule_id"].isin(["", rule.id])) & (previous["year"] >= since)
                      & (previous["year"] < year)]
    return frame["person_id"].isin(set(recent["person_id"])).to_numpy()
