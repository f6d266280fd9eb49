"""The rule engine: pure functions from (policy, roster columns, period) to payment lines.

No file, clock or database in here: the CLI and reports sit at the edges.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..conditions import shared_columns
from ..periods import Period
from ..policy import Policy
from ..roster import Roster
from . import award, monthly, one_off, outcome, title, yearly
from .claims import NONE, PaidClaims
from .outcome import RuleOutcome

KINDS = ("award", "monthly", "one_off", "yearly", "title_allowance")

PAID, INELIGIBLE, ERROR = "paid", "ineligible", "error"
CLAIM_COLUMNS = ["line", "person_id", "rule_id", "claim"]
MONTH_CLAIM_COLUMNS = ["line", "person_id", "rule_id", "year", "months"]

# Payment line columns, in output order. One line per person, rule and level: a person paid at
# two levels in one period (an upgrade) gets two lines, each months x rate.
LINE_COLUMNS = ["pos", "row", "person_id", "name", "district", "unit", "bank_account", "bank_branch", "rule_id", "kind",
                "level", "months", "first_month", "last_month", "contiguous", "rate_fen", "earlier_fen", "amount_fen",
                "capped", "arrears"]


@dataclass
class Computation:
    policy: Policy
    roster: Roster
    period: Period
    outcomes: list[RuleOutcome]
    lines: pd.DataFrame  # LINE_COLUMNS, sorted by rule then sheet row
    status: np.ndarray  # per roster row: paid / ineligible / error
    previous: pd.DataFrame | None = None  # earlier payments and winners given for this run
    # What this run's lines claim (engine.claims), built only when asked for (a commit): a year's
    # months for 100,000 people are 650,000 claims, which a run that only computes never needs.
    claim_parts: list = field(default_factory=list, repr=False)
    paid_before: PaidClaims = NONE  # what the ledger had paid, left out of this run
    policy_warnings: list = field(default_factory=list)  # the policy file's warnings that concern money
    # 补发 due and not paid by this run (without --include-arrears): LINE_COLUMNS, for the clerk to see
    arrears: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LINE_COLUMNS))
    memo: dict = field(default_factory=dict, repr=False)  # totals the reports share (reports.summary)
    # An award's scores computed from its score source (judges, records, parts), by rule id.
    scores: dict = field(default_factory=dict)

    def award_counts(self) -> dict[str, int]:
        """Selected and pending (同分待定) candidates over the award rules; {} without awards."""
        decisions = [res.award for res in self.outcomes if res.award is not None]
        if not decisions:
            return {}
        counts = {"selected": sum(int((d.status == award.SELECTED).sum()) for d in decisions),
                  "pending_tie": sum(int((d.status == award.PENDING).sum()) for d in decisions)}
        held = sum(int((d.status == award.PENDING_HELD).sum()) for d in decisions)
        return {**counts, "pending_held": held} if held else counts

    def claims(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """What the lines claim (engine.claims), for a commit: the claims other than months (line:
        index into lines, person_id, rule_id, claim), and the months (line, person_id, rule_id,
        year, months: bit m-1 for month m), one row a line and year."""
        if "claims" not in self.memo:
            ids, others, months = self.roster.frame["person_id"].to_numpy(), [], []
            for offset, pos, res in self.claim_parts:
                claim_pos, claim_key = res.claims()
                month_pos, year, mask = res.month_claims()
                for at, part, extra in ((claim_pos, others, {"claim": claim_key}),
                                        (month_pos, months, {"year": year, "months": mask})):
                    mine = np.isin(at, pos)
                    line = np.searchsorted(pos, at[mine])
                    part.append(pd.DataFrame({"line": offset + line, "person_id": ids[pos][line],
                                              "rule_id": res.rule.id, **{k: v[mine] for k, v in extra.items()}}))
            self.memo["claims"] = tuple(
                pd.concat(part, ignore_index=True) if part else pd.DataFrame(columns=columns)
                for part, columns in ((others, CLAIM_COLUMNS), (months, MONTH_CLAIM_COLUMNS)))
        return self.memo["claims"]

    def titles_without_payment(self) -> pd.DataFrame:
        """Winners selected by an award rule that pays nothing at once (济南's title, paid later by a
        title allowance): no payment line, but the ledger must record them, or a later run neither
        knows the title holders nor that the cycle is filled. person_id, name, rule_id, year, month."""
        rows = []
        frame = self.roster.frame
        for res in self.outcomes:
            if res.award is None or res.award.year is None:
                continue
            won = np.flatnonzero((res.award.status == award.SELECTED) & (res.reason == outcome.ZERO_AMOUNT))
            month = int(res.first_month[won[0]]) if len(won) else 0
            rows += [(frame["person_id"].iat[i], frame["name"].iat[i], res.rule.id, res.award.year, month) for i in won]
        return pd.DataFrame(rows, columns=["person_id", "name", "rule_id", "year", "month"])

    @property
    def total_fen(self) -> int:
        return int(self.lines["amount_fen"].sum())

    def counts(self) -> dict[str, int]:
        def rows(status: str) -> int:  # a comparison of fixed-width texts: a pandas count took 0.5 s at 1M rows
            return int((self.status == status).sum())
        return {"rows_in": len(self.status), "rows_paid": rows(PAID), "rows_ineligible": rows(INELIGIBLE),
                "rows_with_errors": rows(ERROR)}


def compute(policy: Policy, roster: Roster, period: Period, previous: pd.DataFrame | None = None,
            paid_before: PaidClaims = NONE, arrears_from: int | None = None,
            include_arrears: bool = False, scores: dict | None = None) -> Computation:
    """`previous`: earlier payments and winners (roster.previous.COLUMNS: person, rule, year, level,
    months, amount), for the rules that depend on them; the ledger's table when there is one.
    `paid_before`: what the ledger has paid, which no line of this run pays again. `arrears_from`:
    the first month the ledger covers; what fell due from then to the period's start and was never
    paid is arrears (补发), listed, and paid only with `include_arrears`. `scores`: the awards'
    scores from their score sources (scores.score_awards, which has added its problems to the
    roster); computed here, without judges' sheets, when not given."""
    if scores is None:
        from ..scores import score_awards

        scores = score_awards(policy, roster, period, None, previous)
    with shared_columns():  # each text column's distinct values and each date column's months once
        return _compute(policy, roster, period, previous, paid_before, arrears_from, include_arrears, scores)


