"""Regenerate examples/jiujiang-judges.xlsx: seven judges' marks for the candidates of
examples/jiujiang-candidates.xlsx, the --scores workbook of policies/jiujiang-judges.yaml.

    python examples/make_jiujiang_judges.py [OUT]

All marks are invented. Each candidate's marks are their 评审得分 s with s + 3 (at most 100) and
s - 4 around s, s ± 1 and s ± 0.5: dropping the highest and the lowest leaves five marks whose mean
is s, so the selection equals that of the example under policies/jiujiang.yaml (the three-way tie
on 86.5 across the last places included). The candidate whose 评审得分 is typed 八十 keeps that text
under one judge, a located problem.
"""
from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
JUDGES = ["评委一", "评委二", "评委三", "评委四", "评委五", "评委六", "评委七"]


def main(out: Path) -> None:
    rows = list(openpyxl.load_workbook(HERE / "jiujiang-candidates.xlsx")["候选人"].iter_rows(values_only=True))
    head = rows.index(next(r for r in rows if r and r[0] == "序号"))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "评委打分"
    ws.append(["九江市 2023 年度优秀社会工作人才评审评委打分表（示例，人员与分数均为虚构）"])
    ws.append(["序号", "姓名", "身份证号", *JUDGES, "备注"])
    for row in rows[head + 1:]:
        if not row or row[1] is None:
            continue
        seq, name, pid, score = row[0], row[1], row[2], row[7]
        try:
            s = Decimal(str(score))
        except Exception:
            ws.append([seq, name, pid, score, 80, 80, 80, 80, 80, 80, "得分录入有误"])
            continue
        marks = [s, s + 1, s - 1, min(Decimal(100), s + 3), s + Decimal("0.5"), s - Decimal("0.5"), s - 4]
        ws.append([seq, name, pid, *[float(m) for m in marks], None])
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 21
    wb.save(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "jiujiang-judges.xlsx")
