"""政策测算: the same roster and period under two policies — the cost of each, the difference by
rule, level and 区县, and who gains or loses. Plain data in integer fen; the command line renders
it, and it is written as a workbook or JSON (amounts as decimal strings)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..districts import district_order
from ..engine import Computation
from ..money import FEN_PER_YUAN, format_yuan
from .labels import labels
from .sheets import Sheet
from .summary import by_district, by_level, by_rule


def policy_diff(a: Computation, b: Computation, files: list[str] | None = None) -> dict:
    """Totals, differences by rule, level and district (fen), and each person whose amount changes.
    `files` say which policy is which; by default their ids."""
    def table(of, key: str) -> list[dict]:
        left = {r[key]: r for r in of(a)}
        right = {r[key]: r for r in of(b)}
        rows = []
        keys = list(dict.fromkeys([*left, *right]))  # the current policy's order, then what only the proposed has
        if key == "district":  # one order of 区县 whichever policy pays in them
            keys = district_order(keys, a.policy, a.roster.frame["district"])
        for k in keys:
            name = (left.get(k) or right.get(k))["name" if of is not by_rule else "title"]
            rows.append({"key": k, "name": name, "only": "" if k in left and k in right else "a" if k in left else "b",
                         "a_fen": left[k]["amount_fen"] if k in left else 0,
                         "b_fen": right[k]["amount_fen"] if k in right else 0})
            rows[-1]["diff_fen"] = rows[-1]["b_fen"] - rows[-1]["a_fen"]
        return rows

    people = _people(a, b)
    changed = people[people["diff_fen"] != 0]
    by_districts = (lambda comp: [{**d, "name": d["district"]} for d in by_district(comp)])
    return {
        "policies": [a.policy.id, b.policy.id], "files": files or [a.policy.id, b.policy.id],
        "titles": [a.policy.title, b.policy.title], "period": a.period.label(),
        "a_fen": a.total_fen, "b_fen": b.total_fen, "diff_fen": b.total_fen - a.total_fen,
        "by_rule": table(by_rule, "rule_id"), "by_level": table(by_level, "level"),
        "by_district": table(by_districts, "district") if "district" in a.roster.headers else [],
        "gain": int((people["diff_fen"] > 0).sum()), "lose": int((people["diff_fen"] < 0).sum()),
        "unchanged": int((people["diff_fen"] == 0).sum()), "people": changed,
    }


def amount_dates(policy) -> list[date]:
    """Every date from which one of the policy's amounts is in force (its dated `from` entries)."""
    found = set()
    for rule in policy.rules:
        lists = [rule.amount] if hasattr(rule, "amount") else [rule.dated()] if hasattr(rule, "yearly_amounts") else []
        if hasattr(rule, "amounts") and isinstance(rule.amounts, dict):
            lists += list(rule.amounts.values())
            if rule.amounts_by is not None:
                lists += [entries for table in rule.amounts_by.values.values() for entries in table.values()]
        found |= {entry.from_ for entries in lists for entry in entries}
    return sorted(found)


def unchanged_notes(d: dict, lang: str, as_of: list[date] | None = None, policy=None) -> list[str]:
    """Why a comparison shows nothing but zeros: said, rather than a table of zeros left to puzzle
    over. With --as-of, whether the file changes any amount between the two dates, and the dates on
    which it does change one."""
    rows = [r for part in ("by_rule", "by_level", "by_district") for r in d[part]]
    if d["diff_fen"] or len(d["people"]) or any(r["diff_fen"] for r in rows):
        return []
    zh = lang == "zh"
    if as_of is None:
        return ["两个政策对本花名册在 " + d["period"] + " 的计算结果相同：没有任何金额变化" if zh else
                f"the two policies pay this roster the same in {d['period']}: nothing changes"]
    first, last = (day.isoformat() for day in as_of)
    dates = amount_dates(policy)
    moved = [day.isoformat() for day in dates if min(as_of) < day <= max(as_of)]
    if moved:
        return [f"政策文件在 {first} 与 {last} 之间调整了金额（{'、'.join(moved)} 起），但本花名册在 {d['period']} "
                "无人领取调整的金额：没有任何金额变化" if zh else
                f"the policy file changes amounts between {first} and {last} (from {', '.join(moved)}), but nobody "
                f"on this roster is paid a changed amount in {d['period']}: nothing changes"]
    shown = "、".join(day.isoformat() for day in dates) if zh else ", ".join(day.isoformat() for day in dates)
    return [f"政策文件在 {first} 与 {last} 施行的金额相同（两个日期之间没有金额调整）：没有任何金额变化。"
            f"本文件金额的生效日期：{shown}；比较一次调整，请在其前后各取一个日期" if zh else
            f"the policy file's amounts in force on {first} and on {last} are the same (no amount changes between "
            f"the two dates): nothing changes. Its amounts take effect on {shown}; to compare a change, give a date "
            "before and one after it"]


