"""Text made safe for the files a person opens in Excel or publishes.

- Formula injection: roster text such as =HYPERLINK(…), @SUM(…) or +cmd|' /C calc'!A0 would be
  run by Excel when it opens a CSV (and when someone edits such a cell of a workbook). Text that
  begins with = + - @, a tab or a carriage return gets a leading ' (OWASP's CSV-injection advice);
  a plain number such as -12.50 or +5 cannot call anything and is left as it is.
- Excel's cell limit: a text longer than 32,767 characters is cut to fit, with a note saying so,
  rather than making the writer fail.
- Personal numbers in published text: an ID number or a bank account typed into 区县 or 工作单位
  is found here (for the roster warning) and masked here (for the 公示名单), by one pattern.

Each works per distinct value (rosters repeat themselves) and leaves a column untouched, without
a copy, when nothing in it needs changing, which is the usual case.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Collection

import numpy as np
import pandas as pd

from .roster.cells import factorize, nearly_all_differ

# The roster's free-text columns the 公示名单 prints, in its order: searched for personal numbers.
PUBLISHED_TEXT = ("district", "unit")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What may begin with + or - and still be no formula: a plain number (-12.50, +5), a lone sign.
# Anything else so begun (-1e5, -3%, -1,000 too: harmless, but a quote costs nothing) is quoted.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?|[+-]")

EXCEL_LIMIT = 32_767  # characters in one cell
_CUT_NOTE = {"zh": "…（已截断，原文 {n} 字）", "en": "… (cut, {n} characters)"}

# What a clerk types between the groups of an ID number or an account: spaces of any width (and the
# invisible ones), dots, dashes, slashes, underscores, commas, brackets, bars, middle dots, quotes.
# Not a colon (a time: 2023-10-01 10:30:00 is no ID), not a letter, not + * # (a formula, a mask).
_SEPARATOR = (
    r"\s\u00ad\u200b-\u200d\u2060\ufeff"                        # spaces of any width, invisible ones
    r".\-_/\\|,;'\"`()\[\]{}<>"                                  # ASCII punctuation
    r"\u2010-\u2015\u2212\ufe58\ufe63\uff0d"                     # ‐ ‑ ‒ – — ― − ﹘ ﹣ －
    r"\u00b7\u2022\u2024\u2027\u2219\u22c5\u30fb\uff65\u3002\uff0e"  # · • ․ ‧ ∙ ⋅ ・ ･ 。 ．
    r"\u2018\u2019\u201c\u201d\uff02\uff07"                     # ‘ ’ “ ” ＂ ＇
    r"\uff0c\u3001\uff64\uff1b\uff0f\uff3c\uff3f\uff5c\u00a6"   # ， 、 ､ ； ／ ＼ ＿ ｜ ¦
    r"\uff08\uff09\uff3b\uff3d\uff5b\uff5d\u3008-\u300b\u3010\u3011\u3014\u3015"  # （ ） ［ ］ ｛ ｝ 〈 〉 《 》 【 】 〔 〕
)
# An ID number or a bank account: digits joined by at most two separators at a time (6217 0000 1111
# 2222 333, 6217.0000.1111.2222, 341102(19850615)0019, 62170000  1111–2222), 12 digits or more in
# all, and the X an ID may end with. A phone number (11 digits: 0550-3021234, 138 0013 8000) and a
# date (2023-01-15) hold fewer. A run is taken whole (the repeat is greedy and a separator is never
# a digit), so the leftmost match is always the start of a run, and the run's digits are masked
# (mask_digits), never the separators. The pattern needs no look-around: it begins with a digit,
# which lets the search skip in C to the next digit, so it is also the one test over a whole
# column's values joined by NULs (a NUL is no separator) before any per-value work.
PERSONAL_NUMBER = re.compile(rf"\d(?:[{_SEPARATOR}]{{0,2}}\d){{11,}}[Xx]?")
_DIGIT = re.compile(r"[\dXx]")  # what mask_digits counts in a run: its digits and an ID's X, not its separators


def _is_live(text: str) -> bool:
    """Would Excel read this text as a formula (or a DDE call)?"""
    return text[:1] in FORMULA_START and not _PLAIN_NUMBER.fullmatch(text)


def defuse(text: str) -> str:
    """One text as it may be written to a CSV or a cell: a leading ' when Excel would read a formula."""
    return "'" + text if _is_live(text) else text


