"""An .xlsx roster is read by fastexcel as text, with the type of each non-text cell found in the
sheet XML (roster.fastxlsx), instead of python-calamine's cell objects. The grid must be exactly
the one calamine gives, value and type: a number-typed ID among text IDs stays a number (it is an
error), a number in a text column reads as Excel shows it, a date as a date. A sheet written in a
way the scan does not know, or holding a value it cannot give back exactly, is read by calamine."""
from __future__ import annotations

import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest
import python_calamine as calamine
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swtalent.roster import fastxlsx, source

from .test_hostile_roster import _rewrite

SHEET_XML = "xl/worksheets/sheet1.xml"


@pytest.fixture(autouse=True)
def every_sheet_the_fast_way(monkeypatch):
    """A roster is read the fast way from 64 MiB of sheet XML on; these small ones too."""
    monkeypatch.setattr(source, "FAST_READ_FROM", 0)


def _typed(rows):
    return [[(type(v).__name__, v) for v in row] for row in rows]


def _calamine(path: Path):
    """What python-calamine reads, the way roster.source read every .xlsx before."""
    book = calamine.CalamineWorkbook.from_path(str(path))
    return [source._sheet(book, path, name) for name in book.sheet_names]


def _read(path: Path, monkeypatch, fast: bool):
    """source's read, asserting which way it went: `fast`, or through calamine."""
    used = []
    real = source._sheet
    monkeypatch.setattr(source, "_sheet", lambda *a: used.append(1) or real(*a))
    book = source.PendingSheet(path).result()
    assert bool(used) is not fast, "read by calamine" if fast else "read the fast way"
    return book.sheets


def _same(path: Path, monkeypatch, fast: bool = True):
    got, ref = _read(path, monkeypatch, fast), _calamine(path)
    assert [(s.name, s.first_row, s.first_col) for s in got] == [(s.name, s.first_row, s.first_col) for s in ref]
    for a, b in zip(got, ref):
        assert _typed(a.grid.tolist()) == _typed(b.grid.tolist())
        assert (a.facts.errors, a.facts.hidden) == (b.facts.errors, b.facts.hidden)
    return got


TEXTS = st.sampled_from(["琅琊区", "社会工作师", "341102199001011328", "1", "0", "TRUE", "true", "2023-03-01",
                         "2023-03-01 00:00:00", " 琅琊区 ", "", "1.5", "-0", "#N/A", "a\"b", "<c r=\"A1\">"])
NUMBERS = st.one_of(st.integers(-10**20, 10**20), st.floats(-1e307, 1e307, allow_nan=False, width=64),
                    st.sampled_from([341102199001011328, 3.41102199001011e17, 1e15, 0.1 + 0.2, -0.0, 45000]))
DATES = st.one_of(st.dates(date(1901, 1, 1), date(2099, 12, 31)),
                  st.datetimes(datetime(1901, 1, 1), datetime(2099, 12, 31)).map(lambda d: d.replace(microsecond=0)))
CELLS = st.one_of(st.none(), TEXTS, NUMBERS, st.booleans(), DATES)


def _openpyxl_book(path: Path, rows, start) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is not None:
                ws.cell(start[0] + i, start[1] + j, v)
    wb.save(path)
    return path


def _xlsxwriter_book(path: Path, rows, start) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    ws = book.add_worksheet("花名册")
    day, moment = book.add_format({"num_format": "yyyy-mm-dd"}), book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            r, c = start[0] - 1 + i, start[1] - 1 + j
            if isinstance(v, datetime):
                ws.write_datetime(r, c, v, moment)
            elif isinstance(v, date):
                ws.write_datetime(r, c, v, day)
            elif isinstance(v, str):
                ws.write_string(r, c, v)
            elif v is not None:
                ws.write(r, c, v)
    book.close()
    return path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=1, max_size=8),
       start=st.tuples(st.integers(1, 4), st.integers(1, 3)), writer=st.sampled_from(["openpyxl", "xlsxwriter"]),
       slice_bytes=st.sampled_from([1, 300, 1 << 24]))
def test_the_fast_read_gives_what_calamine_reads_value_and_type(tmp_path_factory, monkeypatch, rows, start, writer,
                                                                slice_bytes):
    path = tmp_path_factory.mktemp("b") / "r.xlsx"
    (_openpyxl_book if writer == "openpyxl" else _xlsxwriter_book)(path, rows, start)
    monkeypatch.setattr(fastxlsx, "SLICE", slice_bytes)  # the sheet's XML in slices, as a big one is
    _same(path, monkeypatch, fast=True)


