"""Reading rosters: header detection, aliases, normalisation, and one case per row problem."""
from __future__ import annotations

import random
from datetime import date

import numpy as np
import pandas as pd
import pytest
from stdnum.cn import ric

from swtalent.api import run_compute
from swtalent.engine import ERROR, PAID
from swtalent.errors import SwtalentError
from swtalent.policy import load_policy
from swtalent.roster import load_roster
from swtalent.roster.dates import parse_date
from swtalent.roster.ids import check_ids

from .conftest import CHUZHOU, HEADERS, make_id, person

POLICY = load_policy(CHUZHOU)


def problems(path, **kw):
    ros = load_roster(path, POLICY, **kw)
    return ros, [(i.code, i.location.sheet, i.location.row, i.location.column, i.value) for i in ros.issues]


@pytest.mark.parametrize("cell,code,value", [
    (make_id(1)[:-1] + ("0" if make_id(1)[-1] != "0" else "1"), "roster.id-checksum", None),
    (make_id(1)[:17], "roster.id-length", None),
    (make_id(1)[:16] + "O" + make_id(1)[-1], "roster.id-format", None),
    (341102199001010010.0, "roster.id-number", "341102199001010000"),
    ("", "roster.id-missing", ""),
])
def test_id_problems_name_the_cell(roster, cell, code, value):
    path = roster([person(1), person(2, pid=cell)], title_rows=2)
    ros, found = problems(path)
    # two title rows plus a blank after each: the header is on Excel row 5, the bad row on 7
    assert found == [(code, "花名册", 7, "身份证号", value if value is not None else str(cell))]
    assert list(ros.frame["error"]) == [False, True]


def test_id_birth_date_must_be_a_real_date(roster):
    bad = make_id(3, born="19900230")
    _, found = problems(roster([person(pid=bad)]))
    assert found == [("roster.id-birth-date", "花名册", 2, "身份证号", bad)]


def test_region_code_is_never_a_reason_to_withhold(roster):
    """琅琊区 341102 was created in 1992; a holder born in 1985 carries it and must be paid."""
    older = make_id(4, born="19850101", region="341102")
    unknown = make_id(5, region="999901")
    comp = run_compute(roster([person(pid=older), person(pid=unknown)]), CHUZHOU, "2023")
    assert not ric.is_valid(older)  # the library's birthplace check would have rejected this real ID
    assert list(comp.status) == [PAID, PAID]
    assert [(i.code, i.severity, i.location.row) for i in comp.roster.issues] == [
        ("roster.id-region-unknown", "warning", 3)]


