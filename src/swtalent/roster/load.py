"""Read and check a roster, for a policy or (swtalent check without one) for the national rules."""
from __future__ import annotations

from pathlib import Path

from ..fields import BASE_REQUIRED
from .needs import RosterNeeds
from .normalise import Roster, normalise
from .reader import read_sheet
from .source import PendingSheet


def load_roster(path: str | Path | PendingSheet, needs=None, *, sheet: str | None = None,
                column_map: dict[str, str] | None = None, period=None) -> Roster:
    """`needs` is a Policy (with the run's `period`), RosterNeeds, or None for the national rules (a
    roster of certificates when it has a 证书等级 column); `path` may be a file already being read;
    `column_map` maps a header in the file to a field key."""
    if needs is not None and not isinstance(needs, RosterNeeds):
        needs = RosterNeeds.of(needs, period)
    aliases = dict(needs.aliases) if needs is not None else {}
    for header, key in (column_map or {}).items():
        aliases[key] = aliases.get(key, ()) + (header,)
    raw = read_sheet(path, sheet=sheet, required=needs.required if needs is not None else BASE_REQUIRED,
                     aliases=aliases, mapped=tuple(column_map or ()), watched=needs.watched if needs is not None else ())
    return normalise(raw, needs if needs is not None else RosterNeeds.national("level" in raw.columns))
