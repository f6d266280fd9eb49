"""The hostile tester's probe, kept: rosters built from random cells (numbers, dates, formulas with
and without a value, Excel errors, full-width text, control characters, emoji, very long text)
in .xlsx and CSV (UTF-8 and GBK). Every run ends 0 or 1 with no traceback, accounts for every row,
and writes no formula into anything a person opens in Excel."""
from __future__ import annotations

import csv
import json
import re
import tempfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swtalent.roster.cells import cell_text

from .conftest import CHUZHOU, HEADERS, person
from .formats import write_book
from .test_cli import invoke

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?|[+-]")  # a lone sign is no formula either

hostile_text = st.sampled_from([
    '=HYPERLINK("http://x","点我")', "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3", "\t=1+1", "\r=1",
    "#N/A", "#REF!", "2023.1", "２０２３年１０月", "341102199001010010", "6217 0000 1111 2222", "合计",
    "制表人：张三", "\x07\x1b[31m", "😀😀", "长" * 40_000, "  ", "中级[/b]", "社会工作师", "2023-02-30",
])
cell = st.one_of(
    st.none(), hostile_text, st.text(max_size=12),
    st.integers(min_value=-10**18, max_value=10**18), st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
)
row = st.one_of(
    st.lists(cell, min_size=len(HEADERS), max_size=len(HEADERS)),
    st.builds(lambda seq, k, v: person(seq)[:k] + [v] + person(seq)[k + 1:],  # a real row with one bad cell
              st.integers(1, 40), st.integers(0, len(HEADERS) - 1), cell),
)
rosters = st.lists(row, min_size=1, max_size=12)


def shown(value) -> str:
    return "" if value is None else cell_text(value.isoformat() if isinstance(value, (date, datetime)) else value)


def check_run(path: Path, rows: list[list], out: Path) -> None:
    result = invoke("compute", path, "--policy", CHUZHOU, "--period", "2023", "--out", out / "p.xlsx",
                    "--out", out / "p.csv", "--notice", out / "n.csv", "--force", "--json")
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output and "内部错误" not in result.output
    report = json.loads(result.stdout)
    if result.exit_code == 1:
        assert report["ok"] is False and report["problems"]
        return
    # Every row with anything in it is paid, not eligible, in error, or listed as no person.
    counted = report["rows_paid"] + report["rows_ineligible"] + report["rows_with_errors"]
    assert counted == report["rows_in"]
    listed = sum(p["code"] in ("roster.row-skipped", "roster.total-row") for p in report["problems"])
    assert report["rows_in"] + listed == sum(any(shown(v) for v in r) for r in rows)
    for name in ("p.csv", "n.csv"):
        with (out / name).open(encoding="utf-8-sig", newline="") as fh:
            for record in csv.reader(fh):
                for field in record:
                    assert not field.startswith(FORMULA_START) or PLAIN_NUMBER.fullmatch(field), (name, field)
    book = openpyxl.load_workbook(out / "p.xlsx")
    for ws in book.worksheets:
        for line in ws.iter_rows():
            for c in line:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    assert not c.value.startswith(FORMULA_START) or PLAIN_NUMBER.fullmatch(c.value), \
                        (ws.title, c.coordinate, c.value)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=rosters, kind=st.sampled_from(["xlsx", "csv-utf8", "csv-gbk"]))
def test_random_rosters_end_0_or_1_account_for_every_row_and_write_no_formula(rows, kind):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        suffix, encoding = {"xlsx": (".xlsx", "utf-8"), "csv-utf8": (".csv", "utf-8"),
                            "csv-gbk": (".csv", "gbk")}[kind]
        if encoding == "gbk":  # what GBK cannot hold, Excel would not have saved either
            rows = [[v.encode("gbk", "replace").decode("gbk") if isinstance(v, str) else v for v in r] for r in rows]
        path = write_book(out / f"roster{suffix}", {"花名册": [HEADERS] + rows}, encoding=encoding)
        if suffix == ".csv":  # what the reader sees is the text written
            with path.open(encoding=encoding, newline="") as fh:
                rows = list(csv.reader(fh))[1:]
        check_run(path, rows, out)
