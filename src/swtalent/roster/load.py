"""Read and check a roster for a policy."""
from __future__ import annotations

from pathlib import Path

from ..policy import Policy
from .normalise import Roster, normalise
from .reader import read_sheet
from .source import PendingSheet


def load_roster(path: str | Path | PendingSheet, policy: Policy, *, sheet: str | None = None,
                column_map: dict[str, str] | None = None) -> Roster:
    """`path` may be a sheet already being parsed; `column_map` maps a header in the file to a field key."""
    aliases: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in policy.columns.items()}
    for header, key in (column_map or {}).items():
        aliases[key] = aliases.get(key, ()) + (header,)
    required = policy.required_fields()
    watched = ("hired_on", "left_on") if any(r.kind == "monthly" for r in policy.rules) else ()
    raw = read_sheet(path, sheet=sheet, required=required, aliases=aliases, mapped=tuple(column_map or ()),
                     watched=watched)
    return normalise(raw, policy)
