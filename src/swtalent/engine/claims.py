"""What has been paid already, as the rules see it: claims.

A claim is the unit that may be paid once: a month of a monthly allowance, a one-off at one
level, a year of a yearly amount or of a title allowance, a selection cycle of an award. The
months a line pays in one year are kept as one bit mask (bit m-1 for month m), not a claim a month.
The ledger keeps them (ledger/), the engine leaves out what is claimed and says by which batch,
and every line this run pays lists the claims it makes, so a commit can record them. Pure data:
no database here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..periods import month_label

CLAIM_COLUMNS = ["person_id", "rule_id", "claim", "batch_id", "committed_at"]
MONTH_COLUMNS = ["person_id", "rule_id", "year", "months", "batch_id", "committed_at"]


def month_claim(month: int) -> str:
    return month_label(month)  # 2023-04


def once_claim(level: str) -> str:
    return f"once:{level}"


def year_claim(year: int) -> str:
    return f"year:{year}"


def cycle_claim(year: int) -> str:
    return f"cycle:{year}"


@dataclass(frozen=True)
class PaidClaims:
    """Claims paid and not reversed (`active`: CLAIM_COLUMNS; `months`: MONTH_COLUMNS, the months
    of a line in one year as a bit mask), and the claims other than months whose payment was
    reversed (`released`: person_id, rule_id, claim), which may be paid again."""

    active: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CLAIM_COLUMNS))
    released: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CLAIM_COLUMNS[:3]))
    months: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MONTH_COLUMNS))

    def _of(self, rule_id: str) -> pd.DataFrame:
        return self.active[self.active["rule_id"] == rule_id]

    def _months_of(self, rule_id: str) -> pd.DataFrame:
        return self.months[self.months["rule_id"] == rule_id]

    def has(self, rule_id: str) -> bool:
        """Has this rule paid anything?"""
        return not (self._of(rule_id).empty and self._months_of(rule_id).empty)

    def held(self, rule_id: str, ids: np.ndarray, claims: np.ndarray | str) -> np.ndarray:
        """Per row: is (its person, this rule, its claim) paid already?"""
        mine = self._of(rule_id)
        out = np.zeros(len(ids), dtype=bool)
        if mine.empty:
            return out
        # A claim at a time (a handful: the levels of a one-off), the people holding it looked up
        # by hash: a MultiIndex of a million (person, claim) pairs took seconds to compare.
        codes, wanted = pd.factorize(np.broadcast_to(np.asarray(claims, dtype=object), len(ids)))
        holders = mine.groupby("claim")["person_id"].unique()
        for k, claim in enumerate(wanted):
            if claim in holders.index:
                rows = np.flatnonzero(codes == k)
                out[rows] = pd.Index(holders[claim]).get_indexer(ids[rows]) >= 0
        return out

    def month_grid(self, rule_id: str, ids: np.ndarray, months: np.ndarray) -> np.ndarray:
        """rows x months: which of the months are paid already to each row's person."""
        grid = np.zeros((len(ids), len(months)), dtype=bool)
        mine = self._months_of(rule_id)
        mine = mine[mine["year"].isin(np.unique(months // 12))]
        if mine.empty:
            return grid
        person_codes, people = pd.factorize(ids)
        at = pd.Index(people).get_indexer(mine["person_id"])
        keep = at >= 0
        for year in np.unique(months // 12):
            here = keep & (mine["year"].to_numpy() == year)
            bits = np.zeros(len(people), dtype=np.int64)  # the person's months of the year, over all lines
            np.bitwise_or.at(bits, at[here], mine["months"].to_numpy(dtype=np.int64)[here])
            row_bits = bits[person_codes]
            for k in np.flatnonzero(months // 12 == year):
                grid[:, k] = (row_bits >> (months[k] % 12)) & 1 != 0
        return grid

    def paid_by(self, rule_id: str, ids: np.ndarray) -> np.ndarray:
        """Per row: "batch|date" of the batch that paid the person by this rule last ('' when none)."""
        columns = ["person_id", "batch_id", "committed_at"]
        mine = pd.concat([self._of(rule_id)[columns], self._months_of(rule_id)[columns]])
        out = np.full(len(ids), "", dtype=object)
        if mine.empty:
            return out
        # A few batches: each numbered in the order they were committed, and said once.
        batches = mine[["batch_id", "committed_at"]].drop_duplicates("batch_id").sort_values("committed_at")
        said = (batches["batch_id"] + "|" + batches["committed_at"].astype(str).str[:10]).to_numpy(dtype=object)
        order = pd.Index(batches["batch_id"]).get_indexer(mine["batch_id"])
        person, people = pd.factorize(mine["person_id"])
        last = np.full(len(people), -1)
        np.maximum.at(last, person, order)
        at = pd.Index(people).get_indexer(ids)
        out[at >= 0] = said[last[at[at >= 0]]]
        return out

    def released_for(self, rule_id: str, ids: np.ndarray, claim: str) -> np.ndarray:
        """Per row: was (its person, this rule, claim) paid once and the payment reversed?"""
        mine = self.released[(self.released["rule_id"] == rule_id) & (self.released["claim"] == claim)]
        return np.isin(ids, mine["person_id"].to_numpy()) if not mine.empty else np.zeros(len(ids), dtype=bool)

    def any_for(self, rule_id: str, claim: str) -> bool:
        mine = self._of(rule_id)
        return bool((mine["claim"] == claim).any()) if not mine.empty else False


NONE = PaidClaims()
