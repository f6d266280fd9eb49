"""Turn raw cells into typed columns and report every row problem with its cell.

A row with an error-severity problem pays nothing; warnings are reported and change nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from ..errors import CATALOGUE, Issue
from ..policy import Policy
from .dates import is_blank, parse_dates
from ..fields import FIELDS, header_key
from .ids import birth_date_valid, expected_check_chars, region_known, well_formed
from .reader import RawSheet

_OPTIONAL_TEXT = ("seq", "district", "unit", "category", "exam_place")


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

    def column(key: str) -> pd.Series | None:
        j = raw.columns.get(key)
        return None if j is None else pd.Series(raw.cells[:, j], dtype=object)

    def report(code: str, mask: np.ndarray, key: str, values: pd.Series | None = None, **params) -> None:
        nonlocal error
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            return
        for i in idx:
            per_row = {k: (v[i] if isinstance(v, (np.ndarray, pd.Series, list)) else v) for k, v in params.items()}
            issues.append(Issue.make(code, raw.where(int(raw.excel_rows[i]), key),
                                     value="" if values is None else _show(values.iloc[i]), **per_row))
        if CATALOGUE[code].severity == "error":
            error |= mask

    frame = pd.DataFrame({"row": raw.excel_rows})
    for key in ("name", *_OPTIONAL_TEXT):
        cells = column(key)
        frame[key] = _text(cells) if cells is not None else ""
    names_blank = (frame["name"] == "").to_numpy()
    report("roster.name-missing", names_blank, "name")
    for key in policy.fields_used():
        if key in raw.columns:
            report("roster.value-missing", (frame[key] == "").to_numpy(), key, column=FIELDS[key].zh)

    ids, id_error = _check_ids(column("person_id"), report)
    frame["person_id"] = ids
    error |= id_error

    levels = policy.level_lookup()
    level_cells = column("level")
    level_text = _text(level_cells)
    level_blank = (level_text == "").to_numpy()
    level_key = level_text.map(lambda s: levels.get(header_key(s)) if s else None)
    report("roster.level-missing", level_blank, "level", levels=policy.level_names())
    report("roster.level-unknown", ~level_blank & level_key.isna().to_numpy(), "level", level_cells,
           levels=policy.level_names())
    frame["level"] = pd.Categorical(level_key, categories=list(policy.level_keys))

    for key in ("qualified_on", "hired_on", "left_on"):
        cells = column(key)
        if cells is None:
            frame[key] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[s]")
            continue
        parsed, bad = parse_dates(cells)
        frame[key] = parsed.to_numpy()
        report("roster.date-invalid", bad, key, cells)
        if key == "qualified_on":
            report("roster.date-missing", is_blank(cells), key, column=raw.header(key))
    both = frame["hired_on"].notna() & frame["left_on"].notna()
    backwards = (both & (frame["left_on"] < frame["hired_on"])).to_numpy()
    report("roster.leave-before-hire", backwards, "left_on", column("left_on"),
           left=frame["left_on"].dt.strftime("%Y-%m-%d").to_numpy(),
           hired=frame["hired_on"].dt.strftime("%Y-%m-%d").to_numpy())

    for key in ("bank_account", "cert_no"):
        cells = column(key)
        frame[key] = _text(cells) if cells is not None else ""
        if cells is not None:
            lost = cells.map(lambda v: isinstance(v, float) and abs(v) >= 1e15).to_numpy(dtype=bool)
            report("roster.number-as-text-lost", lost, key, cells, column=raw.header(key))

    # The same ID and level twice: the first row pays, each later one is a problem.
    usable = ~error & frame["level"].notna().to_numpy()
    keyed = frame.loc[usable, ["person_id", "level", "row"]]
    dup = keyed.duplicated(["person_id", "level"], keep="first")
    if dup.any():
        first_row = keyed.groupby(["person_id", "level"], observed=True)["row"].transform("first")
        mask = np.zeros(n, dtype=bool)
        mask[np.flatnonzero(usable)[dup.to_numpy()]] = True
        firsts = np.zeros(n, dtype=np.int64)
        firsts[np.flatnonzero(usable)] = first_row.to_numpy()
        report("roster.duplicate", mask, "person_id", frame["person_id"], first_row=firsts)

    frame["error"] = error
    issues.sort(key=lambda i: (i.location.row or 0, i.code))
    headers = {key: raw.headers[j] for key, j in raw.columns.items()}
    return Roster(raw.file, raw.sheet, frame, headers, issues)


def _show(value: object) -> str:
    """A cell as Excel's formula bar shows it: a number to its 15 significant digits."""
    if isinstance(value, float):
        return format(Decimal(f"{value:.15g}"), "f")
    return "" if value is None else str(value)


def _text(cells: pd.Series | None) -> pd.Series:
    """Trimmed, NFKC-normalised text; whole numbers typed as numbers come back without '.0'."""
    if cells is None:
        return pd.Series(dtype=object)
    is_num = cells.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).to_numpy(dtype=bool)
    text = cells.astype(object).where(~is_num, cells[is_num].map(_number_text) if is_num.any() else cells)
    text = text.fillna("").astype(str)
    return text.str.normalize("NFKC").str.strip().astype(object)


def _number_text(v: float | int) -> str:
    return str(int(v)) if float(v).is_integer() else repr(v)


def _check_ids(cells: pd.Series, report) -> tuple[pd.Series, np.ndarray]:
    """Normalised IDs and the mask of rows whose ID is unusable; reports each problem."""
    n = len(cells)
    is_num = cells.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).to_numpy(dtype=bool)
    text = cells.where(~is_num, "").fillna("").astype(str)
    ids = text.str.normalize("NFKC").str.replace(r"\s+", "", regex=True).str.upper()
    blank = (ids == "").to_numpy() & ~is_num
    report("roster.id-number", is_num, "person_id", cells)
    report("roster.id-missing", blank, "person_id")
    lengths = ids.str.len().to_numpy()
    wrong_len = ~is_num & ~blank & (lengths != 18)
    report("roster.id-length", wrong_len, "person_id", cells, length=lengths)
    shaped = well_formed(ids)
    bad_format = ~is_num & ~blank & ~wrong_len & ~shaped
    report("roster.id-format", bad_format, "person_id", cells)
    expected = np.full(n, "", dtype="<U1")
    expected[shaped] = expected_check_chars(ids[shaped])
    bad_sum = shaped & (expected != ids.str.slice(17, 18).to_numpy(dtype=str))
    report("roster.id-checksum", bad_sum, "person_id", cells, expected=expected)
    bad_birth = shaped & ~bad_sum & ~birth_date_valid(ids)
    report("roster.id-birth-date", bad_birth, "person_id", cells, birth=ids.str.slice(6, 14).to_numpy())
    good = shaped & ~bad_sum & ~bad_birth
    prefixes = ids.str.slice(0, 6)
    unknown = good & ~prefixes.map(region_known).to_numpy(dtype=bool)
    report("roster.id-region-unknown", unknown, "person_id", cells, region=prefixes.to_numpy())
    return ids.astype(object), ~good
