"""The sheets as paper: what a clerk prints, signs and posts. Each test reads the written file's own
print settings back with openpyxl (orientation, fit to page, print titles, row heights, merged
cells, footers, page breaks), never what the code meant to write."""
from __future__ import annotations

import openpyxl
import pytest

from swtalent.api import run_compute
from swtalent.periods import Period
from swtalent.reports.files import write_outputs

from .conftest import CHUZHOU, EXAMPLE


@pytest.mark.parametrize("text,zh", [("2023", "2023年度"), ("2023-05", "2023年5月"), ("2023-01..2023-06", "2023年1月至6月"),
                                     ("2023-07..2024-06", "2023年7月至2024年6月"), ("2022-01..2023-12", "2022年度至2023年度")])
def test_a_period_reads_as_a_title_says_it(text, zh):
    assert Period.parse(text).title("zh") == zh
    assert Period.parse(text).title("en") == Period.parse(text).label()


def test_the_default_batch_line_reads_2023_nian_du(tmp_path):
    comp = run_compute(EXAMPLE, CHUZHOU, "2023")
    write_outputs(comp, [tmp_path / "p.xlsx"])
    book = openpyxl.load_workbook(tmp_path / "p.xlsx")
    subtitle = book["发放花名册（一次性）"]["A2"].value
    assert "期间：2023年度" in subtitle and "批次：2023年度" in subtitle
    assert book["汇总"]["A1"].value.endswith("（2023年度）")


def column_width(sheet, col: int) -> float:
    """A column's width as Excel shows it (1-based column; openpyxl keeps a run of equal columns under its first)."""
    for dim in sheet.column_dimensions.values():
        if dim.min and dim.max and dim.min <= col <= dim.max:
            return dim.width - 5 / 7  # the file keeps five pixels of padding with it
    raise AssertionError(f"no width for column {col}")


# --- the payroll as signed ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def example_book(tmp_path_factory):
    out = tmp_path_factory.mktemp("print") / "payments.xlsx"
    comp = run_compute(EXAMPLE, CHUZHOU, "2023")
    write_outputs(comp, [out])
    return comp, out, openpyxl.load_workbook(out)


def row_height(sheet, row: int) -> float:
    """A row's height: its own, or the sheet's default (a payroll's lines take the default, written once)."""
    fmt = sheet.sheet_format
    return sheet.row_dimensions[row].height or (fmt.defaultRowHeight if fmt.customHeight else 15)


def kinds_of_rows(sheet) -> list[str]:
    """Each row from the header down: header, line, subtotal, total, words, signatures, seal."""
    out = ["header"]
    names = [r[1] for r in sheet.iter_rows(min_row=4, values_only=True)]
    tail = names.index("合计")
    out += ["subtotal" if n == "小计" else "line" for n in names[:tail]]
    return out + ["total", "words", "signatures", "seal"]


def pages_of(sheet) -> list[list[int]]:
    """The sheet's rows (1-based) page by page, by its manual row breaks."""
    starts = [b.id + 1 for b in sheet.row_breaks.brk]  # brk id: the last row of a page, 1-based
    rows = range(1, sheet.max_row + 1)
    edges = [1, *starts, sheet.max_row + 1]
    return [[r for r in rows if edges[k] <= r < edges[k + 1]] for k in range(len(edges) - 1)]


@pytest.mark.parametrize("name", ["发放花名册（一次性）", "发放花名册（按月）"])
def test_payroll_rows_are_tall_enough_to_sign_at_the_printed_scale(example_book, name):
    _, _, book = example_book
    sheet = book[name]
    scale = sheet.page_setup.scale / 100
    assert sheet.sheet_format.customHeight and sheet.sheet_format.defaultRowHeight * scale >= 28.3
    for row, kind in enumerate(kinds_of_rows(sheet), start=3):
        height = row_height(sheet, row)
        if kind == "line":
            assert height * scale >= 28.3, (row, height, scale)  # 1 cm on paper
        if kind == "seal":
            assert height * scale >= 56  # room for a seal, 2 cm
        if kind == "signatures":
            assert height * scale >= 28.3


