"""The workbook as the bureau hands it on, read back the way a person would check it: payroll sheets
whose subtotals and totals add up, capital numerals, page setup for printing, the summary by rule,
level and district with its chart, and the 计算依据 sheet that lets an auditor reproduce the run."""
from __future__ import annotations

import hashlib
import zipfile
from decimal import Decimal

import cn2an
import openpyxl
import pytest

from swtalent.api import run_compute
from swtalent.districts import district_code
from swtalent.reports.files import write_outputs
from swtalent.reports.sheets import RunInfo

from .conftest import CHUZHOU, EXAMPLE, HEADERS, person


@pytest.fixture(scope="module")
def example_book(tmp_path_factory):
    out = tmp_path_factory.mktemp("book") / "payments.xlsx"
    comp = run_compute(EXAMPLE, CHUZHOU, "2023")
    write_outputs(comp, [out], run=RunInfo(policy_file=str(CHUZHOU), batch="2023年第1批"))
    return comp, out, openpyxl.load_workbook(out)


MERGED = ("序号", "姓名", "身份证号", "区县", "工作单位", "银行账号", "开户行", "签字")  # a person's cells over their lines


def payroll(sheet):
    """(header, lines, subtotal rows, the total row, the rows after it) of a payroll sheet. A person's
    further lines read the merged cells (序号, 姓名, 身份证号 …) from the first, as the paper shows them."""
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[2])
    body = rows[3:]
    at_total = next(k for k, r in enumerate(body) if r[1] == "合计")
    lines, subtotals = [], []
    for r in body[:at_total]:
        row = dict(zip(header, r))
        if row["姓名"] == "小计":
            subtotals.append(row)
            continue
        if row["序号"] is None:
            row.update({c: lines[-1][c] for c in MERGED if c in header})
        lines.append(row)
    return header, lines, subtotals, dict(zip(header, body[at_total])), body[at_total + 1:]


def head_count(rows) -> str:
    persons, n = len({r["身份证号"] for r in rows}), len(rows)
    return f"{persons} 人" if persons == n else f"{persons} 人，{n} 笔"


