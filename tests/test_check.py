"""`swtalent check`: one fixture per problem code (code, sheet, row and column), the terminal and
JSON reports, exit codes, and the marked-up copy read back with its fills, comments and links."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from swtalent.api import run_check
from swtalent.errors import CATALOGUE, SwtalentError

from .conftest import CHUZHOU, EXAMPLE, HEADERS, ROOT, cn, make_id, person
from .formats import write_book
from .test_cli import invoke

AWARD = ROOT / "tests" / "policies" / "award-base.yaml"
UNIT_QUOTA = ROOT / "tests" / "policies" / "award-unit-quota.yaml"
NOMINATIONS = ROOT / "tests" / "policies" / "award-nominations.yaml"
TITLE_QUOTA = ROOT / "tests" / "policies" / "title-unit-quota.yaml"  # a blank score: not a candidate
XIYUAN = ROOT / "policies" / "xiyuan.yaml"  # a policy's own fields and checks
XY_HEADERS = ["姓名", "身份证号", "户籍所在地", "工作单位", "社保缴纳月数", "是否在编", "单位性质", "申请日期", "证书等级",
              "取得证书日期", "入职日期", "开户行"]


def xy(seq: int, *, payroll: str = "否", kind: str = "社会组织", bank: str = "农业银行溪源支行",
       hired: object = date(2020, 1, 1)) -> list:
    return [f"溪源{cn(seq)}", make_id(seq), "溪源市", "溪源市社工站", 24, payroll, kind, date(2023, 3, 1), "社会工作师",
            date(2023, 5, 1), hired, bank]


AWARD_HEADERS = ["姓名", "身份证号", "工作领域", "推荐单位", "证书等级", "从事社会工作年限", "评审得分"]
PERSON_HEADERS = HEADERS + ["性别", "出生年月"]


def cand(seq: int, score: object = 90, *, unit: str = "甲单位", level: str = "社会工作师", years: object = 5) -> list:
    return [f"候选{cn(seq)}", make_id(seq), "社会福利", unit, level, years, score]


def book(tmp: Path, rows: list[list], headers: list[str] = HEADERS, suffix: str = ".xlsx", **kw) -> Path:
    return write_book(tmp / f"roster{suffix}", {"花名册": [headers] + rows}, **kw)


def raw_xlsx(tmp: Path, fill) -> Path:
    """A workbook written by hand, for what write_book does not do (formulas, hidden sheets)."""
    path = tmp / "roster.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    fill(wb)
    wb.close()
    return path


def _error_cell(wb):
    ws = wb.add_worksheet("花名册")
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, [v.isoformat() if isinstance(v, date) else v for v in person(1)])
    ws.write_formula(1, 7, "=NA()", None, "#N/A")


def _hidden_sheet(wb):
    for name in ("花名册", "去年"):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, HEADERS)
        ws.write_row(1, 0, [v.isoformat() if isinstance(v, date) else v for v in person(1)])
    wb.worksheets()[1].hide()


def by_script(tmp: Path, row: list, **cells) -> Path:
    """A roster written by a program (openpyxl), which checks neither a cell's length nor stores a
    formula's result, as Excel would: cells={'H2': '=DATE(2023,3,31)'}."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = R
    ws.append(HEADERS)
    ws.append([v.isoformat() if isinstance(v, date) else v for v in row])
    for name, value in cells.items():
        ws[name] = value
    wb.save(tmp / "roster.xlsx")
    return tmp / "roster.xlsx"


def _bomb(tmp: Path) -> Path:
    """A workbook with a part that inflates a thousand times: refused before anything is inflated."""
    import zipfile

    path = book(tmp, [person(1)])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * (17 * 2**20))
    return path


def _folder(tmp: Path) -> Path:
    (tmp / "r.xlsx").mkdir()
    return tmp / "r.xlsx"


