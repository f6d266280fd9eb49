"""Dates as clerks type them: Excel dates, 2023-02-08, 2023/2/8, 2023.02.08, 2023年2月8日, and the
month-only 2023年2月, 2023-02, 2023/2, 2023.05 (read as the first of the month).

One spelling is never read: a year and month written 2023.1. Excel keeps a typed 2023.10 as the
number 2023.1, and a CSV export writes that number as the text 2023.1, so it may be January or
October; reading it as January pays nine months too many. It is reported, in every format."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import numpy as np

from .cells import Column, cell_text, is_number, number_text

_PATTERNS = (
    re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月?"),  # month only: the first of the month
    re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})"),  # 2023-02, 2023/2: likewise
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
        if 1900 <= value < 2100:  # 2023.05 typed as a number: a year and a month, as the text would be
            value = number_text(value)
        else:
            return None
    text = cell_text(value)
    if _AMBIGUOUS_MONTH.fullmatch(text):
        return None
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


def month_only(value: object) -> bool:
    """Whether a date cell names a month and no day (2023年5月, 2023-05, the number 2023.05): it is
    read as the first of the month, and a comparison to the day may depend on that reading."""
    if isinstance(value, (bool, date, datetime)) or value is None:
        return False
    if is_number(value):
        if float(value).is_integer() or not 1900 <= value < 2100:
            return False
        value = number_text(value)
    text = cell_text(value)
    return any(p.fullmatch(text) for p in _PATTERNS[2:4]) and parse_date(text) is not None


def is_ambiguous_month(value: object) -> bool:
    """2023.1, as a number or as text: January, or October with its trailing zero lost."""
    if isinstance(value, bool) or isinstance(value, (date, datetime)):
        return False
    text = number_text(value) if is_number(value) else cell_text(value)
    return bool(_AMBIGUOUS_MONTH.fullmatch(text))


def parse_dates(column: Column) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(datetime64[s] with NaT for blank or bad, mask of blank cells, mask of bad non-blank cells,
    mask of the bad ones that are an ambiguous year.month such as 2023.1)."""
    blank = column.is_blank()
    parsed = column.per_value(lambda v: np.datetime64(d, "s") if (d := parse_date(v)) else np.datetime64("NaT", "s"),
                              "datetime64[s]")
    bad = ~blank & np.isnat(parsed)
    ambiguous = column.per_value(is_ambiguous_month, bool) & bad if bad.any() else bad
    return parsed, blank, bad, ambiguous


def birth_prefixes(value: object) -> tuple[str, ...]:
    """What a 出生日期 / 出生年月 cell says of the birth date, as the digits an ID would start them
    with: ('19850615',), a month ('198506',) or a year ('1985',); () when it is not a date. Written
    1985.06, 1985-6, 1985年6月, 198506 or 1985年 as well as full dates. '1985.1' is ambiguous (January
    typed as such, or October whose trailing zero Excel dropped from the number 1985.10): both."""
    if isinstance(value, (date, datetime)):
        return (value.strftime("%Y%m%d"),)
    text = number_text(value) if is_number(value) else cell_text(value)
    if _YEAR.fullmatch(text):
        return (text[:4],) if 1900 <= int(text[:4]) < 2100 else ()
    m = _YEAR_MONTH.fullmatch(text) or _COMPACT_MONTH.fullmatch(text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if not (1900 <= year < 2100 and 1 <= month <= 12):
            return ()
        if m.group(2) == "1" and "." in text:
            return (f"{year}01", f"{year}10")
        return (f"{year}{month:02d}",)
    day = parse_date(value)
    return (day.strftime("%Y%m%d"),) if day else ()


_AMBIGUOUS_MONTH = re.compile(r"(\d{4})\s*\.\s*1")
_YEAR = re.compile(r"\d{4}年?")
_YEAR_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_COMPACT_MONTH = re.compile(r"(\d{4})(\d{2})")
