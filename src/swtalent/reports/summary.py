"""The run's summary as plain data: what --json prints and what the summary sheet shows."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import __version__
from ..districts import district_order
from ..engine import Computation
from ..engine import outcome as o
from ..money import capital_yuan, format_yuan


def _totals(comp: Computation, keys) -> dict:
    """key -> (lines, persons, amount in fen): one pass over the payment lines, kept on the
    computation, since the summary sheet and --json both ask (fen summed as integers)."""
    memo = comp.memo.setdefault("totals", {})
    name = keys if isinstance(keys, str) else "level"
    if name not in memo:
        lines = comp.lines
        codes, found = _groups(lines[keys]) if isinstance(keys, str) else keys(lines)
        people = _people(comp)
        fen = np.zeros(len(found), dtype=np.int64)
        np.add.at(fen, codes, lines["amount_fen"].to_numpy(dtype=np.int64))
        count = np.bincount(codes, minlength=len(found))
        persons = persons_per_group(codes, people, len(found))
        memo[name] = {k: (int(count[i]), int(persons[i]), int(fen[i])) for i, k in enumerate(found) if count[i]}
    return memo[name]


def _groups(column: pd.Series) -> tuple[np.ndarray, list]:
    """Each line's group (a number) and the groups: a rule or level column is categorical, and its
    codes are the numbers (factorising 800,000 lines' texts took 0.1 s a column)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(np.int64)
        if (codes >= 0).all():
            return codes, list(column.cat.categories)
    codes, found = pd.factorize(column.astype(object).to_numpy())
    return codes, list(found)


def persons_per_group(groups: np.ndarray, people: np.ndarray, count: int) -> np.ndarray:
    """How many distinct people each of `count` groups holds, from each line's group (a code below 0
    counts nowhere) and person (integers from 0). A run's few groups (rules, levels, districts) are
    a table of (group, person) marks, one pass; many groups, distinct (group, person) pairs found by
    sorting them as integers (numpy 2's np.unique of a million integers takes a second, sorting 0.06
    s, the table 0.01 s)."""
    keep = groups >= 0
    span = int(people.max()) + 2 if len(people) else 1
    if count * span <= TABLE_CELLS:
        seen = np.zeros((count, span), dtype=bool)
        seen[groups[keep], people[keep] + 1] = True
        return seen.sum(axis=1)
    pairs = np.sort(groups[keep].astype(np.int64) * span + people[keep] + 1)
    first = np.r_[True, pairs[1:] != pairs[:-1]] if len(pairs) else np.zeros(0, dtype=bool)
    return np.bincount(pairs[first] // span, minlength=count)


TABLE_CELLS = 1 << 26  # 64 MB of marks at most: 60 groups of a million people


def _people(comp: Computation) -> np.ndarray:
    """Each payment line's person as a number from 0, the same for all of one person's lines: found
    once and kept, since every 合计 row's 人数 counts from it (a million-line run asks five times).
    The roster's own person numbers, renumbered without gaps by a table of those present."""
    if "people" not in comp.memo:
        persons = line_persons(comp, comp.lines) + 1  # (-1, no person, is a person of its own here)
        present = np.zeros(int(persons.max()) + 1 if len(persons) else 0, dtype=bool)
        present[persons] = True
        comp.memo["people"] = (np.cumsum(present) - 1)[persons]
    return comp.memo["people"]


def line_persons(comp: Computation, lines: pd.DataFrame) -> np.ndarray:
    """Each line's person as the roster numbers them (normalise: equal IDs, equal numbers), by the
    line's roster row: integers, where hashing a million ID texts again took 0.6 s."""
    return comp.roster.frame["person"].to_numpy()[lines["pos"].to_numpy()]


def persons_paid(comp: Computation) -> int:
    """How many people the run pays: a 合计 row's 人数, each person once however many lines."""
    people = _people(comp)
    return int(people.max()) + 1 if len(people) else 0  # factorize numbers the people 0, 1, 2 … (no ID is blank)


def by_rule(comp: Computation) -> list[dict]:
    got = _totals(comp, "rule_id")
    return [{"rule_id": r.id, "title": r.title, "kind": r.kind, "lines": got.get(r.id, (0, 0, 0))[0],
             "persons": got.get(r.id, (0, 0, 0))[1], "amount_fen": got.get(r.id, (0, 0, 0))[2]} for r in comp.policy.rules]


def by_district(comp: Computation) -> list[dict]:
    """Totals by 区县 when the roster has that column, in the order of their region codes (districts:
    the order; '' collects rows left blank, listed last)."""
    if "district" not in comp.roster.headers:
        return []
    got = _totals(comp, "district")
    return [{"district": d, "persons": got[d][1], "lines": got[d][0], "amount_fen": got[d][2]}
            for d in district_order(got, comp.policy, comp.roster.frame["district"])]


def by_level(comp: Computation) -> list[dict]:
    """Totals by certificate level, lowest first; award and title lines, which do not depend on a
    level, last under level '' and the rules' titles, so that the rows add up to the total."""
    def level_of(lines: pd.DataFrame) -> tuple[np.ndarray, list]:  # award and title lines: whatever the level
        level, whatever = lines["level"], lines["kind"].isin(["award", "title_allowance"]).to_numpy()
        if isinstance(level.dtype, pd.CategoricalDtype) and "" not in level.cat.categories:
            codes, found = level.cat.codes.to_numpy().astype(np.int64), [*level.cat.categories, ""]
            codes[(codes < 0) | whatever] = len(found) - 1  # no level: ''
            return codes, found
        return _groups(pd.Series(np.where(whatever, "", level.astype(object).fillna("").to_numpy()), dtype=object))
    got = _totals(comp, level_of)
    titles = "、".join(r.title for r in comp.policy.rules if r.kind in ("award", "title_allowance"))
    groups = [(key, level.name) for key, level in comp.policy.levels.items()] + [("", titles)]
    return [{"level": key, "name": name, "persons": got[key][1], "lines": got[key][0], "amount_fen": got[key][2]}
            for key, name in groups if key in got]


def _ledger_notes(comp: Computation, lang: str) -> list[str]:
    """What the ledger changed: lines left out as paid, and arrears (补发) paid or waiting."""
    out = []
    held = sum(int((res.reason == "ledger.paid").sum()) for res in comp.outcomes)
    if held:
        out.append(f"{held} 行此前已由账本中的批次发放，本次不再发放（见不予发放表）" if lang == "zh" else
                   f"{held} row(s) were paid by batches in the ledger and are not paid again (see the unpaid sheet)")
    paid = comp.lines[comp.lines["arrears"]] if "arrears" in comp.lines else comp.lines.iloc[:0]
    if len(paid):
        out.append(f"含补发 {len(paid)} 行，合计 {format_yuan(int(paid['amount_fen'].sum()))} 元（单列于补发花名册）"
                   if lang == "zh" else f"includes {len(paid)} arrears line(s), {format_yuan(int(paid['amount_fen'].sum()))} "
                   "yuan, on their own payroll sheets")
    if len(comp.arrears):
        due = format_yuan(int(comp.arrears["amount_fen"].sum()))
        out.append(f"另有应补发 {len(comp.arrears)} 行，合计 {due} 元，本次未发放（见应补发表）；核实后加 --include-arrears 发放"
                   if lang == "zh" else f"{len(comp.arrears)} arrears line(s), {due} yuan, fell due earlier and are not paid "
                   "by this run (see the arrears sheet); add --include-arrears to pay them")
    return out


def notes(comp: Computation, lang: str) -> list[str]:
    """Facts about the run a reader must not miss, such as a year in which an award selects nobody."""
    out = []
    held = int(comp.roster.frame["error"].sum())
    for res in comp.outcomes:
        if res.award is not None and res.award.year is not None and held:
            out.append(f"{held} 行数据有误、未参与「{res.rule.title}」排名；改正后评选结果可能变化" if lang == "zh" else
                       f"{held} row(s) with data problems are not ranked for '{res.rule.title}'; "
                       "the result may change once they are corrected")
        if res.award is not None and res.award.year is not None:
            outside = int((res.reason == o.AWARD_NOT_CANDIDATE).sum())
            if outside:
                out.append(f"{outside} 行无评审得分，视为非候选人，未参与「{res.rule.title}」排名；候选人漏填得分的，补填后重新计算"
                           if lang == "zh" else
                           f"{outside} row(s) have no score and are taken as not candidates for '{res.rule.title}'; "
                           "if a candidate's score was left out, fill it in and compute again")
        if res.award is not None and res.award.year is not None:
            waiting = int((res.award.status == "pending_held").sum())
            if waiting:
                out.append(f"「{res.rule.title}」有 {waiting} 人待定：有候选人因数据问题未参加排名，更正后重新计算才能确定；"
                           "本次记入账本后，本届评选不再增补，待定名额请在更正后再记入" if lang == "zh" else
                           f"'{res.rule.title}': {waiting} pending, since candidates held for data problems are not "
                           "ranked; correct them and compute again. Once this run is committed to the ledger the "
                           "cycle takes no one more: commit after the correction")
        if res.award is not None and res.award.year is None:
            cycle = res.rule.cycle
            out.append(f"{comp.period.label()} 不含「{res.rule.title}」的评选月份（自 {cycle.first_year} 年起每 "
                       f"{cycle.every_years} 年评选一次，于当年 {cycle.month} 月评选），本期无人入选" if lang == "zh" else
                       f"{comp.period.label()} holds no selection month of '{res.rule.title}' (every "
                       f"{cycle.every_years} years from {cycle.first_year}, in month {cycle.month}); nobody is selected")
    out += _ledger_notes(comp, lang)
    out += _continued(comp, lang)
    out += [("警告：" if lang == "zh" else "warning: ") + i.render(lang) for i in comp.policy_warnings]
    if comp.previous is None and comp.policy.uses_history():
        rules = "、".join(r.title for r in comp.policy.history_rules())
        out.append(f"「{rules}」依据往期发放或往届入选情况，本次未提供 --previous，按此前从未发放、从未入选计算" if lang == "zh"
                   else f"'{rules}' depend(s) on earlier payments or winners; no --previous file was given, so none are counted")
    if comp.previous is not None:
        named = set(comp.previous["rule_id"]) - {""}
        if not comp.policy.uses_history():
            out.append("本政策没有依据往期发放或往届获评情况的规则，往期名单未使用" if lang == "zh" else
                       "no rule of this policy depends on earlier payments or winners; the previous file is not used")
        for rule_id in sorted(named - {r.id for r in comp.policy.rules}):
            out.append(f"往期名单中的规则编号「{rule_id}」不是本政策的规则，这些行未使用" if lang == "zh" else
                       f"rule id '{rule_id}' in the previous file is not a rule of this policy; "
                       "those rows are not used")
    return out


def _continued(comp: Computation, lang: str) -> list[str]:
    """A payroll longer than an Excel sheet continues on further sheets: said, so that nobody takes
    the first sheet's 本表合计 for the whole."""
    from .labels import labels
    from .payroll import one_sheet, payroll_kinds, payroll_parts
    from .sheets import EXCEL_ROWS, part_name

    L, out = labels(lang), []
    for kind, arrears, mask in payroll_kinds(comp):
        if one_sheet(comp, mask):
            continue
        parts = payroll_parts(comp, comp.lines[mask])
        if len(parts) > 1:
            name = L[f"sheet.payroll.{kind}"] + (L["arrears_word"] if arrears else "")
            names = "、".join(part_name(name, k, L) for k in range(1, len(parts) + 1))
            out.append(f"「{name}」有 {int(mask.sum()):,} 笔，超过 Excel 一张工作表的 {EXCEL_ROWS:,} 行，"
                       f"在工作簿中接续在 {len(parts)} 张表上（{names}），每张表有本表合计；总额以汇总为准"
                       if lang == "zh" else
                       f"'{name}' has {int(mask.sum()):,} lines, more than an Excel sheet's {EXCEL_ROWS:,} rows: the "
                       f"workbook continues it on {len(parts)} sheets ({names}), each with its own total; the "
                       "summary's total is the whole")
    return out


def summary(comp: Computation, lang: str = "zh") -> dict:
    issues = comp.roster.issues
    total = comp.total_fen
    return {
        **comp.counts(),
        **comp.award_counts(),
        "total": format_yuan(total),
        "total_capital": capital_yuan(total),
        "lines": len(comp.lines),
        "persons": persons_paid(comp),
        "policy": comp.policy.id,
        "city": comp.policy.city,
        "period": comp.period.label(),
        "roster": comp.roster.file,
        "sheet": comp.roster.sheet,
        "by_rule": [{**{k: v for k, v in r.items() if k != "amount_fen"}, "amount": format_yuan(r["amount_fen"])}
                    for r in by_rule(comp)],
        "by_level": [{"level": lv["level"], "persons": lv["persons"], "lines": lv["lines"],
                      "amount": format_yuan(lv["amount_fen"])} for lv in by_level(comp)],
        "by_district": [{"district": d["district"], "persons": d["persons"], "lines": d["lines"],
                         "amount": format_yuan(d["amount_fen"])} for d in by_district(comp)],
        "notes": notes(comp, lang),
        "errors": sum(1 for i in issues if i.severity == "error"),
        "warnings": sum(1 for i in issues if i.severity == "warning"),
        "problems": [i.as_dict(lang) for i in issues],
        "swtalent": __version__,
    }
