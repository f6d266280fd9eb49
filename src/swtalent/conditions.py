"""Conditions over whole roster columns: which rows meet a policy's condition.

A simple condition is decided once per distinct value of its column where the column is text or a
number (a roster has a handful of categories, places and month counts), and with numpy
comparisons where it is a date. any / all / not combine the results; a blank cell is resolved at
the simple condition, as its `blank:` says (a row where it says `problem` is held before any rule
looks at it: see held_by_blanks).

The column's type is read from the frame as normalise leaves it: text is object (''
blank), a number has `<key>_exact` (Decimal or None), a date is datetime64 (NaT blank), yes/no is
pandas' nullable boolean, the level is categorical in the policy's level order.
"""
from __future__ import annotations

import operator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from .policy.model import AllOf, AnyOf, Condition, NotOf
from .roster.cells import factorize

_COMPARE = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge, ">": operator.gt, "<=": operator.le,
            "<": operator.lt}


_memo: ContextVar[dict | None] = ContextVar("swtalent_column_memo", default=None)


@contextmanager
def shared_columns():
    """Within it, what is worked out from a whole column of a frame (its distinct values, its
    months) is worked out once, however many rules ask: engine.compute holds one for its run, in
    which the frame does not change. Outside one, every call works it out again."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def once(frame: pd.DataFrame, key: tuple, make):
    """make(), or what it gave for this frame and key before, within shared_columns()."""
    memo = _memo.get()
    if memo is None:
        return make()
    at = (id(frame), key)
    if at not in memo:
        memo[at] = (frame, make())  # the frame is kept, so that its id is not another's meanwhile
    return memo[at][1]


def first_failed(conditions: tuple, frame: pd.DataFrame) -> np.ndarray:
    """Index of the first of `conditions` each row fails, -1 when all hold."""
    failed = np.full(len(frame), -1, dtype=np.int16)
    for i, cond in enumerate(conditions):
        failed = np.where((failed < 0) & ~holds(cond, frame), i, failed).astype(np.int16)
    return failed


def holds(cond, frame: pd.DataFrame) -> np.ndarray:
    """Whether each row meets a condition (a simple one, or any / all / not of others)."""
    if isinstance(cond, AnyOf):
        out = np.zeros(len(frame), dtype=bool)
        for c in cond.any:
            out |= holds(c, frame)
        return out
    if isinstance(cond, AllOf):
        out = np.ones(len(frame), dtype=bool)
        for c in cond.all:
            out &= holds(c, frame)
        return out
    if isinstance(cond, NotOf):
        return ~holds(cond.not_, frame)
    if _is_text(cond, frame):  # decided per distinct value, blank ones too: one take over the rows
        codes, met, blank = _text_table(cond, frame)
        return np.where(blank, cond.blank == "passes", met)[codes]
    met, blank = test(cond, frame)
    return np.where(blank, cond.blank == "passes", met)


def blank_column(frame: pd.DataFrame, key: str) -> np.ndarray:
    """Rows whose cell of a field is blank (or did not read as its type), whatever the type."""
    if f"{key}_exact" in frame:
        return pd.isna(frame[f"{key}_exact"]).to_numpy()
    column = frame[key]
    if column.dtype.kind == "M":
        return np.isnat(column.to_numpy())
    if isinstance(column.dtype, (pd.BooleanDtype, pd.CategoricalDtype)):
        return column.isna().to_numpy()
    return text_blank(column)


def text_blank(column: pd.Series) -> np.ndarray:
    """Where a text column holds '', by numpy's comparison (pandas' took twice as long)."""
    try:
        return column.to_numpy(dtype=object) == ""
    except TypeError:  # a pd.NA, which numpy cannot compare (normalise leaves none in a text column)
        return (column == "").to_numpy(dtype=bool, na_value=False)


def test(cond: Condition, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(met, blank) for a simple condition; `met` is meaningless where `blank`."""
    column = frame[cond.field]
    if f"{cond.field}_exact" in frame:
        return _numbers(cond, frame)
    if column.dtype.kind == "M":
        return _dates(cond, frame)
    if isinstance(column.dtype, pd.CategoricalDtype):
        return _levels(cond, column)
    if isinstance(column.dtype, pd.BooleanDtype):
        blank = column.isna().to_numpy()
        truth = column.fillna(False).to_numpy(dtype=bool)
        want = bool(cond.value)
        return (truth == want) if cond.op == "==" else (truth != want), blank
    codes, met, blank = _text_table(cond, frame)
    return met[codes], blank[codes]


def _is_text(cond: Condition, frame: pd.DataFrame) -> bool:
    """Is the condition's column text (what test() leaves to _text_table)?"""
    column = frame[cond.field]
    return f"{cond.field}_exact" not in frame and column.dtype.kind != "M" \
        and not isinstance(column.dtype, (pd.CategoricalDtype, pd.BooleanDtype))


