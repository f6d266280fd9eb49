"""The library's front door: one call per command, so the CLI only parses and renders."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .engine import Computation, compute
from .engine.claims import NONE
from .errors import SwtalentError
from .memory import give_back
from .periods import Period
from .policy import Policy, load_policy, validate_policy
from .roster.load import load_roster
from .roster.normalise import Roster
from .roster.previous import COLUMNS as PREVIOUS_COLUMNS
from .roster.previous import load_previous
from .roster.source import DEFAULT_MAX_ROWS, PendingSheet, regular_file

if TYPE_CHECKING:  # the ledger, and SQLAlchemy with it, is imported only by runs that use one
    from .ledger import Ledger


def run_compute(roster: str | Path | PendingSheet, policy: str | Path | Policy, period: Period | str, *,
                sheet: str | None = None, column_map: dict[str, str] | None = None,
                previous: str | Path | None = None, stage: Callable[[str], None] = lambda name: None,
                max_rows: int = DEFAULT_MAX_ROWS, ledger: Ledger | None = None,
                include_arrears: bool = False, scores: str | Path | None = None,
                release: bool = True) -> Computation:
    """Load the policy and roster, check every row, and compute every rule for the period.
    `roster` may be a sheet already being parsed (see roster.source); `previous` is a file of
    earlier payments and award winners (see roster.previous); a roster over `max_rows` rows, or
    one whose file would inflate past what that many rows take, is refused; its cells are let go of
    once read (`release`, see PendingSheet.release). With a `ledger`, what it
    has paid is not paid again, the rules that depend on history read it (with `previous`), and what
    fell due in months it covered and was never paid is arrears, paid with `include_arrears`.
    `scores` is a workbook of judges' marks (评委评分表) for awards whose score comes from judges."""
    roster = _pending(roster, sheet, max_rows)
    warnings = []
    if isinstance(policy, Policy):
        pol = policy
    else:
        pol, warnings = _policy_and_warnings(policy)
    per = period if isinstance(period, Period) else Period.parse(period)
    if previous is not None:  # named, so it must be there, even when no rule reads it
        regular_file(Path(previous))
    # Read only when a rule depends on earlier payments; otherwise the run notes that the file is unused.
    history = load_previous(previous, need_year=pol.needs_history_years()) if previous is not None and \
        pol.uses_history() else (pd.DataFrame(columns=PREVIOUS_COLUMNS) if previous is not None else None)
    sheets = _score_sheets(pol, scores, roster.max_rows)  # under the roster's --max-rows
    stage("read")
    ros = load_roster(roster, pol, sheet=sheet, column_map=column_map, period=per, release=release)
    give_back()  # what the read let go of, before the rules and the outputs need memory of their own
    paid_before, arrears_from = NONE, None
    if ledger is not None:  # once the roster is read: a million people's claims beside its cells passed 2 GiB
        paid_before, arrears_from = ledger.paid_claims(pol.id), ledger.covered_from(pol.id)
        warnings = warnings + _unknown_in_ledger(pol, paid_before)
        if pol.uses_history():
            history = _with_ledger(pol, history, ledger.history(pol.id))
        give_back()  # what the ledger's read let go of
    stage("compute")
    from .scores import score_awards

    comp = compute(pol, ros, per, history, paid_before, arrears_from, include_arrears,
                   scores=score_awards(pol, ros, per, sheets, history))
    comp.policy_warnings = warnings
    return comp


def _with_ledger(pol: Policy, history: pd.DataFrame | None, paid: pd.DataFrame) -> pd.DataFrame:
    """The ledger's payments with those of the --previous file: one in both (the file imported, or
    the ledger's own export) counts once, the file's levels as the ledger keeps them
    (助理社会工作师 -> assistant) to compare them."""
    if history is None or history.empty:
        return paid
    from .fields import header_key
    from .roster.needs import RosterNeeds

    lookup = RosterNeeds.of(pol).level_lookup()
    history = history.assign(level=[lookup.get(header_key(v), v) for v in history["level"]])
    return pd.concat([history, paid], ignore_index=True).drop_duplicates(ignore_index=True)


def judged_awards(pol: Policy) -> list[str]:
    """The titles of the awards whose score comes from judges' score sheets (score: judges)."""
    return [r.title for r in pol.rules if r.kind == "award" and r.score is not None and (
        r.score.judges is not None or any(p.judges is not None for p in (*(r.score.parts or ()),
                                                                          *(r.score.rounds or ()))))]


