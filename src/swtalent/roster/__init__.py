"""Rosters: read a sheet, map its headers, normalise and check every row.

The heavy parts (pandas, the policy model) are imported on first use, so that
`swtalent.roster.source` can start parsing a workbook before they load.
"""
from __future__ import annotations

from importlib import import_module

_LAZY = {"load_roster": ".load", "Roster": ".normalise", "normalise": ".normalise",
         "RawSheet": ".reader", "read_sheet": ".reader", "PendingSheet": ".source",
         "RosterNeeds": ".needs"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(name)


__all__ = list(_LAZY)
