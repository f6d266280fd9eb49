"""swtalent explain: for one person, every rule — each condition with the value seen and whether
it holds, the months counted and why the others were not, the rate, the amount and the clause.

The reason and the "how computed" texts are the ones the workbook prints (reasons.rule_reasons,
reasons.line_details), taken for this person's rows, so the two can never disagree.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..conditions import holds
from ..engine import ERROR, INELIGIBLE, PAID, Computation
from ..engine import outcome as o
from ..engine.monthly import month_bounds, paid_span, waited
from ..errors import UsageError
from ..money import format_yuan, plain_yuan, to_fen
from ..periods import month_label, month_start
from .labels import labels
from .reasons import (
    condition_rule,
    line_details,
    rule_reasons,
    shown_values,
    table_note,
)

_MONTH_WHY = {
    "zh": {"paid": "按 {rate} 元发放", "not_in_force": "政策尚未施行", "not_held": "证书尚未计入（取证日期 {q}）",
           "not_hired": "尚未入职（入职日期 {h}）", "left": "已离职（离职日期 {l}）", "zero": "该月标准为 0",
           "superseded": "按本人更高等级证书发放", "max_months": "已发满每人至多 {max} 个月",
           "waiting": "在岗未满 {wait} 个月（入职日期 {h}）", "cap": "已达每人终身上限 {cap} 元",
           "cap_part": "按 {rate} 元标准，达终身上限只发 {paid} 元"},
    "en": {"paid": "paid at {rate} yuan", "not_in_force": "the policy is not yet in force",
           "not_held": "the certificate does not count yet (qualified on {q})", "not_hired": "not yet in post (hired on {h})",
           "left": "left (on {l})", "zero": "the rate is 0 that month", "superseded": "paid on the person's higher-level certificate",
           "max_months": "the {max} months allowed per person are used up",
           "waiting": "fewer than {wait} months in post (hired on {h})",
           "cap": "the lifetime cap of {cap} yuan per person is reached",
           "cap_part": "{paid} yuan of the {rate} yuan rate: the lifetime cap is reached"},
}


def find_person(comp: Computation, query: str, lang: str = "zh") -> np.ndarray:
    """Positions of the rows of the person asked for: a full ID, a masked one (3411**********1234),
    or a name that only one person has."""
    frame = comp.roster.frame
    ids = frame["person_id"].to_numpy().astype(str)
    # "…" and "..." stand for the hidden middle too, as a person may copy an ID shortened for print.
    q = "".join(query.split()).upper().replace("...", "…")
    masks = {"*", "…", comp.policy.notice.mask}
    if len(q) == 18 and not masks & set(q):
        hits = np.flatnonzero(ids == q)
    elif masks & set(q):  # as on the notice list: the characters kept at each end must match
        cut = [k for k, ch in enumerate(q) if ch in masks]
        head, tail = q[:cut[0]], q[cut[-1] + 1:]
        hits = np.flatnonzero([len(i) == 18 and i.startswith(head) and i.endswith(tail) for i in ids])
    else:
        hits = np.flatnonzero(frame["name"].to_numpy() == query.strip())
    people = sorted({ids[h] or f"#{h}" for h in hits})  # rows without an ID are each their own
    # An organisation is asked for by its unified social credit code (18 characters too) or its name.
    key_zh, key_en, name_zh, name_en = (("统一社会信用代码", "unified social credit code", "机构名称", "organisation")
                                        if comp.policy.organisations else ("身份证号", "ID number", "姓名", "name"))
    if not people:
        raw = np.flatnonzero(comp.roster.frame["person_id"].to_numpy() == "")
        hint_zh = f"；{key_zh}有误的行在花名册中没有可用的号码，可按{name_zh}查询" if len(raw) else ""
        hint_en = f"; rows whose {key_en} is unusable can be found by {name_en}" if len(raw) else ""
        masked_zh, masked_en = ("", "") if comp.policy.organisations else (f"、打码的{key_zh}", ", a masked one")
        raise UsageError(f"花名册中没有「{query}」：请用{key_zh}{masked_zh}或{name_zh}{hint_zh}",
                         f"nothing in the roster matches '{query}': give the {key_en}{masked_en} or the {name_en}"
                         f"{hint_en}")
    if len(people) > 1:
        listed = "、".join(f"{frame['name'].iat[_first(ids, p)]} {_shown(ids, p)}" for p in people)
        raise UsageError(f"「{query}」对应 {len(people)} {'个机构' if comp.policy.organisations else '人'}（{listed}）：请用{key_zh}",
                         f"'{query}' matches {len(people)} {'organisations' if comp.policy.organisations else 'people'} "
                         f"({listed}): give the {key_en}")
    return hits if people[0].startswith("#") else np.flatnonzero(ids == people[0])


def _first(ids: np.ndarray, person: str) -> int:
    return int(person[1:]) if person.startswith("#") else int(np.flatnonzero(ids == person)[0])


def _shown(ids: np.ndarray, person: str) -> str:
    """The ID to ask for, in full: the clerk holds the roster, and a shortened one could be shared."""
    return "（无身份证号）" if person.startswith("#") else person


def explain(comp: Computation, rows: np.ndarray, lang: str = "zh") -> dict:
    """The explanation as plain data (amounts as decimal strings)."""
    L = labels(lang, comp.policy.organisations)
    frame, lines = comp.roster.frame, comp.lines
    mask = np.zeros(len(frame), dtype=bool)
    mask[rows] = True
    reasons = rule_reasons(comp, lang, mask)  # per rule, for these rows: the workbook's own words
    details = line_details(comp, lang)
    level_names = comp.policy.level_titles
    out_rules = []
    for res, why in zip(comp.outcomes, reasons):
        rule = res.rule
        entries = []
        for k, i in enumerate(rows):
            mine = (lines["pos"] == i).to_numpy() & (lines["rule_id"] == rule.id).to_numpy()
            entry = {
                "sheet": frame["sheet"].iat[i], "row": int(frame["row"].iat[i]),
                "level": "" if pd.isna(frame["level"].iat[i]) else level_names[frame["level"].iat[i]],
                "status": "held" if frame["error"].iat[i] else ("paid" if res.paid[i] else "not_paid"),
                "conditions": [_condition_seen(c, frame.iloc[[i]], comp.policy, lang) for c in rule.conditions],
                "reason": why.iat[k] if not frame["error"].iat[i] else L["held"],
                "lines": [{"level": level_names.get(str(lines["level"].iat[j]), ""), "detail": details.iat[j],
                           "months": int(lines["months"].iat[j]) if lines["kind"].iat[j] in ("monthly", "title_allowance")
                           else None,
                           "amount": format_yuan(int(lines["amount_fen"].iat[j]))} for j in np.flatnonzero(mine)],
                "amount": format_yuan(int(res.amount_fen[i])),
            }
            if getattr(rule, "amounts_by", None) is not None:
                cell = str(frame[rule.amounts_by.field].iat[i])
                level = None if pd.isna(frame["level"].iat[i]) else str(frame["level"].iat[i])
                entry["amount_table"] = {"field": rule.amounts_by.field, "value": cell,
                                         "entry": rule.amounts_by.entry(rule.entry_of(cell))[0] if rule.entry_of(cell) else "",
                                         "text": table_note(comp.policy, rule, cell, level, lang)}
            if rule.kind == "monthly" and not frame["error"].iat[i] and res.failed_condition[i] < 0:
                entry["months"] = _months(comp, res, i, lang)
            if res.award is not None and res.award.year is not None and not frame["error"].iat[i]:
                entry["rank"] = int(res.award.rank[i]) or None  # only a selection that took place ranks
                entry["award_status"] = L[f"status.{res.award.status[i]}"]
            got = comp.scores.get(rule.id)
            if got is not None and (got.final[i] is not None or (got.shortlist is not None and got.parts[i])):
                entry["score"] = _score_seen(comp, got, i, lang)  # two rounds: round 1's score even if not shortlisted
            entries.append(entry)
        out_rules.append({"rule_id": rule.id, "title": rule.title, "kind": rule.kind, "clause": rule.clause,
                          "rows": entries, "amount": format_yuan(int(res.amount_fen[rows].sum()))})
    first = rows[0]
    status = {PAID: "paid", INELIGIBLE: "not_paid", ERROR: "held"}
    cells = {(frame["sheet"].iat[r], int(frame["row"].iat[r])) for r in rows}
    problems = [i.as_dict(lang) for i in comp.roster.issues if (i.location.sheet, i.location.row) in cells]
    return {"person_id": frame["person_id"].iat[first], "name": frame["name"].iat[first],
            "period": comp.period.label(), "policy": comp.policy.id,
            "rows": [{"sheet": frame["sheet"].iat[i], "row": int(frame["row"].iat[i]), "status": status[comp.status[i]]}
                     for i in rows],
            "rules": out_rules, "problems": problems,
            "total": format_yuan(int(sum(res.amount_fen[rows].sum() for res in comp.outcomes)))}


def _months(comp: Computation, res, i: int, lang: str) -> list[dict]:
    """Each run of months of the period with the same outcome: paid at a rate, or why not."""
    frame, rule = comp.roster.frame, res.rule
    start, hire, left, in_force = month_bounds(rule, comp.policy, frame.iloc[[i]])
    ready = int(waited(rule, hire)[0])
    start, hire, left = int(start[0]), int(hire[0]), int(left[0])
    level = frame["level"].iat[i]
    entry = int(res.table_entry[i]) if res.table_entry is not None else 0
    capped = res.capped is not None and bool(res.capped[i])
    paid: dict[int, int] = {}
    if res.paid[i]:
        runs = (res.segments or {}).get(int(i))
        if runs is None and capped:  # the standard rates, then the last month cut to what the cap left
            runs = [(rule.amount_on(level, month_start(m), entry), m, m) for m in range(int(res.first_month[i]),
                                                                                 int(res.last_month[i]) + 1)]
        for rate, a, b in runs or [(int(res.rate_fen[i]), int(res.first_month[i]), int(res.last_month[i]))]:
            paid.update({m: rate for m in range(a, b + 1)})
    last_paid = max(paid) if paid else None
    part = int(res.amount_fen[i]) - sum(r for m, r in paid.items() if m != last_paid) if capped and paid else None
    cap_out = capped or res.reason[i] == o.LIFETIME_CAP
    t = _MONTH_WHY[lang]
    same = (frame["person_id"] == frame["person_id"].iat[i]).to_numpy()
    used_up = rule.max_months is not None and (
        int(res.earlier_months[i]) + int(res.months[same].sum()) >= rule.max_months)
    facts = {k: frame[f"{key}_written"].iat[i] or _day(frame[key].iat[i])
             for k, key in (("q", "qualified_on"), ("h", "hired_on"), ("l", "left_on"))}
    out: list[dict] = []
    span = paid_span(rule, comp.period)  # a rule paid once a year pays the whole year in one run
    for m in span.months if span is not None else ():
        m = int(m)
        if m in paid and m == last_paid and part is not None and part != paid[m]:
            text = t["cap_part"].format(rate=plain_yuan(paid[m]), paid=plain_yuan(part))
        elif m in paid:
            text = t["paid"].format(rate=plain_yuan(paid[m]))
        elif m < in_force:
            text = t["not_in_force"]
        elif m < start:
            text = t["not_held"].format(**facts)
        elif m < hire:
            text = t["not_hired"].format(**facts)
        elif m > left:
            text = t["left"].format(**facts)
        elif m < ready:
            text = t["waiting"].format(wait=rule.wait_months, **facts)
        elif rule.amount_on(level, month_start(m), entry) == 0:
            text = t["zero"]
        elif cap_out and (last_paid is None or m > last_paid):
            text = t["cap"].format(cap=plain_yuan(to_fen(rule.lifetime_cap)))
        elif used_up:
            text = t["max_months"].format(max=rule.max_months)
        else:
            text = t["superseded"]
        if out and out[-1]["why"] == text and out[-1]["last"] == month_label(m - 1):
            out[-1]["last"] = month_label(m)
            out[-1]["count"] += 1
        else:
            out.append({"first": month_label(m), "last": month_label(m), "count": 1, "why": text, "paid": m in paid})
    return out


def _day(value) -> str:
    return "" if value is None or value != value else str(np.datetime64(value, "D"))


def _condition_seen(cond, row: pd.DataFrame, policy, lang: str) -> dict:
    """One condition for one row: the fields it reads, the values seen, the rule and whether it holds."""
    keys = list(dict.fromkeys(f for leaf in cond.leaves() for f in (leaf.field, leaf.other) if f))
    seen = [shown_values(row, key, lang).iat[0] for key in keys]
    if len(keys) == 1:
        value = seen[0]
        if policy.field_type(keys[0]) == "level":
            value = policy.level_titles.get(value, value)
    else:
        colon, sep = ("：", "；") if lang == "zh" else (": ", "; ")
        value = sep.join(f"{policy.field_label(k, lang)}{colon}{v or '—'}" for k, v in zip(keys, seen))
    return {"field": keys[0] if len(keys) == 1 else ",".join(keys),
            "label": policy.field_label(keys[0], lang) if len(keys) == 1 else "",
            "value": value, "rule": condition_rule(cond, lang, policy), "holds": bool(holds(cond, row)[0])}


def _score_seen(comp: Computation, scores, i: int, lang: str) -> dict:
    """The score as the 评选结果 sheet shows it: each part with its marks (dropped ones said) or
    records, and the final score, as exact decimal strings, with the computation in words."""
    from ..scores.shown import num, score_text

    parts = [{"name": p.name_en if lang == "en" else p.name, "kind": p.kind, "score": num(p.score),
              "weight": None if p.weight is None else num(p.weight),
              "judges": [{"judge": m.judge, "score": None if m.value is None else num(m.value),
                          "dropped": m.dropped, "recused": m.value is None} for m in p.marks],
              "records": [{"field": comp.policy.field_label(r.field, lang), "count": r.count, "each": num(r.each),
                           "points": num(r.points), "capped": r.capped} for r in p.records]}
             for p in scores.parts[i]]
    seen = {"final": None if scores.final[i] is None else num(scores.final[i]), "parts": parts,
            "text": score_text(scores.parts[i], scores.final[i], lang, comp.policy)}
    if scores.shortlist is not None:  # two rounds: shortlisted (入围) or not, as 评选结果 says
        from ..scores.shown import WORDS

        seen["shortlist"] = WORDS[lang].get(scores.shortlist[i]) or None
        for p, part in zip(parts, scores.parts[i]):
            p["round"] = part.round
    return seen
