"""A large sheet's plain rows written apart (reports/sheetrows) give the workbook rustpy-xlsxwriter
writes alone, byte for byte, part by part; and whatever this path cannot write the same way is left
to rustpy-xlsxwriter, never written otherwise."""
from __future__ import annotations

import re
import zipfile
from datetime import date

import numpy as np
import openpyxl
import pandas as pd
import pytest

from swtalent.api import run_compute
from swtalent.reports import printing, sheetrows
from swtalent.reports.files import write_outputs
from swtalent.reports.labels import labels
from swtalent.reports.printing import Amendment
from swtalent.reports.sheets import RunInfo, Sheet
from swtalent.reports.workbook import write_sheets

from .conftest import CHUZHOU, EXAMPLE


def parts(path) -> dict[str, bytes]:
    """Every part of a workbook, inflated; not docProps/core.xml, which holds the time it was saved."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


@pytest.fixture
def apart(monkeypatch):
    """Write with every sheet's rows apart (or none), in pieces small enough that rows are cut
    between pieces and between reads; `taken` counts the sheets whose rows were written apart."""
    taken = []
    plan = sheetrows.plain_rows

    def counted(*a, **k):
        rows = plan(*a, **k)
        taken.append(rows is not None)
        return rows
    monkeypatch.setattr("swtalent.reports.workbook.plain_rows", counted)
    monkeypatch.setattr(sheetrows, "PIECE_ROWS", 7)
    monkeypatch.setattr(printing, "CHUNK", 1 << 12)

    def write(path, fn, on: bool):
        monkeypatch.setattr(sheetrows, "FAST_ROWS", 1 if on else 10**9)
        taken.clear()
        fn(path)
        return parts(path)
    write.taken = taken
    return write


def hostile_frame(n: int, seed: int = 7) -> pd.DataFrame:
    """Every kind of value a sheet's rows hold: texts repeated and texts of their own, XML's special
    characters, whitespace at either end, CJK, empty texts, None and NaN, whole and fractional
    numbers, -0.0, a column of numbers ending in texts (a payroll's 序号 above its signatures)."""
    rng = np.random.default_rng(seed)
    names = np.array([f"张{k}" if k % 11 else f" 李&<{k}>\t" for k in range(n)], dtype=object)
    repeated = np.array(["琅琊区", "a & b", "<南谯区>", " lead", "trail ", "\nnl", "中\u3000", "'q\"", "", "x" * 300],
                        dtype=object)[rng.integers(0, 10, n)]
    amounts = rng.choice([1000.0, 83.33, 0.0, -0.0, 1 / 3, 2.5e9, -41.5, np.nan], n)
    counts = rng.integers(-5, 10**6, n)
    sparse = np.full(n, None, dtype=object)
    sparse[::5] = "备注"
    sparse[1::7] = np.nan
    mixed = np.arange(1, n + 1).astype(object)
    mixed[-3:] = ["合计：", "制表人：____", None]
    mixed[5::9] = None
    return pd.DataFrame({
        "序号": mixed, "姓名": names, "区县": repeated, "金额（元）": amounts, "人数": counts,
        "备注": sparse, "空": np.full(n, None, dtype=object), "小数": rng.random(n) * 1000,
        "可空文本": pd.Series(np.where(rng.random(n) < 0.3, np.nan, repeated), dtype=object),
    })


@pytest.mark.parametrize("n", [40, 1500])
def test_rows_apart_are_what_rustpy_writes(tmp_path, apart, n):
    frame = hostile_frame(n)
    L = labels("zh")
    top = 2  # a title over the header, its rows and formats as a payroll's
    sheets = [
        Sheet("花名册", frame, header_row=top, title=["标题", "副标题"], money=["金额（元）", "可空文本"],
              bold_rows=[top + 1 + r for r in (3, n - 2)], wrap_rows=[top + 1 + n - 1],
              row_heights={top + 1 + r: h for r, h in [(0, 33.0), (4, 22.0), (6, 15.0), (7, 48.0), (n - 1, 61.5), (n - 2, 20.25)]},
              amend=Amendment(merges=[(top + n, 0, top + n, 4)], row_breaks=[top + 1 + n // 2])),
        Sheet("不予发放", frame.iloc[::-1].reset_index(drop=True), autofilter=True),
        Sheet("自行", frame, fitted=False, wrap=["备注"]),
    ]
    alone = apart(tmp_path / "alone.xlsx", lambda p: write_sheets(p, sheets, L), on=False)
    assert not any(apart.taken)
    together = apart(tmp_path / "apart.xlsx", lambda p: write_sheets(p, sheets, L), on=True)
    assert apart.taken == [True, True, True]  # each sheet's rows written apart, none left to rustpy-xlsxwriter
    assert together.keys() == alone.keys()
    for name in alone:
        assert together[name] == alone[name], name
    book = openpyxl.load_workbook(tmp_path / "apart.xlsx")
    assert book["花名册"].cell(top + 2, 2).value == " 李&<0>\t"
    assert book["花名册"].max_row == top + 1 + n


def test_a_payroll_apart_is_what_rustpy_writes(tmp_path, apart):
    comp = run_compute(EXAMPLE, CHUZHOU, "2023")

    def write(path):
        write_outputs(comp, [path], run=RunInfo(policy_file=str(CHUZHOU), batch="2023年第1批"))
    alone = apart(tmp_path / "alone.xlsx", write, on=False)
    together = apart(tmp_path / "apart.xlsx", write, on=True)
    assert sum(apart.taken) >= 4  # both payrolls, 不予发放, 数据问题
    assert together == alone


@pytest.mark.parametrize("value", [True, np.True_, date(2024, 1, 1), pd.Timestamp("2024-01-01"), pd.NA, pd.NaT,
                                   "a\x01b", "tab\rx", "_x0041_", "_X00ff_", 1e-5, 1e16, -1e15, float("inf"), 10**20])
def test_what_is_written_otherwise_is_left_to_rustpy(value, monkeypatch):
    monkeypatch.setattr(sheetrows, "FAST_ROWS", 1)
    frame = pd.DataFrame({"a": pd.Series(["x"] * 50 + [value] + ["y"] * 49, dtype=object), "b": np.arange(100.0)})
    assert sheetrows.plain_rows(frame, 0, set(), {}, set()) is None
    # ... unless the row holding it is one rustpy-xlsxwriter writes anyway (a row with a format of its own)
    assert sheetrows.plain_rows(frame, 0, {51}, {}, set()) is not None


def test_small_sheets_and_sheets_mostly_of_their_own_rows_are_left_whole(monkeypatch):
    frame = pd.DataFrame({"a": ["x"] * 100})
    assert sheetrows.plain_rows(frame, 0, set(), {}, set()) is None  # under FAST_ROWS
    monkeypatch.setattr(sheetrows, "FAST_ROWS", 1)
    assert sheetrows.plain_rows(frame, 0, set(), {}, set()) is not None
    assert sheetrows.plain_rows(frame, 0, set(range(1, 52)), {}, set()) is None  # 51 of 100 rows formatted
    assert sheetrows.plain_rows(frame, 0, set(), {r: 13.1 for r in range(1, 52)}, set()) is None  # heights rounded
    twice = pd.DataFrame([["x", "y"]] * 100, columns=["a", "a"])
    assert sheetrows.plain_rows(twice, 0, set(), {}, set()) is None  # formats are given by a column's name


@pytest.mark.parametrize("points, plain", [(33.0, True), (20.25, True), (409.5, True), (15.0, False), (22.0, False),
                                           (0.0, False), (0.3, False), (410.25, False)])
def test_heights_written_as_given(points, plain):
    assert sheetrows._plain_height(points) is plain


def test_rows_of_heights_alone_and_a_sheet_without_its_rows_closing(tmp_path, monkeypatch):
    """Rows apart that have a height and no cell widen the sheet's dimension as rustpy-xlsxwriter's
    do; and a saved sheet with no </sheetData> to put them before is an error, never a workbook
    missing them."""
    monkeypatch.setattr(sheetrows, "FAST_ROWS", 1)
    frame = pd.DataFrame({"a": pd.Series([None] * 30, dtype=object)})
    rows = sheetrows.plain_rows(frame, 0, set(), {30: 33.0}, set())
    assert rows is not None and rows.rows.tolist() == [31]
    assert sheetrows._widened(b'<dimension ref="A1"/><sheetData>', rows) == b'<dimension ref="A1:A31"/><sheetData>'

    class Part:
        def __init__(self, data):
            self.data = data

        def read(self, n):
            out, self.data = self.data[:n], self.data[n:]
            return out
    with pytest.raises(ValueError, match="no place"):
        list(sheetrows.splice(Part(b'<dimension ref="A1"/><sheetData/></worksheet>'), rows, 1 << 12))


def test_empty_rows_at_the_end_as_rustpy_writes_them(tmp_path, apart):
    """Rows with no cell at the end of a sheet: one with a height is written (and counts in the
    sheet's dimension), one without is not, as rustpy-xlsxwriter does."""
    frame = pd.DataFrame({"a": pd.Series(["x"] * 47 + [None] * 3, dtype=object), "b": [1.5] * 47 + [np.nan] * 3})
    sheets = [Sheet("表", frame, fitted=False, money=["b"], row_heights={49: 33.0, 50: 48.0}),  # NaN: a blank cell
              Sheet("表2", frame, fitted=False, money=[], row_heights={49: 33.0})]  # NaN: no cell
    L = labels("zh")
    alone = apart(tmp_path / "alone.xlsx", lambda p: write_sheets(p, sheets, L), on=False)
    together = apart(tmp_path / "apart.xlsx", lambda p: write_sheets(p, sheets, L), on=True)
    assert apart.taken == [True, True]
    assert together == alone


def no_row_twice(xml: bytes) -> bool:
    numbers = re.findall(rb'<row r="(\d+)"', xml)
    return len(numbers) == len(set(numbers))


@pytest.mark.parametrize("sheet", [
    Sheet("s", pd.DataFrame({"a": np.arange(10.0)}), bold_rows=[3]),  # rustpy-xlsxwriter's last row, mid-sheet apart
    Sheet("s", pd.DataFrame({"a": np.arange(10.0)}), row_heights={3: 22.0}),
    Sheet("s", pd.DataFrame({"a": ["x"] * 9 + ["y" * 5000]}), row_heights={10: 33.0}),  # a last row longer than 4 KiB
    Sheet("s", pd.DataFrame({"a": [1.0, 2.0, 3.0, np.nan]}), row_heights={3: 33.0}),  # the last row with cells
    # rows of a height alone after the last row with cells (the repeat is not the last row of all)
    Sheet("s", pd.DataFrame({"a": ["x", "y", None]}, dtype=object), row_heights={2: 30.0, 3: 30.0}),
    Sheet("s", pd.DataFrame({"a": [1.0, 2.0, 3.0]}), bold_rows=[3, 4]),
], ids=["bold", "rounded-height", "long-last-row", "empty-last-row", "height-alone-after", "format-after"])
def test_no_row_written_twice(tmp_path, apart, sheet):
    """rustpy-xlsxwriter 0.8 writes the last row it writes again, empty, when it has a height or
    format (Excel calls the file damaged): neither path leaves the repeat, wherever it falls."""
    L = labels("zh")
    alone = apart(tmp_path / "alone.xlsx", lambda p: write_sheets(p, [sheet], L), on=False)
    together = apart(tmp_path / "apart.xlsx", lambda p: write_sheets(p, [sheet], L), on=True)
    assert apart.taken == [True]
    assert no_row_twice(alone["xl/worksheets/sheet1.xml"])
    assert together == alone


def test_nullable_numbers_and_no_columns_are_left_whole(monkeypatch):
    monkeypatch.setattr(sheetrows, "FAST_ROWS", 1)
    nullable = pd.DataFrame({"a": pd.array([1.5, None, 2.0], dtype="Float64"), "b": pd.array([1, None, 3], dtype="Int64")})
    assert sheetrows.plain_rows(nullable, 0, set(), {}, set()) is None
    assert sheetrows.plain_rows(pd.DataFrame(index=range(5)), 0, set(), {2: 30.0}, set()) is None
