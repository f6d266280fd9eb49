"""Monthly post allowances: a rows x months grid of who is paid which month at which rate.

A month is paid to a row when the certificate is held (from the qualifying month or the one
after, per the policy), the person is in post, the policy is in force and the row meets the
rule's conditions. A person with several certificates is paid, each month, only on the row of
the highest level eligible that month; the grid makes that a group-wise max, not a loop.
"""
from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from ..money import to_fen
from ..periods import NO_MONTH, Period, month_index, month_start
from ..policy.model import MonthlyRule, Policy, fen_on
from . import caps
from . import outcome as o
from .amounts import schedule_codes, schedules, table_entries
from .claims import NONE, PaidClaims

_FAR_PAST, _FAR_FUTURE = np.int32(-(2**30)), np.int32(2**30)


def rate_grid(rule: MonthlyRule, policy: Policy, period: Period) -> np.ndarray:
    """(table entries x levels) x months rate in fen: the value in force on the first day of each
    month, for each (entry, level) pair at amounts.schedule_codes (just the levels without a table)."""
    months = period.months
    plans = schedules(rule, policy)
    grid = np.zeros((len(plans), len(months)), dtype=np.int64)
    for si, dated in enumerate(plans):
        for mi, m in enumerate(months):
            grid[si, mi] = fen_on(dated, month_start(int(m)))
    return grid


