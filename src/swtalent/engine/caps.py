"""A lifetime cap (`lifetime_cap`): the most a rule pays one person over all time, what it paid
before (--previous, the ledger's history) included.

The cap is applied to a rows x periods grid of amounts in time order (months of a monthly rule or
a title allowance, years of a yearly rule): per person, the running total stops at what is left
of the cap, and the period that reaches it pays the rest, a part of its amount. Whole columns at a
time: a cumulative sum per person, never a loop over rows.

The grid holds at most one paying row per person in a period (a monthly rule pays each month on
the person's highest level only, a yearly rule and a title allowance one row per person).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def paid_before(rule_id: str, previous: pd.DataFrame | None, ids: np.ndarray) -> np.ndarray:
    """Per row, what this rule paid the person before, in fen: the history's rows of the rule (and
    those with no rule id, which count for every rule, as for max_months and one-off caps)."""
    if previous is None or previous.empty:
        return np.zeros(len(ids), dtype=np.int64)
    mine = previous[previous["rule_id"].isin(["", rule_id])]
    sums = mine.groupby("person_id")["amount_fen"].sum()
    return pd.Series(ids).map(sums).fillna(0).to_numpy(dtype=np.int64)


@dataclass
class Capped:
    pay: np.ndarray  # rows x periods: what is paid under the cap
    cut: np.ndarray  # per row: whether the cap took something off the row (a part or all of it)
    earlier: np.ndarray  # per row: what the rule paid the person before this row (history, their other rows)
    before: np.ndarray  # per row: what the history says was paid


def apply_cap(pay: np.ndarray, person: np.ndarray, before: np.ndarray, cap_fen: int) -> Capped:
    """`pay`: rows x periods in fen, columns in time order; `person`: each row's person code;
    `before`: each row's earlier payments (the same on all of a person's rows)."""
    n_rows, n_cols = pay.shape
    n_people = int(person.max()) + 1 if n_rows else 0
    per = np.zeros((n_people, n_cols), dtype=np.int64)
    np.add.at(per, person, pay)
    left = np.zeros(n_people, dtype=np.int64)
    left[person] = np.maximum(cap_fen - before, 0)
    allowed = np.clip(left[:, None] - (per.cumsum(axis=1) - per), 0, per)  # per person and period
    capped = np.minimum(pay, allowed[person])
    row_total = capped.sum(axis=1)
    person_total = np.zeros(n_people, dtype=np.int64)
    np.add.at(person_total, person, row_total)
    return Capped(capped, (pay - capped).sum(axis=1) > 0, before + person_total[person] - row_total, before)