def _compute(policy: Policy, roster: Roster, period: Period, previous: pd.DataFrame | None,
             paid_before: PaidClaims, arrears_from: int | None, include_arrears: bool, scores: dict) -> Computation:
    frame = roster.frame
    outcomes: list[RuleOutcome] = []
    for rule in policy.rules:  # in order: a title allowance reads the award rule listed before it
        if rule.kind == "title_allowance":
            outcomes.append(title.evaluate(rule, policy, frame, period, previous, outcomes, paid_before))
        elif rule.kind in ("one_off", "monthly"):
            evaluate = one_off.evaluate if rule.kind == "one_off" else monthly.evaluate
            outcomes.append(evaluate(rule, policy, frame, period, previous, paid_before, arrears_from))
        elif rule.kind == "award":
            outcomes.append(award.evaluate(rule, policy, frame, period, previous, paid_before, scores.get(rule.id)))
        else:
            outcomes.append(_evaluate(rule, policy, frame, period, previous, paid_before))
    owed = [res.arrears for res in outcomes if res.arrears is not None and res.arrears.paid.any()]
    lines, claims = _lines(policy, frame, outcomes + (owed if include_arrears else []), len(outcomes))
    arrears = _lines(policy, frame, owed if not include_arrears else [], 0)[0]
    paid_any = np.zeros(len(frame), dtype=bool)
    for res in outcomes + (owed if include_arrears else []):
        paid_any |= res.paid
    errors = frame["error"].to_numpy()
    code = paid_any.view(np.int8).copy()
    code[errors] = 2
    status = np.array([INELIGIBLE, PAID, ERROR])[code]
    return Computation(policy, roster, period, outcomes, lines, status, previous, claim_parts=claims,
                       paid_before=paid_before, arrears=arrears, scores=scores)


