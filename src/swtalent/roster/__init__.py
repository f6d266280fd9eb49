"""Rosters: read a sheet, map its headers, normalise and check every row."""
from __future__ import annotations

from pathlib import Path

from ..policy import Policy
from ..fields import BASE_REQUIRED, FIELDS
from .normalise import Roster, normalise
from .reader import RawSheet, read_sheet


def load_roster(path: str | Path, policy: Policy, *, sheet: str | None = None,
                column_map: dict[str, str] | None = None) -> Roster:
    """Read and check a roster for a policy. `column_map` maps a header in the file to a field key."""
    aliases: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in policy.columns.items()}
    for header, key in (column_map or {}).items():
        aliases[key] = aliases.get(key, ()) + (header,)
    required = tuple(dict.fromkeys((*BASE_REQUIRED, *sorted(policy.fields_used()))))
    raw = read_sheet(path, sheet=sheet, required=required, aliases=aliases, mapped=tuple(column_map or ()))
    return normalise(raw, policy)


__all__ = ["FIELDS", "RawSheet", "Roster", "load_roster", "normalise", "read_sheet"]
