"""Turn raw cells into typed columns and report every row problem with its cell.

A row with an error-severity problem pays nothing; warnings are reported and change nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from ..errors import CATALOGUE, Issue
from ..fields import FIELDS, header_key
from ..policy import Policy
from .cells import Column, is_number
from .dates import parse_dates
from .ids import check_ids
from .reader import RawSheet

_OPTIONAL_TEXT = ("district", "unit", "category", "exam_place")


@dataclass
class Roster:
    """The roster as typed columns, one row per data row of the sheet, in sheet order."""

    file: str
    sheet: str
    frame: pd.DataFrame
    headers: dict[str, str]  # field key -> header as written, for locations and output
    issues: list[Issue] = field(default_factory=list)

    @property
    def rows_in(self) -> int:
        return len(self.frame)


def normalise(raw: RawSheet, policy: Policy) -> Roster:
    n = len(raw.cells)
    issues: list[Issue] = []
    error = np.zeros(n, dtype=bool)

    columns: dict[str, Column] = {}

    def column(key: str) -> Column | None:
        if key not in columns and key in raw.columns:
            columns[key] = Column(raw.cells[:, raw.columns[key]])
        return columns.get(key)

    def report(code: str, mask: np.ndarray, key: str, values: Column | None = None, **params) -> None:
        """One Issue per flagged row; params may be per-row arrays. Errors mark the row unpaid."""
        nonlocal error
        for i in np.flatnonzero(mask):
            per_row = {k: (v[i] if isinstance(v, np.ndarray) else v) for k, v in params.items()}
            value = "" if values is None else _show(values.uniques[values.codes[i]])
            issues.append(Issue.make(code, raw.where(int(raw.excel_rows[i]), key), value=value, **per_row))
        if CATALOGUE[code].severity == "error":
            error |= mask

    frame = pd.DataFrame({"row": raw.excel_rows})
    for key in ("name", *_OPTIONAL_TEXT):
        col = column(key)
        frame[key] = col.text() if col is not None else ""
    report("roster.name-missing", (frame["name"] == "").to_numpy(), "name")
    for key in policy.fields_used():
        if key in raw.columns:
            report("roster.value-missing", (frame[key] == "").to_numpy(), key, column=FIELDS[key].zh)

    id_cells = column("person_id")
    ids = _check_ids(id_cells, report)
    frame["person_id"] = ids

    lookup = policy.level_lookup()
    level_cells = column("level")
    level_key = np.array([lookup.get(header_key(t)) for t in level_cells.unique_texts()], dtype=object)[level_cells.codes]
    level_blank = level_cells.is_blank()
    report("roster.level-missing", level_blank, "level", levels=policy.level_names())
    report("roster.level-unknown", ~level_blank & pd.isna(level_key), "level", level_cells,
           levels=policy.level_names())
    frame["level"] = pd.Categorical(level_key, categories=list(policy.level_keys))

    for key in ("qualified_on", "hired_on", "left_on"):
        col = column(key)
        if col is None:
            frame[key] = np.full(n, np.datetime64("NaT", "s"))
            continue
        parsed, blank, bad = parse_dates(col)
        frame[key] = parsed
        report("roster.date-invalid", bad, key, col)
        if key == "qualified_on":
            report("roster.date-missing", blank, key, column=raw.header(key))
    hired, left = frame["hired_on"].to_numpy(), frame["left_on"].to_numpy()
    backwards = ~np.isnat(hired) & ~np.isnat(left) & (left < hired)
    report("roster.leave-before-hire", backwards, "left_on", column("left_on"),
           left=np.datetime_as_string(left, unit="D"), hired=np.datetime_as_string(hired, unit="D"))

    # The bank account goes on the payment sheet; typed as a number, its last digits are gone.
    col = column("bank_account")
    frame["bank_account"] = col.text() if col is not None else ""
    if col is not None and col.has_numbers():
        lost = col.per_value(lambda v: is_number(v) and abs(v) >= 1e15, bool)
        report("roster.number-as-text-lost", lost, "bank_account", col, column=raw.header("bank_account"))

    # The same ID and level twice: the first row pays, each later one is a problem.
    usable = ~error & frame["level"].notna().to_numpy()
    keyed = frame.loc[usable, ["person_id", "level", "row"]]
    dup = keyed.duplicated(["person_id", "level"], keep="first").to_numpy()
    if dup.any():
        first_row = np.zeros(n, dtype=np.int64)
        first_row[usable] = keyed.groupby(["person_id", "level"], observed=True)["row"].transform("first")
        mask = np.zeros(n, dtype=bool)
        mask[np.flatnonzero(usable)[dup]] = True
        report("roster.duplicate", mask, "person_id", id_cells, first_row=first_row)

    frame["error"] = error
    issues.sort(key=lambda i: (i.location.row or 0, i.code))
    headers = {key: raw.headers[j] for key, j in raw.columns.items()}
    return Roster(raw.file, raw.sheet, frame, headers, issues)


def _show(value: object) -> str:
    """A cell as Excel's formula bar shows it: a number to its 15 significant digits."""
    if isinstance(value, float):
        return format(Decimal(f"{value:.15g}"), "f")
    return "" if value is None else str(value)


def _check_ids(cells: Column, report) -> pd.Series:
    """Normalised IDs; reports each problem on its cell (errors mark the row unpaid)."""
    is_num = cells.is_number()
    ids = np.array([t.upper() if t.isalnum() else "".join(t.split()).upper() for t in cells.unique_texts()],
                   dtype=object)[cells.codes]
    ids[is_num] = ""
    found = check_ids(ids)
    blank = (found.length == 0) & ~is_num
    report("roster.id-number", is_num, "person_id", cells)
    report("roster.id-missing", blank, "person_id")
    wrong_len = ~is_num & ~blank & (found.length != 18)
    report("roster.id-length", wrong_len, "person_id", cells, length=found.length)
    report("roster.id-format", ~is_num & ~blank & ~wrong_len & ~found.shaped, "person_id", cells)
    bad_sum = found.shaped & ~found.checksum_ok
    report("roster.id-checksum", bad_sum, "person_id", cells, expected=found.expected)
    bad_birth = found.checksum_ok & ~found.birth_ok
    report("roster.id-birth-date", bad_birth, "person_id", cells,
           birth=np.array([s[6:14] for s in ids], dtype=object))
    unknown = found.checksum_ok & found.birth_ok & ~found.region_known
    report("roster.id-region-unknown", unknown, "person_id", cells, region=found.region)
    return pd.Series(ids, dtype=object)