def test_id_normalised_fullwidth_spaces_and_lowercase_x(roster):
    pid = next(make_id(s) for s in range(1000) if make_id(s).endswith("X"))
    typed = " " + pid[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "x "
    ros, found = problems(roster([person(pid=typed)]))
    assert found == []
    assert ros.frame["person_id"][0] == pid


@pytest.mark.parametrize("row,code,column,value", [
    (person(name=""), "roster.name-missing", "姓名", ""),
    (person(level=""), "roster.level-missing", "证书等级", ""),
    (person(level="心理咨询师"), "roster.level-unknown", "证书等级", "心理咨询师"),
    (person(qualified=None), "roster.date-missing", "取得证书日期", ""),
    (person(qualified="2023-13-01"), "roster.date-invalid", "取得证书日期", "2023-13-01"),
    (person(qualified="明年"), "roster.date-invalid", "取得证书日期", "明年"),
    (person(hired="2020/2/30"), "roster.date-invalid", "入职日期", "2020/2/30"),
    (person(hired=date(2023, 5, 1), left=date(2023, 4, 1)), "roster.leave-before-hire", "离职日期", "2023-04-01"),
])
def test_row_errors_pay_nothing_and_name_the_cell(roster, row, code, column, value):
    comp = run_compute(roster([row]), CHUZHOU, "2023")
    assert [(i.code, i.location.row, i.location.column, i.value) for i in comp.roster.issues] == [
        (code, 2, column, value)]
    assert list(comp.status) == [ERROR]
    assert comp.lines.empty


def test_a_leaving_date_before_the_hire_date_names_both_on_its_own_row(roster):
    comp = run_compute(roster([person(1), person(2, hired=date(2023, 5, 1), left=date(2023, 4, 1)), person(3)]),
                       CHUZHOU, "2023")
    (issue,) = comp.roster.issues
    assert issue.location.row == 3 and issue.message() == "离职日期 2023-04-01 早于入职日期 2023-05-01"


def test_blank_condition_value_is_a_warning_and_the_row_is_not_eligible(roster):
    comp = run_compute(roster([person(category="")]), CHUZHOU, "2023")
    assert [(i.code, i.severity, i.location.column) for i in comp.roster.issues] == [
        ("roster.value-missing", "warning", "人员类别")]
    assert list(comp.status) == ["ineligible"]


def test_duplicate_id_and_level_later_row_is_the_problem_first_still_pays(roster):
    pid = make_id(9)
    rows = [person(pid=pid), person(2), person(pid=pid), person(pid=pid, level="社会工作师")]
    comp = run_compute(roster(rows), CHUZHOU, "2023")
    assert [(i.code, i.location.row, i.message()) for i in comp.roster.issues] == [
        ("roster.duplicate", 4, "与第 2 行重复（同一身份证号、同一证书等级），本行不予发放")]
    assert list(comp.status) == [PAID, PAID, ERROR, PAID]  # a second level is a second certificate


@pytest.mark.parametrize("cell", [date(2023, 2, 8), "2023-02-08", "2023/2/8", "2023.02.08", "2023年2月8日",
                                  "2023 年 2 月 8 日", "20230208", 44965, "2023-02-08 00:00:00"])
def test_every_date_format(roster, cell):
    ros, found = problems(roster([person(qualified=cell)]))
    assert found == []
    assert ros.frame["qualified_on"][0] == pd.Timestamp("2023-02-08")


def test_month_only_date_is_the_first_of_the_month():
    assert parse_date("2023年2月") == date(2023, 2, 1)
    assert parse_date(2023) is None  # a bare year is not an Excel date
    assert parse_date(True) is None


def test_header_found_below_titles_with_aliases_and_extra_columns(roster):
    headers = ["序号", "姓名", "公民身份号码", "身份类别", "职业资格等级", "发证日期", "报名地", "上岗时间", "离职时间", "备注"]
    row = [1] + person(1)[:8] + ["无"]
    ros, found = problems(roster([row], headers=headers, title_rows=3))
    assert found == [("roster.columns-ignored", "花名册", 7, "", "")]  # 备注 is said to be unused
    assert "备注" in ros.issues[0].message()
    assert ros.headers["person_id"] == "公民身份号码"
    assert list(ros.frame["row"]) == [8]


def test_blank_rows_are_skipped_and_not_counted(roster):
    rows = [person(1), [None] * len(HEADERS), person(2)]
    ros, _ = problems(roster(rows))
    assert list(ros.frame["row"]) == [2, 4]


def test_missing_required_column_stops_with_the_accepted_names(roster):
    path = roster([person(1)[:3]], headers=HEADERS[:3])
    with pytest.raises(SwtalentError) as exc:
        load_roster(path, POLICY)
    codes = [(i.code, i.location.row) for i in exc.value.issues]
    assert ("roster.column-missing", 1) in codes
    assert "取证日期" in exc.value.issues[1].render()


def test_column_map_from_option(roster):
    headers = ["姓名", "证件号", "人员类别", "证书等级", "取得证书日期", "报考地"]
    path = roster([person(1)[:6]], headers=headers)
    with pytest.raises(SwtalentError):
        load_roster(path, POLICY)
    ros = load_roster(path, POLICY, column_map={"证件号": "person_id"})
    assert ros.frame["person_id"][0] == make_id(1)


def test_sheet_option_and_unknown_sheet(roster):
    path = roster([person(1)], sheet="琅琊区")
    assert len(load_roster(path, POLICY, sheet="琅琊区").frame) == 1
    with pytest.raises(SwtalentError) as exc:
        load_roster(path, POLICY, sheet="南谯区")
    assert exc.value.issues[0].code == "file.sheet-not-found"


def test_vectorised_checksum_agrees_with_python_stdnum():
    rng = random.Random(5)
    ids = [f"{rng.randint(110000, 659999)}{rng.randint(1950, 2010)}{rng.randint(1, 12):02d}"
           f"{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}" for _ in range(2000)]
    found = check_ids(np.array([i + "0" for i in ids], dtype=object))
    assert list(found.expected) == [ric.calc_check_digit(i + "0") for i in ids]
    samples = ["11010519491231002X", "440524188001010014", "11010519490229002X", "11010520000229002X", "短"]
    found = check_ids(np.array(samples, dtype=object))
    assert list(found.checksum_ok) == [len(s) == 18 and ric.calc_check_digit(s) == s[-1] for s in samples]
    assert list(found.birth_ok) == [True, False, False, True, False]  # 1880 is before 1900; 1949 not a leap year
    from swtalent.roster.ids import region_known

    mixed = samples + ["990105194912310020", "11010519491231002", "１１０１０５１９４９１２３１００２X", "ABCDEF194912310020"]
    found = check_ids(np.array(mixed, dtype=object))
    assert list(found.region_known) == [bool(shaped) and region_known(s[:6]) for s, shaped in zip(mixed, found.shaped)]
    assert list(found.region_known) == [True, True, True, True, False, False, False, False, False]
    # Every ID in ASCII, not all 18 long: those of 18 are checked, the others are not shaped.
    plain = ["11010519491231002X", "1101051949123100", "", "11010519491231002X0", "110105194912310021"]
    found = check_ids(np.array(plain, dtype=object))
    assert list(found.length) == [18, 16, 0, 19, 18] and list(found.shaped) == [True, False, False, False, True]
    assert list(found.checksum_ok) == [True, False, False, False, False] and list(found.expected) == ["X", "", "", "", "X"]


@pytest.mark.parametrize("kind", [".xlsx", ".csv"])
def test_rows_are_one_person_exactly_when_their_ids_are_equal(tmp_path, kind):
    """Each row's person number is what numbering its ID text would give (pd.factorize): a valid ID
    is numbered as a number, and every other ID (blank, short, a wrong check character, typed as a
    number, its last digits lost, full width, lower-case x) as its text, never as a valid one's."""
    from .conftest import write_roster

    x_id = next(make_id(k) for k in range(1, 200) if make_id(k).endswith("X"))
    ids = [make_id(1), make_id(2), make_id(1), "", "3411021990", make_id(3)[:-1] + "0", 341102199001010000,
           "３４１１０２１９９００１０１００１" + make_id(1)[-1], x_id.lower(), x_id, "", "3411021990", make_id(2),
           "341102197507271000", "341102197507271000"]  # a number's last digits lost, written out as text
    rows = [person(k + 1, pid=i) for k, i in enumerate(ids)]
    path = write_roster(tmp_path / f"r{kind}", rows) if kind == ".xlsx" else tmp_path / "r.csv"
    if kind == ".csv":
        path.write_text("\n".join(",".join(map(str, [*HEADERS])) if r is None else ",".join(
            "" if v is None else str(v) for v in r) for r in [None, *rows]) + "\n", encoding="utf-8")
    frame = load_roster(path, POLICY).frame
    assert frame["person"].tolist() == pd.factorize(frame["person_id"].to_numpy())[0].tolist()
    who = frame["person"].tolist()
    assert who[0] == who[2] == who[7] and who[1] == who[12]  # the same ID, full width too
    assert who[8] == who[9] != who[1] and who[4] == who[11] != who[3]  # x is X; the short one twice
    assert who[13] == who[14] == who[3] and frame["person_id"][13] == ""  # lost digits: no ID, as blank
    assert len(set(who)) == len(set(frame["person_id"]))


def test_byte_matrix_birth_dates_agree_with_python_stdnum():
    """stdnum's get_birth_date is the reference; ours also refuses years before 1900."""
    from stdnum.exceptions import ValidationError

    rng = random.Random(7)
    bodies = [f"341102{rng.randint(1900, 2030)}{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}{rng.randint(0, 999):03d}"
              for _ in range(5000)]
    ids = [b + ric.calc_check_digit(b + "0") for b in bodies]
    found = check_ids(np.array(ids, dtype=object))

    def stdnum_ok(number):
        try:
            ric.get_birth_date(number)
            return True
        except ValidationError:
            return False
    assert list(found.birth_ok) == [stdnum_ok(i) for i in ids]
    # and the date itself, which a condition on age compares (NaT where there is none)
    assert [str(d) if ok else "NaT" for d, ok in zip(found.birth, found.birth_ok)] == [
        str(ric.get_birth_date(i)) if stdnum_ok(i) else "NaT" for i in ids]
    assert str(check_ids(np.array(["１１０１０５１９４９１２３１００２X", "短"], dtype=object)).birth[1]) == "NaT"


def test_region_table_agrees_with_python_stdnum():
    from stdnum import numdb

    from swtalent.roster.ids import region_known

    db = numdb.get("cn/loc")
    rng = random.Random(11)
    for code in ["341102", "110105", "999901"] + [f"{rng.randint(110000, 829999)}" for _ in range(3000)]:
        assert region_known(code) == any("county" in props for _, props in db.info(code)), code


def test_excel_error_cell_holds_the_row(tmp_path):
    """A #N/A left by a formula in 离职日期 must not read as 'still in post'."""
    import xlsxwriter

    path = tmp_path / "errors.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("花名册")
    ws.write_row(0, 0, HEADERS)
    for r, row in enumerate([person(1), person(2)], start=1):
        ws.write_row(r, 0, [v.isoformat() if isinstance(v, date) else v for v in row])
    ws.write_formula(2, HEADERS.index("离职日期"), "=NA()", None, "#N/A")
    book.close()
    comp = run_compute(path, CHUZHOU, "2023")
    assert [(i.code, i.location.row, i.location.column, i.value) for i in comp.roster.issues] == [
        ("roster.cell-error", 3, "离职日期", "#N/A")]
    assert list(comp.status) == [PAID, ERROR]


@pytest.mark.parametrize("field,first,later", [
    ("离职日期", date(2023, 3, 31), None),  # left in March on one row, not on the other
    ("入职日期", date(2023, 9, 1), None),
    ("人员类别", "社区工作人员", "志愿者"),
    ("姓名", "张三", "李四"),
])
def test_a_persons_rows_must_agree_on_person_facts(roster, field, first, later):
    pid = make_id(21)
    rows = [person(pid=pid, level="助理社会工作师", qualified=date(2022, 1, 1)),
            person(pid=pid, level="社会工作师", qualified=date(2023, 6, 1))]
    j = HEADERS.index(field)
    rows[0][j], rows[1][j] = first, later
    comp = run_compute(roster(rows), CHUZHOU, "2023")
    assert [(i.code, i.location.row, i.location.column) for i in comp.roster.issues] == [
        ("roster.person-conflict", 3, field)]
    assert list(comp.status)[1] == ERROR
    assert "第 2 行" in comp.roster.issues[0].message()


def test_absent_optional_columns_are_said(roster):
    path = roster([person(1)[:6]], headers=HEADERS[:6])
    ros, found = problems(path)
    assert [(c, s) for c, *_ in found for s in [ros.issues[0].severity]] == [
        ("roster.column-absent", "warning"), ("roster.column-absent", "warning")]
    assert "入职日期" in ros.issues[0].message() and "离职日期" in ros.issues[1].message()


def test_rows_of_spaces_are_not_data_rows(roster):
    rows = [person(1), [" ", "　", None, "", None, None, None, None, None], person(2)]
    ros, found = problems(roster(rows))
    assert found == []
    assert list(ros.frame["row"]) == [2, 4]


def test_bank_account_typed_as_a_number_holds_the_row(roster):
    headers = HEADERS + ["银行账号"]
    rows = [person(1) + ["6217000011112222333"], person(2) + [6217000011112222333.0], person(3) + [123456.0]]
    comp = run_compute(roster(rows, headers=headers), CHUZHOU, "2023")
    assert [(i.code, i.location.row, i.value) for i in comp.roster.issues] == [
        ("roster.number-as-text-lost", 3, "6217000011112220000")]
    assert list(comp.status) == [PAID, ERROR, PAID]
    assert list(comp.roster.frame["bank_account"]) == ["6217000011112222333", "6217000011112220000", "123456"]


@pytest.mark.parametrize("cell,level", [("助理社会工作师（初级）", "assistant"), ("中级社工师", "intermediate"),
                                        ("高级社会工作师 ", "senior")])
def test_level_spellings(roster, cell, level):
    ros, found = problems(roster([person(level=cell)]))
    assert found == [] and ros.frame["level"][0] == level


@pytest.mark.parametrize("cell", ["至今", "在职", "—"])
def test_leave_date_written_as_still_in_post(roster, cell):
    comp = run_compute(roster([person(qualified=date(2022, 5, 1), left=cell)]), CHUZHOU, "2023")
    assert comp.roster.issues == [] and int(comp.lines["months"].sum()) == 12


@pytest.mark.parametrize("cell", ["2023-02", "2023/2", "2023年2月"])
def test_month_only_dates(roster, cell):
    ros, found = problems(roster([person(qualified=cell)]))
    assert found == [] and ros.frame["qualified_on"][0] == pd.Timestamp("2023-02-01")


def test_names_padded_with_spaces_are_one_name(roster):
    ros, _ = problems(roster([person(name="张　三"), person(2, name="John Smith")]))
    assert list(ros.frame["name"]) == ["张三", "John Smith"]


@pytest.mark.parametrize("make,code", [
    (lambda p: p.with_suffix(".txt").write_text("x"), "file.format"),
    (lambda p: p.write_text("not a workbook"), "file.not-a-workbook"),
    (lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 60), "file.unreadable"),
])
def test_files_that_are_not_rosters(tmp_path, make, code):
    path = tmp_path / "roster.xlsx"
    make(path)
    target = path if path.exists() else path.with_suffix(".txt")
    with pytest.raises(SwtalentError) as exc:
        load_roster(target, POLICY)
    assert [i.code for i in exc.value.issues] == [code]


