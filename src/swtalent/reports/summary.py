"""The run's summary as plain data: what --json prints and what the summary sheet shows."""
from __future__ import annotations

from .. import __version__
from ..engine import Computation
from ..money import capital_yuan, format_yuan


def by_rule(comp: Computation) -> list[dict]:
    out = []
    for rule in comp.policy.rules:
        part = comp.lines[comp.lines["rule_id"] == rule.id]
        out.append({"rule_id": rule.id, "title": rule.title, "kind": rule.kind, "lines": len(part),
                    "persons": int(part["person_id"].nunique()), "amount_fen": int(part["amount_fen"].sum())})
    return out


def by_district(comp: Computation) -> list[dict]:
    """Totals by 区县 when the roster has that column ('' collects rows left blank, listed last)."""
    if "district" not in comp.roster.headers:
        return []
    grouped = comp.lines.groupby("district", sort=True).agg(
        lines=("amount_fen", "size"), amount_fen=("amount_fen", "sum"), persons=("person_id", "nunique"))
    out = [{"district": d, "persons": int(r["persons"]), "lines": int(r["lines"]), "amount_fen": int(r["amount_fen"])}
           for d, r in grouped.iterrows()]
    return sorted(out, key=lambda d: d["district"] == "")


def by_level(comp: Computation) -> list[dict]:
    """Totals by certificate level, lowest first; award and title lines, which do not depend on a
    level, last under level '' and the rules' titles, so that the rows add up to the total."""
    lines, out = comp.lines, []
    award = lines["kind"].isin(["award", "title_allowance"]).to_numpy()  # paid whatever the level
    groups = [(key, level.name, ~award & (lines["level"] == key).to_numpy()) for key, level in comp.policy.levels.items()]
    groups.append(("", "、".join(r.title for r in comp.policy.rules if r.kind in ("award", "title_allowance")), award))
    for key, name, mask in groups:
        part = lines[mask]
        if len(part):
            out.append({"level": key, "name": name, "persons": int(part["person_id"].nunique()),
                        "lines": len(part), "amount_fen": int(part["amount_fen"].sum())})
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
        if res.award is not None and res.award.year is None:
            cycle = res.rule.cycle
            out.append(f"{comp.period.label()} 不含「{res.rule.title}」的评选月份（自 {cycle.first_year} 年起每 "
                       f"{cycle.every_years} 年评选一次，于当年 {cycle.month} 月评选），本期无人入选" if lang == "zh" else
                       f"{comp.period.label()} holds no selection month of '{res.rule.title}' (every "
                       f"{cycle.every_years} years from {cycle.first_year}, in month {cycle.month}); nobody is selected")
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
            out.append(f"往届名单中的规则编号「{rule_id}」不是本政策的规则，这些行未使用" if lang == "zh" else
                       f"rule id '{rule_id}' in the previous winners file is not a rule of this policy; "
                       "those rows are not used")
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
