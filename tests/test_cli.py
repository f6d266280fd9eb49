"""The command as a clerk runs it: the shipped example in, a workbook out, read back by value."""
from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from typer.testing import CliRunner

from swtalent.api import run_compute
from swtalent.cli import app
from swtalent.reports.summary import summary

from .conftest import CHUZHOU, EXAMPLE, person

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    paths = {ext: out / f"payments{ext}" for ext in (".xlsx", ".csv", ".json")}
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023",
                    *[a for p in paths.values() for a in ("--out", p)], "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), paths


def test_json_summary_is_the_library_result_and_accounts_for_every_row(example_run):
    got, paths = example_run
    expected = summary(run_compute(EXAMPLE, CHUZHOU, "2023"))
    assert got.pop("ok") is True
    assert {k: v for k, v in got.items() if k != "outputs"} == expected
    assert got["rows_in"] == 72
    assert got["rows_paid"] + got["rows_ineligible"] + got["rows_with_errors"] == got["rows_in"]
    assert got["rows_with_errors"] == 5
    assert Decimal(got["total"]) == sum(Decimal(r["amount"]) for r in got["by_rule"])


def test_csv_detail_columns_and_amounts(example_run):
    got, paths = example_run
    with paths[".csv"].open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["person_id", "name", "rule_id", "kind", "level", "months", "amount"]
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal(got["total"])
    assert all(len(r["person_id"]) == 18 for r in rows)
    assert {r["kind"] for r in rows} == {"one_off", "monthly"}
    assert all(r["months"] == "" for r in rows if r["kind"] == "one_off")
    sun = [(r["rule_id"], r["level"], r["months"], r["amount"]) for r in rows if r["name"] == "孙志强"]
    assert sun == [("certificate-subsidy", "intermediate", "", "2000.00"),
                   ("post-allowance", "assistant", "5", "1000.00"), ("post-allowance", "intermediate", "7", "2800.00")]
    records = json.loads(paths[".json"].read_text(encoding="utf-8"))
    assert [r["amount"] for r in records] == [r["amount"] for r in rows]


def test_workbook_read_back_by_value_and_format(example_run):
    got, paths = example_run
    wb = openpyxl.load_workbook(paths[".xlsx"])
    assert wb.sheetnames == ["汇总", "发放花名册（一次性）", "发放花名册（按月）", "区县汇总", "不予发放", "数据问题",
                             "计算依据"]
    rows = []
    for name in ("发放花名册（一次性）", "发放花名册（按月）"):
        sheet = wb[name]
        assert sheet.freeze_panes == "A4"
        header = [c.value for c in sheet[3]]
        amount_col = header.index("金额（元）") + 1
        assert sheet.cell(row=4, column=amount_col).number_format == "#,##0.00"
        # a payment line has a source row (a person's further lines leave the merged 序号 empty)
        rows += [row for r in sheet.iter_rows(min_row=4, values_only=True)
                 if isinstance((row := dict(zip(header, r)))["来源行"], (int, float))]
    assert sum(Decimal(str(r["金额（元）"])) for r in rows) == Decimal(got["total"])
    first = next(r for r in rows if r["姓名"] == "陈晓梅" and "月数" not in r)
    assert (first["等级"], first["计算说明"], first["来源行"]) == (
        "助理社会工作师", "取证日期 2023-03-15，一次性 1000元", 5)
    monthly = next(r for r in rows if r["姓名"] == "陈晓梅" and "月数" in r)
    assert (monthly["月数"], monthly["计算说明"], monthly["金额（元）"]) == (9, "200元 × 9个月（2023-04..2023-12）", 1800)
    summary_sheet = {r[0]: r[1] for r in wb["汇总"].iter_rows(values_only=True) if r and r[0]}
    assert summary_sheet["读入数据行"] == 72
    assert summary_sheet["合计（大写）"] == got["total_capital"]
    problems = list(wb["数据问题"].iter_rows(min_row=2, values_only=True))
    assert [(p[1], p[3], p[4]) for p in problems] == [
        ("roster.level-unknown", 15, "证书等级"), ("roster.id-checksum", 16, "身份证号"),
        ("roster.id-number", 17, "身份证号"), ("roster.date-missing", 18, "取得证书日期"),
        ("roster.duplicate", 19, "身份证号")]
    not_paid = list(wb["不予发放"].iter_rows(min_row=2, values_only=True))
    assert len(not_paid) == got["rows_ineligible"]
    assert all(r[-1] for r in not_paid)  # every row not paid says why