def test_sheet_structure_problems(roster):
    with pytest.raises(SwtalentError) as exc:
        load_roster(roster([["张三", "x"]], headers=["姓名", "备注"]), POLICY)
    assert [i.code for i in exc.value.issues] == ["roster.header-not-found"]
    assert "花名册" in exc.value.issues[0].hint()  # names the sheets there are
    with pytest.raises(SwtalentError) as exc:
        load_roster(roster([], headers=HEADERS), POLICY)
    assert [i.code for i in exc.value.issues] == ["roster.no-rows"]
    twice = HEADERS + ["证件号码"]
    with pytest.raises(SwtalentError) as exc:
        load_roster(roster([person(1) + [make_id(1)]], headers=twice), POLICY)
    assert [(i.code, i.location.column) for i in exc.value.issues] == [("roster.column-twice", "证件号码")]
    with pytest.raises(SwtalentError) as exc:
        load_roster(roster([person(1)]), POLICY, column_map={"证件号": "person_id"})
    assert [i.code for i in exc.value.issues] == ["roster.map-not-found"]


def test_first_visible_sheet_is_the_default(tmp_path):
    import xlsxwriter

    path = tmp_path / "hidden.xlsx"
    book = xlsxwriter.Workbook(str(path))
    hidden = book.add_worksheet("旧表")
    hidden.write_row(0, 0, ["说明"])
    hidden.hide()
    ws = book.add_worksheet("花名册")
    ws.activate()  # Excel cannot hide the active sheet
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, [v.isoformat() if isinstance(v, date) else v for v in person(1)])
    book.close()
    assert load_roster(path, POLICY).sheet == "花名册"


