"""Rosters as they arrive: every format, several sheets, merged cells, hidden rows, totals rows,
IDs Excel turned into numbers, and 性别 / 出生日期 columns that contradict the ID."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from swtalent.api import run_compute
from swtalent.engine import ERROR, PAID
from swtalent.errors import SwtalentError
from swtalent.policy import load_policy
from swtalent.roster import load_roster

from .conftest import CHUZHOU, HEADERS, make_id, person
from .formats import write_book

POLICY = load_policy(CHUZHOU)


def found(ros):
    return [(i.code, i.location.sheet, i.location.row, i.location.column) for i in ros.issues]


def sample_rows():
    """Three people, one with a checksum mistake, and a 合计 line at the bottom."""
    bad = make_id(3)[:-1] + ("1" if make_id(3)[-1] != "1" else "2")
    return [HEADERS,
            person(1, level="社会工作师", hired=date(2020, 5, 1)),
            person(2, name="王　芳", qualified=date(2022, 12, 30), left=date(2023, 6, 30)),
            person(3, pid=bad),
            ["合计", None, None, None, None, None, None, None, "3 人"]]


@pytest.mark.parametrize("suffix,encoding", [(".xlsx", ""), (".xls", ""), (".ods", ""), (".csv", "utf-8"),
                                             (".csv", "utf-8-sig"), (".csv", "gbk"), (".csv", "gb18030")])
def test_every_format_reads_the_same(tmp_path, suffix, encoding):
    path = write_book(tmp_path / f"花名册{suffix}", {"花名册": sample_rows()}, encoding=encoding or "utf-8")
    ros = load_roster(path, POLICY)
    frame = ros.frame
    assert list(frame["row"]) == [2, 3, 4]
    assert list(frame["name"]) == ["测试一", "王芳", "测试三"]
    assert list(frame["person_id"])[:2] == [make_id(1), make_id(2)]
    assert list(frame["level"].astype(object)) == ["intermediate", "assistant", "assistant"]
    assert list(frame["qualified_on"].dt.date) == [date(2023, 3, 15), date(2022, 12, 30), date(2023, 3, 15)]
    assert frame["left_on"].iat[1].date() == date(2023, 6, 30)
    assert list(frame["error"]) == [False, False, True]
    sheet = "" if suffix == ".csv" else "花名册"
    assert found(ros) == [("roster.id-checksum", sheet, 4, "身份证号"), ("roster.total-row", sheet, 5, "")]
    comp = run_compute(path, CHUZHOU, "2023")
    assert comp.total_fen == run_compute(write_book(tmp_path / "same.xlsx", {"花名册": sample_rows()}),
                                         CHUZHOU, "2023").total_fen


def test_ids_kept_as_text_by_an_apostrophe_or_a_formula_are_read(tmp_path):
    rows = [HEADERS, person(1, pid="'" + make_id(1)), person(2, pid='="' + make_id(2) + '"')]
    ros = load_roster(write_book(tmp_path / "r.csv", {"r": rows}), POLICY)
    assert list(ros.frame["person_id"]) == [make_id(1), make_id(2)] and ros.issues == []


def test_a_csv_row_wider_than_its_header_is_held_and_only_that_is_said(tmp_path):
    path = tmp_path / "r.csv"
    shifted = ["测试二", make_id(2), "社区工作者", "专职", "助理社会工作师", "2023-03-15", "滁州市", "", "", "琅琊区"]
    path.write_text("\n".join(",".join(r) for r in [HEADERS, [str(v or "") for v in person(1)], shifted]) + "\n",
                    encoding="utf-8")
    comp = run_compute(path, CHUZHOU, "2023")
    assert list(comp.status) == [PAID, ERROR]
    assert [(i.code, i.location.row) for i in comp.roster.issues] == [("roster.row-width", 3)]
    assert "10 个单元格，多于表头的 9 列" in comp.roster.issues[0].message()


def test_csv_that_is_neither_utf8_nor_gbk(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(",".join(HEADERS).encode("utf-8") + b"\r\n\x81\x20\xff\xfe,1\r\n")
    with pytest.raises(SwtalentError) as exc:
        load_roster(path, POLICY)
    assert [i.code for i in exc.value.issues] == ["file.unreadable"]


def test_csv_ids_excel_wrote_in_scientific_notation(tmp_path):
    rows = [HEADERS, person(1, pid="3.41102E+17"), person(2, pid="341102199001010000")]
    ros = load_roster(write_book(tmp_path / "r.csv", {"r": rows}), POLICY)
    assert [(i.code, i.location.row, i.value) for i in ros.issues] == [
        ("roster.id-number", 2, "3.41102E+17"), ("roster.id-number", 3, "341102199001010000")]
    assert "文本格式" in ros.issues[0].hint()
    assert list(ros.frame["error"]) == [True, True]


def test_an_id_ending_in_000_that_is_valid_is_valid(tmp_path):
    """About one real ID in 1,100 ends in 000 with a right checksum: it is not a lost-digits ID."""
    real = next(make_id(seq, born=born) for born in ("19900101", "19850505", "19770707") for seq in range(0, 1000, 10)
                if make_id(seq, born=born).endswith("000"))
    ros = load_roster(write_book(tmp_path / "r.csv", {"r": [HEADERS, person(1, pid=real)]}), POLICY)
    assert ros.issues == [] and list(ros.frame["person_id"]) == [real]


def district(name: str, first: int, order: list[int] | None = None) -> list[list]:
    """A district's sheet, its columns optionally in another order."""
    rows = [HEADERS] + [person(first + k, district=name) for k in range(2)]
    order = order or list(range(len(HEADERS)))
    return [[row[j] for j in order] for row in rows]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_every_sheet_of_one_shape_is_one_roster(tmp_path, suffix):
    shuffled = [1, 0, 8, 2, 3, 4, 5, 6, 7]
    sheets = {"琅琊区": district("琅琊区", 1), "说明": [["填表说明：每人一行"]], "南谯区": district("南谯区", 11, shuffled)}
    sheets["南谯区"].append(person(1, district="南谯区"))  # the same person and level as on 琅琊区 row 2
    sheets["南谯区"][3] = [sheets["南谯区"][3][j] for j in shuffled]
    ros = load_roster(write_book(tmp_path / f"全市{suffix}", sheets), POLICY)
    assert ros.sheets == ["琅琊区", "南谯区"]
    assert list(zip(ros.frame["sheet"], ros.frame["row"], ros.frame["district"])) == [
        ("琅琊区", 2, "琅琊区"), ("琅琊区", 3, "琅琊区"), ("南谯区", 2, "南谯区"), ("南谯区", 3, "南谯区"),
        ("南谯区", 4, "南谯区")]
    assert found(ros) == [("roster.sheet-skipped", "说明", None, ""), ("roster.duplicate", "南谯区", 4, "身份证号")]
    assert "工作表「琅琊区」第 2 行" in ros.issues[1].message("zh")
    assert ros.issues[1].location.cell == "A4"  # 身份证号 is the first column on 南谯区
    one = load_roster(write_book(tmp_path / f"again{suffix}", sheets), POLICY, sheet="南谯区")
    assert list(one.frame["sheet"].unique()) == ["南谯区"] and len(one.frame) == 3


