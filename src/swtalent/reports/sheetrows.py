"""A large sheet's plain rows written as XML a column at a time, by polars, where rustpy-xlsxwriter
wrote them a cell at a time: at 1,000,000 rows its `save` took 20 s for 940 MB of sheet XML, on one
core, half of it in its own deflate, and a payroll part was then inflated and deflated again to be
amended (printing.amend).

rustpy-xlsxwriter still writes the sheet: its title, header, widths, formats, print setup and
every row that has a height or a format of its own (a 小计, a 合计, a wrapped line), from a frame
whose other rows, the plain ones, are empty; it writes no XML for an empty row. printing.amend then
puts these rows in their places as it rewrites the part (`splice`), with the cell formats
rustpy-xlsxwriter gave the columns (their <col style>), and widens the sheet's <dimension> over
them. Each cell is written as rustpy-xlsxwriter 0.8 writes it: tests/test_sheetrows.py holds the
two to the same bytes. A sheet holding a value this does not write the same way for certain (a
boolean, a date, a control character, a number Rust would print in exponent form) is left whole
to rustpy-xlsxwriter (`plain_rows` gives None).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..roster.cells import factorize

if TYPE_CHECKING:
    import polars as pl

FAST_ROWS = 20_000  # fewer: rustpy-xlsxwriter writes them in less time than importing polars takes (0.17 s)
_SAMPLE = 10_000  # the rows that tell a column of a few texts repeated from one of names or IDs
PIECE_ROWS = 16_384  # rows made at a time (about 10 MB of XML): pieces the deflate threads take in turn
# What rustpy-xlsxwriter writes otherwise than plainly: a control character as _xHHHH_, and a text
# that looks like one with its underscore escaped (_x005F_). Such a sheet is left to it.
_UNSURE = r"[\x00-\x08\x0B-\x1F\x{FFFE}\x{FFFF}]|_[xX][0-9A-Fa-f]{4}_"
_PRESERVE = r"^[ \t\n]|[ \t\n]$"  # whitespace Excel would drop unless told to keep it
_TEXT_KINDS = ("string", "empty")
_NUMBER_KINDS = ("integer", "floating", "mixed-integer-float")
# Numbers written as "%d.0" (whole) or as Python's repr: Rust prints the same shortest digits, but
# in another exponent form outside this range (1e-05 as 0.00001, 1e16 as 1e+16).
_SMALLEST, _LARGEST = 1e-4, 1e15


class _Unsure(Exception):
    """A value this module does not write exactly as rustpy-xlsxwriter does."""


# A column's cells, made a piece at a time: given an array of frame rows, the polars Series of what
# follows `<c r="A5" s="3"` in each row's cell (`><v>1.0</v></c>`, ` t="inlineStr"><is><t>…</t></is></c>`),
# null for a row without a cell in the column. A column of a few texts keeps them made, with each
# row's code; one of names or numbers keeps its values, and is made as the rows are.
Tails = Callable[[np.ndarray], "pl.Series"]


@dataclass
class PlainRows:
    """The plain rows of one sheet, to be written here: which frame rows, at which sheet rows."""

    positions: np.ndarray  # 0-based frame rows with a cell or a height, in order
    first_row: int  # the 1-based sheet row of frame row 0
    columns: list[Tails | None]  # None: a column with no cell in these rows
    heights: np.ndarray  # each position's row height in points (0: none given), written as rustpy-xlsxwriter would
    cells: np.ndarray  # whether each position has a cell (a row with none is written only for its height)

    def __post_init__(self) -> None:
        self.rows = self.positions + self.first_row  # 1-based sheet rows
        self._made = 0  # rows made so far
        self._piece, self._ends, self._piece_rows, self._next = b"", np.zeros(0, dtype=np.int64), self.rows[:0], 0

    def heights_left(self, heights: dict[int, float]) -> dict[int, float]:
        """The row heights (by 0-based sheet row) rustpy-xlsxwriter still writes: those of rows not written here."""
        mine = set((self.rows[self.heights > 0] - 1).tolist())
        return {r: h for r, h in heights.items() if r not in mine}

    def placeholder(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The frame rustpy-xlsxwriter is given: these rows emptied, every other row as it was."""
        keep = np.ones(len(frame), dtype=bool)
        keep[self.positions] = False
        out = {}
        for k in range(frame.shape[1]):
            col = np.full(len(frame), None, dtype=object)
            col[keep] = frame.iloc[:, k].to_numpy(dtype=object)[keep]
            out[k] = col
        placeholder = pd.DataFrame(out, dtype=object)  # not inferred as pandas' text columns: no copy
        placeholder.columns = frame.columns
        return placeholder

    def xml(self, styles: dict[int, int], below: int | None = None) -> Iterator[bytes]:
        """The XML of the rows not yet given whose sheet row is below `below` (all when None);
        `styles`: a column's cell format, by 0-based column. Rows are made PIECE_ROWS at a time
        whatever `below` is: a payroll has a row of its own every few dozen rows."""
        while True:
            if self._next == len(self._piece_rows):
                if self._made == len(self.rows) or (below is not None and self.rows[self._made] >= below):
                    return
                self._make(styles)
            upto = len(self._piece_rows) if below is None else int(np.searchsorted(self._piece_rows, below))
            if upto == self._next:
                return
            start = int(self._ends[self._next - 1]) if self._next else 0
            yield memoryview(self._piece)[start:int(self._ends[upto - 1])]
            self._next = upto

    def given(self) -> bool:
        """Whether every row has been given by xml()."""
        return self._made == len(self.rows) and self._next == len(self._piece_rows)

    def _make(self, styles: dict[int, int]) -> None:
        import polars as pl

        from .printing import column_letters

        take = self.positions[self._made:self._made + PIECE_ROWS]
        self._made += len(take)
        n = pl.Series("n", take + self.first_row).cast(pl.Utf8)
        cells = []
        for k, col in enumerate(self.columns):
            if col is None:
                continue
            s = f' s="{styles[k]}"' if k in styles else ""
            cells.append(pl.concat_str([pl.lit(f'<c r="{column_letters(k)}'), n, pl.lit(f'"{s}'), col(take)]))
        got = slice(self._made - len(take), self._made)
        heights, which = np.unique(self.heights[got], return_inverse=True)
        tall = pl.Series([f' ht="{h:g}" customHeight="1"' if h else "" for h in heights.tolist()]).gather(which)
        rows = pl.select(pl.concat_str([pl.lit('<row r="'), n, pl.lit('"'), tall, pl.lit(">"), *cells, pl.lit("</row>")],
                                       ignore_nulls=True)).to_series()
        if not self.cells[got].all():  # a row with a height and no cell: <row r="9" ht="33" customHeight="1"/>
            rows = rows.zip_with(pl.Series(self.cells[got]), pl.select(pl.concat_str(
                [pl.lit('<row r="'), n, pl.lit('"'), tall, pl.lit("/>")])).to_series())
        self._ends = np.cumsum(rows.str.len_bytes().to_numpy(), dtype=np.int64)
        self._piece = rows.str.join("").cast(pl.Binary).item()
        self._piece_rows, self._next = take + self.first_row, 0


