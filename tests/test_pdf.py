"""The example printed to PDF by LibreOffice headless, as a clerk would, where LibreOffice is installed:
each payroll prints exactly the pages its footer counts, one page wide (no column spilling onto a
page of its own), and ends with the totals and the seal line; the notice list prints the pages its
footer counts. CI does not install LibreOffice (too heavy): there the test is skipped, saying so.

The README's pictures come from the same conversion (the command is in the README)."""
from __future__ import annotations

import re
import shutil
import subprocess

import openpyxl
import pytest

from swtalent.api import run_compute
from swtalent.reports.files import write_outputs
from swtalent.reports.sheets import RunInfo

from .conftest import CHUZHOU, EXAMPLE

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")

pytestmark = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None,
    reason="LibreOffice (soffice) and poppler's pdftotext are not both installed: the PDF check runs where "
           "they are (apt-get install libreoffice-calc poppler-utils); CI does not install LibreOffice")


def to_pdf(xlsx, tmp_path) -> list[str]:
    """The text of each page of the workbook converted by LibreOffice headless."""
    profile = tmp_path / "lo-profile"  # a profile of its own: no clash with a LibreOffice already open
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(xlsx)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / (xlsx.stem + ".pdf")
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=60).stdout
    pages = text.decode("utf-8").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def footer(page: str) -> tuple[int, int] | None:
    m = re.search(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", page)
    return (int(m.group(1)), int(m.group(2))) if m else None


def test_the_example_prints_each_payroll_on_the_pages_its_footer_counts(tmp_path):
    comp = run_compute(EXAMPLE, CHUZHOU, "2023")
    xlsx, notice = tmp_path / "payments.xlsx", tmp_path / "公示.xlsx"
    write_outputs(comp, [xlsx], run=RunInfo(notice_from=None), notice=notice)
    book = openpyxl.load_workbook(xlsx)
    planned = {name: len(book[name].row_breaks.brk) + 1 for name in book.sheetnames if name.startswith("发放花名册")}
    pages = to_pdf(xlsx, tmp_path)
    counted = [footer(p) for p in pages]
    # each payroll's pages in a run 第 1 页 共 N 页 … 第 N 页 共 N 页, as many runs as payrolls, in order
    runs, k = [], 0
    while k < len(counted):
        if counted[k] and counted[k][0] == 1:
            n = counted[k][1]
            assert [c for c in counted[k:k + n]] == [(p, n) for p in range(1, n + 1)], counted
            runs.append((k, n))
            k += n
        else:
            k += 1
    assert [n for _, n in runs] == list(planned.values())
    for start, n in runs:
        assert "序号" in pages[start + n - 1] and "单位（盖章）" in pages[start + n - 1]  # the header repeated, the seal
        assert all("签字" in pages[start + p] for p in range(n))  # the last printed column on every page
        assert "合计" in pages[start + n - 1] and "合计" not in "".join(pages[start:start + n - 1])
    # the sheets after the payrolls number their own pages from 1
    assert sum(1 for p in pages if re.search(r"不予发放\s+第\s*1\s*页", p)) == 1
    notice_pages = to_pdf(notice, tmp_path)
    assert [footer(p) for p in notice_pages] == [(p, len(notice_pages)) for p in range(1, len(notice_pages) + 1)]
    assert "公示期" in notice_pages[0] and "滁州市民政局" in notice_pages[-1]
    assert all("金额（元）" in p for p in notice_pages)  # the header on every page