def test_a_person_paid_at_two_levels_signs_once(example_book):
    comp, _, book = example_book
    sheet = book["发放花名册（按月）"]
    header = [c.value for c in sheet[3]]
    rows = [r for r in sheet.iter_rows(min_row=4) if r[1].value == "孙志强"]
    assert len(rows) == 1  # the second line's name is under the merged cell
    first = rows[0][0].row
    second = [dict(zip(header, (c.value for c in r))) for r in sheet.iter_rows(min_row=first + 1, max_row=first + 1)][0]
    assert (second["等级"], second["月数"], second["金额（元）"]) == ("社会工作师", 7, 2800)  # its own level and amount
    assert second["计算说明"] and second["来源行"] == 9  # and how it was reached, on screen
    merged = {str(m) for m in sheet.merged_cells.ranges}
    for column in ("序号", "姓名", "身份证号", "区县", "工作单位", "银行账号", "签字"):
        letter = openpyxl.utils.get_column_letter(header.index(column) + 1)
        assert f"{letter}{first}:{letter}{first + 1}" in merged, column
    for column in ("等级", "月数", "金额（元）"):
        letter = openpyxl.utils.get_column_letter(header.index(column) + 1)
        assert not any(m.startswith(f"{letter}{first}:") for m in merged)
    sun = comp.lines[comp.lines["name"] == "孙志强"]
    assert len(sun[sun["kind"] == "monthly"]) == 2


def test_signature_blocks_are_the_distinct_people_and_accounts():
    """Who signs together (payroll._codes, which compares each line with the next of its ID) against
    the plain count of distinct (ID, name, account) combinations: a person paid to two accounts,
    alternately, signs twice, once an account; a missing account is one value."""
    import numpy as np
    import pandas as pd

    from swtalent.reports.payroll import _codes

    rng = np.random.default_rng(7)
    for _ in range(30):
        n = int(rng.integers(1, 60))
        frame = pd.DataFrame({
            "person_id": rng.choice(["A", "B", "C", None], n).astype(object),
            "name": rng.choice(["甲", "乙"], n, p=[0.9, 0.1]).astype(object),
            "bank_account": rng.choice(["1", "2", None, float("nan")], n, p=[0.7, 0.1, 0.1, 0.1]).astype(object),
        })
        keys = [tuple("missing" if v is None or v != v else v for v in row) for row in frame.itertuples(index=False)]
        expected = pd.factorize(pd.Series(keys, dtype=object))[0]
        assert list(_codes(frame, list(frame.columns))) == list(expected)


@pytest.mark.parametrize("name", ["发放花名册（一次性）", "发放花名册（按月）"])
def test_payroll_totals_head_count_words_signatures_and_seal(example_book, name):
    comp, _, book = example_book
    sheet = book[name]
    header = [c.value for c in sheet[3]]
    printed = header.index("签字") + 1
    last = openpyxl.utils.get_column_letter(printed)
    kinds = kinds_of_rows(sheet)
    total = 3 + kinds.index("total")
    rule = "certificate-subsidy" if "一次性" in name else "post-allowance"
    lines = comp.lines[comp.lines["rule_id"] == rule]
    persons, n = lines["person_id"].nunique(), len(lines)
    assert sheet.cell(total, 2).value == "合计"
    assert sheet.cell(total, 3).value == (f"{persons} 人" if persons == n else f"{persons} 人，{n} 笔")
    merged = {str(m) for m in sheet.merged_cells.ranges}
    for offset, kind in ((1, "words"), (2, "signatures"), (3, "seal")):
        assert f"A{total + offset}:{last}{total + offset}" in merged, kind  # inside the printed width
    assert sheet.cell(total + 1, 1).value.startswith("人民币（大写）：")
    assert sheet.cell(total + 3, 1).value == "单位（盖章）："
    assert sheet.cell(total + 2, 1).alignment.wrap_text  # a narrow payroll wraps the signature line


@pytest.mark.parametrize("name", ["发放花名册（一次性）", "发放花名册（按月）"])
def test_amount_header_is_aligned_with_its_amounts(example_book, name):
    _, _, book = example_book
    sheet = book[name]
    header = [c.value for c in sheet[3]]
    col = header.index("金额（元）") + 1
    assert sheet.cell(3, col).alignment.horizontal == "right"
    assert sheet.cell(4, col).alignment.horizontal in (None, "general", "right")  # a number: right in Excel
    assert isinstance(sheet.cell(4, col).value, (int, float))
    assert sheet.cell(3, header.index("姓名") + 1).alignment.horizontal == "center"


