"""One-off subsidies: once per person per level, due in the period holding the qualifying date."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..money import to_fen
from ..periods import Period
from ..policy.model import OneOffRule, Policy
from . import outcome as o
from .amounts import amounts_on, table_entries
from .claims import NONE, PaidClaims, once_claim


def evaluate(rule: OneOffRule, policy: Policy, frame: pd.DataFrame, period: Period,
             previous: pd.DataFrame | None = None, paid_before: PaidClaims = NONE,
             arrears_from: int | None = None) -> o.RuleOutcome:
    """`arrears_from`: the first month the ledger has covered; a certificate qualifying from then to
    the period's start and never paid comes back as `res.arrears`."""
    res, usable, failed = o.begin(rule, frame)
    n = len(frame)
    early = min(arrears_from, period.first) if arrears_from is not None else period.first
    qualified = frame["qualified_on"]
    q_month = o.months_in(frame, "qualified_on")
    q_day = qualified.to_numpy(dtype="datetime64[D]")
    before_from = q_day < np.datetime64(rule.since(policy), "D")
    after_until = q_day > np.datetime64(rule.qualified_until, "D") if rule.qualified_until is not None \
        else np.zeros(n, dtype=bool)
    levels = frame["level"].cat.codes.to_numpy()
    entry = table_entries(rule, policy, frame)
    if rule.amounts_by is not None:
        res.table_entry = entry
    amount = amounts_on(rule, policy, frame, qualified, entry)
    not_first = first_held = np.zeros(n, dtype=bool)
    if rule.upgrade == "first_only":  # paid for the first certificate the rule pays, in any period
        eligible = usable & (failed < 0) & ~before_from & ~after_until & (amount > 0)
        # A certificate held as a data problem may be the person's first: it is ranked with the
        # others, so that a later one is not paid as if it were the first (the held row's own date
        # may be unreadable; it then ranks first).
        held_rows = ~usable & (frame["person_id"].to_numpy() != "")
        not_first, res.first_pos = _first_certificates(frame, eligible | held_rows, levels, q_day)
        not_first &= eligible
        first_held = not_first & held_rows[np.maximum(res.first_pos, 0)] & (res.first_pos >= 0)
        not_first &= ~first_held

    # Each reason as a mask (the first that applies wins), so that no step below compares the
    # object column of reason codes: that costs milliseconds a time at 100,000 rows.
    masks = [~usable, failed >= 0, before_from, after_until, not_first | first_held, q_month < early,
             q_month > period.last, amount == 0]
    codes = [o.NOT_EVALUATED, o.CONDITION, o.ONE_OFF_BEFORE_FROM, o.ONE_OFF_AFTER_UNTIL,
             None,  # first_held (a part of not_first | first_held): ONE_OFF_FIRST_HELD, else ONE_OFF_NOT_FIRST
             o.ONE_OFF_EARLIER_PERIOD, o.ONE_OFF_LATER_PERIOD, o.ZERO_AMOUNT]
    reason = o.select_reason(masks[:4] + [first_held] + masks[4:],
                             codes[:4] + [o.ONE_OFF_FIRST_HELD, o.ONE_OFF_NOT_FIRST] + codes[5:], default=o.PAID)
    blocked = np.zeros(n, dtype=bool)
    first_reason = []
    for mask in masks:
        first_reason.append(mask & ~blocked)
        blocked |= mask
    due = ~blocked
    # Rows no period would ever pay (a data problem, a condition, the dates, not the first).
    never = first_reason[0] | first_reason[1] | first_reason[2] | first_reason[3] | first_reason[4]
    key_texts = np.array([once_claim(k) for k in policy.level_keys] + [""], dtype=object)
    keys = key_texts[levels] if paid_before.has(rule.id) else None  # else only the rows paid need theirs
    ids = frame["person_id"].to_numpy()
    # Once per person and level, ever; a certificate the ledger paid says so, even one that is now
    # not the person's first (a lower level turned up on a later roster).
    held = (due | first_reason[4]) & paid_before.held(rule.id, ids, keys) if keys is not None \
        else np.zeros(n, dtype=bool)
    reason[held] = o.LEDGER_PAID
    due &= ~held
    res.paid_by = np.where(held, paid_before.paid_by(rule.id, ids), "") if held.any() else None
    if rule.upgrade == "first_only":  # this rule paid the person before: nothing more, at any level
        once = due & _paid_earlier(rule, previous, ids)
        reason[once] = o.ONE_OFF_PAID_ONCE
        due &= ~once
        never |= once
    paid = due
    res.amount_fen = np.where(paid, amount, 0)
    res.rate_fen = np.where(paid, amount, -1)
    res.earlier_fen = np.zeros(n, dtype=np.int64)
    if rule.upgrade == "difference" or rule.lifetime_cap is not None:
        _net_of_earlier(rule, frame, previous, paid, levels, res, reason)
    res.first_month = res.last_month = q_month
    late = q_month < period.first  # due in an earlier period the ledger covered, and never paid
    # Only a late row still paid (due from arrears_from on) is owed: without a ledger (no
    # arrears_from) none is, and no outcome of arrears, all nothing, is made for a million rows.
    if (late & paid).any():
        res.arrears = o.empty_outcome(rule, n)
        res.arrears.table_entry = res.table_entry
        for name in ("amount_fen", "rate_fen", "earlier_fen"):
            setattr(res.arrears, name, np.where(late, getattr(res, name), 0 if name != "rate_fen" else -1))
            setattr(res, name, np.where(late, 0 if name != "rate_fen" else -1, getattr(res, name)))
        res.arrears.first_month = res.arrears.last_month = q_month
        owed = np.flatnonzero(res.arrears.amount_fen > 0)
        res.arrears.set_claims(owed, key_texts[levels[owed]])
        res.arrears.reason = o.select_reason([res.arrears.amount_fen > 0], [o.PAID], default=o.NOT_EVALUATED)
    # Said as due in its own period, unless the row would never be paid in any period.
    reason[late & ~never] = o.ONE_OFF_EARLIER_PERIOD
    now = np.flatnonzero(res.amount_fen > 0)
    res.set_claims(now, key_texts[levels[now]])
    res.reason = reason
    res.failed_condition = np.where(usable, failed, -1).astype(np.int16)
    return res


