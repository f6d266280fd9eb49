"""What a rule decides for every roster row, as columns."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..conditions import first_failed, once
from ..periods import NO_MONTH, months_of
from ..policy.model import RuleCommon

# Reason codes (rendered into Chinese or English by reports.reasons).
PAID = ""
NOT_EVALUATED = "error"  # the row has a data problem; no rule looks at it
CONDITION = "condition"  # a condition of the rule is not met; see failed_condition
ONE_OFF_BEFORE_FROM = "one_off.before_from"
ONE_OFF_EARLIER_PERIOD = "one_off.earlier_period"
ONE_OFF_LATER_PERIOD = "one_off.later_period"
ZERO_AMOUNT = "zero_amount"
ONE_OFF_ALREADY_PAID = "one_off.already_paid"  # the difference or the lifetime cap leaves nothing
ONE_OFF_AFTER_UNTIL = "one_off.after_until"  # qualified after qualified_until
# upgrade: first_only: the person's first certificate is another row (RuleOutcome.first_pos) ...
ONE_OFF_NOT_FIRST = "one_off.not_first"
# upgrade: first_only, and an earlier certificate of the person is held as a data problem: which is
# the first cannot be told until it is corrected, so none of the later ones is paid yet.
ONE_OFF_FIRST_HELD = "one_off.first_held"
# ... or this rule paid the person before (--previous, the ledger's history)
ONE_OFF_PAID_ONCE = "one_off.paid_once"
MONTHLY_MAX_MONTHS = "monthly.max_months"  # the months allowed per person are used up
MONTHLY_NOT_PAY_MONTH = "monthly.not_pay_month"  # paid once a year, in a month this period does not hold
MONTHLY_TOO_SHORT = "monthly.too_short"  # fewer consecutive months in post than the rule asks
MONTHLY_WAITING = "monthly.waiting"  # still within the waiting period after the hire date (wait_months)
LIFETIME_CAP = "lifetime_cap"  # what the rule paid the person reaches its lifetime cap
YEARLY_NOT_PAY_MONTH = "yearly.not_pay_month"
YEARLY_NOT_HELD = "yearly.not_held"  # no certificate on the payment day
YEARLY_NOT_IN_POST = "yearly.not_in_post"
YEARLY_SUPERSEDED = "yearly.superseded"  # paid on the person's higher-level row
YEARLY_MAX_YEARS = "yearly.max_years"
TITLE_NOT_HOLDER = "title.not_holder"  # not a winner of the award, this run or before
TITLE_NOT_PAY_MONTH = "title.not_pay_month"
TITLE_OUT_OF_TERM = "title.out_of_term"  # a holder, but no month of the term in the years paid
MONTHLY_NOT_IN_FORCE = "monthly.not_in_force"
MONTHLY_QUALIFIED_LATE = "monthly.qualified_late"
MONTHLY_LEFT = "monthly.left"
MONTHLY_HIRED_LATE = "monthly.hired_late"
MONTHLY_NO_OVERLAP = "monthly.no_overlap"
MONTHLY_SUPERSEDED = "monthly.superseded"
AWARD_NOT_SELECTION_YEAR = "award.not_selection_year"
AWARD_NOT_CANDIDATE = "award.not_candidate"  # no score, where a blank score means not a candidate
AWARD_MIN_YEARS = "award.min_years"
AWARD_REPEAT = "award.repeat"
AWARD_NEVER_AGAIN = "award.never_again"  # no_repeat: ever, and a winner in an earlier year
AWARD_BELOW_MIN_SCORE = "award.below_min_score"
AWARD_QUOTA_FULL = "award.quota_full"
AWARD_UNIT_FULL = "award.unit_full"
AWARD_PENDING_TIE = "award.pending_tie"
AWARD_PENDING_HELD = "award.pending_held"
AWARD_SAME_PERSON = "award.same_person"
AWARD_NOT_SHORTLISTED = "award.not_shortlisted"  # two rounds: outside the first round's shortlist
AWARD_SHORTLIST_PENDING = "award.shortlist_pending"  # two rounds: shortlisted or not once held candidates are corrected
LEDGER_PAID = "ledger.paid"  # paid already by a batch in the ledger; see RuleOutcome.paid_by
AWARD_CYCLE_PAID = "award.cycle_paid"  # this cycle's winners were paid by an earlier batch


@dataclass
class RuleOutcome:
    """One rule over all rows. Arrays are aligned with the roster frame."""

    rule: RuleCommon
    amount_fen: np.ndarray  # int64, 0 where not paid
    months: np.ndarray  # int32 months paid; 0 for one-off rules
    first_month: np.ndarray  # int32 month index of the first month paid (one-off: the qualifying month)
    last_month: np.ndarray
    rate_fen: np.ndarray  # int64 monthly rate when one rate applied to every month paid, else -1;
    # one-off: the level's full amount, which a difference or a cap may have reduced
    contiguous: np.ndarray  # bool, months paid form one run
    reason: np.ndarray  # object, PAID where paid
    failed_condition: np.ndarray  # int16 index of the first failed condition, -1 if none
    award: object = None  # award.AwardDecision for award rules
    # Monthly rows paid at more than one rate or in broken runs: pos -> [(rate_fen, first, last)],
    # so the explanation can show each run of months (few rows: a rate change, an odd upgrade).
    segments: dict = None
    # Paid to the person by this rule before this row (history, lower rows): one-off rows, and rows
    # a lifetime cap cut (monthly, yearly, title allowances), where the amount is the cap less it.
    earlier_fen: np.ndarray = None
    capped: np.ndarray = None  # bool: a lifetime cap took part or all of the row's amount (None: no cap)
    earlier_months: np.ndarray = None  # monthly: months paid to the person by this rule before this period
    paid_by: np.ndarray = None  # LEDGER_PAID rows: "batch|date" of the batch that paid them
    # A rule with an amounts table: per row, the entry it is paid by (0: the rule's own amounts; k:
    # the k-th value under amounts_by), so the payroll and explain can say which applied.
    table_entry: np.ndarray = None
    first_pos: np.ndarray = None  # upgrade: first_only: per row, the row of the person's first certificate
    # What the rows paid now claim (engine.claims): row positions and claim keys, one pair a claim.
    claim_pos: np.ndarray = None
    claim_key: np.ndarray = None
    # 补发: what fell due before this period, in months the ledger has covered, and was never paid
    # (a late roster, a bank return); paid only when the clerk asks (--include-arrears).
    arrears: RuleOutcome | None = None

    # Or, for the months of a monthly rule, the grid they come from, turned into claims only when a
    # commit asks: (rows x months paid, or a bit mask of the months a row, or a function that makes
    # one; and the months).
    claim_grid: tuple = None

    def set_claims(self, pos: np.ndarray, keys: np.ndarray) -> None:
        self.claim_pos = np.asarray(pos, dtype=np.int64)
        self.claim_key = np.asarray(keys).astype(object)  # texts: once:senior, year:2023, cycle:2023
        self.claim_grid = None

    def set_claim_grid(self, won: np.ndarray, months: np.ndarray) -> None:
        """The months claimed, as the grid that says them (see month_claims)."""
        self.claim_pos = self.claim_key = None
        self.claim_grid = (won, months)

    @property
    def has_claims(self) -> bool:
        return self.claim_pos is not None or self.claim_grid is not None

    def claims(self) -> tuple[np.ndarray, np.ndarray]:
        """(row positions, claim keys), one pair a claim: the claims other than months."""
        return (self.claim_pos, self.claim_key) if self.claim_grid is None else (np.zeros(0, np.int64), np.zeros(0, object))

    def month_claims(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The months claimed, as (row positions, years, masks: bit m-1 for month m), one triple per
        row and year with a month paid; a row's months in one number, not one claim a month (a
        year's months of a million rows would be millions of claims to write and read back)."""
        if self.claim_grid is None:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
        won, months = self.claim_grid
        if callable(won):  # made when asked for
            won = won()
        if won.ndim == 1:  # months as bits of a uint64 a row (engine.monthly)
            column = lambda k: (won >> np.uint64(k)) & np.uint64(1)  # noqa: E731
        else:
            column = lambda k: won[:, k].astype(np.uint64)  # noqa: E731
        pos, years, masks = [], [], []
        for year in np.unique(months // 12):  # a few years, a dozen months each
            mask = np.zeros(len(won), dtype=np.uint64)
            for k in np.flatnonzero(months // 12 == year):
                mask |= column(k) << np.uint64(months[k] % 12)
            rows = np.flatnonzero(mask)
            pos.append(rows)
            years.append(np.full(len(rows), year, dtype=np.int64))
            masks.append(mask[rows].astype(np.int64))
        order = np.argsort(np.concatenate(pos), kind="stable") if len(pos) > 1 else slice(None)
        return tuple(np.concatenate(a)[order] if a else np.zeros(0, np.int64) for a in (pos, years, masks))

    @property
    def paid(self) -> np.ndarray:
        return self.amount_fen > 0


def months_in(frame: pd.DataFrame, key: str) -> np.ndarray:
    """periods.months_of of a date column, worked out once per run (conditions.shared_columns):
    the one-off and the monthly rule both read the qualifying month. Not to be changed in place."""
    return once(frame, ("months", key), lambda: month_numbers(frame[key]))


_PER_DAY = {"D": 1, "h": 24, "m": 1440, "s": 86400, "ms": 86400 * 10**3, "us": 86400 * 10**6, "ns": 86400 * 10**9}


def month_numbers(dates: pd.Series) -> np.ndarray:
    """periods.months_of, by a table of the month of each day from the column's first day to its
    last (a few thousand days) instead of a calendar reckoned for every row: at a million rows,
    half the time. periods.months_of itself where the column is not plain datetime64, or spans
    more than about 1,100 years."""
    values = dates.to_numpy() if dates.dtype.kind == "M" else None
    unit = np.datetime_data(values.dtype)[0] if values is not None else None
    if unit not in _PER_DAY or not len(values):
        return months_of(dates)
    blank = np.isnat(values)
    day = values.view(np.int64) // _PER_DAY[unit]  # days since 1970-01-01 (floor: before 1970 too)
    if blank.all():
        return np.full(len(values), NO_MONTH, dtype=np.int32)
    first, last = day[~blank].min(), day[~blank].max()
    if last - first > 400_000:
        return months_of(dates)
    table = np.arange(first, last + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12
    at = np.where(blank, 0, day - first)
    return np.where(blank, NO_MONTH, table.astype(np.int32)[at]).astype(np.int32)


def filled(n: int, text: str) -> np.ndarray:
    """An object array of one text: np.full(n, text, dtype=object) is 25 times slower."""
    out = np.empty(n, dtype=object)
    out.fill(text)
    return out


def select_reason(masks: list[np.ndarray], codes: list, default: str) -> np.ndarray:
    """np.select of reason codes (the first mask that holds wins), as an object array. Chosen as
    small integers and the texts then taken from a short array: selecting the texts themselves and
    turning them into objects made a new Python string a row."""
    texts = np.array(list(codes) + [default], dtype=object)
    some = [k for k, mask in enumerate(masks) if np.any(mask)]  # a mask that holds nowhere chooses nothing
    chosen = np.select([masks[k] for k in some], np.array(some, dtype=np.int8), default=np.int8(len(codes))) \
        if some else np.int8(len(codes))
    return texts[np.broadcast_to(chosen, np.broadcast_shapes(*(np.shape(m) for m in masks)))]


def begin(rule: RuleCommon, frame: pd.DataFrame) -> tuple[RuleOutcome, np.ndarray, np.ndarray]:
    """What every rule starts from: an empty outcome, the rows without data problems, and the
    first condition each row fails."""
    return (empty_outcome(rule, len(frame)), ~frame["error"].to_numpy(),
            first_failed(rule.conditions, frame))


def empty_outcome(rule: RuleCommon, n: int) -> RuleOutcome:
    return RuleOutcome(
        rule=rule,
        amount_fen=np.zeros(n, dtype=np.int64),
        months=np.zeros(n, dtype=np.int32),
        first_month=np.zeros(n, dtype=np.int32),
        last_month=np.zeros(n, dtype=np.int32),
        rate_fen=np.full(n, -1, dtype=np.int64),
        contiguous=np.ones(n, dtype=bool),
        reason=filled(n, NOT_EVALUATED),
        failed_condition=np.full(n, -1, dtype=np.int16),
    )
