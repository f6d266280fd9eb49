"""Regenerate examples/chuzhou-roster.xlsx: a fictional Chuzhou roster that exercises every rule.

    python examples/make_chuzhou_roster.py [OUT]

All people are invented; ID numbers are valid GB 11643 numbers made from Chuzhou region codes.
The first rows are named cases (see CASES); the rest are ordinary seeded rows. The roster
looks as a township clerk would send it: a title above the header, dates typed in several
ways, one ID typed as a number, and a handful of mistakes to be reported.
"""
from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path

import xlsxwriter

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
DISTRICTS = {"琅琊区": "341102", "南谯区": "341103", "来安县": "341122", "全椒县": "341124",
             "定远县": "341125", "凤阳县": "341126", "天长市": "341181", "明光市": "341182"}
LEVELS = ("助理社会工作师", "社会工作师", "高级社会工作师")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华兰萍红玉亮成建国志文斌"
HEADERS = ["序号", "区县", "工作单位", "姓名", "身份证号", "人员类别", "证书等级", "证书编号",
           "取得证书日期", "报考地", "入职日期", "离职日期", "银行账号"]


def check_char(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def make_id(region: str, born: date, seq: int) -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + check_char(body)


# Named cases for period 2023 under policies/chuzhou.yaml: (name, district, category, level,
# qualified, exam place, hired, left, expected note). Dates may be text, as clerks type them.
CASES = [
    ("陈晓梅", "琅琊区", "社区工作人员", "助理社会工作师", date(2023, 3, 15), "滁州市琅琊区", date(2019, 4, 1), None,
     "one-off 1000; monthly Apr-Dec 9 x 200"),
    ("刘建国", "南谯区", "社区工作人员", "社会工作师", date(2022, 6, 10), "滁州市", None, None,
     "one-off was due in 2022; monthly 12 x 400; blank hire date = in post"),
    ("赵丽华", "天长市", "社区工作人员", "高级社会工作师", date(2023, 12, 5), "天长市", date(2015, 3, 1), None,
     "qualified in December: one-off 3000, monthly starts 2024-01"),
    ("孙志强", "来安县", "社区工作人员", "助理社会工作师", date(2022, 3, 1), "来安县", date(2020, 1, 1), None,
     "upgrade: assistant Jan-May 5 x 200"),
    ("孙志强", "来安县", "社区工作人员", "社会工作师", date(2023, 5, 20), "来安县", date(2020, 1, 1), None,
     "upgrade: one-off 2000; intermediate Jun-Dec 7 x 400"),
    ("周敏", "全椒县", "社区工作人员", "社会工作师", date(2022, 1, 10), "全椒县", date(2018, 6, 1), date(2023, 6, 15),
     "left in June: Jan-Jun 6 x 400, leaving month paid"),
    ("吴军", "定远县", "社区工作人员", "助理社会工作师", date(2021, 5, 1), "定远县", date(2023, 9, 1), None,
     "qualified before in force: no one-off; hired September: Sep-Dec 4 x 200"),
    ("郑芳", "凤阳县", "社工机构从业人员", "社会工作师", "2023/2/8", "凤阳县", None, None,
     "agency worker: one-off 2000, no monthly"),
    ("黄磊", "明光市", "社区工作人员", "助理社会工作师", "2023.04.20", "合肥市", "2020年3月", None,
     "exam outside Chuzhou: no one-off; monthly May-Dec 8 x 200"),
    ("马秀英", "琅琊区", "志愿者", "社会工作师", "2023年2月8日", "滁州市", None, None,
     "volunteer: nothing"),
    ("许文斌", "南谯区", "社区工作人员", "心理咨询师", date(2023, 1, 5), "滁州市", None, None,
     "not a social-work level: reported, pays nothing"),
    ("何涛", "南谯区", "社区工作人员", "社会工作师", date(2023, 2, 1), "滁州市", None, None,
     "ID checksum wrong: reported"),
    ("高娟", "琅琊区", "社区工作人员", "助理社会工作师", date(2023, 2, 1), "滁州市", None, None,
     "ID typed as a number: reported"),
    ("林洋", "全椒县", "社区工作人员", "社会工作师", None, "全椒县", None, None,
     "no qualifying date: reported"),
    ("陈晓梅", "琅琊区", "社区工作人员", "助理社会工作师", date(2023, 3, 15), "滁州市琅琊区", date(2019, 4, 1), None,
     "same ID and level as the first row: duplicate, reported"),
    ("罗成", "天长市", "社区工作人员", "社会工作师", "2023年2月", "天长市", None, date(2022, 11, 30),
     "left in 2022: no monthly; one-off 2000 (qualified 2023-02)"),
    ("谢桂英", "凤阳县", "社区工作人员", "社会工作师", date(2021, 8, 1), "凤阳县", date(2016, 5, 1), None,
     "qualified 2021: no one-off; monthly 12 x 400"),
    ("宋平", "定远县", "社会工作从业人员", "高级社会工作师", date(2023, 7, 1), "滁州市定远县", None, None,
     "practitioner, not community worker: one-off 3000 only"),
    ("唐兰", "琅琊区", "社区工作人员", "社会工作师", date(2023, 6, 30), "滁州", None, None,
     "one-off 2000; monthly Jul-Dec 6 x 400; ID born 1985 with 琅琊区 code (created 1992) still pays"),
    ("袁亮", "明光市", "社区工作人员", "初级", date(2023, 1, 31), "明光市", "2023-01-01", None,
     "alias 初级; one-off 1000; monthly Feb-Dec 11 x 200"),
    ("潘红", "来安县", "社区工作人员", "社会工作师", date(2023, 9, 9), "来安县", None, date(2023, 9, 1),
     "left before qualifying: one-off 2000, no monthly"),
]


def main(out: Path) -> None:
    rng = random.Random(20231)
    rows = []
    for i, (name, district, category, level, qualified, place, hired, left, _note) in enumerate(CASES):
        born = date(1985, 1, 1 + i) if name == "唐兰" else date(rng.randint(1965, 2000), rng.randint(1, 12),
                                                                 rng.randint(1, 28))
        pid = make_id(DISTRICTS[district], born, 100 + i)
        if name == "唐兰":  # pick a number ending in X, to be typed in lower case below
            pid = next(make_id(DISTRICTS[district], born, s) for s in range(100, 999)
                       if make_id(DISTRICTS[district], born, s).endswith("X"))
        rows.append([district, f"{district}{rng.choice('东西南北中')}街道社区居委会", name, pid, category, level,
                     f"{rng.randint(10**11, 10**12 - 1)}", qualified, place, hired, left,
                     f"6217{rng.randint(10**14, 10**15 - 1)}"])
    by_name = {r[2]: r for r in rows}
    rows[4][3] = rows[3][3]  # 孙志强's second certificate: same person, unit and bank account
    rows[4][1], rows[4][-1] = rows[3][1], rows[3][-1]
    rows[14][3] = rows[0][3]  # the duplicate of 陈晓梅
    bad = by_name["何涛"][3]
    by_name["何涛"][3] = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    by_name["高娟"][3] = float(by_name["高娟"][3][:17] + "0")  # Excel keeps 15 digits of a number
    by_name["唐兰"][3] = by_name["唐兰"][3].lower() + " "  # a stray space and a lower-case check char
    categories = ["社区工作人员"] * 6 + ["社工机构从业人员", "社会工作从业人员"]
    while len(rows) < 72:
        district = rng.choice(list(DISTRICTS))
        level = rng.choices(LEVELS, weights=(6, 3, 1))[0]
        qualified = date(rng.choice((2021, 2022, 2023, 2023)), rng.randint(1, 12), rng.randint(1, 28))
        hired = date(rng.randint(2012, 2023), rng.randint(1, 12), 1) if rng.random() < 0.7 else None
        left = date(2023, rng.randint(1, 12), 28) if rng.random() < 0.1 else None
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        born = date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
        rows.append([district, f"{district}{rng.choice('东西南北中')}街道社区居委会", name,
                     make_id(DISTRICTS[district], born, rng.randint(0, 999)), rng.choice(categories), level,
                     f"{rng.randint(10**11, 10**12 - 1)}", qualified,
                     rng.choice([f"滁州市{district}", district, "滁州市"]), hired, left,
                     f"6217{rng.randint(10**14, 10**15 - 1)}"])
    write(out, rows)


def write(out: Path, rows: list[list]) -> None:
    book = xlsxwriter.Workbook(str(out))
    ws = book.add_worksheet("花名册")
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#FFF2CC"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 0, len(HEADERS) - 1, "滁州市社会工作专业人才补贴申报花名册（2023年度）", title)
    ws.write(1, 0, "填报单位：滁州市民政局　　填报日期：2024年1月10日")
    ws.write_row(3, 0, HEADERS, head)
    widths = [6, 8, 26, 10, 22, 16, 16, 16, 14, 16, 12, 12, 24]
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    for i, row in enumerate(rows):
        r = 4 + i
        ws.write_number(r, 0, i + 1)
        for j, value in enumerate(row, start=1):
            if isinstance(value, date):
                ws.write_datetime(r, j, value, day)
            elif isinstance(value, float):
                ws.write_number(r, j, value)
            elif value is None:
                continue
            else:
                ws.write_string(r, j, value)
    book.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("chuzhou-roster.xlsx"))