def plain_rows(frame: pd.DataFrame, header_row: int, formatted: set[int], heights: dict[int, float],
               styled: set[int]) -> PlainRows | None:
    """The rows of `frame` (below a header on 0-based sheet row `header_row`) but those with a
    format of their own (0-based sheet rows `formatted`) or a height rustpy-xlsxwriter writes
    otherwise than plainly (`heights`, by 0-based sheet row), ready to be written here. None when
    the sheet is small, when most of its rows are left to rustpy-xlsxwriter, or when one of these
    rows holds a value written otherwise than this module writes it. `styled`: the 0-based columns
    given a cell format."""
    n = len(frame)
    top = header_row + 1
    if n < FAST_ROWS or not frame.shape[1] or not frame.columns.is_unique:  # formats are given by a column's name
        return None
    if any(isinstance(t, pd.api.extensions.ExtensionDtype) and not isinstance(t, (pd.StringDtype, pd.CategoricalDtype))
           for t in frame.dtypes):  # pandas' nullable numbers: rustpy-xlsxwriter refuses their pd.NA
        return None
    plain = np.ones(n, dtype=bool)
    plain[[r - top for r in formatted if top <= r < top + n]] = False
    tall = np.zeros(n)
    for r, h in heights.items():
        if top <= r < top + n:
            if _plain_height(h):
                tall[r - top] = h
            else:
                plain[r - top] = False
    if 2 * int(plain.sum()) < n:
        return None
    import polars as pl

    try:
        columns, cell = [], np.zeros(n, dtype=bool)
        for k in range(frame.shape[1]):
            made = _column(frame.iloc[:, k].to_numpy(), plain, k in styled, pl)
            columns.append(None if made is None else made[0])
            if made is not None:
                cell |= made[1]
    except _Unsure:
        return None
    except (pl.exceptions.PolarsError, TypeError, ValueError, UnicodeError):  # a text polars cannot hold
        return None
    positions = np.flatnonzero(plain & (cell | (tall > 0)))
    return PlainRows(positions=positions, first_row=top + 1, columns=columns, heights=tall[positions],
                     cells=cell[positions])


