"""Read and check a roster, for a policy or (swtalent check without one) for the national rules."""
from __future__ import annotations

from pathlib import Path

from ..errors import Issue, Location, SwtalentError
from ..fields import BASE_REQUIRED, FIELDS
from .needs import RosterNeeds
from .normalise import Roster, normalise
from .reader import read_sheet
from .source import PendingSheet


def load_roster(path: str | Path | PendingSheet, needs=None, *, sheet: str | None = None,
                column_map: dict[str, str] | None = None, period=None, release: bool = False) -> Roster:
    """`needs` is a Policy (with the run's `period`), RosterNeeds, or None for the national rules (a
    roster of certificates when it has a 证书等级 column); `path` may be a file already being read,
    whose cells are let go of once read when `release`; `column_map` maps a header in the file to
    a field key."""
    if needs is not None and not isinstance(needs, RosterNeeds):
        needs = RosterNeeds.of(needs, period)
    aliases = dict(needs.aliases) if needs is not None else {}
    for header, key in (column_map or {}).items():
        aliases[key] = aliases.get(key, ()) + (header,)
    raw = read_sheet(path, sheet=sheet, required=needs.required if needs is not None else BASE_REQUIRED,
                     aliases=aliases, mapped=tuple(column_map or ()), watched=needs.watched if needs is not None else (),
                     declared=needs.specs() if needs is not None else None)
    if release and isinstance(path, PendingSheet):
        path.release()
    certificate = {"level", "qualified_on"}
    if needs is None and certificate & set(raw.columns) and not certificate <= set(raw.columns):
        # A roster of certificates with a level but no date, or a date but no level: every policy
        # that pays by certificate refuses it, so check without a policy refuses it too.
        spec = FIELDS[next(iter(certificate - set(raw.columns)))]
        at = Location(file=raw.file, sheet=raw.parts[0].name, row=raw.parts[0].header_row)
        raise SwtalentError([Issue.make("roster.column-missing", at, column=spec.zh,
                                        aliases="、".join(dict.fromkeys((spec.zh, *spec.aliases))))])
    return normalise(raw, needs if needs is not None else RosterNeeds.national("level" in raw.columns))