def _text_table(cond: Condition, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A text condition per distinct value: each row's code (pd.factorize's, -1 for a missing
    cell, worked out once per run: shared_columns) and, per code, met and blank (the last entry
    for code -1)."""
    codes, distinct = text_codes(frame, cond.field)
    met, blank = _texts(cond, distinct)
    return codes, met, blank


def text_codes(frame: pd.DataFrame, key: str) -> tuple[np.ndarray, np.ndarray]:
    """pd.factorize of a text column (-1 for a missing cell), once per run (shared_columns), by
    its objects first: normalise leaves each distinct text of a column one object (0.018 s for a
    million rows where hashing every text took 0.051 s)."""
    column = frame[key]  # a column of another type (dates, categories) keeps pandas' own values
    return once(frame, ("factorize", key),
                lambda: factorize(column.to_numpy()) if column.dtype == object else pd.factorize(column))


def _texts(cond: Condition, distinct) -> tuple[np.ndarray, np.ndarray]:
    if cond.op == "contains_any":
        needles = cond.needles()
        decide = lambda v: any(n in v for n in needles)  # noqa: E731
    else:
        accepted = cond.accepted()
        inside = cond.op in ("in", "==")
        decide = lambda v: (v in accepted) == inside  # noqa: E731
    met = np.array([decide(str(v)) for v in distinct] + [False], dtype=bool)
    blank = np.array([str(v) == "" for v in distinct] + [True], dtype=bool)
    return met, blank


def _numbers(cond: Condition, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    exact = frame[f"{cond.field}_exact"]
    codes, distinct = pd.factorize(exact)  # None is code -1
    blank = codes < 0
    if cond.other:  # compared with another number of the same row
        other = frame[f"{cond.other}_exact"].to_numpy()
        mine = exact.to_numpy()
        blank = blank | pd.isna(other)
        met = np.zeros(len(frame), dtype=bool)
        ok = np.flatnonzero(~blank)
        met[ok] = [_COMPARE[cond.op](mine[i], other[i]) for i in ok]
        return met, blank
    decide = _decider(cond, lambda v: Decimal(str(v)))
    met = np.array([decide(v) for v in distinct] + [False], dtype=bool)[codes]
    return met, blank


def _decider(cond: Condition, as_value):
    if cond.op == "between":
        low, high = (as_value(v) for v in cond.values)
        return lambda v: low <= v <= high
    if cond.op in ("in", "not_in"):
        wanted = {as_value(v) for v in cond.values}
        return (lambda v: v in wanted) if cond.op == "in" else (lambda v: v not in wanted)
    bound, compare = as_value(cond.value), _COMPARE[cond.op]
    return lambda v: compare(v, bound)


def _dates(cond: Condition, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    days = frame[cond.field].to_numpy().astype("datetime64[D]")
    blank = np.isnat(days)
    if cond.other:
        other = frame[cond.other].to_numpy().astype("datetime64[D]")
        blank = blank | np.isnat(other)
        if cond.offset is not None:
            other = shift(other, cond.offset.months, cond.offset.days)
        with np.errstate(invalid="ignore"):
            return _COMPARE[cond.op](days, other), blank
    if cond.op == "between":
        low, high = (_day(v) for v in cond.values)
        return (days >= low) & (days <= high), blank
    if cond.op in ("in", "not_in"):
        met = np.isin(days, [_day(v) for v in cond.values])
        return (met if cond.op == "in" else ~met), blank
    return _COMPARE[cond.op](days, _day(cond.value)), blank


def _levels(cond: Condition, column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The level in the policy's order, lowest first: in / not_in by key, or compared by rank."""
    rank = {k: i for i, k in enumerate(column.cat.categories)}
    codes = column.cat.codes.to_numpy()
    blank = codes < 0
    if cond.op in ("in", "not_in"):
        return np.isin(codes, [rank.get(str(v), -2) for v in cond.values]) ^ (cond.op == "not_in"), blank
    if cond.op == "between":
        low, high = (rank.get(str(v), -2) for v in cond.values)
        return (codes >= low) & (codes <= high), blank
    return _COMPARE[cond.op](codes, rank.get(str(cond.value), -2)), blank


def _day(value: object) -> np.datetime64:
    return np.datetime64(value if isinstance(value, date) else date.fromisoformat(str(value)), "D")


def shift(days: np.ndarray, months: int = 0, add_days: int = 0) -> np.ndarray:
    """Dates moved by whole months (the same day of the month, or the month's last day when it has
    fewer: 03-31 less one month is 02-28) and then by days. NaT stays NaT."""
    days = days.astype("datetime64[D]")
    if months:
        month = days.astype("datetime64[M]")
        day_of_month = days - month.astype("datetime64[D]")
        moved = month + np.timedelta64(months, "M")
        length = (moved + np.timedelta64(1, "M")).astype("datetime64[D]") - moved.astype("datetime64[D]")
        days = moved.astype("datetime64[D]") + np.minimum(day_of_month, length - np.timedelta64(1, "D"))
    return days + np.timedelta64(add_days, "D")