def test_sheets_of_another_shape_stop_the_run(tmp_path):
    other = [row[:-1] for row in district("南谯区", 11)]  # no 区县 column
    with pytest.raises(SwtalentError) as exc:
        load_roster(write_book(tmp_path / "r.xlsx", {"琅琊区": district("琅琊区", 1), "南谯区": other}), POLICY)
    (issue,) = exc.value.issues
    assert (issue.code, issue.location.sheet, issue.location.row) == ("roster.sheet-shape", "南谯区", 1)
    assert "缺少：区县" in issue.message("zh")


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_merged_district_cells_belong_to_every_row(tmp_path, suffix):
    rows = [HEADERS] + [person(k, district="凤阳县" if k == 1 else None) for k in (1, 2, 3)] + [person(4)]
    ros = load_roster(write_book(tmp_path / f"r{suffix}", {"花名册": rows}, merged={"花名册": [(1, 3, 8)]}), POLICY)
    assert list(ros.frame["district"]) == ["凤阳县", "凤阳县", "凤阳县", "琅琊区"]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_hidden_rows_are_computed_and_said(tmp_path, suffix):
    rows = [HEADERS] + [person(k) for k in (1, 2, 3)]
    path = write_book(tmp_path / f"r{suffix}", {"花名册": rows}, hidden={"花名册": [2]})
    comp = run_compute(path, CHUZHOU, "2023")
    assert list(comp.status) == [PAID, PAID, PAID]
    assert [(i.code, i.location.row, i.value) for i in comp.roster.issues] == [("roster.row-hidden", 3, "测试二")]