def cut_to_fit(text: str, lang: str = "zh") -> str:
    """A text within Excel's limit: cut, with a note of the original length at the end. Counted in
    UTF-16 units, as Excel counts, so characters beyond the BMP cannot push it over."""
    if len(text) <= EXCEL_LIMIT // 2 or _excel_len(text) <= EXCEL_LIMIT:
        return text
    note = _CUT_NOTE.get(lang, _CUT_NOTE["en"]).format(n=len(text))
    keep = EXCEL_LIMIT - len(note)
    while _excel_len(text[:keep]) > keep:  # each astral character takes two units
        keep -= _excel_len(text[:keep]) - keep
    return text[:keep] + note


def _excel_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def excel_text(value: object, lang: str = "zh") -> object:
    """One value for an Excel cell: text defused and cut to fit; anything else as it is."""
    if not isinstance(value, str):
        return value
    return cut_to_fit(defuse(value), lang)


# FORMULA_START as a character class, written the same for Python's re and polars' (Rust's) regex.
_START_CLASS = "[" + "".join("\\" + c if c in "\\]^-[" else c for c in FORMULA_START) + "]"
_LIVE_START = re.compile("\x00" + _START_CLASS)  # a text that begins so, in the column joined after NULs


def _may_change(texts, search: re.Pattern, longest: int | None = None) -> bool:
    """One C-level look at texts: False when surely none needs changing (the usual case); True
    sends them to be looked at one by one."""
    joined = "\x00" + "\x00".join(texts)  # every text after a NUL, which no pattern here matches
    if search.search(joined):
        return True
    return longest is not None and len(joined) > longest and max(map(len, texts)) > longest


def _changed(values, wanted: Callable[[str], bool], fn: Callable[[str], str], search: re.Pattern,
             longest: int | None = None) -> np.ndarray | None:
    """fn applied to each distinct text for which wanted() holds, spread back over the rows; None
    when no value is wanted, so the caller keeps its column as it is. `search` (a text's start
    after a NUL, or anywhere in it) and `longest` rule out most columns before any per-value work."""
    values = np.asarray(values, dtype=object)  # a view of an object column; factorize takes no lists
    try:  # a column of texts alone is looked at whole: cheaper than hashing every row to its distinct texts
        if not _may_change(values, search, longest):
            return None
    except TypeError:  # missing cells or numbers among them: their distinct texts are looked at
        pass
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniq = np.asarray(uniques, dtype=object)
    if not _may_change([u for u in uniq if isinstance(u, str)], search, longest):
        return None
    hit = np.fromiter((isinstance(u, str) and wanted(u) for u in uniq), dtype=bool, count=len(uniq))
    if not hit.any():
        return None
    new = uniq.copy()
    new[hit] = [fn(u) for u in uniq[hit]]
    rows = np.append(hit, False)[codes]  # code -1 (a missing value) reads the trailing False
    out = values.copy()  # only the rows whose text changes are replaced
    out[rows] = new[codes[rows]]
    return out