def test_terminal_summary_and_english(tmp_path):
    zh = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023")
    assert zh.exit_code == 0
    assert "合计（大写）" in zh.stdout and "读入数据行" in zh.stdout
    en = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--lang", "en",
                "--out", tmp_path / "p.xlsx")
    assert en.exit_code == 0
    assert "Data rows read" in en.stdout
    assert openpyxl.load_workbook(tmp_path / "p.xlsx").sheetnames == [
        "Summary", "Payroll (one-off)", "Payroll (monthly)", "By district", "Not eligible", "Problems", "Basis"]


def test_bad_policy_exits_1_with_position_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = CHUZHOU.read_text(encoding="utf-8").replace("first_month:", "frist_month:")
    bad.write_text(text, encoding="utf-8")
    line = text[:text.index("frist_month")].count("\n") + 1
    result = invoke("compute", EXAMPLE, "--policy", bad, "--period", "2023")
    assert result.exit_code == 1
    assert f"{bad}:{line}:5 rules[1].frist_month" in result.stderr
    assert "Traceback" not in result.output


def test_missing_roster_and_missing_column_exit_1(tmp_path, roster):
    missing = invoke("compute", tmp_path / "none.xlsx", "--policy", CHUZHOU, "--period", "2023")
    assert missing.exit_code == 1 and "找不到文件" in missing.stderr
    path = roster([person()[:3]], headers=["姓名", "身份证号", "人员类别"])
    result = invoke("compute", path, "--policy", CHUZHOU, "--period", "2023", "--json")
    assert result.exit_code == 1
    codes = {p["code"] for p in json.loads(result.stdout)["problems"]}
    assert codes == {"roster.column-missing"}


@pytest.mark.parametrize("args", [["--period", "2023-13"], ["--period", "23"], ["--period", "2023-06..2023-01"],
                                  ["--period", "0000"], ["--period", "2023", "--out", "x.pdf"],
                                  ["--period", "2023", "--map", "证件号"],
                                  ["--period", "2023", "--out", "/nonexistent-folder/p.xlsx"],
                                  ["--period", "2023", "--out", "p.csv", "--out", "p.csv"]])
def test_usage_errors_exit_2(args):
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_never_writes_over_the_input(tmp_path):
    copy = tmp_path / "roster.xlsx"
    shutil.copy(EXAMPLE, copy)
    before = copy.read_bytes()
    result = invoke("compute", copy, "--policy", CHUZHOU, "--period", "2023", "--out", copy)
    assert result.exit_code == 2
    assert copy.read_bytes() == before


def test_output_written_whole_or_not_at_all(tmp_path):
    out = tmp_path / "p.xlsx"
    assert invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--out", out).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.xlsx"]  # no temporary file left beside it


def test_map_option_and_row_problems_are_not_fatal(roster, tmp_path):
    headers = ["姓名", "证件号", "人员类别", "证书等级", "取得证书日期", "报考地"]
    path = roster([person(1)[:6], person(2, pid="34110219900101")[:6]], headers=headers)
    result = invoke("compute", path, "--policy", CHUZHOU, "--period", "2023", "--map", "证件号=身份证号", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert (got["rows_paid"], got["rows_with_errors"], got["total"]) == (1, 1, "2800.00")
    (bad_id,) = [p for p in got["problems"] if p["code"] == "roster.id-length"]
    assert (bad_id["row"], bad_id["column"]) == (3, "证件号")


def test_internal_error_exit_3_traceback_only_with_debug(monkeypatch):
    import swtalent.api as api

    def boom(*a, **k):
        raise RuntimeError("boom")
    monkeypatch.setattr(api, "run_compute", boom)
    plain = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023")
    assert plain.exit_code == 3 and "Traceback" not in plain.output and "boom" in plain.stderr
    debug = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--debug")
    assert debug.exit_code == 3 and "Traceback" in debug.stderr


def test_month_and_range_periods(roster):
    path = roster([person(1, qualified=date(2023, 3, 15))])
    for period, total in (("2023-05", "200.00"), ("2023-04..2023-06", "600.00"), ("2023-03", "1000.00")):
        got = json.loads(invoke("compute", path, "--policy", CHUZHOU, "--period", period, "--json").stdout)
        assert got["total"] == total, period


def test_output_that_is_a_folder_is_refused_before_any_work(tmp_path):
    (tmp_path / "p.xlsx").mkdir()
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--out", tmp_path / "p.xlsx")
    assert result.exit_code == 2 and "文件夹" in result.stderr


def test_failed_write_exits_1_and_names_the_file(tmp_path, monkeypatch):
    import swtalent.reports.outputset as outputset

    def locked(src, dst):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(outputset.os, "replace", locked)
    out = tmp_path / "p.xlsx"
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--out", out)
    assert result.exit_code == 1
    assert f"{out}：无法写入输出文件：没有写入权限，或文件正被其他程序占用" in result.stderr  # the cause in Chinese
    assert list(tmp_path.iterdir()) == []  # the temporary file is cleaned up
    en = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--out", out, "--lang", "en")
    assert en.exit_code == 1 and f"{out}: cannot write the output file: Permission denied" in en.stderr


def test_a_failed_output_leaves_the_others_untouched(tmp_path, monkeypatch):
    import swtalent.reports.files as files

    first = tmp_path / "p.csv"
    first.write_text("old", encoding="utf-8")

    def broken(comp, tmp):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(files, "_write_json", broken)
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--out", first,
                    "--out", tmp_path / "p.json", "--force")
    assert result.exit_code == 1 and "磁盘空间已满" in result.stderr
    assert first.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]