def _first_certificates(frame: pd.DataFrame, eligible: np.ndarray, levels: np.ndarray,
                        q_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """upgrade: first_only. Among each person's rows the rule would pay in some period (eligible),
    the first: the earliest qualifying date; on one date the lower level (the later one is the
    upgrade); then the roster's order. Returns, per row, whether it is eligible and not its
    person's first, and the position of its person's first row (-1 when the person has none)."""
    n = len(frame)
    person = pd.factorize(frame["person_id"])[0]
    pos = np.flatnonzero(eligible)
    order = np.lexsort((pos, levels[pos], q_day[pos].astype(np.int64), person[pos]))
    ranked = pos[order]
    starts = np.ones(len(ranked), dtype=bool)
    starts[1:] = person[ranked][1:] != person[ranked][:-1]
    first_of = np.full(int(person.max()) + 1 if n else 0, -1, dtype=np.int64)
    first_of[person[ranked[starts]]] = ranked[starts]
    first_pos = first_of[person] if n else np.zeros(0, dtype=np.int64)
    return eligible & (first_pos != np.arange(n)), first_pos


def _paid_earlier(rule: OneOffRule, previous: pd.DataFrame | None, ids: np.ndarray) -> np.ndarray:
    """Per row: did this rule pay the person before (--previous, or the ledger's history)?"""
    if previous is None or previous.empty:
        return np.zeros(len(ids), dtype=bool)
    mine = previous[previous["rule_id"].isin(["", rule.id]) & (previous["amount_fen"] > 0)]
    return np.isin(ids, mine["person_id"].to_numpy()) & (ids != "")


def _net_of_earlier(rule: OneOffRule, frame: pd.DataFrame, previous: pd.DataFrame | None, paid: np.ndarray,
                    levels: np.ndarray, res: o.RuleOutcome, reason: np.ndarray) -> None:
    """What this rule paid the person before (earlier runs, from --previous, and this run's lower
    levels) comes off: `difference` pays the new level's amount less it, `lifetime_cap` stops the
    total at the cap. Only rows of people with history or several payments are looked at."""
    earlier = {}
    if previous is not None and not previous.empty:
        mine = previous[previous["rule_id"].isin(["", rule.id])]
        earlier = mine.groupby("person_id")["amount_fen"].sum().to_dict()
    ids = frame["person_id"].to_numpy()
    rows = np.flatnonzero(paid)
    per_person = pd.Series(ids[rows]).value_counts()
    cap = None if rule.lifetime_cap is None else to_fen(rule.lifetime_cap)
    look = [i for i in rows if ids[i] in earlier or per_person.get(ids[i], 0) > 1
            or cap is not None and res.amount_fen[i] > cap]
    for i in sorted(look, key=lambda i: (ids[i], levels[i])):  # lower levels first, as they were obtained
        before = int(earlier.get(ids[i], 0))
        due = int(res.amount_fen[i])
        if rule.upgrade == "difference":
            due = max(due - before, 0)
        if cap is not None:
            due = max(min(due, cap - before), 0)
        res.earlier_fen[i] = before
        res.amount_fen[i] = due
        earlier[ids[i]] = before + due
        if due == 0:
            reason[i] = o.ONE_OFF_ALREADY_PAID
