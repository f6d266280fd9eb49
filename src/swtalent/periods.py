"""Months and periods. A month is an integer index (year * 12 + month - 1) so that whole
columns of dates become integer columns and month arithmetic is plain subtraction."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .errors import UsageError

NO_MONTH = np.iinfo(np.int32).min  # marks a blank date in a month column; never compared as a month


def month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def month_start(m: int) -> date:
    return date(m // 12, m % 12 + 1, 1)


def month_label(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def months_of(dates: pd.Series) -> np.ndarray:
    """datetime64 column to month indices; NaT becomes NO_MONTH."""
    d = pd.to_datetime(dates)
    out = (d.dt.year * 12 + d.dt.month - 1).to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(out), NO_MONTH, out).astype(np.int32)


_MONTH = r"(\d{4})-(\d{1,2})"


@dataclass(frozen=True)
class Period:
    """An inclusive range of months, e.g. 2023 = 2023-01..2023-12."""

    first: int
    last: int

    @classmethod
    def parse(cls, text: str) -> Period:
        t = text.strip()
        if re.fullmatch(r"\d{4}", t):
            return cls._range(text, (t, "1"), (t, "12"))
        m = re.fullmatch(_MONTH, t)
        if m:
            return cls._range(text, m.groups(), m.groups())
        m = re.fullmatch(_MONTH + r"\s*\.\.\s*" + _MONTH, t)
        if m:
            return cls._range(text, m.groups()[:2], m.groups()[2:])
        raise UsageError(
            f"无法识别的期间「{text}」：写作 2023、2023-05 或 2023-01..2023-06",
            f"cannot read the period '{text}': write 2023, 2023-05 or 2023-01..2023-06")

    @classmethod
    def _range(cls, text: str, a: tuple, b: tuple) -> Period:
        ya, ma, yb, mb = int(a[0]), int(a[1]), int(b[0]), int(b[1])
        if not (1 <= ma <= 12 and 1 <= mb <= 12):
            raise UsageError(f"期间「{text}」中的月份应为 1 至 12", f"months in the period '{text}' must be 1 to 12")
        first, last = ya * 12 + ma - 1, yb * 12 + mb - 1
        if not (1900 <= ya <= 2200 and 1900 <= yb <= 2200):
            raise UsageError(f"期间「{text}」的年份应在 1900 至 2200 之间", f"the years in '{text}' must be 1900 to 2200")
        if last < first:
            raise UsageError(f"期间「{text}」的结束月早于开始月", f"the period '{text}' ends before it starts")
        return cls(first, last)

    def years_holding(self, month: int) -> list[int]:
        """The years whose given month (1-12) lies in the period: a yearly payment's years."""
        return [y for y in range(self.first // 12, self.last // 12 + 1) if self.first <= y * 12 + month - 1 <= self.last]

    @property
    def months(self) -> np.ndarray:
        return np.arange(self.first, self.last + 1, dtype=np.int32)

    def label(self) -> str:
        if self.first % 12 == 0 and self.last == self.first + 11:
            return f"{self.first // 12}"
        if self.first == self.last:
            return month_label(self.first)
        return f"{month_label(self.first)}..{month_label(self.last)}"

    def title(self, lang: str = "zh") -> str:
        """The period as a title or a batch line reads it: 2023年度, 2023年5月, 2023年1月至6月,
        2023年7月至2024年6月 (the label, 2023-01..2023-06, in English)."""
        if lang != "zh":
            return self.label()
        (y1, m1), (y2, m2) = divmod(self.first, 12), divmod(self.last, 12)
        if m1 == 0 and m2 == 11:
            return f"{y1}年度" if y1 == y2 else f"{y1}年度至{y2}年度"
        if self.first == self.last:
            return f"{y1}年{m1 + 1}月"
        return f"{y1}年{m1 + 1}月至{m2 + 1}月" if y1 == y2 else f"{y1}年{m1 + 1}月至{y2}年{m2 + 1}月"

    def __str__(self) -> str:
        return self.label()
