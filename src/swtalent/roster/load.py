"""Read and check a roster, for a policy or (swtalent check without one) for the national rules."""
from __future__ import annotations

from pathlib import Path

from .needs import RosterNeeds
from .normalise import Roster, normalise
from .reader import read_sheet
from .source import PendingSheet


def load_roster(path: str | Path | PendingSheet, needs, *, sheet: str | None = None,
                column_map: dict[str, str] | None = None) -> Roster:
    """`needs` is a Policy or RosterNeeds; `path` may be a file already being read; `column_map`
    maps a header in the file to a field key."""
    needs = needs if isinstance(needs, RosterNeeds) else RosterNeeds.of(needs)
    aliases = dict(needs.aliases)
    for header, key in (column_map or {}).items():
        aliases[key] = aliases.get(key, ()) + (header,)
    raw = read_sheet(path, sheet=sheet, required=needs.required, aliases=aliases, mapped=tuple(column_map or ()),
                     watched=needs.watched)
    return normalise(raw, needs)