def _score_sheets(pol: Policy, path: str | Path | None, max_rows: int = DEFAULT_MAX_ROWS):
    """The judges' score sheets, read when given, under the roster's limits (`max_rows`); refused
    for a policy no award of which reads them."""
    if path is None:
        return None
    from .errors import UsageError
    from .scores import read_scores

    if not judged_awards(pol):
        raise UsageError("--scores 给出了评委评分表，但政策中没有得分来自评委评分（score: judges）的评选规则",
                         "--scores gives judges' score sheets, but no award of the policy scores by judges (score: judges)")
    return read_scores(path, max_rows, pol.organisations)


def _unknown_in_ledger(pol: Policy, paid_before) -> list:
    """Claims the ledger holds under rule ids or levels this policy file no longer has: a rule or a
    level renamed in the file would otherwise be paid again, since the ledger knows them by name."""
    from .errors import Issue, Location

    claims = paid_before.active  # each distinct name once: a million people's claims hold a handful
    rules = sorted({*pd.unique(claims["rule_id"]), *pd.unique(paid_before.months["rule_id"])} - {r.id for r in pol.rules})
    once = {str(c)[5:] for c in pd.unique(claims["claim"]) if str(c).startswith("once:")}
    levels = sorted(once - set(pol.level_keys))
    return [Issue.make("ledger.unknown-names", Location(), rules="、".join(rules) or "—", levels="、".join(levels) or "—")
            ] if rules or levels else []


def _policy_and_warnings(path: str | Path) -> tuple[Policy, list]:
    """The policy, and its warnings about amounts (an implausible one is paid as written, so every
    run says so, not only validate)."""
    pol, issues = validate_policy(path)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise SwtalentError(errors)
    return pol, [i for i in issues if i.code == "policy.amount-implausible"]


def run_check(roster: str | Path | PendingSheet, policy: str | Path | Policy | None = None, *,
              sheet: str | None = None, column_map: dict[str, str] | None = None,
              max_rows: int = DEFAULT_MAX_ROWS, period: Period | str | None = None) -> Roster:
    """Read and check every row as compute would, without computing. Without a policy the roster is
    held to the national rules (a name and valid ID on every row; the three national levels). With
    a period, as a run of that period would (an award's columns only where it selects); without
    one, as if every award selected."""
    roster = _pending(roster, sheet, max_rows)
    pol = policy if isinstance(policy, Policy) or policy is None else load_policy(policy)
    per = Period.parse(period) if isinstance(period, str) else period
    return load_roster(roster, pol, sheet=sheet, column_map=column_map, period=per, release=True)


def run_diff(roster: str | Path | PendingSheet, policies: list[str | Path | Policy], period: Period | str, *,
             sheet: str | None = None, column_map: dict[str, str] | None = None, previous: str | Path | None = None,
             stage: Callable[[str], None] = lambda name: None,
             max_rows: int = DEFAULT_MAX_ROWS, ledger: Ledger | None = None,
             scores: str | Path | None = None) -> tuple[Computation, Computation]:
    """The same roster, period, earlier payments and judges' scores computed under two policies (the
    file is read once)."""
    pending = _pending(roster, sheet, max_rows)
    a, b = (run_compute(pending, p, period, column_map=column_map, previous=previous, stage=stage, ledger=ledger,
                        scores=scores, release=k == len(policies) - 1) for k, p in enumerate(policies))
    return a, b


def run_explain(roster: str | Path | PendingSheet, policy: str | Path | Policy, period: Period | str, person: str, *,
                sheet: str | None = None, column_map: dict[str, str] | None = None,
                previous: str | Path | None = None, lang: str = "zh", max_rows: int = DEFAULT_MAX_ROWS,
                ledger: Ledger | None = None, scores: str | Path | None = None) -> dict:
    """Compute the whole roster (an award ranks everyone), then explain one person's rows."""
    from .reports.explain import explain, find_person

    comp = run_compute(roster, policy, period, sheet=sheet, column_map=column_map, previous=previous,
                       max_rows=max_rows, ledger=ledger, scores=scores)
    return explain(comp, find_person(comp, person, lang), lang)


def _pending(roster: str | Path | PendingSheet, sheet: str | None, max_rows: int) -> PendingSheet:
    """A roster file to read, or the one already being read (which carries its own sheet and limit)."""
    return roster if isinstance(roster, PendingSheet) else PendingSheet(roster, sheet, max_rows=max_rows)
