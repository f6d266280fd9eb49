"""Regenerate examples/yunxi-stations.xlsx: 30 made-up social-work stations of a made-up city (云溪市)
for its 十佳社工站 selection under policies/yunxi-stations.yaml.

    python examples/make_yunxi_stations.py [OUT]

Everything is invented: the city, its districts (region codes 369901-369905, which no real
county has), the stations, their operators, legal representatives and accounts. Each unified
social credit code is a valid GB 32100 code of a 民政-registered social service agency (52…), its
check character computed as python-stdnum's stdnum.cn.uscc does. The service records are chosen so
that, under the policy (ten places, no tie-break), nine stations are clearly in, two tie on 70.4
across the tenth place (both pending: the committee decides), and one station's records pass
every cap (753 letters answered, 115 pupils given one-to-one support, 13 group activities: the
figures issue 15 cites).
"""
from __future__ import annotations

import random
import sys
from decimal import Decimal
from pathlib import Path

import xlsxwriter

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DISTRICTS = {"东城区": "369901", "西河区": "369902", "南湖区": "369903", "北山县": "369904", "青石县": "369905"}
TOWNS = ["城关街道", "河西街道", "新华街道", "东门街道", "湖滨街道", "桥头镇", "石门镇", "白沙镇", "柳溪镇", "龙泉镇",
         "长岭乡", "松坪乡"]
OPERATORS = ["阳光", "同心", "善源", "仁和", "启明", "春晖", "益邻", "和睦", "暖心", "友善", "众和", "守望"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳敏静丽强磊军洋勇艳杰娟涛明超霞平刚华"
HEADERS = ["序号", "区县", "社工站名称", "统一社会信用代码", "法定代表人", "来信回复数", "一对一帮扶人数", "小组活动次数",
           "个案结案数", "督导小时数", "账户名称", "银行账号", "开户行"]
# (letters, one-to-one, groups, cases, supervision hours); points: 0.1 max 20, 0.5 max 30, 2 max 20, 1 max 20,
# 0.2 max 10, as the policy says.
RULES = [(Decimal("0.1"), 20), (Decimal("0.5"), 30), (Decimal(2), 20), (Decimal(1), 20), (Decimal("0.2"), 10)]
TOP = [
    (753, 115, 13, 8, 36),   # every cap but cases and hours: 20 + 30 + 20 + 8 + 7.2 = 85.2
    (180, 58, 9, 19, 45),    # 18 + 29 + 18 + 19 + 9 = 93.0
    (160, 52, 8, 17, 40),    # 16 + 26 + 16 + 17 + 8 = 83.0
    (210, 44, 10, 12, 30),   # 20 + 22 + 20 + 12 + 6 = 80.0
    (140, 48, 7, 16, 38),    # 14 + 24 + 14 + 16 + 7.6 = 75.6
    (150, 40, 8, 14, 41),    # 15 + 20 + 16 + 14 + 8.2 = 73.2
    (133, 46, 6, 18, 25),    # 13.3 + 23 + 12 + 18 + 5 = 71.3
    (120, 50, 7, 13, 40),    # 12 + 25 + 14 + 13 + 8 = 72.0
    (170, 36, 9, 10, 35),    # 17 + 18 + 18 + 10 + 7 = 70.0, just below the tie
]
TIE = [
    (124, 50, 7, 15, 20),    # 12.4 + 25 + 14 + 15 + 4 = 70.4
    (200, 40, 5, 16, 22),    # 20 + 20 + 10 + 16 + 4.4 = 70.4
]


def code(region: str, seq: int) -> str:
    """A valid unified social credit code: 5 (民政), 2 (社会服务机构), the region, MJ and a serial."""
    body = f"52{region}MJ{seq:07d}"
    total = sum(ALPHABET.index(ch) * pow(3, k, 31) for k, ch in enumerate(body))
    return body + ALPHABET[(31 - total % 31) % 31]


def points(records: tuple) -> Decimal:
    return sum((min(n * each, cap) for n, (each, cap) in zip(records, RULES)), Decimal(0))


def main(out: Path) -> None:
    rng = random.Random(2024)
    lower = []
    while len(lower) < 18:  # the rest: 30 to 69.5 points
        rec = (rng.randint(20, 190), rng.randint(5, 45), rng.randint(1, 8), rng.randint(2, 15), rng.randint(5, 40))
        if Decimal(30) <= points(rec) < Decimal("69.5"):
            lower.append(rec)
    # Nine clear above the tie (93.0 … 71.3), so the tenth place is shared by the two of 70.4 and
    # both are pending; 70.0 sits just below them.
    records = TOP[:7] + [(190, 52, 8, 15, 30)] + TOP[7:] + TIE + lower  # 19 + 26 + 16 + 15 + 6 = 82.0
    rng.shuffle(records)
    rows = []
    for k, rec in enumerate(records, 1):
        district = list(DISTRICTS)[k % len(DISTRICTS)]
        town = TOWNS[k % len(TOWNS)]
        operator = f"云溪市{district}{OPERATORS[k % len(OPERATORS)]}社会工作服务中心"
        account = f"6217{(k * 7919) % 10**6:06d}{k:09d}"  # a made-up 19-digit account
        rows.append([k, district, f"{district}{town}社工站", code(DISTRICTS[district], 1000 + k),
                     SURNAMES[k % len(SURNAMES)] + GIVEN[(k * 3) % len(GIVEN)], *rec, operator, account,
                     f"云溪农村商业银行{district}支行"])
    scores = sorted((points(r[5:10]) for r in rows), reverse=True)
    assert scores[8] > Decimal("70.4") == scores[9] == scores[10] > scores[11], scores[:12]
    book = xlsxwriter.Workbook(str(out))
    ws = book.add_worksheet("社工站")
    text = book.add_format({"num_format": "@"})
    ws.merge_range(0, 0, 0, len(HEADERS) - 1, "云溪市 2023 年度社工站服务记录汇总（十佳社工站评选用，示例数据，虚构）")
    ws.write_row(1, 0, HEADERS)
    for r, row in enumerate(rows, 2):
        for c, value in enumerate(row):
            if HEADERS[c] in ("统一社会信用代码", "银行账号"):
                ws.write_string(r, c, value, text)
            else:
                ws.write(r, c, value)
    ws.set_column(2, 2, 26)
    ws.set_column(3, 3, 22)
    ws.set_column(10, 12, 30)
    book.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("yunxi-stations.xlsx"))