@pytest.mark.parametrize("name", ["发放花名册（一次性）", "发放花名册（按月）"])
def test_payroll_pages_fit_keep_people_whole_and_end_with_lines_above_the_totals(example_book, name):
    _, path, book = example_book
    sheet = book[name]
    scale = sheet.page_setup.scale / 100
    assert sheet.page_setup.useFirstPageNumber and not sheet.sheet_properties.pageSetUpPr.fitToPage
    landscape = sheet.page_setup.orientation == "landscape"
    height = (595.28 if landscape else 841.89) - (sheet.page_margins.top + sheet.page_margins.bottom) * 72
    kinds = dict(enumerate(kinds_of_rows(sheet), start=3))
    pages = pages_of(sheet)
    assert len(pages) >= 2 and sheet.oddFooter.center.text == f"第 &P 页 共 {len(pages)} 页"
    header_h = row_height(sheet, 3)
    for k, page in enumerate(pages):
        rows = page if k == 0 else [3] + page  # the header repeats
        used = sum(row_height(sheet, r) for r in rows)
        assert used * scale <= height, (k, used)
    merged_rows = [(m.min_row, m.max_row) for m in sheet.merged_cells.ranges if m.max_row > m.min_row]
    for first, last in merged_rows:  # a person's lines on one page
        assert any(first in page and last in page for page in pages)
    last_page = pages[-1]
    assert {"total", "words", "signatures", "seal"} <= {kinds[r] for r in last_page}
    assert sum(kinds[r] == "line" for r in last_page) >= 4
    assert all(kinds.get(p[0]) != "subtotal" for p in pages[1:])  # a subtotal stays under its group
    assert header_h >= 30


def test_page_plan_never_leaves_the_totals_alone_or_with_three_lines():
    from swtalent.reports.printing import plan_pages

    tail = 150.0
    for n in range(1, 80):
        for line_h in (30.0, 37.5):
            firsts = list(range(3, 3 + n)) + [3 + n]
            heights = [line_h] * n + [tail]
            lines = [1] * n + [0]
            breaks = plan_pages(firsts, heights, lines, above=74, repeat=30, capacity=500)
            starts = [3, *breaks]
            assert starts == sorted(set(starts))
            on_last = sum(1 for r in range(breaks[-1] if breaks else 3, 3 + n))
            assert on_last >= min(4, n), (n, line_h, breaks)
            for k, b in enumerate(breaks):  # every page fits
                top = starts[k]
                rows = range(top, b)
                used = (74 if k == 0 else 30) + sum(heights[r - 3] for r in rows)
                assert used <= 500, (n, breaks)


