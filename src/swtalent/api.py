"""The library's front door: one call per command, so the CLI only parses and renders."""
from __future__ import annotations

from pathlib import Path

from .engine import Computation, compute
from .periods import Period
from .policy import Policy, load_policy
from .roster.load import load_roster
from .roster.source import PendingSheet


def run_compute(roster: str | Path | PendingSheet, policy: str | Path | Policy, period: Period | str, *,
                sheet: str | None = None, column_map: dict[str, str] | None = None) -> Computation:
    """Load the policy and roster, check every row, and compute every rule for the period.
    `roster` may be a sheet already being parsed (see roster.source)."""
    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    per = period if isinstance(period, Period) else Period.parse(period)
    ros = load_roster(roster, pol, sheet=sheet, column_map=column_map)
    return compute(pol, ros, per)
