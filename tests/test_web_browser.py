"""The page in a real headless Chromium against a real uvicorn server: what a clerk does, by
clicks. Upload the example and see 175,200.00 and its capital numerals, download the workbook
and read it back; a broken roster's problems with their cells; a broken policy's line; commit,
then compute again and see nothing payable."""
from __future__ import annotations

import re

import openpyxl
import pytest

from swtalent.web.server import Background

from .browser import chromium
from .conftest import CHUZHOU, EXAMPLE, make_id, person, write_roster
from .webclient import app_for

TOTAL, CAPITAL = "175,200.00", "壹拾柒万伍仟贰佰元整"


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def site(tmp_path, browser):
    """A page on a fresh server (its own ledger and folder)."""
    with Background(app_for(tmp_path)) as url:
        context = browser.new_context(accept_downloads=True, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(url)
        yield page
        context.close()


def compute(page, roster, period="2023"):
    page.goto(page.url.split("/runs")[0].rstrip("/") + "/")
    page.set_input_files("#roster", str(roster))
    page.fill("#period", period)
    page.click("#compute")
    page.wait_for_selector("#summary, .failure", timeout=120_000)


def test_the_example_shows_its_total_and_its_workbook_reads_back(site, tmp_path):
    compute(site, EXAMPLE)
    assert site.inner_text("#total") == TOTAL
    assert site.inner_text("#capital") == CAPITAL
    assert "5 个错误" in site.inner_text("#errors-first")
    with site.expect_download() as got:
        site.click("#dl-workbook")
    saved = tmp_path / "下载.xlsx"
    got.value.save_as(saved)
    assert got.value.suggested_filename == "发放表.xlsx"
    book = openpyxl.load_workbook(saved, read_only=True)
    cells = [v for row in book["汇总"].iter_rows(values_only=True) for v in row if v is not None]
    assert 175200 in cells and CAPITAL in cells


def test_a_broken_roster_shows_its_problems_at_their_cells(site, tmp_path):
    bad_id = make_id(2)[:-1] + ("0" if make_id(2)[-1] != "0" else "1")
    roster = write_roster(tmp_path / "乡镇报来.xlsx", [person(1), person(2, pid=bad_id), person(3, level="心理咨询师")])
    compute(site, roster)
    assert "2 个错误" in site.inner_text("#errors-first")
    rows = [r.inner_text() for r in site.query_selector_all("#problem-table tbody tr")]
    assert any("B3" in r and bad_id in r and "roster.id-checksum" in r for r in rows), rows
    assert any("D4" in r and "心理咨询师" in r for r in rows), rows
    site.select_option("select[name=code]", "roster.level-unknown")
    site.click("form.filter button")
    site.wait_for_load_state()
    rows = [r.inner_text() for r in site.query_selector_all("#problem-table tbody tr")]
    assert len(rows) == 1 and "D4" in rows[0]


def test_a_broken_policy_shows_the_problem_beside_its_line(site, tmp_path):
    lines = CHUZHOU.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("city:"))
    lines.insert(at + 1, "colour: blue")
    broken = tmp_path / "改过的政策.yaml"
    broken.write_text("\n".join(lines), encoding="utf-8")
    site.click("text=政策检查")
    site.set_input_files("input[name=policy_file]", str(broken))
    site.click("#validate")
    site.wait_for_selector("#validate-count")
    assert "1 个错误" in site.inner_text("#validate-count")
    problem = site.query_selector("tr.problem.error")
    assert problem.get_attribute("data-line") == str(at + 2) and "colour" in problem.inner_text()
    # the problem row sits right under the line it is about
    assert site.evaluate("n => document.getElementById('line-' + n).nextElementSibling.classList.contains('problem')",
                         at + 2)


def test_commit_then_compute_again_and_nothing_is_payable(site):
    compute(site, EXAMPLE)
    site.click("#commit")
    assert TOTAL in site.inner_text("#confirm-text") and CAPITAL in site.inner_text("#confirm-text")
    site.click("#confirm")
    assert re.search(r"已记入账本：批次 \d{8}-\d{6}", site.inner_text("#message"))
    compute(site, EXAMPLE)
    assert site.inner_text("#total") == "0.00"
    assert "此前已由账本中的批次发放" in site.inner_text("#summary")
    site.click("text=发放账本")
    assert TOTAL in site.inner_text("#batches")


def test_a_dropped_roster_fills_the_field_and_a_long_run_reloads_itself_when_done(site, monkeypatch):
    name = site.evaluate("""() => {
        const dt = new DataTransfer();
        dt.items.add(new File(["x"], "拖进来的花名册.xlsx"));
        document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true}));
        return [document.getElementById("roster").files[0].name, document.getElementById("chosen").textContent];
    }""")
    assert name == ["拖进来的花名册.xlsx", "拖进来的花名册.xlsx"]
    monkeypatch.setenv("SWTALENT_TEST_PAUSE", "compute")  # the server (this process) holds the run there
    monkeypatch.setenv("SWTALENT_TEST_PAUSE_SECONDS", "3")
    site.set_input_files("#roster", str(EXAMPLE))
    site.fill("#period", "2023")
    site.click("#compute")
    site.wait_for_selector("#progress")
    site.wait_for_function("document.getElementById('stage').textContent === '计算'")
    site.wait_for_selector("#summary", timeout=60_000)  # the page's own polling reloads it
    assert site.inner_text("#total") == TOTAL