def _roster(path: Path) -> Path:
    """A roster as a township writes it: a title merged across, IDs as text but one typed as a number,
    dates as dates and as text in one column, a 序号 of numbers, an error cell, a formula, a hidden row,
    a district merged down, and blank formatted cells."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("花名册")
    day = book.add_format({"num_format": "yyyy/m/d"})
    ws.merge_range("A1:F1", "滁州市社会工作专业人才补贴申报花名册")
    ws.write_row("A2", ["序号", "区县", "姓名", "身份证号", "取得证书日期", "备注"])
    ws.merge_range("B3:B5", "琅琊区")
    for i in range(6):
        r = 2 + i
        ws.write_number(r, 0, i + 1)
        if i >= 3:
            ws.write_string(r, 1, "南谯区")
        ws.write_string(r, 2, f"测试{i}")
        if i == 2:
            ws.write_number(r, 3, 341102199001011328)
        else:
            ws.write_string(r, 3, f"34110219900101{i:04d}")
        if i % 2:
            ws.write_datetime(r, 4, datetime(2023, 3, i + 1), day)
        else:
            ws.write_string(r, 4, f"2023.3.{i + 1}")
        ws.write_blank(r, 5, None, day)
    ws.write_formula("F4", "=NA()", None, "#N/A")
    ws.write_formula("F5", '="备"&"注"', None, "备注")
    ws.write_formula("F6", "=1+1", None, 2)
    ws.write_boolean("F7", True)
    ws.set_row(5, None, None, {"hidden": True})
    book.close()
    return path


@pytest.mark.parametrize("slice_bytes", [1, 500, 1 << 24])
def test_a_township_roster_reads_the_fast_way_exactly(tmp_path, monkeypatch, slice_bytes):
    monkeypatch.setattr(fastxlsx, "SLICE", slice_bytes)
    (sheet,) = _same(_roster(tmp_path / "r.xlsx"), monkeypatch, fast=True)
    grid = sheet.grid
    assert grid[4, 3] == 341102199001011328.0 and type(grid[4, 3]) is float  # the number-typed ID stays a number
    assert grid[3, 4] == date(2023, 3, 2) and grid[2, 4] == "2023.3.1"
    assert [grid[i, 1] for i in range(2, 5)] == ["琅琊区"] * 3  # merged down
    assert grid[2, 0] == 1.0 and grid[3, 5] == "" and grid[4, 5] == "备注" and grid[5, 5] == 2.0 and grid[6, 5] is True
    assert sheet.facts.errors == {(4, 5): "#N/A"} and sheet.facts.hidden == [(6, 6)]


def _prefixed(xml: bytes) -> bytes:
    import re

    return re.sub(rb"<(/?)(?![?!])", rb"<\1x:", xml).replace(b'xmlns="', b'xmlns:x="')


@pytest.mark.parametrize("slice_bytes", [1, 1 << 24])
def test_merged_areas_spelt_otherwise_or_before_the_cells_read_the_fast_way(tmp_path, monkeypatch, slice_bytes):
    import re

    monkeypatch.setattr(fastxlsx, "SLICE", slice_bytes)
    path = _roster(tmp_path / "r.xlsx")

    def move(xml: bytes) -> bytes:  # <mergeCells> before <sheetData>, a tab in one of them
        merges = re.search(rb"<mergeCells.*?</mergeCells>", xml).group()
        xml = xml.replace(merges, b"").replace(b"<sheetData>", merges.replace(b"<mergeCell ref", b"<mergeCell\tref")
                                               + b"<sheetData>")
        return xml
    (sheet,) = _same(_rewrite(path, SHEET_XML, move), monkeypatch, fast=True)
    assert [sheet.grid[i, 1] for i in range(2, 5)] == ["琅琊区"] * 3


def test_a_date_is_a_date_only_when_its_day_number_is_whole(tmp_path, monkeypatch):
    """As calamine has it: 44986.999999999985 (=DATE(2023,3,1)+0.2*5) shows 2023-03-02 00:00:00 and
    is a datetime; so is a moment 400 microseconds past midnight."""
    path = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws, day = book.add_worksheet("花名册"), book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_string(0, 0, "取得证书日期")
    ws.write_number(1, 0, 44986.999999999985, day)
    ws.write_datetime(2, 0, datetime(2023, 3, 1, 0, 0, 0, 400), day)
    ws.write_datetime(3, 0, datetime(2023, 3, 1), day)
    book.close()
    (sheet,) = _same(path, monkeypatch, fast=True)
    assert [type(v) for v in sheet.grid[1:, 0]] == [datetime, datetime, date]


def test_a_formula_that_spells_an_error_type_sends_the_file_to_calamine_at_once(tmp_path, monkeypatch):
    """The error cells' quick scan cannot tell ="e" in a formula from t="e": the exact parse of the
    whole sheet is calamine's way, and the scan stops there."""
    path = _roster(tmp_path / "r.xlsx")
    _rewrite(path, SHEET_XML, lambda xml: xml.replace(b"<f>1+1</f>", b'<f>IF(A1="e",1,2)</f>'))
    with zipfile.ZipFile(path) as z:
        assert b'"e"' in z.read(SHEET_XML)
    _same(path, monkeypatch, fast=False)


