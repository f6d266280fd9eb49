"""The sheets as paper: what a clerk prints, signs and posts. Each test reads the written file's own
print settings back with openpyxl (orientation, fit to page, print titles, row heights, merged
cells, footers, page breaks), never what the code meant to write."""
from __future__ import annotations

import openpyxl
import pytest

from swtalent.api import run_compute
from swtalent.periods import Period
from swtalent.reports.files import write_outputs

from .conftest import CHUZHOU, EXAMPLE


@pytest.mark.parametrize("text,zh", [("2023", "2023年度"), ("2023-05", "2023年5月"), ("2023-01..2023-06", "2023年1月至6月"),
                                     ("2023-07..2024-06", "2023年7月至2024年6月"), ("2022-01..2023-12", "2022年度至2023年度")])
def test_a_period_reads_as_a_title_says_it(text, zh):
    assert Period.parse(text).title("zh") == zh
    assert Period.parse(text).title("en") == Period.parse(text).label()


def test_the_default_batch_line_reads_2023_nian_du(tmp_path):
    comp = run_compute(EXAMPLE, CHUZHOU, "2023")
    write_outputs(comp, [tmp_path / "p.xlsx"])
    book = openpyxl.load_workbook(tmp_path / "p.xlsx")
    subtitle = book["发放花名册（一次性）"]["A2"].value
    assert "期间：2023年度" in subtitle and "批次：2023年度" in subtitle
    assert book["汇总"]["A1"].value.endswith("（2023年度）")
