"""公示名单: masked IDs, no bank account, the mask set by the policy."""
from __future__ import annotations

import csv
import zipfile

import openpyxl
import pytest

from swtalent.api import run_compute
from swtalent.errors import SwtalentError
from swtalent.policy import load_policy

from .conftest import CHUZHOU, EXAMPLE
from .test_cli import invoke


def roster_secrets():
    comp = run_compute(EXAMPLE, CHUZHOU, "2023")
    frame = comp.roster.frame
    ids = {i for i in frame["person_id"] if i}
    accounts = {a for a in frame["bank_account"] if a}
    return comp, ids, accounts


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_notice_holds_no_full_id_and_no_bank_account(tmp_path, suffix):
    comp, ids, accounts = roster_secrets()
    notice = tmp_path / f"公示{suffix}"
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--notice", notice)
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        raw = notice.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so Excel in China opens it
        text = raw.decode("utf-8-sig")
        rows = list(csv.reader(text.splitlines()))
        header, body = rows[0], rows[1:]
    else:
        with zipfile.ZipFile(notice) as z:  # every part of the file, not only the cells openpyxl shows
            text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        sheet = list(openpyxl.load_workbook(notice)["公示名单"].iter_rows(values_only=True))
        assert "公示名单" in sheet[0][0] and sheet[1][0].startswith("公示期：")
        assert [r[0] for r in sheet[-3:]] == [None, "滁州市民政局", "　　　　年　　月　　日"]  # issuer, a date to fill in
        header, body = list(sheet[2]), [list(r) for r in sheet[3:-3]]
    assert not any(i in text for i in ids) and not any(a in text for a in accounts)
    assert header == ["序号", "姓名", "身份证号", "区县", "工作单位", "项目", "等级", "金额（元）"]
    assert len(body) == len(comp.lines)
    masked = [r[2] for r in body]
    assert all(len(m) == 18 and m[4:14] == "*" * 10 for m in masked)
    expected = [f"{p[:4]}{'*' * 10}{p[-4:]}" for p in comp.lines["person_id"]]
    assert sorted(masked) == sorted(expected)
    # Within each item, 区县 in the order of their codes (琅琊区 341102 … 明光市 341182), as posted.
    official = ["琅琊区", "南谯区", "来安县", "全椒县", "定远县", "凤阳县", "天长市", "明光市"]
    for item in dict.fromkeys(r[5] for r in body):
        seen = [official.index(r[3]) for r in body if r[5] == item]
        assert seen == sorted(seen), item


def test_mask_pattern_comes_from_the_policy(tmp_path):
    text = CHUZHOU.read_text(encoding="utf-8").replace("\nnotice:\n", "\nnotice:\n  keep_first: 6\n  keep_last: 1\n  mask: \"#\"\n", 1)
    policy = tmp_path / "p.yaml"
    policy.write_text(text, encoding="utf-8")
    notice = tmp_path / "n.csv"
    assert invoke("compute", EXAMPLE, "--policy", policy, "--period", "2023", "--notice", notice).exit_code == 0
    first = list(csv.reader(notice.read_text(encoding="utf-8-sig").splitlines()))[1][2]
    assert first[6:17] == "#" * 11 and first[:6].isdigit()


@pytest.mark.parametrize("key,value", [("keep_first", 7), ("keep_last", 5)])
def test_a_mask_that_would_show_the_birth_date_is_refused(tmp_path, key, value):
    text = CHUZHOU.read_text(encoding="utf-8").replace("\nnotice:\n", f"\nnotice:\n  {key}: {value}\n", 1)
    policy = tmp_path / "p.yaml"
    policy.write_text(text, encoding="utf-8")
    with pytest.raises(SwtalentError) as exc:
        load_policy(policy)
    assert [i.code for i in exc.value.issues] == ["policy.invalid-value"]
    assert exc.value.issues[0].location.path == f"notice.{key}"


def test_notice_format_is_checked_before_any_work(tmp_path):
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--notice", tmp_path / "n.json")
    assert result.exit_code == 2