def _lines(policy: Policy, frame: pd.DataFrame, outcomes: list[RuleOutcome], current: int
           ) -> tuple[pd.DataFrame, list]:
    """Payment lines (LINE_COLUMNS; the outcomes from `current` on are arrears), and for the claims
    (see Computation.claims) each outcome with the index of its first line.

    Built from numpy arrays once: the positions of every outcome's paid rows are put end to end,
    and each roster column is taken at them in one go (a frame per rule, then concat, cost more
    than the rules themselves at a million rows)."""
    claims, offset, picks = [], 0, []
    for k, res in enumerate(outcomes):
        pos = np.flatnonzero(res.paid)
        if res.has_claims and len(pos):
            claims.append((offset, pos, res))
        offset += len(pos)
        picks.append(pos)
    if not outcomes:
        lines = pd.DataFrame(columns=LINE_COLUMNS)
        lines["level"] = pd.Categorical(lines["level"], categories=list(policy.level_keys))
        lines["rule_id"] = pd.Categorical(lines["rule_id"], categories=[r.id for r in policy.rules])
        lines["kind"] = pd.Categorical(lines["kind"], categories=KINDS)
        lines["arrears"] = lines["arrears"].astype(bool)
        lines["capped"] = lines["capped"].astype(bool)
        return lines, claims
    at = np.concatenate(picks)
    counts = [len(pos) for pos in picks]
    rule_ids = [r.id for r in policy.rules]

    def each(values) -> np.ndarray:  # one value per outcome, repeated over its lines
        return np.repeat(np.asarray(values), counts)

    def gathered(get) -> np.ndarray:  # an array per outcome, taken at its paid rows
        return np.concatenate([get(res)[pos] for res, pos in zip(outcomes, picks)])

    columns = {"pos": at}
    for name in ("row", "person_id", "name", "district", "unit", "bank_account", "bank_branch"):
        column = frame[name]  # its own dtype (object stays object: pandas would make it str)
        columns[name] = pd.Series(column.array.take(at), dtype=column.dtype, copy=False)
    columns["rule_id"] = pd.Categorical.from_codes(each([rule_ids.index(res.rule.id) for res in outcomes]),
                                                   categories=rule_ids)
    columns["kind"] = pd.Categorical.from_codes(each([KINDS.index(res.rule.kind) for res in outcomes]),
                                                categories=list(KINDS))
    columns["level"] = pd.Categorical(frame["level"].array.take(at), categories=list(policy.level_keys))
    for name in ("months", "first_month", "last_month", "contiguous", "rate_fen"):
        columns[name] = gathered(lambda res: getattr(res, name))
    columns["earlier_fen"] = np.concatenate([res.earlier_fen[pos] if res.earlier_fen is not None
                                             else np.zeros(len(pos), dtype=np.int64) for res, pos in zip(outcomes, picks)])
    columns["amount_fen"] = gathered(lambda res: res.amount_fen)
    columns["capped"] = np.concatenate([res.capped[pos] if res.capped is not None  # a lifetime cap cut it
                                        else np.zeros(len(pos), dtype=bool) for res, pos in zip(outcomes, picks)])
    columns["arrears"] = each([k >= current for k in range(len(outcomes))]).astype(bool)
    # copy=False: every array is new here; copying them all again cost more than the rules at 1M rows
    return pd.DataFrame({name: columns[name] for name in LINE_COLUMNS}, copy=False), claims


def _evaluate(rule, policy: Policy, frame: pd.DataFrame, period: Period, previous, paid_before) -> RuleOutcome:
    evaluate = {"award": award.evaluate, "yearly": yearly.evaluate}[rule.kind]
    return evaluate(rule, policy, frame, period, previous, paid_before)