def test_template_lines_are_not_people_but_are_listed(roster):
    headers = ["序号"] + HEADERS
    rows = [[1] + person(1), [2] + [None] * 9, ["合计：2 人"] + [None] * 9, [3] + person(3)]
    ros, found = problems(roster(rows, headers=headers))
    assert list(ros.frame["row"]) == [2, 5]
    assert [(c, r, v) for c, _, r, _, v in found] == [("roster.row-skipped", 3, "2"),
                                                      ("roster.total-row", 4, "合计:2 人")]


def test_header_with_a_template_note(roster):
    headers = ["*姓名", "*身份证号\n（18位）", "人员类别", "证书等级", "取得证书日期\n(年-月-日)", "报考地"]
    ros, found = problems(roster([person(1)[:6]], headers=headers))
    assert [c for c, *_ in found] == ["roster.column-absent"] * 2  # no 入职/离职 columns: warnings only
    assert ros.headers["person_id"] == "*身份证号\n（18位）" and ros.frame["person_id"][0] == make_id(1)


def test_error_cell_in_a_column_no_rule_uses_changes_nothing(tmp_path):
    import xlsxwriter

    path = tmp_path / "unused-error.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("花名册")
    ws.write_row(0, 0, HEADERS + ["证书编号"])
    ws.write_row(1, 0, [v.isoformat() if isinstance(v, date) else v for v in person(1)])
    ws.write_formula(1, len(HEADERS), "=NA()", None, "#N/A")
    book.close()
    comp = run_compute(path, CHUZHOU, "2023")
    assert comp.roster.issues == [] and list(comp.status) == [PAID]


