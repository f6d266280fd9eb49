"""One roster column, factorised: each distinct cell value is looked at once.

Rosters repeat themselves (a few districts, levels, categories and dates over thousands of
rows), so per-value Python work over the distinct values, gathered back by integer codes,
costs a fraction of a per-row loop and keeps each cell's own type (text or number).
"""
from __future__ import annotations

import ctypes
import unicodedata
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pandas as pd


class Column:
    def __init__(self, cells: np.ndarray):
        if nearly_all_differ(cells):  # an ID, a name, an account: each row its own value, unhashed
            self.uniques = cells.tolist() + [None]
            self.codes = np.arange(len(cells))
        else:
            codes, uniques = factorize(cells)
            uniques = _apart_from_bools(cells, codes, list(uniques))
            self.uniques = uniques + [None]  # code -1 (a missing cell) reads the trailing None
            self.codes = np.where(codes < 0, len(self.uniques) - 1, codes)
        self._texts: np.ndarray | None = None
        self._has_numbers: bool | None = None
        self._as_written = False  # every value a text of ASCII letters and digits (unique_texts)

    def subset(self, keep: np.ndarray) -> Column:
        out = Column.__new__(Column)
        out.uniques, out.codes, out._texts, out._has_numbers = self.uniques, self.codes[keep], self._texts, self._has_numbers
        out._as_written = self._as_written
        return out

    def per_value(self, fn: Callable[[object], object], dtype: object = object) -> np.ndarray:
        """fn applied to each distinct value, spread back over the rows (fn(None) for missing cells,
        computed only when there are any)."""
        missing = self.codes == len(self.uniques) - 1
        values = np.empty(len(self.uniques), dtype=dtype)
        values[:] = [fn(u) for u in self.uniques[:-1]] + [fn(None) if missing.any() else values[-1]]
        return values[self.codes]

    def unique_texts(self) -> np.ndarray:
        if self._texts is None:
            texts = _as_written(self.uniques)
            self._texts, self._as_written = (self._each_text(), False) if texts is None else (texts, True)
        return self._texts

    def letters_and_digits(self) -> bool:
        """Whether every value is a text of ASCII letters and digits alone (an ID, an account)."""
        self.unique_texts()
        return self._as_written

    def _each_text(self) -> np.ndarray:
        norm = unicodedata.normalize  # the common case inline: this runs once per distinct cell
        return np.array([(u.strip() if u.isascii() else norm("NFKC", u).strip())
                         if type(u) is str else cell_text(u) for u in self.uniques], dtype=object)

    def text(self) -> pd.Series:
        return pd.Series(self.unique_texts()[self.codes], dtype=object)

    def is_number(self) -> np.ndarray:
        return self.per_value(is_number, bool) if self.has_numbers() else np.zeros(len(self.codes), dtype=bool)

    def has_numbers(self) -> bool:
        if self._has_numbers is None and self._as_written:  # ASCII texts alone (an ID column): known already
            self._has_numbers = False
        if self._has_numbers is None:  # infer_dtype scans in C; most columns are all text
            kind = pd.api.types.infer_dtype(np.asarray(self.uniques[:-1], dtype=object), skipna=True)
            self._has_numbers = kind not in ("string", "empty") and any(is_number(u) for u in self.uniques)
        return self._has_numbers

    def is_blank(self) -> np.ndarray:
        return (self.unique_texts() == "")[self.codes]


def factorize(cells: np.ndarray) -> tuple[np.ndarray, list]:
    """pd.factorize(cells) (-1 for a missing cell), the distinct objects found first. A grid from
    the fast read holds each distinct text of a column as one object (fastxlsx._texts), calamine's
    chunks keep theirs once a chunk (source._grid), and a text column normalise makes holds each
    distinct text once (Column.text): the objects' addresses, integers, find the distinct objects
    at a third of the cost of hashing and comparing every cell's text, and only those are
    factorised by value (two objects may hold one value: a date in two chunks). A column of
    objects nearly all its own is factorised by value at once."""
    if cells.dtype != object or len(cells) < 2 * SAMPLE:  # dates, numbers: pandas factorises them natively
        return pd.factorize(cells, use_na_sentinel=True)
    cells = np.ascontiguousarray(cells)
    # The addresses the array holds, read as integers (numpy views no object array as numbers);
    # the objects stay alive in `cells` while their addresses are compared.
    address = np.ctypeslib.as_array((ctypes.c_size_t * len(cells)).from_address(cells.ctypes.data)).copy()
    by_object = pd.factorize(address)[0]
    first = first_appearances(by_object)
    if 2 * int(first.sum()) > len(cells):
        return pd.factorize(cells, use_na_sentinel=True)
    by_value, uniques = pd.factorize(cells[first], use_na_sentinel=True)
    return by_value[by_object], uniques