def test_a_roster_saved_again_by_openpyxl_reads_the_fast_way_exactly(tmp_path, monkeypatch):
    path = _roster(tmp_path / "r.xlsx")
    openpyxl.load_workbook(path).save(path)  # blank formatted cells become <c r="F3" s="1" />
    with zipfile.ZipFile(path) as z:
        assert b'" />' in z.read(SHEET_XML)
    (sheet,) = _same(path, monkeypatch, fast=True)
    assert sheet.grid[4, 3] == 341102199001011328.0


@pytest.mark.parametrize("change", [
    _prefixed,  # the .NET Open XML SDK's <x:c>: no "<c " to count
    lambda xml: xml.replace(b'<c r="A3">', b'<c r="A3" cm="1">'),  # a number cell with another attribute
    lambda xml: xml.replace(b'<c r="D5"', b"<c  r='D5'"),  # the number-typed ID, spelt otherwise
    lambda xml: xml.replace(b'<c r="A3">', b'<c\nr="A3">'),
    lambda xml: xml.replace(b"</sheetData>", b'<!-- --></sheetData>'),
    lambda xml: xml.replace(b'<c r="A3"><v>1</v></c>', b'<c r="A3" t="d"><v>2023-03-01T00:00:00</v></c>'),  # ISO date
    # Written by no spreadsheet program, each hiding a number from a scan that trusted less:
    lambda xml: xml.replace(b'<c r="A3"><v>1</v></c>', b'<?pi <c r="A3"><v>1</v></c>?><c r="A3"><v>1</v></c>'),
    lambda xml: xml.replace(b'<c r="D5"', b"""<c r="D5" x=' t="s'"""),  # the number-typed ID, as if text
    lambda xml: xml.replace(b'<c r="A3"><v>1</v></c>', b'<c r="A3"><v>1</v><v>1.000000001</v></c>'),
    lambda xml: xml.replace(b'<c r="A3"><v>1</v></c>', b'<c r="A3"><v>1</v><is><t>1</t></is></c>'),
    lambda xml: xml.replace(b'<c r="C3" t="s">', b'<c t="s">'),  # placed by its order
    lambda xml: xml.replace(b"</sheetData>", b'</sheetData><extLst><c r="A3"><v>1</v></c></extLst>'),
    lambda xml: xml.replace(b"</sheetData>",  # in a slice of its own: the XML is cut before <rowBreaks
                            b'</sheetData><rowBreaks count="1"><brk id="2"/></rowBreaks><extLst><c r="A3"><v>1</v></c>'
                            b"</extLst>"),
    lambda xml: xml.replace(b'<mergeCell ref="B3:B5"', b'<mergeCell\tref="B3:B5"').replace(b"<mergeCells", b"<x"),
    lambda xml: xml.replace(b"</mergeCells>", b'</mergeCells><mergeCell ref="C3:C4"/>'),  # outside: calamine ignores it
])
def test_a_sheet_written_otherwise_is_read_by_calamine(tmp_path, monkeypatch, change):
    path = _rewrite(_roster(tmp_path / "r.xlsx"), SHEET_XML, change)
    with zipfile.ZipFile(path) as z:
        assert fastxlsx.cell_kinds(z.read(SHEET_XML)) is None
    _same(path, monkeypatch, fast=False)


