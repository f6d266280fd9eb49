"""What a clerk types with a Chinese input method: a full-width ＝ in --map, a Chinese field name on
its right, and the parser's own usage errors (a missing --period, a misspelt option) in Chinese."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from swtalent.cli import app, parse_map

from .conftest import CHUZHOU, EXAMPLE, HEADERS, ROOT, make_id, person
from .formats import write_book

runner = CliRunner()
ENGLISH = ("Missing", "Usage:", "Invalid value", "No such", "Error", "Try '", "Possible options")


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def id_as_zjh(tmp_path):
    """A roster whose ID column is headed 证件号, which no alias names."""
    headers = ["证件号" if h == "身份证号" else h for h in HEADERS]
    return write_book(tmp_path / "roster.xlsx", {"花名册": [headers, person(1), person(2)]})


@pytest.mark.parametrize("mapping", ["证件号＝身份证号", "证件号=身份证号码", "证件号=公民身份号码", "证件号 ＝ 身份证",
                                     "　证件号　＝　身份证号　", "证件号＝ｐｅｒｓｏｎ＿ｉｄ", "证件号=person_id"])
def test_map_with_full_width_equals_and_chinese_field_names(id_as_zjh, mapping):
    result = invoke("compute", id_as_zjh, "--policy", CHUZHOU, "--period", "2023", "--map", mapping, "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert (got["rows_in"], got["rows_paid"], got["rows_with_errors"]) == (2, 2, 0)


def test_parse_map_reads_every_chinese_name_of_a_field():
    assert parse_map(["证件号＝身份证号", "名字=姓名", "等级＝证书级别", "取证＝取证日期"]) == {
        "证件号": "person_id", "名字": "name", "等级": "level", "取证": "qualified_on"}


def test_map_to_an_unknown_field_lists_the_chinese_field_names(id_as_zjh):
    result = invoke("compute", id_as_zjh, "--policy", CHUZHOU, "--period", "2023", "--map", "证件号＝身份证好")
    assert result.exit_code == 2, result.output
    assert "不认识字段「身份证好」" in result.stderr and "是不是「身份证号」" in result.stderr
    assert "身份证号、姓名、证书等级" in result.stderr
    assert "person_id" not in result.stderr and "seq" not in result.stderr
    en = invoke("compute", id_as_zjh, "--policy", CHUZHOU, "--period", "2023", "--map", "证件号＝xyz", "--lang", "en")
    assert en.exit_code == 2
    assert "unknown field 'xyz'" in en.stderr and "person_id, name, level" in en.stderr


@pytest.mark.parametrize("mapping", ["证件号：身份证号", "证件号:身份证号", "证件号 ： 身份证号码", "证件号﹦身份证号"])
def test_map_with_a_colon_as_the_separator(id_as_zjh, mapping):
    """A clerk types 证件号：身份证号 as readily as 证件号＝身份证号."""
    result = invoke("compute", id_as_zjh, "--policy", CHUZHOU, "--period", "2023", "--map", mapping, "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert (got["rows_in"], got["rows_paid"], got["rows_with_errors"]) == (2, 2, 0)


@pytest.mark.parametrize("mapping, header", [("取证时间：年月=取得证书日期", "取证时间：年月"),
                                             ("取证时间：年月：取得证书日期", "取证时间：年月"),
                                             ("取证时间:年月＝取证日期", "取证时间:年月")])
def test_map_of_a_header_that_holds_a_colon(tmp_path, mapping, header):
    """The field is what follows the last separator that leaves a known field: the header keeps its colon."""
    headers = ["取证时间：年月" if h == "取得证书日期" else h for h in HEADERS]
    roster = write_book(tmp_path / "roster.xlsx", {"花名册": [headers, person(1), person(2)]})
    result = invoke("compute", roster, "--policy", CHUZHOU, "--period", "2023", "--map", mapping, "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert (got["rows_in"], got["rows_paid"], got["rows_with_errors"]) == (2, 2, 0)
    assert parse_map([mapping]) == {header: "qualified_on"}


def test_map_with_a_colon_to_an_unknown_field_names_what_follows_the_last_separator(id_as_zjh):
    result = invoke("compute", id_as_zjh, "--policy", CHUZHOU, "--period", "2023", "--map", "证件号：身份证好")
    assert result.exit_code == 2, result.output
    assert "不认识字段「身份证好」" in result.stderr and "是不是「身份证号」" in result.stderr


def test_map_without_equals_still_explains_the_form(id_as_zjh):
    result = invoke("compute", id_as_zjh, "--policy", CHUZHOU, "--period", "2023", "--map", "证件号")
    assert result.exit_code == 2
    assert "原列名=字段" in result.stderr


def _chinese(result, *expected):
    assert result.exit_code == 2, result.output
    assert "用法错误：" in result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert not any(word in result.output for word in ENGLISH), result.output
    assert "Traceback" not in result.output


def test_missing_option_in_chinese_and_english(tmp_path):
    _chinese(invoke("compute", tmp_path / "r.xlsx", "--policy", CHUZHOU), "缺少选项 --period")
    en = invoke("compute", tmp_path / "r.xlsx", "--policy", CHUZHOU, "--lang", "en")
    assert en.exit_code == 2 and "usage error: missing option --period" in en.stderr
    assert "缺少" not in en.output


def test_missing_argument():
    _chinese(invoke("compute", "--policy", CHUZHOU, "--period", "2023"), "缺少参数 ROSTER")
    en = invoke("compute", "--policy", CHUZHOU, "--period", "2023", "--lang=en")
    assert en.exit_code == 2 and "missing argument ROSTER" in en.stderr


def test_misspelt_option_suggests_the_right_one(tmp_path):
    _chinese(invoke("compute", tmp_path / "r.xlsx", "--policy", CHUZHOU, "--perod", "2023"),
             "没有这个选项：--perod（是不是 --period？）", "--help")
    en = invoke("compute", tmp_path / "r.xlsx", "--policy", CHUZHOU, "--perod", "2023", "--lang", "en")
    assert en.exit_code == 2 and "no such option: --perod (did you mean --period?)" in en.stderr


@pytest.mark.parametrize("value, zh, en", [("abc", "应为整数", "expected a whole number"),
                                           ("0", "不小于 1", "at least 1")])
def test_bad_max_rows(tmp_path, value, zh, en):
    args = ("compute", tmp_path / "r.xlsx", "--policy", CHUZHOU, "--period", "2023", "--max-rows", value)
    _chinese(invoke(*args), f"--max-rows 的取值「{value}」无效", zh)
    got = invoke(*args, "--lang", "en")
    assert got.exit_code == 2 and f"invalid value for --max-rows '{value}'" in got.stderr and en in got.stderr


@pytest.mark.parametrize("args, text", [
    (["compute", "r.xlsx", "--policy", "p.yaml", "--period"], "选项 --period 后面缺少取值"),
    (["compute", "r.xlsx", "--json=yes"], "选项 --json 不带取值"),
    (["compute", "r.xlsx", "--lang", "fr"], "应为 zh 或 en 之一"),
    (["comput", "r.xlsx"], "没有这个命令：comput（是不是 compute？）"),
    (["compute", "a.xlsx", "b.xlsx", "--policy", "p.yaml", "--period", "2023"], "多余的参数：b.xlsx"),
    (["ledger", "export", "--bogus"], "没有这个选项：--bogus"),
])
def test_other_parser_errors_in_chinese(args, text):
    _chinese(invoke(*args), text)


def test_parser_error_with_json_prints_json_too(tmp_path):
    result = invoke("compute", tmp_path / "r.xlsx", "--policy", CHUZHOU, "--json")
    assert result.exit_code == 2
    got = json.loads(result.stdout)
    assert got["ok"] is False and got["usage"].startswith("缺少选项 --period")


def test_help_and_version_still_exit_0():
    for args in (["--help"], ["compute", "--help"], ["ledger", "--help"], ["--version"]):
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.output)
        assert "用法错误" not in result.output
    assert "swtalent" in invoke("--version").stdout


def test_command_exit_codes_are_kept(tmp_path):
    missing = invoke("validate", tmp_path / "none.yaml")
    assert missing.exit_code == 1  # typer.Exit(1) from a command, not turned into 0 or 2


def test_the_installed_command_says_it_in_chinese(tmp_path):
    """Through main(), as `swtalent` runs: the same message and exit code."""
    def run(*args):
        return subprocess.run([sys.executable, "-m", "swtalent.cli", *map(str, args)], check=False, capture_output=True,
                              text=True, encoding="utf-8", cwd=ROOT, timeout=120)
    zh = run("compute", tmp_path / "r.xlsx", "--policy", CHUZHOU)
    assert zh.returncode == 2 and "用法错误：缺少选项 --period" in zh.stderr
    assert not any(word in zh.stderr + zh.stdout for word in ENGLISH)
    en = run("compute", tmp_path / "r.xlsx", "--policy", CHUZHOU, "--perod", "2023", "--lang", "en")
    assert en.returncode == 2 and "did you mean --period?" in en.stderr
    assert run("--version").returncode == 0


def test_main_exits_with_the_commands_code_and_all_its_output(tmp_path):
    """main() leaves without the interpreter's teardown (cli._exit): what was printed still arrives
    whole through a pipe, much larger than the pipe's buffer, the command's exit code is kept, and
    exit handlers still run."""
    rows = [person(k, pid=make_id(k)[:-1] + ("0" if make_id(k)[-1] != "0" else "1")) for k in range(1, 1000)]
    roster = write_book(tmp_path / "r.xlsx", {"名册": [HEADERS, *rows]})
    marker = tmp_path / "exit-handler-ran"
    script = ("import atexit, pathlib, sys; atexit.register(pathlib.Path(sys.argv[1]).write_text, 'yes'); "
              "sys.argv = ['swtalent'] + sys.argv[2:]; from swtalent.cli import main; main()")
    done = subprocess.run([sys.executable, "-c", script, str(marker), "check", str(roster), "--policy", str(CHUZHOU),
                           "--period", "2023", "--json"], check=False, capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, timeout=120)
    assert done.returncode == 1, done.stderr  # check exits 1 when the roster has errors
    assert len(done.stdout.encode("utf-8")) > 256 * 1024
    problems = json.loads(done.stdout)["problems"]
    assert len([p for p in problems if p["code"] in ("roster.id-checksum", "roster.id-number")]) == 999
    assert marker.read_text() == "yes"


def test_main_with_a_standard_stream_closed_keeps_its_exit_code(tmp_path):
    """Started with stdout or stderr closed (`>&-`), Python has no stream object for it: the exit
    still flushes what it has and keeps the command's code, with no traceback."""
    import os

    out = tmp_path / "p.csv"

    def run(closed: int, *args):
        return subprocess.run([sys.executable, "-m", "swtalent.cli", *map(str, args)], check=False,
                              stdout=subprocess.DEVNULL if closed == 2 else None, stderr=subprocess.PIPE,
                              preexec_fn=lambda: os.close(closed), cwd=ROOT, timeout=120)
    assert run(1, "--version").returncode == 0
    done = run(1, "compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "-q", "--out", out)
    assert done.returncode == 0 and b"Traceback" not in done.stderr and out.stat().st_size > 0
    assert run(2, "compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--json", "--out", out,
               "--force").returncode == 0
    assert run(2, "compute", EXAMPLE, "--bogus").returncode == 2


@pytest.mark.parametrize("code", [130, 3, 2, "a message"])
def test_an_interrupted_or_failed_run_exits_through_the_interpreters_shutdown(code):
    """Only a run that ended its work (0 or 1) skips the teardown: after Ctrl-C inside a ledger's
    commit, freeing the interrupted statement is what rolls SQLite's transaction back and removes
    its journal. (Were it skipped here, this test's own process would end.)"""
    from swtalent import cli

    with pytest.raises(SystemExit) as done:
        cli._exit(code)
    assert done.value.code == code


def test_policy_literal_choices_read_as_a_list(tmp_path):
    from swtalent.policy import validate_policy

    path = tmp_path / "p.yaml"
    path.write_text("id: x\nname: x\ncolumns:\n  idcard: [证件号]\n", encoding="utf-8")
    _, issues = validate_policy(path)
    (zh,) = [i.render("zh") for i in issues if "之一" in i.render("zh")]
    # the last two are an organisation's (candidates: organisations)
    assert "person_id（身份证号）、" in zh and "、birth_date（出生日期）、legal_rep（法定代表人） 或 account_name（账户名称） 之一" in zh
    assert "'" not in zh.split("应为")[1]
    (en,) = [i.render("en") for i in issues if "one of" in i.render("en")]
    assert "person_id, category" in en and "gender, birth_date, legal_rep or account_name" in en
