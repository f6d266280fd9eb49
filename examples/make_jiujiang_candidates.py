"""Regenerate examples/jiujiang-candidates.xlsx: 46 fictional candidates for Jiujiang's 2023 selection.

    python examples/make_jiujiang_candidates.py [OUT]

All people are invented; ID numbers are valid GB 11643 numbers with Jiujiang region codes.
Scores are chosen so that, under policies/jiujiang.yaml (20 places, no tie-break), ranks 1-18
are clear, three candidates tie on 86.5 across places 19-21 (pending, so 18 are selected), and
four candidates work in fields outside the list. One row has a score typed as text ("八十"),
which is reported as a problem.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

import xlsxwriter

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
REGIONS = {"浔阳区": "360403", "濂溪区": "360402", "柴桑区": "360404", "武宁县": "360423", "修水县": "360424",
           "永修县": "360425", "都昌县": "360428", "湖口县": "360429", "瑞昌市": "360481", "共青城市": "360482"}
FIELDS = ["社会福利", "社会救助", "慈善事业", "残障康护", "犯罪预防", "司法救助", "社区管理服务", "防灾减灾", "社区服务"]
OUTSIDE = ["心理咨询", "企业人力资源", "学校教学", "医疗护理"]
LEVELS = ["助理社会工作师", "社会工作师", "高级社会工作师"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华兰萍红玉亮成建国志文斌"
HEADERS = ["序号", "姓名", "身份证号", "工作领域", "推荐单位", "证书等级", "从事社会工作年限", "评审得分"]


def make_id(region: str, born: str, seq: int) -> str:
    body = f"{region}{born}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def main(out: Path) -> None:
    rng = random.Random(2023)
    # 18 clear scores, then the three-way tie at 86.5 across places 19-21, then the rest.
    scores = [round(97.5 - i * 0.5, 1) for i in range(18)] + [86.5, 86.5, 86.5]
    scores += [round(86.0 - i * 0.7, 1) for i in range(21)]
    rows = []
    for i, score in enumerate(scores):
        district = rng.choice(list(REGIONS))
        rows.append([rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                     make_id(REGIONS[district], f"{rng.randint(1965, 1998)}{rng.randint(1, 12):02d}"
                             f"{rng.randint(1, 28):02d}", i),
                     rng.choice(FIELDS), f"{district}民政局", rng.choice(LEVELS), rng.randint(2, 20), score])
    for i, field in enumerate(OUTSIDE):  # high scores, wrong field: not eligible, never selected
        rows.insert(3 + i * 5, [rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                                make_id("360403", f"19{80 + i}0101", 900 + i), field, "浔阳区民政局",
                                "社会工作师", 10, 99.0 - i])
    rows[30][6] = "八十"  # a score typed as words: a row problem
    book = xlsxwriter.Workbook(str(out))
    ws = book.add_worksheet("候选人")
    ws.merge_range(0, 0, 0, len(HEADERS) - 1, "九江市 2023 年度优秀社会工作人才候选人评审得分表",
                   book.add_format({"bold": True, "font_size": 14}))
    ws.write_row(2, 0, HEADERS, book.add_format({"bold": True, "border": 1}))
    for i, row in enumerate(rows):
        ws.write_number(3 + i, 0, i + 1)
        for j, value in enumerate(row, start=1):
            ws.write(3 + i, j, value)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 7, 16)
    book.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("jiujiang-candidates.xlsx"))
