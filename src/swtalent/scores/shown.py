"""A candidate's score as people read it: on the 评选结果 sheet (a column per judge, part and record)
and in explain (the same figures, in a sentence)."""
from __future__ import annotations

from decimal import Decimal

from .compute import ROUNDS, PartScore, RuleScores

# A record's count has no unit word: letters, students, cases and hours share none.
WORDS = {
    "zh": {"highest": "去掉最高分", "lowest": "去掉最低分", "recused": "回避", "mean": "平均", "judge": "评委",
           "cap": "上限", "points": "得分", "total": "合计", "sep": "、", "semi": "；", "count": "",
           "in": "入围", "out": "未入围", "pending": "入围待定", "shortlisted": "是否入围"},
    "en": {"highest": "highest, dropped", "lowest": "lowest, dropped", "recused": "stood aside", "mean": "mean",
           "judge": "judge", "cap": "cap", "points": "points", "total": "total", "sep": ", ", "semi": "; ",
           "count": "", "in": "shortlisted", "out": "not shortlisted", "pending": "shortlist pending",
           "shortlisted": "Shortlisted"},
}


def num(value: Decimal) -> str:
    """A figure as written on the sheet: 88.80 stays 88.80 (the rounding's places), 0.1 stays 0.1."""
    return format(value, "f")


def mark_text(mark, lang: str) -> str:
    w = WORDS[lang]
    if mark.value is None:
        return w["recused"]
    return f"{num(mark.value)}（{w[mark.dropped]}）" if lang == "zh" and mark.dropped else (
        f"{num(mark.value)} ({w[mark.dropped]})" if mark.dropped else num(mark.value))


def part_text(part: PartScore, lang: str, policy) -> str:
    """One part: the marks with the dropped ones said, or the records with their points, then the part's score."""
    w = WORDS[lang]
    colon = "：" if lang == "zh" else ": "
    if part.kind == "judges":
        marks = w["sep"].join(f"{m.judge} {mark_text(m, lang)}" for m in part.marks)
        body = f"{w['judge']}{colon}{marks} → {w['mean']} {num(part.score)}"
    elif part.kind == "records":
        items = []
        for r in part.records:
            label = policy.field_label(r.field, lang)
            raw = num((r.count * r.each).normalize() if r.count else Decimal(0))
            said = f"{label} {r.count}{w['count']} × {num(r.each)} = {raw}"
            if r.capped:
                said += f"，{w['cap']} {num(r.points)}" if lang == "zh" else f", {w['cap']} {num(r.points)}"
            items.append(said)
        body = f"{w['semi'].join(items)} → {w['total']} {num(part.score)}"
    else:
        body = num(part.score)
    name = part.name_en if lang == "en" else part.name
    weight = f" × {num(part.weight)}" if part.weight is not None else ""
    return f"{name}{colon}{body}{weight}" if name else body


def score_text(parts: list[PartScore] | None, final: Decimal | None, lang: str, policy) -> str:
    """The whole computation of one candidate's score, ending in the score itself."""
    if parts is None or (final is None and not parts[0].round):
        return ""
    w = WORDS[lang]
    said = w["semi"].join(part_text(p, lang, policy) for p in parts)
    if parts[0].round:  # two rounds: each round's score; the second's is the final one
        return said
    if len(parts) > 1 or parts[0].weight is not None:
        return f"{said} = {num(final)}"
    return said


def sheet_columns(scores: RuleScores, lang: str, policy) -> dict[str, list]:
    """评选结果's extra columns, in order: each judge's mark (dropped ones marked), each record's
    points, each part's score, then the computation in words. Values per roster row."""
    n = len(scores.final)
    cols: dict[str, list] = {}
    parts = scores.rule.score.parts
    for part_name, judges in scores.judges.items():
        for judge in judges:
            head = f"{part_name}·{judge}" if part_name else judge
            values = []
            for i in range(n):
                mark = next((m for p in scores.parts[i] or () if p.name == part_name for m in p.marks
                             if m.judge == judge), None)
                values.append(None if mark is None else (float(mark.value) if mark.value is not None and not mark.dropped
                                                         else mark_text(mark, lang)))
            cols[head] = values
    for field in scores.records:
        head = policy.field_label(field, lang) + ("得分" if lang == "zh" else " points")
        cols[head] = [next((float(r.points) for p in scores.parts[i] or () for r in p.records if r.field == field), None)
                      for i in range(n)]
    for part in parts or ():
        head = part.name_en or part.name if lang == "en" else part.name
        cols[head] = [next((float(p.score) for p in scores.parts[i] or () if p.name == part.name), None) for i in range(n)]
    if scores.shortlist is not None:  # two rounds: round 1's score, shortlisted or not, round 2's score
        w = WORDS[lang]
        for k, (zh, en) in enumerate(ROUNDS, 1):
            head = (zh + "得分") if lang == "zh" else f"{en[0].upper()}{en[1:]} score"
            cols[head] = [next((float(p.score) for p in scores.parts[i] or () if p.round == k), None) for i in range(n)]
            if k == 1:
                cols[w["shortlisted"]] = [w.get(v) if v else None for v in scores.shortlist]
        # Round 1's marks or records, its score, shortlisted or not, then round 2's marks and score.
        heads = list(cols)
        rank = {h: (1 if h.startswith(ROUNDS[0][0] + "·") else 3 if h.startswith(ROUNDS[1][0] + "·")
                    else 0) for h in heads}
        r1, r2 = heads[-3], heads[-1]
        rank.update({r1: 2, w["shortlisted"]: 2, r2: 4})
        cols = {h: cols[h] for h in sorted(heads, key=lambda h: rank[h])}
    cols["得分计算" if lang == "zh" else "How scored"] = [score_text(scores.parts[i], scores.final[i], lang, policy)
                                                         for i in range(n)]
    return cols