def month_bounds(rule: MonthlyRule, policy: Policy, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Per row: the first month the certificate counts, the first month in post and the last month
    paid for being in post; and the policy's first month. `swtalent explain` reads the same bounds."""
    q_month = o.months_in(frame, "qualified_on")
    start = q_month + 1 if rule.first_month == "after_qualifying" else q_month
    hire = o.months_in(frame, "hired_on")
    hire = np.where(hire == NO_MONTH, _FAR_PAST, hire)  # blank_hire_date: in_post
    left = o.months_in(frame, "left_on")
    left = np.where(left == NO_MONTH, _FAR_FUTURE, left if rule.leaving_month == "paid" else left - 1)
    return start, hire, left, month_index(policy.in_force_from)


def waited(rule: MonthlyRule, hire: np.ndarray) -> np.ndarray:
    """Per row, the first month a waiting period (wait_months) allows: the hire month plus the
    months of waiting (one more when counted from the month after hire). A blank hire date read
    as in post (blank_hire_date: in_post) has waited; the loader refuses a waiting period with it."""
    return np.where(hire == _FAR_PAST, hire, hire + rule.wait_offset()).astype(np.int64)


def paid_span(rule: MonthlyRule, period: Period) -> Period | None:
    """The months a run pays for: the period itself, or, for a rule paid once a year, every month
    of each year whose payment month the period holds (None when it holds none)."""
    if rule.pay_month is None:
        return period
    years = period.years_holding(rule.pay_month)
    return Period(years[0] * 12, years[-1] * 12 + 11) if years else None


def evaluate(rule: MonthlyRule, policy: Policy, frame: pd.DataFrame, period: Period,
             previous: pd.DataFrame | None = None, paid_before: PaidClaims = NONE,
             arrears_from: int | None = None) -> o.RuleOutcome:
    """`arrears_from`: the first month the ledger has covered; months from it to the period's start
    that are due and unpaid come back as `res.arrears` (a rule paid once a year has none)."""
    res, usable, failed = o.begin(rule, frame)
    span = paid_span(rule, period)
    if span is None:  # paid once a year, and not in this run
        res.reason = np.where(~usable, o.NOT_EVALUATED, np.where(failed >= 0, o.CONDITION, o.MONTHLY_NOT_PAY_MONTH))
        res.reason = res.reason.astype(object)
        res.failed_condition = np.where(usable, failed, -1).astype(np.int16)
        res.earlier_months = np.zeros(len(frame), dtype=np.int64)
        return res
    period = span
    # With arrears, one grid from their first month: the months allowed and the runs in post are
    # counted over both, then the grid is cut in two.
    early = arrears_from if arrears_from is not None and arrears_from < period.first and rule.pay_month is None \
        else period.first
    grid = Period(early, period.last)
    levels = frame["level"].cat.codes.to_numpy().astype(np.int16)
    start, hire, left, in_force = month_bounds(rule, policy, frame)
    ready = waited(rule, hire)
    lo = np.maximum(np.maximum(start, ready), max(in_force, grid.first)).astype(np.int32)
    hi = np.minimum(left, period.last)

    candidate = usable & (failed < 0) & (levels >= 0)
    months = grid.months
    entry = table_entries(rule, policy, frame)
    if rule.amounts_by is not None:
        res.table_entry = entry
    rates = rate_grid(rule, policy, grid)
    codes = np.maximum(schedule_codes(policy, frame, entry), 0)
    # No rate changes within the grid's months (the usual case): a rate per row, not a rows x
    # months grid of them (a lifetime cap needs the grid of amounts).
    flat = rule.lifetime_cap is None and bool((rates == rates[:, :1]).all())
    row_rates = rates[codes, 0] if flat else rates[codes]  # rows, or rows x months
    persons = frame["person"].to_numpy()
    now = months >= period.first
    res.earlier_months = np.zeros(len(frame), dtype=np.int64)
    short = capped = cut = all_paid = np.zeros(len(frame), dtype=bool)

    if flat and now.all() and len(months) <= _MAX_BITS and rule.min_consecutive_months is None \
            and rule.max_months is None and not paid_before.has(rule.id):
        # The usual run (one rate a row, no arrears, no ledger claims, nothing counted per person
        # over time): a row's months held are one run, lo..hi, kept as a bit mask a row; only
        # the rows of people with several are made a grid, to find the highest level each month.
        width = len(months)
        first = np.clip(lo - grid.first, 0, width).astype(np.int64)  # grid columns first..last held
        last = np.clip(hi - grid.first, -1, width - 1).astype(np.int64)
        held_any = candidate & (row_rates > 0) & (first <= last)
        count = np.where(held_any, last - first + 1, 0)
        shared, starts = _sharing(persons, np.flatnonzero(held_any))
        # Their months may be broken by a higher level held in between: their bits are counted.
        held_bits = _below(last[shared] + 1) & ~_below(first[shared])
        won_bits = _pack(_highest(_unpack(held_bits, width), levels[shared], starts)) if len(shared) else held_bits
        count[shared], first[shared], last[shared] = _bit_stats(won_bits)
        _paid_bits(res, count, first, last, shared, won_bits, row_rates, months)
        any_won = res.months > 0
    else:
        held = candidate[:, None] & (months[None, :] >= lo[:, None]) & (months[None, :] <= hi[:, None])
        held &= (row_rates > 0)[:, None] if flat else row_rates > 0
        any_won, held_any, short, all_paid, capped, cut = _grid(rule, frame, period, previous, paid_before, res,
                                                                 held, levels, row_rates, flat, months, now)

    latest_start = np.maximum(in_force, period.first)
    # Waiting: without the waiting period a month of this period would be due, with it none is.
    unwaited = np.maximum.reduce([start, hire, np.full(len(frame), latest_start, dtype=np.int32)])
    waiting = (rule.wait_offset() > 0) & (unwaited <= hi) & (np.maximum(unwaited, ready) > hi)
    res.reason = o.select_reason(
        [~usable, failed >= 0, any_won, in_force > period.last, start > period.last,
         left < latest_start, hire > period.last, waiting, ~held_any, short, all_paid, capped, cut],
        [o.NOT_EVALUATED, o.CONDITION, o.PAID, o.MONTHLY_NOT_IN_FORCE, o.MONTHLY_QUALIFIED_LATE,
         o.MONTHLY_LEFT, o.MONTHLY_HIRED_LATE, o.MONTHLY_WAITING, o.MONTHLY_NO_OVERLAP, o.MONTHLY_TOO_SHORT,
         o.LEDGER_PAID, o.MONTHLY_MAX_MONTHS, o.LIFETIME_CAP],
        default=o.MONTHLY_SUPERSEDED)
    res.failed_condition = np.where(usable, failed, -1).astype(np.int16)
    return res


def _grid(rule: MonthlyRule, frame: pd.DataFrame, period: Period, previous: pd.DataFrame | None,
          paid_before: PaidClaims, res: o.RuleOutcome, held: np.ndarray, levels: np.ndarray, row_rates: np.ndarray,
          flat: bool, months: np.ndarray, now: np.ndarray) -> tuple[np.ndarray, ...]:
    """The months paid as a rows x months grid (held), for what the bit masks do not do: rates that
    change, arrears, ledger claims, runs, limits and caps counted per person. Fills `res` (and
    res.arrears); returns, per row, whether a month is paid and held, and the masks of the reasons
    short, all paid by the ledger, capped by max_months and cut by a lifetime cap."""
    ids = frame["person_id"].to_numpy()
    # Highest level held each month, per person, then only that row is paid for the month.
    person = frame["person"].to_numpy()  # the limits below count per person over all rows
    won = highest_held(person, held, levels)
    short = capped = np.zeros(len(frame), dtype=bool)
    if rule.min_consecutive_months is not None:  # counted within each year paid, not across years
        kept = np.zeros_like(won)
        for year in np.unique(months // 12):
            cols = months // 12 == year
            enough = _longest_run(person, won[:, cols]) >= rule.min_consecutive_months
            kept[:, cols] = won[:, cols] & enough[person][:, None]
        short, won = won.any(axis=1) & ~kept.any(axis=1), kept
    # Months the ledger has paid already are left out: after the run of months in post is counted
    # (they were months in post), before the months allowed are (history counts them already).
    claimed = paid_before.month_grid(rule.id, ids, months)
    all_paid = np.zeros(len(frame), dtype=bool)
    if claimed.any():
        all_paid = (won & now).any(axis=1) & ~(won & now & ~claimed).any(axis=1)
        won &= ~claimed
    if rule.max_months is not None:
        won, capped = _within_max_months(rule, frame, previous, person, won, res)
    full = won  # the months due before a lifetime cap
    cut = np.zeros(len(frame), dtype=bool)
    if rule.lifetime_cap is not None:  # months in order, the earlier ones (arrears) first
        limited = caps.apply_cap(won * row_rates, person,
                                 caps.paid_before(rule.id, previous, frame["person_id"].to_numpy()),
                                 to_fen(rule.lifetime_cap))
        pay, won, cut = limited.pay, limited.pay > 0, limited.cut
        person_total = limited.earlier + pay.sum(axis=1) - limited.before  # all of the person's months in the grid

    def part(into: o.RuleOutcome, cols: np.ndarray) -> None:
        if flat:  # months x rate, one rate a row
            _paid_months(into, won if cols.all() else won[:, cols], row_rates, months[cols])
            return
        if rule.lifetime_cap is None:  # months x rate: no grid of amounts to carry
            _paid_months(into, won[:, cols], row_rates[:, cols], months[cols])
            return
        _paid_months(into, won[:, cols], row_rates[:, cols], months[cols], pay[:, cols], full[:, cols])
        into.earlier_fen = np.where(into.capped, limited.before + person_total - into.amount_fen, 0)

    part(res, now)
    any_won = res.months > 0
    if not now.all():
        res.arrears = o.empty_outcome(rule, len(frame))
        res.arrears.table_entry = res.table_entry
        part(res.arrears, ~now)
        res.arrears.reason = o.select_reason([res.arrears.months > 0], [o.PAID], default=o.NOT_EVALUATED)
    if all_paid.any():
        res.paid_by = np.where(all_paid, paid_before.paid_by(rule.id, ids), "")
    return any_won, held[:, now].any(axis=1), short, all_paid, capped, cut


def _paid_months(res: o.RuleOutcome, won: np.ndarray, row_rates: np.ndarray, months: np.ndarray,
                 pay: np.ndarray | None = None, full: np.ndarray | None = None) -> None:
    """Amounts, month counts and spans, rates, runs and claims of the months `won` (rows x months);
    the claims as month indices (engine.claims.claim_texts makes them 2023-04 when committed).
    `row_rates`: rows x months, or one rate a row when the rate is the same in every month.
    `pay`: what each month pays when a lifetime cap cut the last month short (else rate x month);
    `full`: the months due before the cap. A row the cap cut has `capped`; one whose last month it
    cut short has no single rate (rate_fen -1): months x rate no longer makes the amount."""
    n, width = won.shape
    count = np.count_nonzero(won, axis=1).astype(np.int32)
    any_won = count > 0
    flat = row_rates.ndim == 1
    if flat:
        standard = count.astype(np.int64) * row_rates
    else:
        standard = (won * row_rates).sum(axis=1).astype(np.int64)
    res.amount_fen = standard if pay is None else pay.sum(axis=1).astype(np.int64)
    res.capped = np.zeros(n, dtype=bool) if full is None else (full * row_rates).sum(axis=1) > res.amount_fen
    res.months = count
    # The first and the last month paid (argmax finds the first True; a row with none is left out).
    first = won.argmax(axis=1) if width else np.zeros(n, dtype=np.int64)
    last = width - 1 - won[:, ::-1].argmax(axis=1) if width else np.zeros(n, dtype=np.int64)
    res.first_month = np.where(any_won, months[first] if width else 0, 0).astype(np.int32)
    res.last_month = np.where(any_won, months[last] if width else 0, 0).astype(np.int32)
    res.contiguous = ~any_won | (last - first + 1 == count)
    if flat:
        res.rate_fen = np.where(any_won, row_rates, -1).astype(np.int64)
    else:
        paid_rates = np.where(won, row_rates, -1)
        low = np.where(won, row_rates, np.iinfo(np.int64).max).min(axis=1)
        res.rate_fen = np.where(any_won & (low == paid_rates.max(axis=1)), low, -1)
    res.segments = {int(i): _runs(won[i], np.broadcast_to(row_rates[i], width) if flat else row_rates[i], months)
                    for i in np.flatnonzero(any_won & ((res.rate_fen < 0) | ~res.contiguous))}
    if pay is not None:
        res.rate_fen = np.where(standard == res.amount_fen, res.rate_fen, -1)  # the cap paid part of a month
    res.set_claim_grid(won, months)


def highest_held(persons: np.ndarray, held: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """rows x months: the months each row is paid, being its person's highest level held that month
    (held: rows x months; persons: each row's person number, the roster's `person`)."""
    won = held.copy()
    shared, starts = _sharing(persons, np.flatnonzero(held.any(axis=1)))
    if len(shared):
        won[shared] = _highest(held[shared], levels[shared], starts)
    return won


def _sharing(persons: np.ndarray, some: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of the rows `some`, those whose person has another row among them, sorted by person (stably),
    and where each person's rows start. Only these rows can lose a month to a higher level. By the
    person numbers normalise found (-1, rows without an ID, one group), not by the IDs as text:
    hashing a million scattered strings was a fifth of the rule step."""
    if not len(some):
        return some, some
    person = persons[some] + 1
    several = np.bincount(person)[person] > 1
    order = np.argsort(person[several], kind="stable")
    shared, p = some[several][order], person[several][order]
    return shared, np.flatnonzero(np.concatenate(([True], p[1:] != p[:-1]))) if len(p) else p


def _highest(held: np.ndarray, levels: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """held (rows x months, rows sorted by person, each person's first row at `starts`) where the
    row's level is the highest its person holds that month: np.maximum.reduceat, not a groupby."""
    rank = np.where(held, levels[:, None], -1).astype(np.int16)
    best = np.maximum.reduceat(rank, starts, axis=0)
    return held & (rank == np.repeat(best, np.diff(np.append(starts, len(held))), axis=0))


# Months as bits of a uint64 a row (bit k: the grid's k-th month), for grids of at most this many.
_MAX_BITS = 62
_ONE = np.uint64(1)


def _below(k: np.ndarray) -> np.ndarray:
    """Per row, the mask of grid columns 0..k-1 (0 <= k <= _MAX_BITS)."""
    return (_ONE << k.astype(np.uint64)) - _ONE


def _unpack(bits: np.ndarray, width: int) -> np.ndarray:
    """rows x width bool grid of the masks."""
    return (bits[:, None] >> np.arange(width, dtype=np.uint64)) & _ONE != 0


def _pack(grid: np.ndarray) -> np.ndarray:
    return np.bitwise_or.reduce(grid.astype(np.uint64) << np.arange(grid.shape[1], dtype=np.uint64), axis=1)


def _bit_stats(won: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per mask: the bits set, the lowest bit's index and the highest's (-1 for none)."""
    count = np.bitwise_count(won).astype(np.int64)
    first = np.bitwise_count((won & (~won + _ONE)) - _ONE).astype(np.int64)  # 64 for none
    smeared = won.copy()
    for k in (1, 2, 4, 8, 16, 32):
        smeared |= smeared >> np.uint64(k)
    return count, first, np.bitwise_count(smeared).astype(np.int64) - 1


def _paid_bits(res: o.RuleOutcome, count: np.ndarray, first: np.ndarray, last: np.ndarray, shared: np.ndarray,
               shared_bits: np.ndarray, row_rates: np.ndarray, months: np.ndarray) -> None:
    """_paid_months for months as runs at one rate a row: each row's count of months and its first
    and last grid column (meaningless where the count is 0); the rows `shared` may have broken
    runs, their months are the bit masks `shared_bits`. The claims are made bit masks, then a
    grid, only when asked for."""
    width = len(months)
    count = count.astype(np.int32)
    any_won = count > 0
    res.amount_fen = count.astype(np.int64) * row_rates
    res.capped = np.zeros(len(count), dtype=bool)
    res.months = count
    res.first_month = np.where(any_won, months[np.clip(first, 0, width - 1)], 0).astype(np.int32)
    res.last_month = np.where(any_won, months[np.clip(last, 0, width - 1)], 0).astype(np.int32)
    res.contiguous = ~any_won | (last - first + 1 == count)
    res.rate_fen = np.where(any_won, row_rates, -1).astype(np.int64)
    broken = ~res.contiguous[shared]  # an upgrade in the middle: runs of months (only shared rows)
    grid = _unpack(shared_bits[broken], width)
    res.segments = {int(i): _runs(g, np.broadcast_to(row_rates[i], width), months)
                    for i, g in zip(shared[broken], grid)}
    res.set_claim_grid(partial(_run_bits, any_won, first, last, shared, shared_bits, width), months)


def _run_bits(any_won: np.ndarray, first: np.ndarray, last: np.ndarray, shared: np.ndarray, shared_bits: np.ndarray,
              width: int) -> np.ndarray:
    """Per row, the bit mask of the months paid: first..last, or the shared rows' own masks."""
    out = np.where(any_won, _below(np.clip(last + 1, 0, width)) & ~_below(np.clip(first, 0, width)), np.uint64(0))
    out[shared] = shared_bits
    return out


def _person_months(person: np.ndarray, won: np.ndarray) -> np.ndarray:
    """people x months: whether one of the person's rows is paid that month."""
    n_people = int(person.max()) + 1 if len(person) else 0
    paid_month = np.zeros((n_people, won.shape[1]), dtype=np.int64)
    np.maximum.at(paid_month, person, won.astype(np.int64))
    return paid_month


def _longest_run(person: np.ndarray, won: np.ndarray) -> np.ndarray:
    """Per person, the longest run of consecutive months paid (across their certificate rows)."""
    paid_month = _person_months(person, won)
    run = np.zeros(len(paid_month), dtype=np.int64)
    best = np.zeros(len(paid_month), dtype=np.int64)
    for k in range(paid_month.shape[1]):  # months: at most a few dozen
        run = (run + 1) * paid_month[:, k]
        best = np.maximum(best, run)
    return best


def _within_max_months(rule: MonthlyRule, frame: pd.DataFrame, previous: pd.DataFrame | None, person: np.ndarray,
                       won: np.ndarray, res: o.RuleOutcome) -> tuple[np.ndarray, np.ndarray]:
    """A person is paid at most `max_months` months by this rule over all time: the months paid
    before (--previous) count first, then this period's months in order. Returns the months
    still paid and the rows that lost every month to the limit."""
    ids = frame["person_id"].to_numpy()
    before = np.zeros(len(frame), dtype=np.int64)
    if previous is not None and not previous.empty:
        mine = previous[previous["rule_id"].isin(["", rule.id])].groupby("person_id")["months"].sum()
        before = pd.Series(ids).map(mine).fillna(0).to_numpy(dtype=np.int64)
    res.earlier_months = before
    # Per person and month, whether one of their rows is paid; counted in month order.
    paid_month = _person_months(person, won)
    n_people = len(paid_month)
    left_to_pay = np.full(n_people, rule.max_months, dtype=np.int64)
    np.minimum.at(left_to_pay, person, rule.max_months - before)
    allowed = paid_month.cumsum(axis=1) <= np.maximum(left_to_pay, 0)[:, None]
    kept = won & allowed[person]
    return kept, won.any(axis=1) & ~kept.any(axis=1)


def _runs(won: np.ndarray, rates: np.ndarray, months: np.ndarray) -> list[tuple[int, int, int]]:
    """Consecutive paid months at one rate: [(rate_fen, first_month, last_month), ...]."""
    runs: list[list[int]] = []
    for k in np.flatnonzero(won):
        if runs and runs[-1][2] == months[k] - 1 and runs[-1][0] == rates[k]:
            runs[-1][2] = int(months[k])
        else:
            runs.append([int(rates[k]), int(months[k]), int(months[k])])
    return [tuple(r) for r in runs]
