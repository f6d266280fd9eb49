"""Which dated amounts apply to each row: the rule's own amounts for the row's level, or, when the
rule has an amounts table (amounts_by) whose values hold the row's cell, that entry's.

Decided once per distinct cell value and once per distinct (entry, level) pair, never per row: a
roster repeats a handful of districts over thousands of rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..conditions import text_codes
from ..policy.model import DatedAmount, Policy, RuleBase


def table_entries(rule: RuleBase, policy: Policy, frame: pd.DataFrame) -> np.ndarray:
    """Per row, the amounts-table entry it is paid by: k for the k-th value under amounts_by (the
    row's cell is that value or one of its aliases, and the entry has an amount for the row's
    level), 0 for the rule's own amounts (no table, a value not in it, a blank, a level the
    entry leaves out)."""
    n = len(frame)
    table = rule.amounts_by
    if table is None:
        return np.zeros(n, dtype=np.int32)
    codes, distinct = text_codes(frame, table.field)
    lookup = table.lookup()
    entry = np.array([lookup.get(str(v), 0) for v in distinct] + [0], dtype=np.int32)[codes]
    keys = policy.level_keys
    # has[k, level]: the k-th entry has an amount for the level; the last column (no level) never.
    has = np.zeros((len(table.values) + 1, len(keys) + 1), dtype=bool)
    for k in range(1, len(table.values) + 1):
        own = table.entry(k)[1]
        has[k, [i for i, key in enumerate(keys) if key in own]] = True
    levels = frame["level"].cat.codes.to_numpy()
    return np.where(has[entry, levels], entry, 0).astype(np.int32)


def schedules(rule: RuleBase, policy: Policy) -> list[tuple[DatedAmount, ...]]:
    """The dated amounts of every (entry, level) pair, at entry * len(levels) + level."""
    entries = len(rule.amounts_by.values) if rule.amounts_by is not None else 0
    return [rule.dated(key, k) for k in range(entries + 1) for key in policy.level_keys]


def schedule_codes(policy: Policy, frame: pd.DataFrame, entry: np.ndarray) -> np.ndarray:
    """Per row, its index into schedules(): entry * len(levels) + level; -1 where no level."""
    levels = frame["level"].cat.codes.to_numpy().astype(np.int64)
    if not entry.any():  # no amounts table, or no row paid by one: the level (-1 stays -1)
        return levels
    return np.where(levels >= 0, entry.astype(np.int64) * len(policy.level_keys) + levels, -1)


def amounts_on(rule: RuleBase, policy: Policy, frame: pd.DataFrame, days: pd.Series,
               entry: np.ndarray) -> np.ndarray:
    """The amount in force on each row's day for its level and table entry, in fen (0 where no
    level, no day, or before the first dated amount): one search per distinct (entry, level)."""
    out = np.zeros(len(frame), dtype=np.int64)
    day = days.to_numpy(dtype="datetime64[D]")
    code = schedule_codes(policy, frame, entry)
    code = np.where(np.isnat(day), -1, code)
    plans = schedules(rule, policy)
    if all(len(dated) <= 1 for dated in plans):  # one amount a pair, never changed: a lookup, no search
        froms = np.array([np.datetime64(d[0].from_, "D") if d else np.datetime64("NaT", "D") for d in plans]
                         + [np.datetime64("NaT", "D")])  # the last for code -1 (no level, no day)
        fens = np.array([d[0].fen if d else 0 for d in plans] + [0], dtype=np.int64)
        return np.where(day >= froms[code], fens[code], 0)  # never on or after NaT
    present = np.flatnonzero(np.bincount(code + 1, minlength=len(plans) + 1)[1:])
    if len(present) <= 8:  # a few (entry, level) pairs: a pass over the rows for each, no sort
        groups = ((s, np.flatnonzero(code == s)) for s in present)
    else:
        order = np.argsort(code, kind="stable")
        found, starts = np.unique(code[order], return_index=True)
        groups = zip(found, np.split(order, starts[1:]))
    for s, rows in groups:
        dated = plans[s] if s >= 0 else ()
        if not dated:
            continue
        froms = np.array([np.datetime64(e.from_, "D") for e in dated])
        fens = np.array([e.fen for e in dated], dtype=np.int64)
        at = np.searchsorted(froms, day[rows], side="right") - 1
        out[rows] = np.where(at >= 0, fens[np.maximum(at, 0)], 0)
    return out