def plain(values) -> bool:
    """Whether no text among `values` needs changing to be written where Excel reads it: none begins
    as a formula may, none is longer than half Excel's limit (what excel_frame and defused look for,
    and a little more). Missing cells and numbers hold no text. A column that repeats itself (a
    payroll's 区县, 单位, 等级, 计算说明) is looked at by its distinct values, found by their
    objects: 0.01 s instead of joining 630,000 texts in 0.07-0.2 s."""
    values = np.asarray(values, dtype=object)
    try:
        if not nearly_all_differ(values):
            values = np.asarray(factorize(values)[1], dtype=object)
    except TypeError:  # an unhashable value (a payroll holds none): every value is looked at
        pass
    try:
        return not _may_change(values, _LIVE_START, EXCEL_LIMIT // 2)
    except TypeError:
        return not _may_change([v for v in values if isinstance(v, str)], _LIVE_START, EXCEL_LIMIT // 2)


def defused(values) -> np.ndarray:
    """defuse() over a column, per distinct value: for CSV files."""
    out = _changed(values, _is_live, defuse, _LIVE_START)
    return np.array(values, dtype=object) if out is None else out


_LIVE_START_POLARS = "^" + _START_CLASS


def defused_series(column):
    """defused() over a polars column of texts: the distinct texts that begin like a formula are
    looked at by defuse (usually none), and only those rows are changed."""
    live = column.str.contains(_LIVE_START_POLARS).fill_null(False)
    if not live.any():
        return column
    hits = column.filter(live).unique().to_list()
    return column.replace(hits, [defuse(h) for h in hits])


def excel_frame(frame: pd.DataFrame, lang: str = "zh", known_plain: Collection[str] = ()) -> pd.DataFrame:
    """Every text column of a sheet defused and cut to fit; the frame itself when none needs it.
    The columns named in `known_plain` were found plain (`plain`) where they were made and are not
    looked at again (a payroll's, before its merged cells were emptied)."""
    def wanted(text: str) -> bool:
        return _is_live(text) or len(text) > EXCEL_LIMIT // 2

    def fn(text: str) -> str:
        return cut_to_fit(defuse(text), lang)

    out = None
    for k, dtype in enumerate(frame.dtypes):
        if dtype.kind in "biufcmM" or frame.columns[k] in known_plain:  # numbers and dates hold no text
            continue
        new = _changed(frame.iloc[:, k], wanted, fn, _LIVE_START, EXCEL_LIMIT // 2)
        if new is not None:
            if out is None:
                out = frame.copy(deep=False)
            out.isetitem(k, pd.Series(new, index=frame.index, dtype=object))
    return frame if out is None else out


def mask_text(text: str, keep_first: int, keep_last: int, mask: str = "*") -> str:
    """All but the first `keep_first` and last `keep_last` characters masked: how the 公示名单 shows an ID."""
    hidden = max(len(text) - keep_first - keep_last, 0)
    return text[:keep_first] + mask * hidden + (text[len(text) - keep_last:] if keep_last else "")


def mask_digits(run: str, keep_first: int, keep_last: int, mask: str = "*") -> str:
    """A run of PERSONAL_NUMBER with all but its first `keep_first` and last `keep_last` digits (an
    ID's X counts as its last) masked, its separators kept: 341102 19850615 0019 → 3411** ********
    0019. Counted by digit, so the eight birth-date digits of an ID are hidden however it is split
    (the policy keeps at most 6 first and 4 last)."""
    n = len(_DIGIT.findall(run))
    k = -1

    def one(m: re.Match) -> str:
        nonlocal k
        k += 1
        return m.group() if k < keep_first or k >= n - keep_last else mask
    return _DIGIT.sub(one, run)


def has_personal_number(values) -> np.ndarray:
    """Per value: does it hold a run of digits like an ID number or a bank account? The very test
    mask_personal_numbers masks by."""
    texts = [v if isinstance(v, str) else "" for v in values]
    if not PERSONAL_NUMBER.search("\x00".join(texts)):  # one search over the column: most hold none
        return np.zeros(len(texts), dtype=bool)
    return np.array([_personal(t) for t in texts], dtype=bool)


def _personal(text: str) -> bool:
    return PERSONAL_NUMBER.search(text) is not None


def mask_personal_numbers(values, keep_first: int, keep_last: int, mask: str = "*") -> np.ndarray | None:
    """Each ID- or account-like run of digits in a text column masked like the ID column (policy
    `notice`), digit by digit, its separators kept; None when the column holds none."""
    def masked(text: str) -> str:
        return PERSONAL_NUMBER.sub(lambda m: mask_digits(m.group(), keep_first, keep_last, mask), text)
    return _changed(values, _personal, masked, PERSONAL_NUMBER)
