"""What the ledger's callers hand it and get back, without the database (SQLAlchemy is imported
only when a ledger is opened)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class BatchInfo:
    """What a batch records of how it was made (the lines come from the computation)."""

    id: str
    period: str
    policy_id: str
    policy_file: str = ""
    policy_sha256: str = ""
    roster_file: str = ""
    roster_sha256: str = ""
    swtalent_version: str = ""
    operator: str = ""
    command: str = ""
    kind: str = "compute"


@dataclass(frozen=True)
class Taken:
    """A claim this run wanted that another batch holds."""

    person_id: str
    name: str
    rule_id: str
    claim: str
    batch_id: str


class LedgerConflict(Exception):
    """Claims another batch committed first (two clerks at once): nothing of this batch is recorded."""

    def __init__(self, taken: list[Taken]):
        super().__init__(f"{len(taken)} claims are paid by another batch")
        self.taken = taken


class LedgerError(Exception):
    """What the ledger refuses: an unknown batch, a reversal of what is reversed already."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code, self.params = code, params


def new_batch_id(now: datetime | None = None) -> str:
    """Chosen before the outputs are written, so the payroll can carry it: time, then 4 random hex."""
    now = now or datetime.now()
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def now_text() -> str:
    """The clerk's local time with its UTC offset; microseconds keep two commits of one second in order."""
    return datetime.now().astimezone().isoformat(timespec="microseconds")