def _plain_height(points: float) -> bool:
    """A height rustpy-xlsxwriter writes as it is given: a whole number of pixels (0.75 points each),
    other than the default 20 (which it leaves out) and within Excel's 409.5 points. It rounds
    any other to pixels, hides a row under half a pixel, and repeats a row given the default."""
    return 0 < points <= 409.5 and (points / 0.75).is_integer() and points != 15.0


def _column(values: np.ndarray, plain: np.ndarray, styled: bool, pl) -> tuple[Tails, np.ndarray] | None:
    """A column's cells in the plain rows, and which of those rows have one; None for none.
    `styled`: the column has a cell format, and a NaN in it is written as a blank cell with it."""
    if values.dtype.kind in "iuf":
        v = np.where(plain, values.astype(np.float64), np.nan)
        return _numbers(v, plain & np.isnan(v) if styled else None, pl)
    if values.dtype != object:  # booleans, dates, times
        raise _Unsure(values.dtype)
    values = np.where(plain, values, None)
    missing = pd.isna(values)
    nan = _nan(values, missing)  # looked at in every column: pd.NA is written as a text
    blank = nan if styled else None
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in _NUMBER_KINDS:
        return _numbers(np.where(missing, np.nan, values).astype(np.float64), blank, pl)
    if kind in _TEXT_KINDS:
        sample = values[:_SAMPLE][~missing[:_SAMPLE]]
        if 4 * len(set(sample)) <= len(sample):
            return _coded(values, blank, pl)
        return _made(lambda rows: _text_tails(values[rows], missing[rows], pl), _texts_checked(values, missing, pl),
                     blank, pl)
    # Numbers and texts in one column (a payroll's 序号 above its signature lines): each as itself.
    types = np.frompyfunc(type, 1, 1)(values)
    number = ~missing & _any_of(types, _NUMBER_TYPES)
    text = _any_of(types, (str,))
    if not np.all(number | text | missing):
        raise _Unsure(kind)
    v = np.where(number, values, np.nan).astype(np.float64)
    texts = np.where(text, values, None)
    has_text = _texts_checked(texts, ~text, pl)

    def tails(rows):
        return _number_tails(v[rows], pl).zip_with(pl.Series(number[rows]), _text_tails(texts[rows], ~text[rows], pl))
    return _made(tails, _numbers_checked(v) | has_text, blank, pl)


_NUMBER_TYPES = (int, float, np.int64, np.int32, np.float64, np.float32)  # not bool, a subclass of int


def _any_of(types: np.ndarray, wanted: tuple) -> np.ndarray:
    """Which of an array of types (np.frompyfunc(type)) is one of `wanted`, by their distinct types."""
    codes, distinct = pd.factorize(types)
    return np.isin(codes, [k for k, t in enumerate(distinct) if t in wanted])


