"""The shipped example: regenerable, and each named case pays what its note says."""
from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from decimal import Decimal

import pytest
import python_calamine as calamine

from swtalent.api import run_compute
from swtalent.reports.files import detail_records

from .conftest import CHUZHOU, EXAMPLE, ROOT


def cells(path):
    book = calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_index(0).to_python()


@pytest.mark.parametrize("script,example", [("make_chuzhou_roster.py", "chuzhou-roster.xlsx"),
                                            ("make_jiujiang_candidates.py", "jiujiang-candidates.xlsx")])
def test_generator_reproduces_the_committed_example(tmp_path, script, example):
    out = tmp_path / "again.xlsx"
    subprocess.run([sys.executable, str(ROOT / "examples" / script), str(out)], check=True)
    assert cells(out) == cells(ROOT / "examples" / example)


def test_named_cases_in_the_example():
    comp = run_compute(EXAMPLE, CHUZHOU, "2023")
    paid = defaultdict(list)
    for rec in detail_records(comp):
        paid[rec["name"]].append((rec["kind"], rec["level"], rec["months"], rec["amount"]))
    assert paid["陈晓梅"] == [("one_off", "assistant", None, "1000.00"), ("monthly", "assistant", 9, "1800.00")]
    assert paid["刘建国"] == [("monthly", "intermediate", 12, "4800.00")]
    assert paid["赵丽华"] == [("one_off", "senior", None, "3000.00")]
    assert paid["周敏"] == [("monthly", "intermediate", 6, "2400.00")]
    assert paid["吴军"] == [("monthly", "assistant", 4, "800.00")]
    assert paid["郑芳"] == [("one_off", "intermediate", None, "2000.00")]
    assert paid["黄磊"] == [("monthly", "assistant", 8, "1600.00")]
    assert paid["罗成"] == [("one_off", "intermediate", None, "2000.00")]
    assert paid["谢桂英"] == [("monthly", "intermediate", 12, "4800.00")]
    assert paid["宋平"] == [("one_off", "senior", None, "3000.00")]
    assert paid["唐兰"] == [("one_off", "intermediate", None, "2000.00"), ("monthly", "intermediate", 6, "2400.00")]
    assert paid["袁亮"] == [("one_off", "assistant", None, "1000.00"), ("monthly", "assistant", 11, "2200.00")]
    assert paid["潘红"] == [("one_off", "intermediate", None, "2000.00")]
    for nobody in ("马秀英", "许文斌", "何涛", "高娟", "林洋"):
        assert nobody not in paid
    assert sum(Decimal(r["amount"]) for r in detail_records(comp)) * 100 == comp.total_fen