def text_file(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def bytes_file(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _without(column: str) -> tuple[list[str], list[list]]:
    j = HEADERS.index(column)
    return HEADERS[:j] + HEADERS[j + 1:], [person(1)[:j] + person(1)[j + 1:]]


BAD_SUM = make_id(2)[:-1] + ("0" if make_id(2)[-1] != "0" else "1")
R = "花名册"

# code -> (build(tmp) -> path, policy, options, (sheet, row, column) of the problem)
CASES = {
    "file.not-found": (lambda t: t / "nothing.xlsx", CHUZHOU, {}, ("", None, "")),
    "file.unreadable": (lambda t: bytes_file(t / "r.xlsx", b"PK\x03\x04" + b"\x00" * 60), CHUZHOU, {}, ("", None, "")),
    "file.not-a-workbook": (lambda t: text_file(t / "r.xlsx", ",".join(HEADERS) + "\n"), CHUZHOU, {}, ("", None, "")),
    "file.format": (lambda t: text_file(t / "r.txt", "x"), CHUZHOU, {}, ("", None, "")),
    "file.not-a-file": (_folder, CHUZHOU, {}, ("", None, "")),
    "file.too-large": (lambda t: text_file(t / "r.csv", ",".join(HEADERS) + "\n" + "x" * (2**20 + 5000)), CHUZHOU,
                       {"max_rows": 4}, ("", None, "")),
    "file.too-many-rows": (lambda t: book(t, [person(k) for k in range(1, 34)], suffix=".csv"), CHUZHOU,
                           {"max_rows": 2}, ("", None, "")),
    "file.inflates": (_bomb, CHUZHOU, {}, ("", None, "")),
    "file.too-wide": (lambda t: book(t, [person(1) + [None] * 16374 + ["x"]]), CHUZHOU, {}, (R, None, "")),
    "file.too-many-cells": (lambda t: book(t, [person(1)] + [[]] * 4998 + [[None] * 255 + ["x"]]), CHUZHOU,
                            {"max_rows": 10}, (R, None, "")),
    "file.sheet-not-found": (lambda t: book(t, [person(1)]), CHUZHOU, {"sheet": "无此表"}, ("", None, "")),
    "roster.header-not-found": (lambda t: book(t, [["张三", "x"]], ["姓名", "备注"]), CHUZHOU, {}, ("", None, "")),
    "roster.map-not-found": (lambda t: book(t, [person(1)]), CHUZHOU, {"column_map": {"证件号": "person_id"}},
                             (R, 1, "")),
    "roster.column-absent": (lambda t: book(t, _without("入职日期")[1], _without("入职日期")[0]), CHUZHOU, {},
                             (R, 1, "")),
    "roster.columns-ignored": (lambda t: book(t, [person(1) + ["x"]], HEADERS + ["备注"]), CHUZHOU, {}, (R, 1, "")),
    "roster.cell-error": (lambda t: raw_xlsx(t, _error_cell), CHUZHOU, {}, (R, 2, "离职日期")),
    "roster.column-missing": (lambda t: book(t, _without("证书等级")[1], _without("证书等级")[0]), CHUZHOU, {},
                              (R, 1, "")),
    "roster.column-twice": (lambda t: book(t, [person(1) + [make_id(1)]], HEADERS + ["证件号码"]), CHUZHOU, {},
                            (R, 1, "证件号码")),
    "roster.row-skipped": (lambda t: book(t, [[1] + person(1), [2] + [None] * 9], ["序号"] + HEADERS), CHUZHOU, {},
                           (R, 3, "")),
    "roster.total-row": (lambda t: book(t, [person(1), ["合计"] + [None] * 8]), CHUZHOU, {}, (R, 3, "")),
    "roster.signoff-row": (lambda t: book(t, [person(1), ["制表人：张三", None, "审核人：李四", "日期：2024.1.8"]]), CHUZHOU, {}, (R, 3, "")),
    "roster.row-hidden": (lambda t: book(t, [person(1), person(2)], hidden={R: [2]}), CHUZHOU, {}, (R, 3, "")),
    "roster.sheet-hidden": (lambda t: raw_xlsx(t, _hidden_sheet), CHUZHOU, {}, ("去年", None, "")),
    "roster.sheet-skipped": (lambda t: write_book(t / "r.xlsx", {R: [HEADERS, person(1)], "说明": [["每人一行"]]}),
                             CHUZHOU, {}, ("说明", None, "")),
    "roster.sheet-shape": (lambda t: write_book(t / "r.xlsx", {R: [HEADERS, person(1)], "乙": [HEADERS[:-1], person(2)[:-1]]}),
                           CHUZHOU, {}, ("乙", 1, "")),
    "roster.no-rows": (lambda t: book(t, []), CHUZHOU, {}, (R, None, "")),
    "roster.id-missing": (lambda t: book(t, [person(1, pid="")]), CHUZHOU, {}, (R, 2, "身份证号")),
    "roster.id-number": (lambda t: book(t, [person(1, pid=341102199001010010.0)]), CHUZHOU, {}, (R, 2, "身份证号")),
    "roster.id-length": (lambda t: book(t, [person(1, pid=make_id(1)[:17])]), CHUZHOU, {}, (R, 2, "身份证号")),
    "roster.id-format": (lambda t: book(t, [person(1, pid=make_id(1)[:16] + "O" + make_id(1)[-1])]), CHUZHOU, {},
                         (R, 2, "身份证号")),
    "roster.id-checksum": (lambda t: book(t, [person(1), person(2, pid=BAD_SUM)]), CHUZHOU, {}, (R, 3, "身份证号")),
    "roster.id-birth-date": (lambda t: book(t, [person(1, pid=make_id(1, born="19900230"))]), CHUZHOU, {},
                             (R, 2, "身份证号")),
    "roster.id-gender": (lambda t: book(t, [person(1) + ["女", None]], PERSON_HEADERS), CHUZHOU, {}, (R, 2, "性别")),
    "roster.id-birth-mismatch": (lambda t: book(t, [person(1) + ["男", "1991-01-01"]], PERSON_HEADERS), CHUZHOU, {},
                                 (R, 2, "出生年月")),
    "roster.gender-unknown": (lambda t: book(t, [person(1) + ["?", None]], PERSON_HEADERS), CHUZHOU, {}, (R, 2, "性别")),
    "roster.birth-date-invalid": (lambda t: book(t, [person(1) + ["男", "90.01"]], PERSON_HEADERS), CHUZHOU, {},
                                  (R, 2, "出生年月")),
    "roster.csv-quote": (lambda t: text_file(t / "r.csv", ",".join(HEADERS) + "\n测试一," + make_id(1)
                                             + ',社区工作者,助理社会工作师,2023-03-15,"滁州市,,,琅琊区\n测试二,'
                                             + make_id(2) + ",社区工作者,助理社会工作师,2023-03-15,滁州市,,,琅琊区\n"),
                         CHUZHOU, {}, ("", 2, "报考地")),
    "roster.row-width": (lambda t: text_file(t / "r.csv", ",".join(HEADERS) + "\n测试一," + make_id(1)
                                             + ",社区工作者,专职,助理社会工作师,2023-03-15,滁州市,,,琅琊区\n"),
                         CHUZHOU, {}, ("", 2, "")),
    "roster.id-region-unknown": (lambda t: book(t, [person(1, pid=make_id(1, region="999901"))]), CHUZHOU, {},
                                 (R, 2, "身份证号")),
    "roster.name-missing": (lambda t: book(t, [person(1, name="")]), CHUZHOU, {}, (R, 2, "姓名")),
    "roster.level-missing": (lambda t: book(t, [person(1, level="")]), CHUZHOU, {}, (R, 2, "证书等级")),
    "roster.level-unknown": (lambda t: book(t, [person(1, level="心理咨询师")]), CHUZHOU, {}, (R, 2, "证书等级")),
    "roster.date-missing": (lambda t: book(t, [person(1, qualified=None)]), CHUZHOU, {}, (R, 2, "取得证书日期")),
    "roster.date-invalid": (lambda t: book(t, [person(1, qualified="2023年13月")]), CHUZHOU, {}, (R, 2, "取得证书日期")),
    "roster.date-serial": (lambda t: book(t, [person(1, hired="45078")], suffix=".csv"), CHUZHOU, {}, ("", 2, "入职日期")),
    "roster.date-implausible": (lambda t: book(t, [person(1, qualified=date(1905, 7, 15))]), CHUZHOU, {},
                                (R, 2, "取得证书日期")),
    "roster.date-ambiguous": (lambda t: book(t, [person(1, hired="2023.1")]), CHUZHOU, {}, (R, 2, "入职日期")),
    "roster.formula-no-value": (lambda t: by_script(t, person(1), H2="=DATE(2023,3,31)"), CHUZHOU, {}, (R, 2, "离职日期")),
    "roster.name-invalid": (lambda t: book(t, [person(1, name='=HYPERLINK("http://x","点我")')]), CHUZHOU, {},
                            (R, 2, "姓名")),
    "roster.cell-too-long": (lambda t: by_script(t, person(1, place="滁州" * 20000)), CHUZHOU, {}, (R, 2, "报考地")),
    "roster.personal-number": (lambda t: book(t, [person(1) + ["幸福社区 6217000011112222"]], HEADERS + ["工作单位"]),
                               CHUZHOU, {}, (R, 2, "工作单位")),
    "roster.number-missing": (lambda t: book(t, [cand(1, None)], AWARD_HEADERS), AWARD, {}, (R, 2, "评审得分")),
    "roster.number-invalid": (lambda t: book(t, [cand(1, "优秀")], AWARD_HEADERS), AWARD, {}, (R, 2, "评审得分")),
    "roster.number-ignored": (lambda t: book(t, [cand(1, years="五年")], AWARD_HEADERS), AWARD, {},
                              (R, 2, "从事社会工作年限")),
    "roster.level-ignored": (lambda t: book(t, [cand(1, level="心理咨询师")], AWARD_HEADERS), AWARD, {},
                             (R, 2, "证书等级")),
    "roster.value-required": (lambda t: book(t, [cand(1, unit="")], AWARD_HEADERS), UNIT_QUOTA, {}, (R, 2, "推荐单位")),
    "roster.too-many-nominees": (lambda t: book(t, [cand(1, unit="乙单位"), cand(2)], AWARD_HEADERS), NOMINATIONS, {},
                                 (R, 3, "推荐单位")),
    "roster.candidate-value-missing": (lambda t: book(t, [cand(1, None, unit=""), cand(2, 90, unit="")],
                                                      AWARD_HEADERS), TITLE_QUOTA, {}, (R, 3, "推荐单位")),
    "roster.leave-before-hire": (lambda t: book(t, [person(1, hired=date(2023, 5, 1), left=date(2023, 1, 1))]),
                                 CHUZHOU, {}, (R, 2, "离职日期")),
    "roster.value-missing": (lambda t: book(t, [person(1, place="")]), CHUZHOU, {}, (R, 2, "报考地")),
    "roster.duplicate": (lambda t: book(t, [person(1), person(1)]), CHUZHOU, {}, (R, 3, "身份证号")),
    "roster.number-as-text-lost": (lambda t: book(t, [person(1) + [6217000011112222333.0]], HEADERS + ["银行账号"]),
                                   CHUZHOU, {}, (R, 2, "银行账号")),
    "roster.yes-no-invalid": (lambda t: book(t, [xy(1), xy(2, payroll="也许")], XY_HEADERS), XIYUAN, {},
                              (R, 3, "是否在编")),
    # 入职 2022年5月 against "no later than 12 months before 2023-05-01": the 1st meets it, the 31st not.
    "roster.date-imprecise": (lambda t: book(t, [xy(1), xy(2, hired="2022年5月")], XY_HEADERS), XIYUAN, {},
                              (R, 3, "入职日期")),
    "roster.field-absent": (lambda t: book(t, [xy(1)], XY_HEADERS), XIYUAN, {}, (R, 1, "")),  # no 已获同类奖励
    "roster.choice-unknown": (lambda t: book(t, [xy(1, kind="私企")], XY_HEADERS), XIYUAN, {}, (R, 2, "单位性质")),
    "roster.policy-check": (lambda t: book(t, [xy(1), xy(2, bank="工商银行溪源支行")], XY_HEADERS), XIYUAN, {},
                            (R, 3, "开户行")),
    "roster.person-conflict": (lambda t: book(t, [person(1), person(1, level="社会工作师", hired=date(2020, 1, 1))]),
                               CHUZHOU, {}, (R, 3, "入职日期")),
    # An award scored from service records: 12.5 letters answered is not a count.
    "roster.record-not-whole": (lambda t: book(t, [["记录" + cn(1), make_id(1), 10, 1, 2], ["记录" + cn(2), make_id(2), 12.5, 1, 2]],
                                               ["姓名", "身份证号", "来信回复数", "个案结案数", "动员志愿者人数"]),
                                ROOT / "tests" / "policies" / "award-records.yaml", {}, (R, 3, "来信回复数")),
}

# Organisations (candidates: organisations): a station's unified social credit code, checked by GB 32100.
YUNXI = ROOT / "policies" / "yunxi-stations.yaml"
STATION_HEADERS = ["社工站名称", "统一社会信用代码", "来信回复数", "一对一帮扶人数", "小组活动次数", "个案结案数", "督导小时数"]
STATION_CODE = "52369901MJ0001001U"  # valid: GB 32100 gives 52369901MJ0001001 the check character U


def station(seq: int, code: object = STATION_CODE) -> list:
    return [f"第{cn(seq)}社工站", code, 10, 5, 1, 2, 3]


CASES |= {
    "roster.code-missing": (lambda t: book(t, [station(1, "")], STATION_HEADERS), YUNXI, {}, (R, 2, "统一社会信用代码")),
    # All digits, typed as a number: 18 digits do not fit a double, the last ones are gone.
    "roster.code-number": (lambda t: book(t, [station(1, 523699011000010012.0)], STATION_HEADERS), YUNXI, {},
                           (R, 2, "统一社会信用代码")),
    "roster.code-format": (lambda t: book(t, [station(1, "52369901MJ00010O1U")], STATION_HEADERS), YUNXI, {},
                           (R, 2, "统一社会信用代码")),  # the letter O for 0
    "roster.code-checksum": (lambda t: book(t, [station(1), station(2, STATION_CODE[:-1] + "R")], STATION_HEADERS),
                             YUNXI, {}, (R, 3, "统一社会信用代码")),
}


def test_every_roster_problem_code_has_a_fixture():
    codes = {c for c in CATALOGUE if c.split(".")[0] in ("roster", "file")}
    assert codes == set(CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_problem_code_names_its_cell(tmp_path, code):
    build, policy, options, (sheet, row, column) = CASES[code]
    path = build(tmp_path)
    try:
        issues = run_check(path, policy, **options).issues
    except SwtalentError as exc:
        issues = exc.issues
    where = [(i.location.sheet, i.location.row, i.location.column) for i in issues if i.code == code]
    assert where == [(sheet, row, column)], [i.render() for i in issues]
    assert all(i.location.file == str(path) for i in issues)
    issue = next(i for i in issues if i.code == code)
    if column and row and path.suffix == ".xlsx":  # the cell named is in the column whose header the problem names
        letters = issue.location.cell.rstrip("0123456789")
        assert issue.location.cell == f"{letters}{row}"
        header = openpyxl.load_workbook(path)[sheet][f"{letters}1"].value
        assert header == column


def check_json(*args):
    result = invoke("check", *args, "--json")
    return result.exit_code, json.loads(result.stdout)


def test_check_example_lists_what_compute_would(tmp_path):
    code, report = check_json(EXAMPLE, "--policy", CHUZHOU)
    assert code == 1 and report["ok"] is False  # the example carries deliberate mistakes
    computed = json.loads(invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--json").stdout)
    assert report["problems"] == computed["problems"]
    assert report["rows_in"] == 72 and report["rows_with_errors"] == computed["rows_with_errors"] == 5
    assert {p["code"] for p in report["problems"]} >= {"roster.id-checksum", "roster.id-number", "roster.duplicate"}
    assert all(p["cell"] for p in report["problems"] if p["column"])


def test_clean_roster_passes_and_warnings_do_not_fail(tmp_path):
    path = book(tmp_path, [person(1), person(2, pid=make_id(2, region="999901"))])
    code, report = check_json(path, "--policy", CHUZHOU)
    assert code == 0 and report["ok"] is True
    assert [(p["code"], p["severity"]) for p in report["problems"]] == [("roster.id-region-unknown", "warning")]
    result = invoke("check", path, "--policy", CHUZHOU)
    assert result.exit_code == 0 and "roster.id-region-unknown" in result.stdout


def test_without_a_policy_the_national_levels_are_the_rule(tmp_path):
    path = book(tmp_path, [person(1, level="中级"), person(2, level="心理咨询师")])
    code, report = check_json(path)
    assert code == 1
    assert [(p["code"], p["row"]) for p in report["problems"]] == [("roster.level-unknown", 3)]
    names_only = write_book(tmp_path / "names.xlsx", {"名单": [["姓名", "身份证号"], ["张三", make_id(1)]]})
    code, report = check_json(names_only)
    assert code == 0 and report["problems"] == [] and report["rows_in"] == 1


def test_a_roster_that_cannot_be_read_is_exit_1_with_the_reason(tmp_path):
    code, report = check_json(book(tmp_path, [["张三", "x"]], ["姓名", "备注"]))
    assert code == 1 and report["ok"] is False
    assert [p["code"] for p in report["problems"]] == ["roster.header-not-found"]


def test_annotated_copy_keeps_the_workbook_and_marks_every_problem(tmp_path):
    src = tmp_path / "township.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("花名册")
    ws.set_column(1, 1, 24)
    ws.write_row(0, 0, HEADERS, wb.add_format({"bold": True}))
    rows = [person(1), person(2, pid=BAD_SUM), person(3, level="心理咨询师"), person(4, pid=make_id(4, region="999901"))]
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            if isinstance(v, date):
                ws.write_datetime(i, j, v, day)
            elif v is not None:
                ws.write(i, j, v)
    wb.add_worksheet("备注").write(0, 0, "乡镇的备注")
    wb.close()
    out = tmp_path / "checked.xlsx"
    result = invoke("check", src, "--policy", CHUZHOU, "--annotate", out)
    assert result.exit_code == 1 and out.exists()

    back = openpyxl.load_workbook(out)
    assert back.sheetnames == ["数据问题", "花名册", "备注"]
    roster = back["花名册"]
    assert roster.column_dimensions["B"].width > 20 and roster["A1"].font.b  # the clerk's formatting is kept
    assert roster["E2"].number_format == "yyyy-mm-dd" and back["备注"]["A1"].value == "乡镇的备注"
    listed = list(back["数据问题"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2], r[3]) for r in listed] == [
        ("roster.sheet-skipped", "备注", None), ("roster.id-checksum", "花名册", "B3"),
        ("roster.level-unknown", "花名册", "D4"), ("roster.id-region-unknown", "花名册", "B5")]
    for k, (severity, code, sheet, ref, row, column, value, message, hint) in enumerate(listed[1:], start=3):
        link = back["数据问题"].cell(row=k, column=4).hyperlink
        assert link.location == f"'{sheet}'!{ref}"
        cell = back[sheet][ref]
        assert str(cell.value) == value and message in cell.comment.text and hint in cell.comment.text
        assert cell.fill.fgColor.rgb.endswith("FFC7CE" if severity == "错误" else "FFEB9C")
    assert roster["A2"].comment is None and roster["B2"].fill.fgColor.rgb in (None, "00000000")


@pytest.mark.parametrize("suffix", [".csv", ".xls", ".ods"])
def test_annotated_copy_of_other_formats_is_made_by_value(tmp_path, suffix):
    rows = [person(1), person(2, pid=BAD_SUM), ["合计"] + [None] * 8]
    src = book(tmp_path, rows, suffix=suffix, **({"encoding": "gbk"} if suffix == ".csv" else {}))
    out = tmp_path / "checked.xlsx"
    assert invoke("check", src, "--policy", CHUZHOU, "--annotate", out, "--lang", "en").exit_code == 1
    back = openpyxl.load_workbook(out)
    sheet = "roster" if suffix == ".csv" else "花名册"
    assert back.sheetnames == ["Problems", sheet]
    assert back[sheet]["B3"].value == BAD_SUM and "checksum" in back[sheet]["B3"].comment.text
    assert back[sheet]["A4"].value == "合计" and "totals row" in back[sheet]["A4"].comment.text
    assert back[sheet]["A1"].value == "姓名"


def test_annotate_refuses_to_overwrite_the_roster_or_write_another_format(tmp_path):
    src = book(tmp_path, [person(1)])
    assert invoke("check", src, "--annotate", src).exit_code == 2
    assert invoke("check", src, "--annotate", tmp_path / "checked.csv").exit_code == 2


def test_annotating_merged_cells_odd_sheet_names_and_control_characters(tmp_path):
    src = tmp_path / "r.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("Tom's")
    ws.write_row(0, 0, HEADERS)
    for i, row in enumerate([person(2, pid=BAD_SUM, name="王\x0b芳"), person(2, pid=BAD_SUM, level="社会工作师")], 1):
        ws.write_row(i, 0, [v.isoformat() if isinstance(v, date) else v for v in row])
    ws.merge_range(1, 1, 2, 1, BAD_SUM)  # one ID cell for the person's two certificate rows
    wb.close()
    out = tmp_path / "checked.xlsx"
    assert invoke("check", src, "--policy", CHUZHOU, "--annotate", out).exit_code == 1
    back = openpyxl.load_workbook(out)
    listed = list(back["数据问题"].iter_rows(min_row=2, values_only=True))
    # A control character makes the name no name: the row is held for it too.
    assert [(r[1], r[3]) for r in listed] == [("roster.name-invalid", "A2"), ("roster.id-checksum", "B2"),
                                              ("roster.id-checksum", "B2")]
    assert back["数据问题"]["D3"].hyperlink.location == "'Tom''s'!B2"
    assert back["Tom's"]["B2"].comment.text.count("校验码") == 2  # both rows' problems on the cell shown
    assert [s.sheet_view.tabSelected for s in back.worksheets] == [True, False]

    csv = write_book(tmp_path / "花名册[南谯].csv", {"r": [HEADERS, person(1, name="李\x0b四", pid=BAD_SUM)]})
    assert invoke("check", csv, "--policy", CHUZHOU, "--annotate", out, "--force").exit_code == 1
    back = openpyxl.load_workbook(out)
    assert back.sheetnames == ["数据问题", "花名册南谯"] and back["花名册南谯"]["A2"].value == "李四"