def test_notice_prints_as_posted(tmp_path):
    """A4, one page wide, the title on the first page and the header on every page, the 公示期 line
    under the title, the issuing office and the date under the list, numbered pages."""
    notice = tmp_path / "公示.xlsx"
    assert invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--notice", notice).exit_code == 0
    sheet = openpyxl.load_workbook(notice)["公示名单"]
    ps = sheet.page_setup
    assert ps.paperSize == 9 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert ps.fitToWidth in (None, 1) and ps.fitToHeight == 0
    assert ps.orientation == "portrait"  # eight columns print upright, as a notice is posted
    assert sheet.print_title_rows == "$3:$3"  # the header, not the title, on every page
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页" and ps.useFirstPageNumber
    merged = {str(m) for m in sheet.merged_cells.ranges}
    assert {"A1:H1", "A2:H2"} <= merged
    assert sheet["A1"].font.b and "滁州市社会工作人才补贴公示名单（2023年度）" == sheet["A1"].value
    assert sheet["A2"].alignment.wrap_text and sheet.row_dimensions[2].height >= 30  # two lines of text
    last = sheet.max_row
    assert {f"A{last - 1}:H{last - 1}", f"A{last}:H{last}"} <= merged
    assert sheet[f"A{last - 1}"].value == "滁州市民政局" and sheet[f"A{last - 1}"].alignment.horizontal == "right"
    assert sheet[f"A{last}"].alignment.horizontal == "right"
    assert sheet["H3"].value == "金额（元）" and sheet["H3"].alignment.horizontal == "right"


def _notice_lines(tmp_path, *options, policy=CHUZHOU):
    notice = tmp_path / "n.xlsx"
    result = invoke("compute", EXAMPLE, "--policy", policy, "--period", "2023", "--notice", notice, "--force", *options)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(notice)["公示名单"]
    return sheet["A2"].value, sheet[f"A{sheet.max_row - 1}"].value, sheet[f"A{sheet.max_row}"].value


def test_notice_period_from_the_run_and_the_policy(tmp_path):
    line, issuer, day = _notice_lines(tmp_path, "--notice-from", "2024-01-10")
    assert line == "公示期：2024年1月10日至2024年1月16日（7 天）。公示期内如有异议，请向滁州市民政局反映。"
    assert (issuer, day) == ("滁州市民政局", "2024年1月10日")
    line, _, _ = _notice_lines(tmp_path, "--notice-from", "2024-01-10", "--notice-until", "2024-01-19")
    assert line.startswith("公示期：2024年1月10日至2024年1月19日（10 天）。")  # the days the dates span, both counted
    text = CHUZHOU.read_text(encoding="utf-8").replace(
        "notice:\n  issuer: 滁州市民政局\n  period_days: 7\n",
        "notice:\n  issuer: 滁州市人力资源和社会保障局\n  objections_to: 滁州市民政局社会工作科\n  contact: 联系电话：0550-1234567\n")
    policy = tmp_path / "p.yaml"
    policy.write_text(text, encoding="utf-8")
    line, issuer, day = _notice_lines(tmp_path, "--notice-from", "2024-01-10", policy=policy)
    assert line == ("公示期：2024年1月10日至　　　　年　　月　　日。公示期内如有异议，请向滁州市民政局社会工作科反映"
                    "（联系电话：0550-1234567）。")  # no period_days: the last day left to fill in
    assert issuer == "滁州市人力资源和社会保障局"
    bare = CHUZHOU.read_text(encoding="utf-8").replace("notice:\n  issuer: 滁州市民政局\n  period_days: 7\n", "")
    policy.write_text(bare, encoding="utf-8")
    line, issuer, day = _notice_lines(tmp_path, policy=policy)
    assert issuer == "滁州市民政局"  # the city's 民政局 by default
    assert line == "公示期：　　　　年　　月　　日至　　　　年　　月　　日。公示期内如有异议，请向滁州市民政局反映。"


@pytest.mark.parametrize("options,said", [
    (["--notice-until", "2024-01-10"], "--notice-from"),
    (["--notice-from", "2024-01-10", "--notice-until", "2024-01-09"], "早于第一天"),
    (["--notice-from", "2024-13-01"], "无法理解日期"),
])
def test_notice_dates_are_checked_before_any_work(tmp_path, options, said):
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--notice", tmp_path / "n.xlsx", *options)
    assert result.exit_code == 2 and said in result.stderr and not (tmp_path / "n.xlsx").exists()
    alone = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--notice-from", "2024-01-10")
    assert alone.exit_code == 2 and "--notice" in alone.stderr