def test_hidden_sheets_are_said_not_read(tmp_path):
    import xlsxwriter

    path = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("花名册")
    old = book.add_worksheet("去年")
    for sheet in (ws, old):
        sheet.write_row(0, 0, HEADERS)
        sheet.write_row(1, 0, [v.isoformat() if isinstance(v, date) else v for v in person(1)])
    old.hide()
    book.close()
    ros = load_roster(path, POLICY)
    assert ros.sheets == ["花名册"]
    assert found(ros) == [("roster.sheet-hidden", "去年", None, "")]


def test_totals_lines_anywhere_are_not_people(roster):
    rows = [person(1, district="琅琊区"), ["小 计", None, None, None, None, None, None, None, "1人"],
            person(2, district="南谯区"), ["南谯区小计", None] + [None] * 7, [None, "总计：2人"] + [None] * 7]
    ros = load_roster(roster(rows), POLICY)
    assert list(ros.frame["row"]) == [2, 4]
    assert [(i.code, i.location.row) for i in ros.issues] == [
        ("roster.total-row", 3), ("roster.total-row", 5), ("roster.total-row", 6)]


def test_a_person_called_like_a_total_is_still_a_person(roster):
    ros = load_roster(roster([person(1, name="合计")]), POLICY)
    assert list(ros.frame["name"]) == ["合计"] and not ros.issues


PERSON_HEADERS = HEADERS + ["性别", "出生年月"]


@pytest.mark.parametrize("gender,birth,codes", [
    ("男", date(1990, 1, 1), []),  # make_id's sequence 1 is odd: male, born 1990-01-01
    ("男", 1990.01, []),  # 出生年月 typed as a number: 1990.01
    ("男", "1990年1月", []),
    ("男性", "1990.01.01", []),
    ("女", date(1990, 1, 1), ["roster.id-gender"]),
    ("男", 1990.11, ["roster.id-birth-mismatch"]),  # November
    ("男", "1991-01-01", ["roster.id-birth-mismatch"]),
    ("男", "1990.1", []),  # January typed, or October whose zero Excel dropped: either is accepted
    ("男", 199001, []),
    ("男", "1990年", []),
    ("未知", "", ["roster.gender-unknown"]),
    ("", "1990年13月", ["roster.birth-date-invalid"]),
    ("", "90.01", ["roster.birth-date-invalid"]),
])
def test_gender_and_birth_columns_against_the_id(roster, gender, birth, codes):
    ros = load_roster(roster([person(1) + [gender, birth]], headers=PERSON_HEADERS), POLICY)
    assert [i.code for i in ros.issues] == codes
    errors = [i for i in ros.issues if i.severity == "error"]
    assert bool(ros.frame["error"].iat[0]) == bool(errors)
    for issue in ros.issues:
        assert issue.location.column in ("性别", "出生年月") and issue.location.row == 2


def test_gender_message_says_what_the_id_means(roster):
    ros = load_roster(roster([person(2) + ["男", None]], headers=PERSON_HEADERS), POLICY)
    (issue,) = ros.issues
    assert issue.code == "roster.id-gender" and "表示女" in issue.message("zh")


def test_error_cell_alone_on_a_row_is_not_a_blank_row(tmp_path):
    import xlsxwriter

    path = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("花名册")
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, [v.isoformat() if isinstance(v, date) else v for v in person(1)])
    ws.write_formula(2, 1, "=NA()", None, "#N/A")
    book.close()
    comp = run_compute(path, CHUZHOU, "2023")
    assert list(comp.status) == [PAID, ERROR]
    assert "roster.cell-error" in [i.code for i in comp.roster.issues if i.location.row == 3]
    assert np.array_equal(comp.roster.frame["row"], [2, 3])


