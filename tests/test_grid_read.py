"""The roster's cells are taken from calamine a chunk at a time, each chunk's repeated values kept
once (roster.source._grid): a million-row run then peaks at 1.85 GiB instead of 2.3. What is kept
must be exactly what calamine reads, value and type, wherever the sheet starts, across chunk
edges, with booleans beside the numbers Python finds equal to them (True == 1)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import openpyxl
import pytest
import python_calamine as calamine
from hypothesis import given, settings
from hypothesis import strategies as st

from swtalent.roster import source
from swtalent.roster.cells import number_text

VALUES = ["琅琊区", "琅琊区", 1, 1.0, True, False, 0, 0.0, "1", "TRUE", date(2023, 3, 1), datetime(2023, 3, 1, 8, 30),
          "2023-03-01", None, " 琅琊区", 341102199001011328, 3.41102199001011e17, "", "社会工作师"]
BOOLISH = [True, 1, 1.0, False, 0, 0.0, "琅琊区", date(2023, 3, 1), datetime(2023, 3, 1)]  # equal pairs, to Python


def _book(path, start=(5, 3), rows=400):
    """A sheet starting at C5 whose columns repeat a few values of every type, and one of IDs."""
    wb = openpyxl.Workbook()
    ws = wb.active
    r0, c0 = start
    for i in range(rows):
        ws.cell(r0 + i, c0, f"34110219900101{i:04d}")
        for j in range(3):
            value = VALUES[(i * (j + 2)) % len(VALUES)]
            if value is not None:
                ws.cell(r0 + i, c0 + 1 + j, value)
        ws.cell(r0 + i, c0 + 4, VALUES[i % 3])  # 琅琊区, 琅琊区, 1: nearly every value repeats
        ws.cell(r0 + i, c0 + 5, BOOLISH[i % len(BOOLISH)])
    wb.save(path)
    return path


def _typed(rows):
    return [[(type(v).__name__, v) for v in row] for row in rows]


@pytest.mark.parametrize("chunk", [1, 7, 50, 1 << 16])
def test_the_grid_holds_what_calamine_reads_value_and_type(tmp_path, monkeypatch, chunk):
    path = _book(tmp_path / "r.xlsx")
    monkeypatch.setattr(source, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(source, "WHOLE_CELLS", 0)  # chunk by chunk, as a large roster is read
    sheet = source.PendingSheet(path).result().sheets[0]
    data = calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    assert (sheet.first_row, sheet.first_col) == (5, 2)  # C5, as Excel numbers the row
    assert _typed(sheet.grid.tolist()) == _typed(data.to_python(skip_empty_area=True))
    kinds = {type(v) for v in sheet.grid.ravel()}
    assert {bool, float, str, date, datetime} <= kinds  # True stayed True beside 1.0, which equals it


def test_repeated_values_are_kept_once(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "WHOLE_CELLS", 0)
    sheet = source.PendingSheet(_book(tmp_path / "r.xlsx")).result().sheets[0]
    assert len({id(v) for v in sheet.grid[:, 4] if v == "琅琊区"}) == 1
    assert len({id(v) for v in sheet.grid[:, 0]}) == 400  # the IDs, each its own


@pytest.mark.parametrize("whole", [0, source.WHOLE_CELLS])
def test_merged_cells_fill_down_as_before(tmp_path, monkeypatch, whole):
    monkeypatch.setattr(source, "WHOLE_CELLS", whole)
    path = tmp_path / "m.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["区县", "姓名"])
    for name in ("甲", "乙", None, "丁"):
        ws.append([None, name])
    ws["A2"] = "琅琊区"
    ws.merge_cells("A2:A5")
    wb.save(path)
    grid = source.PendingSheet(path).result().sheets[0].grid
    # the blank row inside the range stays blank; the others show the district
    assert grid[:, 0].tolist() == ["区县", "琅琊区", "琅琊区", "", "琅琊区"]


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**17, 10**17).map(float),
                 st.integers(-10**6, 10**6), st.sampled_from([0.0, -0.0, 1e15, 1e15 - 1, -1e15 + 1, 2.0**53])))
def test_a_number_reads_as_excel_shows_it_whichever_way_it_is_worked_out(value):
    """number_text's quick way for whole numbers below 10^15 (a 序号 column of a million rows took 1.6 s
    the long way) gives what the long way does: 15 significant digits, no '.0'."""
    assert number_text(value) == format(Decimal(f"{float(value):.15g}"), "f")


def test_a_column_keeps_true_apart_from_1_and_false_from_0():
    """factorize finds True and 1 one value: a column reads each as what it is, whichever comes first."""
    from swtalent.roster.cells import Column, cell_text

    for cells in ([True, 1.0, 1, False, 0.0, "x", None, True], [1.0, True, 0, False, 1, None, False, 0.0]):
        column = Column(np.array(cells, dtype=object))
        assert column.per_value(cell_text).tolist() == [cell_text(c) for c in cells]
        assert column.is_number().tolist() == [type(c) in (int, float) for c in cells]


def test_a_long_column_is_factorised_by_object_then_by_value_as_by_value_alone():
    """cells.factorize finds the distinct objects by their addresses first (the fast read keeps each
    distinct text of a column as one object): the codes and distinct values are pandas' own, whether
    the cells share objects, hold copies of one value (calamine's chunks), or mix in numbers, True
    beside 1, a date, None and NaN; and a column read this way reads each cell as it is."""
    import pandas as pd

    from swtalent.roster.cells import Column, cell_text, factorize

    rng = np.random.default_rng(3)
    shared = np.array(["琅琊区", "南谯区", "天长市", "", "x"], dtype=object)
    n = 50_000
    kinds = {
        "shared texts": shared[rng.integers(0, len(shared), n)],
        "copies of one value": np.array(["".join(["琅琊", "区"]) for _ in range(n)], dtype=object),
        "texts nearly all their own": np.array([f"名字{i}" for i in rng.integers(0, 40_000, n)], dtype=object),
    }
    mixed = shared[rng.integers(0, len(shared), n)]
    extras = [1.0, True, 1, False, 0, None, float("nan"), date(2023, 3, 1), 2.5, "琅琊区"]
    at = rng.integers(0, n, 2_000)
    mixed[at] = [extras[k % len(extras)] for k in range(len(at))]
    kinds["mixed"] = mixed
    for name, cells in kinds.items():
        codes, uniques = factorize(cells)
        want_codes, want_uniques = pd.factorize(cells, use_na_sentinel=True)
        assert codes.tolist() == want_codes.tolist(), name
        assert [(type(u), u) for u in uniques] == [(type(u), u) for u in want_uniques], name
        column = Column(cells)
        assert column.per_value(cell_text).tolist() == [cell_text(c) for c in cells], name
        assert column.is_number().tolist() == [type(c) in (int, float) and c == c for c in cells], name  # NaN: missing


@pytest.mark.parametrize("cells", [["341102199001011328", "12345X", "", "6217000011112222333"],
                                   [" 341102199001011328", "x"], ["34110219900101132８"], ["a-b", "c"], ["", ""],
                                   ["12", 12.0, None], ["ab\u00a0", "cd"], [np.str_("341102"), "12"]])
def test_a_column_of_plain_letters_and_digits_reads_as_written(cells):
    """cells.Column's texts of an ID or account column, found in one join when every value is ASCII
    letters and digits, are each cell's own cell_text (trimmed, NFKC) whatever the column holds."""
    from swtalent.roster.cells import Column, cell_text

    column = Column(np.array(cells, dtype=object))
    assert column.text().tolist() == [cell_text(c) for c in cells]
    assert {type(t) for t in column.text()} == {str}


@pytest.mark.parametrize("text", ["", "abc", "ABC123", "341102199001011328", "34110219900101132x", "12 3", "１２３",
                                  "é1", "ab_c", "Ⅻ", "²", "٣", "abc\x00", "a\u00a0b", "A" * 100_000 + "-"])
def test_letters_and_digits_are_those_of_str(text):
    """cells.ascii_alnum looks at bytes; it must answer as str.isascii() and str.isalnum() do."""
    from swtalent.roster.cells import ascii_alnum

    assert ascii_alnum(text) == (text.isascii() and text.isalnum())
