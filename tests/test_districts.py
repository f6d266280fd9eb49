"""区县 in the order of their administrative division codes (GB/T 2260) on every list and chart:
琅琊区, 南谯区, 来安县, 全椒县, 定远县, 凤阳县, 天长市, 明光市 for 滁州市, whatever order the roster
or the characters give; then the policy's own `districts:` list; then the roster's order."""
from __future__ import annotations

import json

import openpyxl
import pytest

from swtalent.districts import city_scope, district_code, district_order
from swtalent.policy import load_policy

from .conftest import CHUZHOU, EXAMPLE, make_id, person
from .test_cli import invoke

CHUZHOU_ORDER = ["琅琊区", "南谯区", "来安县", "全椒县", "定远县", "凤阳县", "天长市", "明光市"]


def summary_table(rows: list, heading: str) -> list:
    """The rows of one of 汇总's tables (按项目, 按等级, 按区县), from its heading to its 合计 row."""
    at = next(k for k, r in enumerate(rows) if r[0] == heading)
    out = []
    for r in rows[at + 1:]:
        if r[0] is None:
            break
        out.append(r)
        if r[0] == "合计":
            break
    return out


def payroll_groups(sheet) -> list[str]:
    """The 区县 of each subtotal line of a payroll sheet, top to bottom."""
    header = [c.value for c in sheet[3]]
    at = header.index("区县")
    return [r[at] for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] is None and r[1] and "小计" in r[1]]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("districts") / "payments.xlsx"
    result = invoke("compute", EXAMPLE, "--policy", CHUZHOU, "--period", "2023", "--out", out, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), openpyxl.load_workbook(out)


def test_the_example_lists_chuzhou_in_code_order_everywhere(example):
    got, book = example
    assert [d["district"] for d in got["by_district"]] == CHUZHOU_ORDER  # --json
    rows = list(book["汇总"].iter_rows(values_only=True))
    assert [r[0] for r in summary_table(rows, "按区县") if r[0] != "合计"] == CHUZHOU_ORDER
    assert [r[0] for r in book["区县汇总"].iter_rows(min_row=2, values_only=True) if r[0] != "合计"] == CHUZHOU_ORDER
    for name in ("发放花名册（一次性）", "发放花名册（按月）"):
        groups = payroll_groups(book[name])
        assert groups == [d for d in CHUZHOU_ORDER if d in groups] and len(groups) >= 6


def test_diff_lists_districts_in_code_order():
    result = invoke("diff", EXAMPLE, "--policy", CHUZHOU, "--policy", CHUZHOU, "--period", "2023", "--json")
    assert [r["key"] for r in json.loads(result.stdout)["by_district"]] == CHUZHOU_ORDER
    shown = invoke("diff", EXAMPLE, "--policy", CHUZHOU, "--policy", CHUZHOU, "--period", "2023").stdout
    assert sorted(CHUZHOU_ORDER, key=shown.index) == CHUZHOU_ORDER


def test_names_with_and_without_their_ending_and_with_the_city_in_front():
    assert [district_code(n, "滁州市") for n in ("琅琊区", "琅琊", "滁州市琅琊区", "安徽省滁州市琅琊区", "天长", "明光市")] == \
        ["341102"] * 4 + ["341181", "341182"]
    assert district_code("滁州市", "滁州市") == "341100"  # the city's own units (市直 written 滁州市) first
    assert district_code("市直", "滁州市") is None and district_code("", "滁州市") is None
    assert city_scope("滁州市") == city_scope("滁州") == city_scope("安徽省滁州市") == "3411"


def test_a_name_several_cities_share_is_looked_up_in_the_policy_s_city():
    assert district_code("鼓楼区", "南京市") == "320106" and district_code("鼓楼区", "福州市") == "350102"
    assert district_code("朝阳区", "北京市") == "110105" and district_code("朝阳区", "长春市") == "220104"
    assert district_code("朝阳区", "滁州市") is None  # not a district of this city at all
    assert district_code("来安县", "滁州市") == "341122"  # not 342322, its code before 1992
    assert city_scope("朝阳区") is None  # two places of that name: no code order rather than a guess
    assert city_scope("德阳市旌阳区") == "510603" and district_code("旌阳区", "德阳市旌阳区") == "510603"
    assert city_scope("青岚市") is None  # a made-up city


def chuzhou_with(tmp_path, districts: str):
    text = CHUZHOU.read_text(encoding="utf-8").replace("city: 滁州市\n", f"city: 滁州市\ndistricts: {districts}\n", 1)
    path = tmp_path / "chuzhou-districts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_made_up_roster_code_order_then_the_policy_list_then_the_roster(tmp_path, roster):
    # As a clerk might send it: some names without 区/县/市, one with the city in front, two units the
    # code table does not know, one row with no 区县.
    written = ["经开区", "天长", "市直", "全椒县", "滁州市南谯区", "琅琊", "苏滁园区", "", "凤阳县", "天长"]
    rows = [person(k + 1, district=d, pid=make_id(k + 1)) for k, d in enumerate(written)]
    path = roster(rows)
    out = tmp_path / "p.xlsx"
    result = invoke("compute", path, "--policy", CHUZHOU, "--period", "2023", "--out", out, "--json")
    assert result.exit_code == 0, result.output
    known = ["琅琊", "滁州市南谯区", "全椒县", "凤阳县", "天长"]
    got = [d["district"] for d in json.loads(result.stdout)["by_district"]]
    assert got == known + ["经开区", "市直", "苏滁园区", ""]  # unknown ones in the roster's order
    book = openpyxl.load_workbook(out)
    assert [r[0] for r in book["区县汇总"].iter_rows(min_row=2, values_only=True) if r[0] != "合计"] == \
        known + ["经开区", "市直", "苏滁园区", "（未填区县）"]
    assert payroll_groups(book["发放花名册（一次性）"]) == known + ["经开区", "市直", "苏滁园区", "（未填区县）"]

    # The policy's own list orders what the code table does not know; a known name keeps its code's place.
    policy = chuzhou_with(tmp_path, "[市直, 苏滁园区, 经开区, 琅琊区]")
    result = invoke("compute", path, "--policy", policy, "--period", "2023", "--json")
    assert [d["district"] for d in json.loads(result.stdout)["by_district"]] == \
        known + ["市直", "苏滁园区", "经开区", ""]


def test_a_made_up_city_follows_its_list_then_the_roster():
    policy = load_policy(CHUZHOU).model_copy(update={"city": "青岚市", "districts": ("城关区", "北山县", "云台县")})
    assert district_order(["云台", "新区", "", "城关区", "北山县", "南湖区"], policy, ["南湖区", "新区"]) == \
        ["城关区", "北山县", "云台", "南湖区", "新区", ""]


def test_validate_refuses_a_blank_district_name(tmp_path):
    result = invoke("validate", chuzhou_with(tmp_path, "[琅琊区, '']"))
    assert result.exit_code == 1 and "districts[1]" in result.stdout
