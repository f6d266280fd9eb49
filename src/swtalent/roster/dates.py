"""Dates as clerks type them. Parsed once per distinct value, since rosters repeat dates."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

_PATTERNS = (
    re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月?"),  # month only: the first of the month
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_EXCEL_EPOCH = date(1899, 12, 30)
# Excel serial numbers accepted as dates: 1950-01-01 .. 2099-12-31. A bare number outside this
# range (a year, an amount) is not a date and is reported rather than guessed.
_SERIAL_MIN, _SERIAL_MAX = 18264, 73050


def parse_date(value: object) -> date | None:
    """A date, or None when the value is not one. Blank handling is the caller's."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 19000101 <= value <= 21001231:
            return parse_date(str(int(value)))
        if _SERIAL_MIN <= value <= _SERIAL_MAX:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        return None
    text = str(value).strip()
    for pattern in _PATTERNS:
        m = pattern.fullmatch(text)
        if m:
            y, mo = int(m.group(1)), int(m.group(2))
            d = int(m.group(3)) if m.lastindex and m.lastindex >= 3 else 1
            try:
                return date(y, mo, d)
            except ValueError:
                return None
    return None


def parse_dates(cells: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A column of cells -> (datetime64 column with NaT for blank or bad, mask of bad non-blank)."""
    blank = is_blank(cells)
    uniques = pd.unique(cells[~blank])
    lookup = {u: parse_date(u) for u in uniques}
    parsed = cells.map(lookup, na_action="ignore").where(~blank, None)
    bad = (~blank & parsed.isna()).to_numpy(dtype=bool)
    return pd.to_datetime(parsed, errors="coerce").astype("datetime64[s]"), bad


def is_blank(cells: pd.Series) -> np.ndarray:
    """Empty cells, and cells holding only spaces."""
    as_text = cells.where(cells.map(type) == str, "x")
    return (cells.isna() | (as_text.str.strip() == "")).to_numpy(dtype=bool)
