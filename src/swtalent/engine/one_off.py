"""One-off subsidies: once per person per level, due in the period holding the qualifying date."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..periods import Period, months_of
from ..policy.model import OneOffRule, Policy
from . import outcome as o


def amounts_by_date(rule: OneOffRule, policy: Policy, levels: np.ndarray, days: pd.Series) -> np.ndarray:
    """The amount in force on each row's date for its level, in fen (vectorised over dated entries)."""
    out = np.zeros(len(levels), dtype=np.int64)
    day = days.to_numpy(dtype="datetime64[D]")
    for code, key in enumerate(policy.level_keys):
        of_level = levels == code
        for entry in rule.amounts.get(key, ()):
            out = np.where(of_level & (day >= np.datetime64(entry.from_, "D")), entry.fen, out)
    return out


def evaluate(rule: OneOffRule, policy: Policy, frame: pd.DataFrame, period: Period) -> o.RuleOutcome:
    res, usable, failed = o.begin(rule, frame)
    qualified = frame["qualified_on"]
    q_month = months_of(qualified)
    since = np.datetime64(rule.since(policy), "D")
    before_from = qualified.to_numpy(dtype="datetime64[D]") < since
    levels = frame["level"].cat.codes.to_numpy()
    amount = amounts_by_date(rule, policy, levels, qualified)

    reason = np.select(
        [~usable, failed >= 0, before_from, q_month < period.first, q_month > period.last, amount == 0],
        [o.NOT_EVALUATED, o.CONDITION, o.ONE_OFF_BEFORE_FROM, o.ONE_OFF_EARLIER_PERIOD,
         o.ONE_OFF_LATER_PERIOD, o.ZERO_AMOUNT],
        default=o.PAID).astype(object)
    paid = reason == o.PAID
    res.amount_fen = np.where(paid, amount, 0)
    res.first_month = res.last_month = q_month
    res.reason = reason
    res.failed_condition = np.where(usable, failed, -1).astype(np.int16)
    return res