def test_cell_text_that_looks_like_terminal_markup_is_printed_as_is(roster):
    path = roster([person(1, level="中级[/b]")])
    result = invoke("compute", path, "--policy", CHUZHOU, "--period", "2023")
    assert result.exit_code == 0 and "中级[/b]" in result.stdout


# Command lines whose roster is read before typer parses them: each as typer reads it.
READ_EARLY = [
    ["check", "R.xlsx", "--policy", "P.yaml", "--period", "2023", "--json"],
    ["check", "--policy", "P.yaml", "R.xlsx"],
    ["check", "-p", "P.yaml", "--sheet", "名单", "R.xlsx", "--max-rows", "500"],
    ["compute", "R.xlsx", "-p", "P.yaml", "--period", "2023", "-o", "a.xlsx", "-o", "a.csv", "--force", "-q"],
    ["compute", "--period=2023", "--policy=P.yaml", "R.xlsx", "--sheet=第二页", "--max-rows=7", "--lang", "en"],
    ["compute", "R.xlsx", "-p", "P.yaml", "--period", "2023", "--sheet", "一", "--sheet", "二"],
    ["diff", "R.xlsx", "-p", "P.yaml", "-p", "Q.yaml", "--period", "2024", "--map", "证件号=身份证号"],
    ["explain", "R.xlsx", "-p", "P.yaml", "--period", "2023", "--person", "张三", "--json"],
    ["check", "-p", "P.yaml", "--", "-R.xlsx"],
]
# Left to typer: an option spelt in a way the early look does not follow, a value it would refuse,
# help, another command.
NOT_EARLY = [
    ["check", "-qp", "P.yaml", "R.xlsx"], ["check", "-pP.yaml", "R.xlsx"], ["check", "R.xlsx", "--max-rows", "0"],
    ["check", "R.xlsx", "--max-rows", "many"], ["check", "R.xlsx", "--max-rows", "５"], ["check", "R.xlsx", "--help"],
    ["check", "R.xlsx", "--sheet"],
    ["check", "R.xlsx", "--json=yes"], ["check", "--policy", "P.yaml"], ["validate", "P.yaml"],
    ["ledger", "list", "--ledger", "l.db"], [],
]


@pytest.mark.parametrize("args", READ_EARLY + NOT_EARLY)
def test_the_roster_read_before_typer_parses_is_the_one_it_asks_for(args, monkeypatch):
    from swtalent import cli

    asked = []

    def pending(roster, sheet, max_rows):
        asked.append((roster, sheet, max_rows))
        raise KeyboardInterrupt  # nothing is read
    monkeypatch.setattr(cli, "_pending", pending)
    runner.invoke(app, args)
    early = cli._roster_named(args)
    assert (early is not None) == (args in READ_EARLY)
    if early is not None:
        assert [early] == asked


def test_an_early_read_is_taken_only_for_the_same_roster():
    from swtalent import cli

    cli._start_read(["check", str(EXAMPLE), "--policy", str(CHUZHOU)])
    (early,) = cli._early
    assert cli._pending(EXAMPLE, None, cli.DEFAULT_MAX_ROWS) is early and cli._early == []
    assert len(early.result().sheets[0].grid) > 1
    cli._start_read(["check", str(EXAMPLE), "--sheet", "名单"])
    (early,) = cli._early
    other = cli._pending(EXAMPLE, None, cli.DEFAULT_MAX_ROWS)  # not the sheet asked for: read again
    assert other is not early and (other.path, other.sheet) == (EXAMPLE, None) and cli._early == []


def test_modules_that_import_each_other_are_loaded_before_a_read_starts():
    """importlib.abc and importlib.resources import each other; imported by two threads at once
    (the main thread's pydantic, a reading thread's pandas), one of them failed at start-up with
    _DeadlockError and the command printed a traceback. The module that starts the reading threads
    loads both first, in a fresh interpreter as `swtalent` starts."""
    import subprocess
    import sys

    code = ("import sys; import swtalent.roster.source; "
            "print(all(m in sys.modules for m in ('importlib.abc', 'importlib.resources')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "True"
