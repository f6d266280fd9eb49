"""Every workbook swtalent writes opens in openpyxl, sheet by sheet, with the figures it should hold.

The fast writer (rustpy-xlsxwriter, behind reports/workbook.py) is a young package with one
maintainer, and printing.amend rewrites its sheets after saving; a second, independent reader of
the files is the check that neither has written something another program will refuse. The
example runs cover every kind of sheet: payroll, award selection, notice, annotated roster,
policy comparison and ledger export."""
from __future__ import annotations

import openpyxl
import pytest

from .conftest import CHUZHOU, EXAMPLE
from .test_award import JIUJIANG, JIUJIANG_EXAMPLE
from .test_cli import invoke


def opened(path) -> dict[str, list[tuple]]:
    """Every sheet's cells, read by openpyxl (which raises on a part it cannot parse)."""
    book = openpyxl.load_workbook(path)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


def cells(sheets: dict[str, list[tuple]]) -> list:
    return [c for rows in sheets.values() for row in rows for c in row if c is not None]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("books")
    ledger = f"sqlite:///{out / 'ledger.db'}"
    runs = {
        "payments": ["compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--out", out / "payments.xlsx",
                     "--notice", out / "notice.xlsx", "--ledger", ledger, "--commit"],
        "award": ["compute", JIUJIANG_EXAMPLE, "--policy", JIUJIANG, "--period", "2023", "--out", out / "award.xlsx"],
        "annotated": ["check", EXAMPLE, "--policy", CHUZHOU, "--annotate", out / "annotated.xlsx"],
        "diff": ["diff", EXAMPLE, "--policy", CHUZHOU, "--as-of", "2023-01-01", "--as-of", "2023-12-31",
                 "--period", "2023", "--out", out / "diff.xlsx"],
        "ledger": ["ledger", "export", "--ledger", ledger, "--out", out / "ledger.xlsx"],
    }
    codes = {name: invoke(*args).exit_code for name, args in runs.items()}
    return out, codes


def test_every_written_workbook_opens(written):
    out, codes = written
    assert codes == {"payments": 0, "award": 0, "annotated": 1, "diff": 0, "ledger": 0}  # the example has errors
    for name in ("payments", "notice", "award", "annotated", "diff", "ledger"):
        sheets = opened(out / f"{name}.xlsx")
        assert sheets and all(rows for rows in sheets.values()), name


def test_the_figures_read_back(written):
    out, _ = written
    payments = opened(out / "payments.xlsx")
    assert "壹拾柒万伍仟贰佰元整" in "".join(str(c) for c in cells({"汇总": payments["汇总"]}))
    assert any("发放花名册" in name for name in payments)
    ledger = opened(out / "ledger.xlsx")
    (rows,) = ledger.values()
    amount = rows[0].index("amount")
    assert round(sum(r[amount] for r in rows[1:]) * 100) == 17_520_000
    notice = opened(out / "notice.xlsx")
    assert not any(isinstance(c, str) and len(c) == 18 and c[:17].isdigit() for c in cells(notice))  # IDs masked
    award = opened(out / "award.xlsx")
    assert any(name.startswith("评选结果") for name in award)
    annotated = opened(out / "annotated.xlsx")
    assert any("身份证号" in str(c) for c in cells(annotated))