def yuan(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.mark.parametrize("name,rule", [("发放花名册（一次性）", "certificate-subsidy"), ("发放花名册（按月）", "post-allowance")])
def test_payroll_subtotals_and_total_add_up_to_the_computation(example_book, name, rule):
    comp, _, book = example_book
    header, lines, subtotals, total, after = payroll(book[name])
    assert header[:7] == ["序号", "姓名", "身份证号", "区县", "工作单位", "等级", "月数" if rule == "post-allowance" else "金额（元）"]
    assert "银行账号" in header and header.index("签字") > header.index("银行账号")
    expected = comp.lines[comp.lines["rule_id"] == rule]
    assert len(lines) == len(expected)
    people = list(dict.fromkeys(r["序号"] for r in lines))  # one 序号 a person, over all their lines
    assert people == list(range(1, len({r["身份证号"] for r in lines}) + 1))
    assert sum(yuan(r["金额（元）"]) for r in lines) == yuan(total["金额（元）"]) == Decimal(int(expected["amount_fen"].sum())) / 100
    districts = [r["区县"] for r in lines]
    assert districts == sorted(districts, key=lambda d: district_code(d, "滁州市"))  # grouped by 区县, in code order
    for sub in subtotals:
        group = [r for r in lines if r["区县"] == sub["区县"]]
        assert yuan(sub["金额（元）"]) == sum(yuan(r["金额（元）"]) for r in group)
        assert sub["姓名"] == "小计" and sub["身份证号"] == head_count(group)
    assert sum(yuan(s["金额（元）"]) for s in subtotals) == yuan(total["金额（元）"])
    assert total["姓名"] == "合计" and total["身份证号"] == head_count(lines)  # the head count beside the amount
    fen = int(expected["amount_fen"].sum())
    words, signatures, seal = (r[0] for r in after)
    assert words == "人民币（大写）：" + cn2an.an2cn(f"{fen / 100:.2f}", "rmb")
    assert "制表人" in signatures and "审核人" in signatures and "负责人" in signatures
    assert seal == "单位（盖章）："
    assert all(r["签字"] is None for r in lines)


def test_payroll_is_set_up_for_printing(example_book):
    comp, path, book = example_book
    sheet = book["发放花名册（按月）"]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9  # A4
    # A scale, not fit-to-page: Excel ignores manual page breaks on a sheet fitted to pages.
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage and 10 <= sheet.page_setup.scale <= 100
    assert sheet.print_title_rows == "$3:$3"  # the header row on every page
    pages = len(sheet.row_breaks.brk) + 1
    assert sheet.oddFooter.center.text == f"第 &P 页 共 {pages} 页"
    header = [c.value for c in sheet[3]]
    last_printed = openpyxl.utils.get_column_letter(header.index("签字") + 1)
    assert sheet.print_area.endswith(f"$A$1:${last_printed}${sheet.max_row}")  # audit columns off the paper
    assert sheet["A1"].value == "滁州市岗位补贴发放花名册"
    assert "2023" in sheet["A2"].value and "2023年第1批" in sheet["A2"].value and comp.policy.title in sheet["A2"].value
    assert sheet["A1"].font.b and sheet["A1"].coordinate in sheet.merged_cells


def test_summary_by_rule_level_and_district_with_a_chart(example_book):
    comp, path, book = example_book
    rows = [r for r in book["汇总"].iter_rows(values_only=True)]
    at = {r[0]: k for k, r in enumerate(rows) if r and r[0]}
    levels = [r for r in rows[at["按等级"] + 1:] if r[0] in ("助理社会工作师", "社会工作师", "高级社会工作师")]
    assert [r[0] for r in levels] == ["助理社会工作师", "社会工作师", "高级社会工作师"]
    assert sum(yuan(r[4]) for r in levels) == Decimal(comp.total_fen) / 100
    districts = [r for r in book["区县汇总"].iter_rows(min_row=2, values_only=True) if r[0] != "合计"]
    assert sum(yuan(r[3]) for r in districts) == Decimal(comp.total_fen) / 100
    assert len({r[0] for r in districts}) == len(districts)
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1 and b"<c:barChart>" in z.read(charts[0])


def test_basis_sheet_lets_an_auditor_reproduce_the_run(example_book):
    comp, path, book = example_book
    rows = [r for r in book["计算依据"].iter_rows(min_row=2, values_only=True) if r[0]]
    facts = {}
    for key, value in rows:
        facts.setdefault(key, []).append(value)
    assert facts["SHA-256"] == [hashlib.sha256(CHUZHOU.read_bytes()).hexdigest(),
                                hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()]
    assert facts["期间"] == ["2023"] and facts["批次"] == ["2023年第1批"]
    assert facts["计算工具"][0].startswith("swtalent ")
    assert facts["假设"] == list(comp.policy.assumptions)
    assert [c for c in facts["依据条款"]] == [r.clause for r in comp.policy.rules]
    assert "助理社会工作师：2022-01-01 起 200 元" in facts["金额"]
    assert "人员类别 须为 社区工作人员" in facts["条件"]


def test_payroll_without_district_column_groups_by_unit_and_shows_bank_branch(tmp_path, roster):
    headers = [h for h in HEADERS if h != "区县"] + ["工作单位", "银行账号", "开户行"]
    rows = [person(k)[:8] + [unit, f"62170000111122{k:02d}333", "中国农业银行滁州琅琊支行"]
            for k, unit in ((1, "乙社区"), (2, "甲社区"), (3, "乙社区"))]
    comp = run_compute(roster(rows, headers=headers), CHUZHOU, "2023")
    write_outputs(comp, [tmp_path / "p.xlsx"])
    header, lines, subtotals, total, _ = payroll(openpyxl.load_workbook(tmp_path / "p.xlsx")["发放花名册（一次性）"])
    assert "区县" not in header and header[header.index("银行账号") + 1] == "开户行"
    assert [r["工作单位"] for r in lines] == ["乙社区", "乙社区", "甲社区"]  # grouped, roster order within a group
    assert [(s["工作单位"], s["姓名"], s["身份证号"]) for s in subtotals] == [("乙社区", "小计", "2 人"), ("甲社区", "小计", "1 人")]
    assert {r["开户行"] for r in lines} == {"中国农业银行滁州琅琊支行"}
    assert yuan(total["金额（元）"]) == Decimal("3000.00")  # three assistants' one-off subsidy


def test_basis_command_reproduces_the_run_with_every_option(tmp_path):
    import shlex

    from .conftest import ROOT
    from .test_cli import invoke

    jiujiang, roster = ROOT / "policies" / "jiujiang.yaml", ROOT / "examples" / "jiujiang-candidates.xlsx"
    previous = tmp_path / "往届 名单.csv"
    previous.write_text("身份证号,年度\n", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    args = [roster, "--policy", jiujiang, "--period", "2023", "--previous", previous, "--batch", "第1批"]
    assert invoke("compute", *args, "--out", out).exit_code == 0
    facts = [r for r in openpyxl.load_workbook(out)["计算依据"].iter_rows(values_only=True)]
    command = next(v for k, v in facts if k == "复算命令")
    assert shlex.split(command) == ["swtalent", "compute", *map(str, args)]
    assert ("往期名单", str(previous)) in facts
    assert ("SHA-256", hashlib.sha256(previous.read_bytes()).hexdigest()) in facts