@pytest.mark.parametrize("value, fmt", [
    (time(10, 30), "hh:mm"),  # calamine's time of day
    (timedelta(hours=30), "[h]:mm"),  # and duration
    (date(1900, 1, 1), "yyyy-mm-dd"),  # the date clerks type for "none"
    (1.7976931348623157e308, "General"),  # fastexcel rounds it to inf
])
def test_a_value_the_fast_read_cannot_give_exactly_sends_the_file_to_calamine(tmp_path, monkeypatch, value, fmt):
    path = _roster(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active["F3"] = value
    wb.active["F3"].number_format = fmt
    wb.save(path)
    _same(path, monkeypatch, fast=False)


def _styled(path: Path, value, fmt: str, **options) -> Path:
    book = xlsxwriter.Workbook(str(path), options)
    ws = book.add_worksheet("花名册")
    ws.write_row(0, 0, ["身份证号", "取得证书日期"])
    ws.write_string(1, 0, "341102199001011328")
    ws.write(1, 1, value, book.add_format({"num_format": fmt}))
    book.close()
    return path


def _cjk(path: Path, value, format_id: int, own_format: bytes = b"") -> Path:
    """A cell in a built-in CJK format, as Chinese Excel writes it: the id alone, no <numFmt>."""
    import re

    _styled(path, value, "yyyy-mm-dd")
    return _rewrite(path, "xl/styles.xml", lambda xml: re.sub(rb"<numFmts.*?</numFmts>", own_format, xml).replace(
        b'numFmtId="164"', f'numFmtId="{format_id}"'.encode()))


@pytest.mark.parametrize("format_id", [*range(27, 37), *range(50, 59)])
def test_a_chinese_built_in_date_format_reads_as_the_date_it_shows(tmp_path, monkeypatch, format_id):
    """yyyy"年"m"月"d"日" (31) and its kin have no <numFmt> of their own: fastexcel's calamine reads
    them as numbers, python-calamine as dates; the fast read gives the date from the number."""
    (sheet,) = _same(_cjk(tmp_path / "r.xlsx", datetime(2023, 3, 15), format_id), monkeypatch, fast=True)
    assert sheet.grid[1, 1] == date(2023, 3, 15) and type(sheet.grid[1, 1]) is date


@pytest.mark.parametrize("value, own_format", [
    (datetime(2023, 3, 15, 8, 30), b""),  # a moment in the day: calamine's own rounding
    (datetime(1900, 3, 1), b""),  # before 1901
    (0.25, b""),  # a time of day
    (datetime(2023, 3, 15), b'<numFmts count="1"><numFmt numFmtId="31" formatCode="0.00"/></numFmts>'),
])
def test_a_chinese_date_format_the_fast_read_cannot_give_goes_to_calamine(tmp_path, monkeypatch, value, own_format):
    _same(_cjk(tmp_path / "r.xlsx", value, 31, own_format), monkeypatch, fast=False)


@pytest.mark.parametrize("value, fmt, options", [
    (400.25, "[h]:mm", {}),  # a duration past a year: fastexcel says 1901-02-03 06:00
    (400.25, "[h]:mm:ss", {}),  # built-in 46
    (0.4375, "hh:mm", {"date_1904": True}),  # the 1904 date system
    (datetime(2023, 3, 15), "yyyy-mm-dd", {"date_1904": True}),
])
def test_durations_and_the_1904_date_system_send_the_workbook_to_calamine(tmp_path, monkeypatch, value, fmt, options):
    _same(_styled(tmp_path / "r.xlsx", value, fmt, **options), monkeypatch, fast=False)


def test_a_formula_text_with_an_escaped_character_is_read_by_calamine(tmp_path, monkeypatch):
    path = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("花名册").write_formula("A1", '="x"', None, "x_x0041_y")
    book.close()
    (sheet,) = _same(path, monkeypatch, fast=False)
    assert sheet.grid[0, 0] == "xAy"


@pytest.mark.parametrize("stored", [b"2", b"1.0"])
def test_a_boolean_calamine_refuses_is_not_read_the_fast_way(tmp_path, stored):
    path = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("花名册").write_boolean("A1", True)
    book.close()
    _rewrite(path, SHEET_XML, lambda xml: xml.replace(b"<v>1</v>", b"<v>" + stored + b"</v>"))
    with zipfile.ZipFile(path) as z:
        assert fastxlsx.cell_kinds(z.read(SHEET_XML)) is None


def test_every_visible_sheet_is_read_and_a_hidden_one_is_not(tmp_path, monkeypatch):
    path = tmp_path / "r.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "琅琊区"
    wb.active.append(["身份证号", "姓名"])
    hidden = wb.create_sheet("旧表")
    hidden.sheet_state = "hidden"
    wb.create_sheet("南谯区").append([341102199001011328, "x"])
    wb.save(path)
    book = source.PendingSheet(path).result()
    assert [s.name for s in book.sheets] == ["琅琊区", "南谯区"] and book.hidden == ["旧表"]
    assert book.sheets[1].grid.tolist() == [[341102199001011328.0, "x"]]