def _nan(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Which cells of an object column are NaN. rustpy-xlsxwriter writes None as no cell and NaN
    as a blank cell with the column's format; any other missing value (pd.NA, NaT) otherwise."""
    nan = np.zeros(len(values), dtype=bool)
    if missing.any():
        types = np.frompyfunc(type, 1, 1)(values[missing])
        floats = _any_of(types, (float, np.float64, np.float32))
        if not np.all(floats | _any_of(types, (type(None),))):
            raise _Unsure("a missing value other than None and NaN")
        nan[missing] = floats
    return nan


def _made(tails: Tails, present: np.ndarray, blank: np.ndarray | None, pl) -> tuple[Tails, np.ndarray] | None:
    """A column made a piece at a time by `tails`, with its blank cells (`blank`) put in."""
    if blank is not None and blank.any():
        made = tails

        def tails(rows):
            return made(rows).zip_with(pl.Series(~blank[rows]), pl.repeat("/>", len(rows), eager=True))
        present = present | blank
    return (tails, present) if present.any() else None


def _numbers(v: np.ndarray, blank: np.ndarray | None, pl) -> tuple[Tails, np.ndarray] | None:
    """A column of numbers (NaN: none), made a piece at a time."""
    return _made(lambda rows: _number_tails(v[rows], pl), _numbers_checked(v), blank, pl)


def _numbers_checked(v: np.ndarray) -> np.ndarray:
    """Which rows hold a number (not NaN); _Unsure when one is written otherwise than here."""
    present = ~np.isnan(v)
    size = np.abs(v[present])
    if not np.all(np.isfinite(size) & ((size == 0) | ((size >= _SMALLEST) & (size < _LARGEST)))):
        raise _Unsure("a number outside the range written alike")
    return present


def _number_tails(v: np.ndarray, pl):
    """Each number's cell tail (null for NaN)."""
    present = ~np.isnan(v)
    whole = present & (v == np.trunc(v)) & ~((v == 0) & np.signbit(v))  # -0.0 is written -0.0
    digits = pl.select(pl.when(pl.Series(whole)).then(
        pl.Series(np.where(whole, v, 0).astype(np.int64)).cast(pl.Utf8) + ".0")).to_series()
    other = present & ~whole
    if other.any():
        distinct, which = np.unique(v[other], return_inverse=True)
        rest = np.full(len(v), None, dtype=object)
        rest[other] = np.array([repr(float(x)) for x in distinct], dtype=object)[which]
        digits = digits.zip_with(pl.Series(whole), pl.Series(rest.tolist(), dtype=pl.Utf8))
    return pl.select(pl.concat_str([pl.lit("><v>"), digits, pl.lit("</v></c>")])).to_series()


def _coded(values: np.ndarray, blank: np.ndarray | None, pl) -> tuple[Tails, np.ndarray] | None:
    """A column that repeats itself: each distinct text made once, each row keeping its code."""
    codes, distinct = factorize(values)
    distinct = np.asarray(distinct, dtype=object)
    _texts_checked(distinct, np.zeros(len(distinct), dtype=bool), pl)
    made = pl.concat([_text_tails(distinct, np.zeros(len(distinct), dtype=bool), pl), pl.Series(["/>", None])])
    at = np.where(codes < 0, len(distinct) + 1, codes)
    if blank is not None:
        at[blank] = len(distinct)
    at = at.astype(np.uint32)
    present = made.is_not_null().to_numpy()[at]
    return (lambda rows: made.gather(pl.Series(at[rows])), present) if present.any() else None


def _strings(values: np.ndarray, missing: np.ndarray, pl):
    """Texts as polars holds them, null where missing; from a list: an array of objects that begins
    with None is not taken as text."""
    return pl.Series(np.where(missing, None, values).tolist(), dtype=pl.Utf8)


def _texts_checked(values: np.ndarray, missing: np.ndarray, pl) -> np.ndarray:
    """Which rows hold a text other than ""; _Unsure when one is written otherwise than here."""
    s = _strings(values, missing, pl)
    if s.str.contains(_UNSURE).any():
        raise _Unsure("a control character or an _xHHHH_")
    return (s.is_not_null() & (s != "")).to_numpy()


def _text_tails(values: np.ndarray, missing: np.ndarray, pl):
    """Each text's cell tail (null where none: no text, or "")."""
    s = _strings(values, missing, pl)
    escaped = s.str.replace_all("&", "&amp;", literal=True).str.replace_all("<", "&lt;", literal=True) \
        .str.replace_all(">", "&gt;", literal=True)
    keep = pl.when(s.str.contains(_PRESERVE)).then(pl.lit(' xml:space="preserve">')).otherwise(pl.lit(">"))
    return pl.select(pl.when(s == "").then(None).otherwise(
        pl.concat_str([pl.lit(' t="inlineStr"><is><t'), keep, escaped, pl.lit("</t></is></c>")]))).to_series()


# --- in the saved sheet -----------------------------------------------------------------------

_ROW_OR_END = re.compile(rb'<row r="(\d+)"|</sheetData>')
EMPTY_ROW = re.compile(rb'<row r="(\d+)"[^>]*?/>')  # a <row> without cells
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/>')
_COL = re.compile(rb"<col\b[^>]*?/>")


def _styles(head: bytes) -> dict[int, int]:
    """The cell format of each 0-based column that has one, from the sheet's <cols>."""
    styles = {}
    for m in _COL.finditer(head, 0, head.find(b"<sheetData")):
        tag = m.group()
        style = re.search(rb'\bstyle="(\d+)"', tag)
        if style:
            lo, hi = (int(re.search(rb'\b%s="(\d+)"' % a, tag).group(1)) for a in (b"min", b"max"))
            styles.update({c - 1: int(style.group(1)) for c in range(lo, hi + 1)})
    return styles


def _widened(head: bytes, rows: PlainRows) -> bytes:
    """The sheet's <dimension> over its written cells and these rows' cells."""
    from .markup import col_number
    from .printing import column_letters

    m = _DIMENSION.search(head)
    if m is None or not len(rows.positions):
        return head
    c1, r1 = m.group(1), int(m.group(2))
    c2, r2 = (m.group(3), int(m.group(4))) if m.group(3) else (c1, r1)
    cols = [k for k, col in enumerate(rows.columns) if col is not None] or [col_number(c1) - 1]  # rows of heights alone
    first_col = min(col_number(c1) - 1, cols[0])
    last_col = max(col_number(c2) - 1, cols[-1])
    top, bottom = min(r1, int(rows.rows[0])), max(r2, int(rows.rows[-1]))
    ref = f"{column_letters(first_col)}{top}:{column_letters(last_col)}{bottom}".encode()
    return head[:m.start()] + b'<dimension ref="' + ref + b'"/>' + head[m.end():]


def splice(part, rows: PlainRows, chunk: int) -> Iterator[bytes]:
    """The sheet XML read from `part` with these rows put in their places among the rows
    rustpy-xlsxwriter wrote, read and made a piece at a time and given in pieces of at least
    `chunk` bytes (the rows between two of a payroll's own rows are a few dozen)."""
    out, size = [], 0
    for piece in _spliced(part, rows, chunk):
        out.append(piece)
        size += len(piece)
        if size >= chunk:
            yield b"".join(out)
            out, size = [], 0
    yield b"".join(out)


def _spliced(part, rows: PlainRows, chunk: int) -> Iterator[bytes]:
    held, styles, done, previous = b"", None, False, None
    while not done:
        piece = part.read(chunk)
        done = not piece
        held += piece
        if styles is None:
            if b"<sheetData" not in held and not done:
                continue
            held = _widened(held, rows)
            styles = _styles(held)
        # Up to the last row begun: a row tag cut between two reads is matched whole next time.
        cut = len(held) if done else held.rfind(b"<row ")
        if cut <= 0:
            continue
        ready, held, at = held[:cut], held[cut:], 0
        for m in _ROW_OR_END.finditer(ready):
            yield ready[at:m.start()]
            at = m.start()
            if m.group(1) and m.group(1) == previous and (repeat := EMPTY_ROW.match(ready, at)):
                at = repeat.end()  # rustpy-xlsxwriter's repeat of the last row it wrote (printing._repeated_rows)
                continue
            previous = m.group(1)
            yield from rows.xml(styles, int(m.group(1)) if m.group(1) else None)
        yield ready[at:]
    if not rows.given():  # never a workbook without them: the sheet was not as rustpy-xlsxwriter writes one
        raise ValueError("the sheet's rows written apart found no place in it (no </sheetData>)")