def _people(a: Computation, b: Computation) -> pd.DataFrame:
    """Everyone paid under either policy: person_id, name, district, a_fen, b_fen, diff_fen."""
    def per_person(comp: Computation) -> pd.DataFrame:
        return comp.lines.groupby("person_id", sort=False).agg(
            name=("name", "first"), district=("district", "first"), unit=("unit", "first"), fen=("amount_fen", "sum"))
    left, right = per_person(a), per_person(b)
    both = left.add_suffix("_a").join(right.add_suffix("_b"), how="outer")
    out = pd.DataFrame({
        "person_id": both.index, "name": both["name_a"].fillna(both["name_b"]).to_numpy(),
        "district": both["district_a"].fillna(both["district_b"]).to_numpy(),
        "unit": both["unit_a"].fillna(both["unit_b"]).to_numpy(),
        "a_fen": both["fen_a"].fillna(0).astype(np.int64).to_numpy(),
        "b_fen": both["fen_b"].fillna(0).astype(np.int64).to_numpy(),
    })
    out["diff_fen"] = out["b_fen"] - out["a_fen"]
    return out.sort_values(["diff_fen", "person_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def diff_label(row: dict, L: dict) -> str:
    """A breakdown row's name, saying when only one of the policies has it."""
    return (row["name"] or L["unknown_district"]) + (L["diff_only_" + row["only"]] if row["only"] else "")


def diff_json(d: dict) -> dict:
    """Amounts as decimal strings, for machines."""
    def money(row: dict) -> dict:
        return {**{k: v for k, v in row.items() if not k.endswith("_fen")},
                **{k[:-4]: format_yuan(v) for k, v in row.items() if k.endswith("_fen")}}
    people = [money(r) for r in d["people"].to_dict("records")]
    return {**money({k: v for k, v in d.items() if k not in ("by_rule", "by_level", "by_district", "people", "notes")}),
            "notes": d.get("notes", []),
            **{k: [money(r) for r in d[k]] for k in ("by_rule", "by_level", "by_district")}, "people": people}


def write_diff_workbook(d: dict, path: Path, lang: str = "zh") -> None:
    from .workbook import write_sheets

    L = labels(lang)
    heads = [L["diff_item"], L["diff_a"], L["diff_b"], L["diff_change"]]
    def yuan(label: str, row: dict) -> list:
        return [label, row["a_fen"] / FEN_PER_YUAN, row["b_fen"] / FEN_PER_YUAN, row["diff_fen"] / FEN_PER_YUAN]

    rows = [yuan(L["total"], d)]
    for part in ("by_rule", "by_level", "by_district"):
        if d[part]:
            rows += [[None] * 4, [L[part], None, None, None]]
            rows += [yuan(diff_label(r, L), r) for r in d[part]]
    # Head counts as words in the item column: the other columns are money.
    rows += [[None] * 4, *[[f"{L['diff_' + k]}{L['colon']}{d[k]}", None, None, None] for k in ("gain", "lose", "unchanged")]]
    rows += [[note, None, None, None] for note in d.get("notes", [])]
    summary = pd.DataFrame(rows, columns=heads, dtype=object)
    people = d["people"]
    where = "district" if d["by_district"] else "unit"
    changed = pd.DataFrame({
        L["name"]: people["name"], L["person_id"]: people["person_id"], L[where]: people[where],
        L["diff_a"]: people["a_fen"] / FEN_PER_YUAN, L["diff_b"]: people["b_fen"] / FEN_PER_YUAN,
        L["diff_change"]: people["diff_fen"] / FEN_PER_YUAN,
    })
    title = L["diff_title"].format(a=d["files"][0], b=d["files"][1], period=d["period"])
    write_sheets(path, [Sheet(L["sheet.diff"], summary, header_row=1, title=[title], money=heads[1:]),
                        Sheet(L["sheet.diff_people"], changed, autofilter=True,
                              money=[L["diff_a"], L["diff_b"], L["diff_change"]])], L)
