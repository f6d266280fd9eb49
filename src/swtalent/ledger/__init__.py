"""The payment ledger: what was paid, by which batch, and what was reversed (SQLite by default,
PostgreSQL for an office that shares one). See store.py for the operations, schema.py for the tables."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .records import BatchInfo, LedgerConflict, LedgerError, Taken, new_batch_id

if TYPE_CHECKING:  # SQLAlchemy is imported only when a ledger is really opened
    from .store import Ledger

__all__ = ["BatchInfo", "LedgerConflict", "LedgerError", "Taken", "default_path", "ledger_exists", "ledger_url",
           "new_batch_id", "open_ledger"]

ENV = "SWTALENT_LEDGER"


def default_path() -> Path:
    """The clerk's own ledger when no --ledger or SWTALENT_LEDGER says otherwise."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "swtalent" / "ledger.db"


def ledger_url(given: str | None = None) -> str:
    """--ledger, else SWTALENT_LEDGER, else the default SQLite file. A plain path is a SQLite file."""
    url = given or os.environ.get(ENV) or str(default_path())
    if "://" in url:
        return url
    return f"sqlite:///{Path(url).expanduser().resolve()}"


def ledger_exists(given: str | None = None) -> bool:
    """Whether the ledger is there already (a database server's is taken to be)."""
    url = ledger_url(given)
    return not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).exists()


def open_ledger(given: str | None = None, *, create: bool = False) -> Ledger | None:
    """The ledger, or None when it is a SQLite file that does not exist yet and `create` is false
    (a run that only reads never makes one)."""
    url = ledger_url(given)
    if not ledger_exists(given):
        if not create:
            return None
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    from .store import Ledger

    return Ledger(url)