@pytest.mark.parametrize("content,kind", [
    ((",".join(HEADERS) + "\n张三,1\n").encode("utf-8-sig"), "文本（可能是 CSV）"),
    (",".join(HEADERS).encode("gbk"), "文本（可能是 CSV）"),
    (b"", "空的（0 字节）"),
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "网页（HTML）"),
], ids=["csv-utf8", "csv-gbk", "empty", "html"])
@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_a_file_named_as_a_workbook_that_is_none_says_what_it_is(tmp_path, content, kind, suffix):
    """A CSV (or a web page, or nothing) saved with a workbook's name: said in the clerk's words
    (the reader's 'invalid Zip archive: Could not find EOCD' is not), in the CLI's output too."""
    from typer.testing import CliRunner

    from swtalent.cli import app

    path = tmp_path / f"花名册{suffix}"
    path.write_bytes(content)
    with pytest.raises(SwtalentError) as exc:
        load_roster(path, load_policy(CHUZHOU))
    [issue] = exc.value.issues
    assert issue.code == "file.not-a-workbook"
    assert issue.message("zh") == f"不是 Excel 工作簿：文件内容是{kind}，只是文件名以 {suffix} 结尾"
    assert "改名为 .csv" in issue.hint("zh") and "rename it to .csv" in issue.hint("en")
    out = CliRunner().invoke(app, ["check", str(path), "--policy", str(CHUZHOU)])
    assert out.exit_code == 1 and "不是 Excel 工作簿" in out.output and "EOCD" not in out.output