def pair_codes(codes: np.ndarray, part: np.ndarray, size: int) -> np.ndarray:
    """One code per distinct (codes, part) pair, numbered in order of first appearance: how a
    combination of columns is numbered a column at a time. `part` holds a column's pd.factorize
    codes, 0 to size - 1, and -1 for a missing value, which stays apart from every other."""
    return pd.factorize(codes * (size + 1) + part)[0]


def first_appearances(codes: np.ndarray) -> np.ndarray:
    """Which rows first hold their value, from pd.factorize's codes (numbered in order of first
    appearance: a row is the first of its value when its code passes every code before it)."""
    if not len(codes):
        return np.zeros(0, dtype=bool)
    return codes > np.maximum.accumulate(np.r_[-1, codes[:-1]])


def _as_written(uniques: list) -> np.ndarray | None:
    """The texts of a column's distinct values (the last, a missing cell's, is None) when they are
    their own cell_text: ASCII letters and digits only (an ID, an account number), looked at in one
    join; None otherwise. A million IDs one by one took half a second."""
    try:
        flat = "".join(uniques[:-1])
    except TypeError:  # numbers, or a missing cell among them
        return None
    if not ascii_alnum(flat) or not set(map(type, uniques[:-1])) <= {str}:
        return None  # (a str of another type, numpy's, is made a plain one by cell_text)
    texts = np.empty(len(uniques), dtype=object)
    texts[:-1] = uniques[:-1]
    texts[-1] = ""
    return texts


def ascii_alnum(text: str) -> bool:
    """Whether a text is ASCII letters and digits alone (and not empty). As bytes: str.isalnum asks
    Unicode about each character, 0.12 s for a million IDs joined, bytes look them up in 0.03 s."""
    return text.isascii() and text.encode("ascii").isalnum()


def _apart_from_bools(cells: np.ndarray, codes: np.ndarray, uniques: list) -> list:
    """factorize finds TRUE and 1, FALSE and 0 one value (True == 1 to Python), and every cell of
    them would be read as whichever came first. The cells of such a value that are not of its kind
    (a bool among numbers, a number among bools) get a value of their own: `codes` is changed in
    place, and the distinct values returned with the new ones after them."""
    for k, u in enumerate(list(uniques)):
        if type(u) not in (bool, int, float) or u not in (0, 1):
            continue
        rows = np.flatnonzero(codes == k)
        other = rows[np.fromiter((type(cells[i]) is bool for i in rows), dtype=bool, count=len(rows))
                     != (type(u) is bool)]
        if len(other):
            codes[other] = len(uniques)
            uniques.append(cells[other[0]])
    return uniques


SAMPLE, NEARLY_ALL = 20_000, 0.97


def sample_rows(n: int) -> np.ndarray | None:
    """SAMPLE rows spread over a column of n, to judge whether its values nearly all differ; None
    for a column too short to be worth it."""
    return np.arange(0, n, n // SAMPLE)[:SAMPLE] if n >= 4 * SAMPLE else None


def nearly_all_differ(cells: np.ndarray) -> bool:
    """Whether a column's values nearly all differ (an ID, an account, a 序号), judged on SAMPLE cells
    spread over it. Then finding its distinct values (a hash of each of a million scattered strings,
    0.3 s a column) saves nothing: each row is looked at as its own value, which gives the same
    results. A column of names (131,000 among a million rows) repeats enough to be factorised:
    about 7 % of such a sample repeats, against 1 % for IDs with some people on two rows."""
    rows = sample_rows(len(cells))
    return rows is not None and len(set(cells[rows].tolist())) > NEARLY_ALL * SAMPLE


def per_distinct(values: np.ndarray, fn: Callable[[object], object], dtype: object = object) -> np.ndarray:
    """fn of each distinct value of a column (a missing one too), spread back over its rows. For a
    column of one kind (texts, whole numbers): factorize finds True and 1 one value (see Column)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    out = np.empty(len(uniques), dtype=dtype)
    for k, u in enumerate(uniques):  # one at a time: a list of tuples would be taken for a 2-D array
        out[k] = fn(u)
    return out[codes]


def is_number(value: object) -> bool:
    kind = type(value)
    if kind is float or kind is int:
        return True
    return kind is not bool and kind is not str and isinstance(value, (int, float, np.integer, np.floating))


def cell_text(value: object) -> str:
    """Trimmed, NFKC-normalised text (full-width to half-width); whole numbers without '.0'."""
    if type(value) is str:  # the common case first: most cells are text
        return value.strip() if value.isascii() else unicodedata.normalize("NFKC", value).strip()
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if is_number(value):
        return number_text(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def number_text(value: float | int) -> str:
    """A number as Excel shows it in the formula bar: at most 15 significant digits, no '.0'
    (6217000011112222333 typed as a number is 6217000011112220000 to Excel, not 6217…2720)."""
    f = float(value)
    if f.is_integer() and 0 < abs(f) < 1e15:  # a 序号, a year, an amount in yuan: the same text, 20 times faster
        return str(int(f))
    return format(Decimal(f"{f:.15g}"), "f")
