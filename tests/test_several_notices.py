"""--notice may be given several times, like --out: a workbook to print and post and a CSV to
publish online, from one run. A path given twice (as --notice or --out) is refused, as --out is."""
from __future__ import annotations

import csv
import json

import openpyxl

from .conftest import CHUZHOU, EXAMPLE
from .test_cli import invoke


def test_a_workbook_and_a_csv_notice_from_one_run(tmp_path):
    book, text, out = tmp_path / "公示.xlsx", tmp_path / "公示.csv", tmp_path / "p.xlsx"
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--out", out,
                    "--notice", book, "--notice", text, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["outputs"] == [str(out), str(book), str(text)]
    with text.open(encoding="utf-8-sig", newline="") as fh:
        from_csv = [(r["姓名"], r["身份证号"], r["金额（元）"]) for r in csv.DictReader(fh)]
    sheet = openpyxl.load_workbook(book).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(k for k, r in enumerate(rows) if r[0] == "序号")
    columns = rows[header]
    from_book = [(r[columns.index("姓名")], r[columns.index("身份证号")], f"{r[columns.index('金额（元）')]:.2f}")
                 for r in rows[header + 1:] if isinstance(r[0], (int, float))]
    assert from_book == from_csv and len(from_csv) == 83  # the same list in both


def test_the_terminal_names_every_notice_written(tmp_path):
    book, text = tmp_path / "a.xlsx", tmp_path / "a.csv"
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--notice", book, "--notice", text)
    assert result.exit_code == 0, result.output
    assert f"已写入 {book}" in result.stdout and f"已写入 {text}" in result.stdout
    assert book.exists() and text.exists()


def test_a_notice_given_twice_or_also_as_out_is_refused_and_nothing_is_written(tmp_path):
    same = tmp_path / "a.csv"
    for args in (["--notice", same, "--notice", same], ["--out", same, "--notice", same],
                 ["--notice", tmp_path / "b.xlsx", "--notice", tmp_path / "b.pdf"]):
        result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", *args)
        assert result.exit_code == 2, result.output
        assert list(tmp_path.iterdir()) == []
    assert "指定了两次" in invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023",
                                 "--notice", same, "--notice", same).stderr
