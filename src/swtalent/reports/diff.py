"""政策测算: the same roster and period under two policies — the cost of each, the difference by
rule, level and 区县, and who gains or loses. Plain data in integer fen; the command line renders
it, and it is written as a workbook or JSON (amounts as decimal strings)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..engine import Computation
from ..money import FEN_PER_YUAN, format_yuan
from .labels import labels
from .sheets import Sheet


def policy_diff(a: Computation, b: Computation, names: list[str] | None = None) -> dict:
    """Totals, differences by rule, level and district (fen), and each person whose amount changes.
    `names` say which policy is which (their files); by default their titles."""
    def by(comp: Computation, key: str) -> pd.Series:
        lines = comp.lines
        if key == "level":
            lines = lines[lines["kind"] != "award"]
        return lines.groupby(lines[key].astype(str), sort=False)["amount_fen"].sum().astype(np.int64)

    def table(key: str, names: dict[str, str]) -> list[dict]:
        left, right = by(a, key), by(b, key)
        found = set(left.index) | set(right.index)
        # Rules and levels in the policies' order, districts sorted with a blank one last.
        keys = [k for k in names if k in found] + sorted(found - set(names), key=lambda k: (k == "", k))
        return [{"key": k, "name": names.get(k, k), "a_fen": int(left.get(k, 0)), "b_fen": int(right.get(k, 0)),
                 "diff_fen": int(right.get(k, 0)) - int(left.get(k, 0))} for k in keys]

    rule_names = {r.id: r.title for comp in (a, b) for r in comp.policy.rules}
    level_names = {k: v.name for comp in (a, b) for k, v in comp.policy.levels.items()}
    people = _people(a, b)
    changed = people[people["diff_fen"] != 0]
    return {
        "policies": [a.policy.id, b.policy.id], "titles": names or [a.policy.title, b.policy.title],
        "period": a.period.label(), "a_fen": a.total_fen, "b_fen": b.total_fen, "diff_fen": b.total_fen - a.total_fen,
        "by_rule": table("rule_id", rule_names), "by_level": table("level", level_names),
        "by_district": table("district", {}) if "district" in a.roster.headers else [],
        "gain": int((people["diff_fen"] > 0).sum()), "lose": int((people["diff_fen"] < 0).sum()),
        "unchanged": int((people["diff_fen"] == 0).sum()), "people": changed,
    }


def _people(a: Computation, b: Computation) -> pd.DataFrame:
    """Everyone paid under either policy: person_id, name, district, a_fen, b_fen, diff_fen."""
    def per_person(comp: Computation) -> pd.DataFrame:
        return comp.lines.groupby("person_id", sort=False).agg(
            name=("name", "first"), district=("district", "first"), fen=("amount_fen", "sum"))
    left, right = per_person(a), per_person(b)
    both = left.add_suffix("_a").join(right.add_suffix("_b"), how="outer")
    out = pd.DataFrame({
        "person_id": both.index, "name": both["name_a"].fillna(both["name_b"]).to_numpy(),
        "district": both["district_a"].fillna(both["district_b"]).to_numpy(),
        "a_fen": both["fen_a"].fillna(0).astype(np.int64).to_numpy(),
        "b_fen": both["fen_b"].fillna(0).astype(np.int64).to_numpy(),
    })
    out["diff_fen"] = out["b_fen"] - out["a_fen"]
    return out.sort_values(["diff_fen", "person_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def diff_json(d: dict) -> dict:
    """Amounts as decimal strings, for machines."""
    def money(row: dict) -> dict:
        return {**{k: v for k, v in row.items() if not k.endswith("_fen")},
                **{k[:-4]: format_yuan(v) for k, v in row.items() if k.endswith("_fen")}}
    people = [money(r) for r in d["people"].to_dict("records")]
    return {**money({k: v for k, v in d.items() if k not in ("by_rule", "by_level", "by_district", "people")}),
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
            rows += [yuan(r["name"] or L["unknown_district"], r) for r in d[part]]
    rows += [[None] * 4, *[[L[f"diff_{k}"], d[k], None, None] for k in ("gain", "lose", "unchanged")]]
    summary = pd.DataFrame(rows, columns=heads, dtype=object)
    people = d["people"]
    changed = pd.DataFrame({
        L["name"]: people["name"], L["person_id"]: people["person_id"], L["district"]: people["district"],
        L["diff_a"]: people["a_fen"] / FEN_PER_YUAN, L["diff_b"]: people["b_fen"] / FEN_PER_YUAN,
        L["diff_change"]: people["diff_fen"] / FEN_PER_YUAN,
    })
    title = L["diff_title"].format(a=d["titles"][0], b=d["titles"][1], period=d["period"])
    write_sheets(path, [Sheet(L["sheet.diff"], summary, header_row=1, title=[title], money=heads[1:]),
                        Sheet(L["sheet.diff_people"], changed, autofilter=True,
                              money=[L["diff_a"], L["diff_b"], L["diff_change"]])], L)