def test_payment_sheet_names_each_lines_sheet_when_there_are_several(tmp_path):
    import openpyxl

    from swtalent.reports.files import write_outputs

    path = write_book(tmp_path / "全市.xlsx", {"琅琊区": district("琅琊区", 1), "南谯区": district("南谯区", 11)})
    comp = run_compute(path, CHUZHOU, "2023")
    write_outputs(comp, [tmp_path / "out.xlsx"])
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["发放花名册（一次性）"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    head = list(rows[0])
    at_sheet, at_row = head.index("工作表"), head.index("来源行")
    assert at_row == at_sheet + 1
    sources = {(r[at_sheet], r[at_row]) for r in rows[1:] if isinstance(r[0], (int, float))}
    assert sources == {("琅琊区", 2), ("琅琊区", 3), ("南谯区", 2), ("南谯区", 3)}


def test_columns_section_of_the_policy_maps_a_bureaus_own_headers(tmp_path):
    text = CHUZHOU.read_text(encoding="utf-8").replace(
        "\nlevels:\n", "\ncolumns:\n  person_id: [证件号]\n  district: [所属县区]\nlevels:\n", 1)
    policy = tmp_path / "policy.yaml"
    policy.write_text(text, encoding="utf-8")
    headers = [{"身份证号": "证件号", "区县": "所属县区"}.get(h, h) for h in HEADERS]
    ros = load_roster(write_book(tmp_path / "r.xlsx", {"花名册": [headers, person(1, district="凤阳县")]}),
                      load_policy(policy))
    assert list(ros.frame["person_id"]) == [make_id(1)] and list(ros.frame["district"]) == ["凤阳县"]
    assert ros.headers["person_id"] == "证件号" and not ros.issues


def test_error_cells_in_an_xls_file_hold_the_row(tmp_path):
    import xlwt

    path = tmp_path / "r.xls"
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("花名册")
    for j, h in enumerate(HEADERS):
        ws.write(0, j, h)
    for i in (1, 2):
        for j, v in enumerate(person(i)):
            if v is not None:
                ws.write(i, j, v.isoformat() if isinstance(v, date) else v)
    ws.row(2).set_cell_error(7, 42)  # #N/A in 离职日期: not "still in post"
    wb.save(str(path))
    comp = run_compute(path, CHUZHOU, "2023")
    assert list(comp.status) == [PAID, ERROR]
    assert [(i.code, i.location.row, i.location.column, i.value) for i in comp.roster.issues] == [
        ("roster.cell-error", 3, "离职日期", "#N/A")]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_a_blank_row_inside_a_merged_range_stays_blank(tmp_path, suffix):
    rows = [HEADERS, person(1, district="凤阳县"), [None] * 9, person(3, district=None)]
    ros = load_roster(write_book(tmp_path / f"r{suffix}", {"花名册": rows}, merged={"花名册": [(1, 3, 8)]}), POLICY)
    assert list(ros.frame["row"]) == [2, 4] and list(ros.frame["district"]) == ["凤阳县", "凤阳县"]
    assert ros.issues == []


def test_hidden_rows_inside_an_ods_row_group(tmp_path):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow, TableRowGroup
    from odf.text import P

    def row(values, **kw):
        tr = TableRow(**kw)
        for v in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(v or "")))
            tr.addElement(cell)
        return tr

    doc = OpenDocumentSpreadsheet()
    table = Table(name="花名册")
    table.addElement(row(HEADERS))
    table.addElement(row([v.isoformat() if isinstance(v, date) else v for v in person(1)]))
    group = TableRowGroup()
    for k in (2, 3):
        group.addElement(row([v.isoformat() if isinstance(v, date) else v for v in person(k)], visibility="collapse"))
    table.addElement(group)
    table.addElement(row([v.isoformat() if isinstance(v, date) else v for v in person(4)]))
    doc.spreadsheet.addElement(table)
    doc.save(str(tmp_path / "r.ods"))
    ros = load_roster(tmp_path / "r.ods", POLICY)
    assert [(i.code, i.location.row) for i in ros.issues] == [("roster.row-hidden", 3), ("roster.row-hidden", 4)]


def test_one_person_two_bank_accounts_is_held_a_blank_one_is_not(roster):
    headers = HEADERS + ["银行账号"]
    rows = [person(1) + ["6217000011112222333"], person(1, level="社会工作师") + ["6217000099998888777"],
            person(2) + ["6217000011110000111"], person(2, level="社会工作师") + [None]]
    ros = load_roster(roster(rows, headers=headers), POLICY)
    assert [(i.code, i.location.row, i.location.column) for i in ros.issues] == [
        ("roster.person-conflict", 3, "银行账号")]
    assert list(ros.frame["error"]) == [False, True, False, False]