def test_no_repeated_row_in_the_sheet_xml(example_book):
    """rustpy-xlsxwriter 0.8 writes a height given to the last row twice; Excel calls that damage."""
    import re
    import zipfile

    _, path, _ = example_book
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        for name in (n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
            rows = [int(r) for r in re.findall(rb'<row r="(\d+)"', z.read(name))]
            assert rows == sorted(set(rows)), name


def test_a_payroll_beyond_excels_page_breaks_counts_its_pages_as_printed(tmp_path, monkeypatch):
    from swtalent.reports import payroll, printing

    monkeypatch.setattr(payroll, "MAX_BREAKS", 1)
    monkeypatch.setattr(printing, "MAX_BREAKS", 1)
    comp = run_compute(EXAMPLE, CHUZHOU, "2023")
    write_outputs(comp, [tmp_path / "p.xlsx"])
    sheet = openpyxl.load_workbook(tmp_path / "p.xlsx")["发放花名册（按月）"]
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert len(sheet.row_breaks.brk) == 1  # the last break kept: the end of the sheet is still planned


# --- every other sheet ----------------------------------------------------------------------------

OTHER = ["汇总", "不予发放", "数据问题", "计算依据"]


@pytest.mark.parametrize("name", OTHER)
def test_every_other_sheet_prints_one_page_wide_with_its_header_and_its_own_page_numbers(example_book, name):
    from swtalent.reports.printing import column_points, printable

    _, _, book = example_book
    sheet = book[name]
    ps = sheet.page_setup
    assert ps.paperSize == 9 and sheet.sheet_properties.pageSetUpPr.fitToPage
    if name == "汇总":  # short tables under one header: one page, the 合计 never alone on a second
        assert ps.fitToWidth in (None, 1) and ps.fitToHeight in (None, 1) and not sheet.print_title_rows
    else:
        assert ps.fitToWidth in (None, 1) and ps.fitToHeight == 0  # one page wide, as long as it takes
        assert sheet.print_title_rows == "$1:$1"
    assert sheet.oddFooter.center.text == "&A　第 &P 页" and ps.useFirstPageNumber
    widths = [column_width(sheet, k + 1) for k in range(sheet.max_column)]
    total = sum(column_points(w) for w in widths)
    # landscape where wide: upright it would print below 85%
    assert (ps.orientation == "landscape") == (total * 0.85 > printable(False)[0])


@pytest.mark.parametrize("name,column", [("数据问题", "问题"), ("数据问题", "处理建议"), ("计算依据", "内容"),
                                         ("不予发放", "原因")])
def test_long_texts_wrap_in_rows_tall_enough_for_them(example_book, name, column):
    from swtalent.reports.printing import display_width

    _, _, book = example_book
    sheet = book[name]
    header = [c.value for c in sheet[1]]
    col = header.index(column) + 1
    cells = column_width(sheet, col)
    assert 24 <= cells <= 60
    wrapped = 0
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row, col)
        if cell.value is None:
            continue
        assert cell.alignment.wrap_text
        need = -(-display_width(cell.value) // (cells - 1.5)) if cell.value else 1
        if need > 1:
            wrapped += 1
            assert row_height(sheet, row) >= need * 15, (row, cell.value)
    assert wrapped or name == "不予发放"


def test_district_chart_sits_under_its_table_on_one_page(example_book):
    import zipfile

    _, path, book = example_book
    sheet = book["区县汇总"]
    ps = sheet.page_setup
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and (ps.fitToWidth, ps.fitToHeight) in ((1, 1), (None, None))
    assert ps.paperSize == 9 and ps.useFirstPageNumber
    area = sheet.print_area.split("!")[-1].replace("$", "")
    with zipfile.ZipFile(path) as z:
        drawing = z.read(next(n for n in z.namelist() if n.startswith("xl/drawings/drawing"))).decode()
    import re
    (row_from,), (row_to,), (col_to,) = (re.findall(r"<xdr:from><xdr:col>\d+</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)", drawing),
                                         re.findall(r"<xdr:to><xdr:col>\d+</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)", drawing),
                                         re.findall(r"<xdr:to><xdr:col>(\d+)</xdr:col>", drawing))
    assert int(row_from) > sheet.max_row - 1  # under the table
    last_col, last_row = re.match(r"A1:([A-Z]+)(\d+)", area).groups()
    assert int(last_row) >= int(row_to) + 1 and openpyxl.utils.column_index_from_string(last_col) >= int(col_to) + 1


def test_a_large_sheet_is_amended_in_pieces_to_the_same_file(tmp_path, monkeypatch):
    """A payroll of 100,000 lines is amended as it streams past (its start and end changed, the
    middle compressed in runs on two threads): with pieces a few kilobytes long, the example's
    workbook reads back the same as amended whole."""
    import zipfile

    from swtalent.reports import printing

    comp = run_compute(EXAMPLE, CHUZHOU, "2023")
    whole, pieces = tmp_path / "whole.xlsx", tmp_path / "pieces.xlsx"
    write_outputs(comp, [whole])
    monkeypatch.setattr(printing, "HEAD", 8192)
    monkeypatch.setattr(printing, "TAIL", 4096)
    monkeypatch.setattr(printing, "CHUNK", 5000)
    write_outputs(comp, [pieces])
    with zipfile.ZipFile(whole) as a, zipfile.ZipFile(pieces) as b:
        assert a.testzip() is None and b.testzip() is None
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        for name in a.namelist():
            if name != "docProps/core.xml":  # the time it was made
                assert a.read(name) == b.read(name), name
