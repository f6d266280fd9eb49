"""计算依据: what an auditor needs to reproduce the run — the policy file and its SHA-256, the
roster and its SHA-256, the period, the swtalent version, the command, the assumptions, and for
each rule its clause, conditions and the amounts in force."""
from __future__ import annotations

import hashlib
import shlex
from pathlib import Path

import pandas as pd

from .. import __version__
from ..engine import Computation
from ..money import plain_yuan
from .reasons import condition_rule
from .sheets import RunInfo


def sha256(path: str) -> str:
    """The file's SHA-256, read in blocks; '' when there is no such file."""
    p = Path(path)
    if not path or not p.is_file():
        return ""
    digest = hashlib.sha256()
    with p.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def basis_frame(comp: Computation, L: dict, run: RunInfo, batch: str) -> pd.DataFrame:
    policy, roster = comp.policy, comp.roster
    policy_file = run.policy_file
    command = run.command or shlex.join(["swtalent", "compute", roster.file, "--policy", policy_file,
                                         "--period", comp.period.label()])
    rows: list[tuple[str, str]] = [
        (L["policy_file"], policy_file), (L["sha256"], run.policy_sha256 or sha256(policy_file)),
        (L["policy"], f"{policy.title}（{policy.id}）" if L["lang"] == "zh" else f"{policy.title} ({policy.id})"),
        (L["city"], policy.city), (L["source"], policy.source), (L["in_force"], policy.in_force_from.isoformat()),
        (L["roster_file"], run.roster_file or roster.file), (L["sha256"], run.roster_sha256 or sha256(roster.file)),
        (L["sheet"], roster.sheet),
    ]
    if run.previous_file:  # earlier payments and winners change who is paid what
        rows += [(L["previous_file"], run.previous_file), (L["sha256"], sha256(run.previous_file))]
    elif policy.uses_history():
        rows.append((L["previous_file"], L["not_given"]))
    rows += [(L["period"], comp.period.label()), (L["batch"], batch)]
    if run.ledger:
        rows.append((L["ledger"], run.ledger))
    if run.ledger_batch:
        rows.append((L["ledger_batch"], run.ledger_batch))
    rows += [(L["version"], f"swtalent {__version__}"), (L["command"], command)]
    rows += [(L["assumption"], a) for a in policy.assumptions]
    types = L["field_types"]
    zh = L["lang"] == "zh"
    left, comma, colon, right, sep = ("（", "，", "：", "）", "、") if zh else (" (", ", ", ": ", ")", ", ")
    rows += [(L["declared_field"], policy.field_label(key, L["lang"]) + left + key + comma + types[f.type]
              + (colon + sep.join(f.values) if f.values else "") + ("" if f.required else comma + L["optional"]) + right)
             for key, f in policy.fields.items()]
    rows += [(L["check"], f"{condition_rule(c, L['lang'], policy)} — {c.message if L['lang'] == 'zh' else c.message_en or c.message}")
             for c in policy.checks]
    for rule in policy.rules:
        rows.append(("", ""))
        rows.append((L["rule_word"], f"{rule.title}（{rule.id}，{L['kind.' + rule.kind]}）" if L["lang"] == "zh"
                     else f"{rule.title} ({rule.id}, {L['kind.' + rule.kind]})"))
        rows.append((L["clause"], rule.clause))
        for cond in rule.conditions:
            rows.append((L["condition"], condition_rule(cond, L["lang"], policy)))
        rows += [(L["limit"], text) for text in limits(rule, policy, L)]
        if rule.kind == "title_allowance":
            yearly = rule.amounts is None
            rows.append((L["amount_rule_yearly" if yearly else "amount_rule"], _dated(rule.dated(), L)))
            rows.append((L["cycle"], L["term_text_yearly" if yearly else "term_text"].format(
                award=rule.award, years=rule.term_years, month=rule.pay_month)))
            continue
        if rule.kind == "award":
            rows.append((L["amount_rule"], _dated(rule.amount, L)))
            rows.append((L["cycle"], L["cycle_text"].format(first=rule.cycle.first_year, every=rule.cycle.every_years,
                                                            month=rule.cycle.month, quota=rule.quota)))
            continue
        if rule.kind == "one_off":
            since, until = rule.since(policy).isoformat(), rule.qualified_until
            rows.append((L["window"], L["window_both"].format(since=since, until=until.isoformat()) if until
                         else L["window_from"].format(since=since)))
            rows.append((L["upgrade"], L[f"upgrade.{rule.upgrade}"]))
        table = rule.amounts_by
        general = f"（{L['general']}）" if table is not None and L["lang"] == "zh" else \
            f" ({L['general']})" if table is not None else ""
        for key, entries in rule.amounts.items():
            name = policy.levels[key].name if key in policy.levels else key
            rows.append((L["amount_rule"], f"{name}{general}{L['colon']}{_dated(entries, L)}"))
        if table is not None:
            field = policy.field_label(table.field, L["lang"])
            rows.append((L["amount_table"], L["table_text"].format(field=field)))
            for value, by_level in table.values.items():
                entry = L["table_entry"].format(field=field, value=value)
                if table.aliases.get(value):
                    also = L["list_sep"].join(table.aliases[value])
                    entry += f"（{L['also_written']}：{also}）" if L["lang"] == "zh" else f" ({L['also_written']}: {also})"
                for key, entries in by_level.items():
                    name = policy.levels[key].name if key in policy.levels else key
                    rows.append((L["amount_rule"], f"{entry} · {name}{L['colon']}{_dated(entries, L)}"))
    return pd.DataFrame(rows, columns=[L["item"], L["content"]], dtype=object)


def limits(rule, policy, L: dict) -> list[str]:
    """What bounds a rule beyond its amounts, as the basis sheet says it: a lifetime cap, months or
    years allowed, a waiting period, repeat winners, places or nominees per unit."""
    from ..money import to_fen

    out = []
    if getattr(rule, "lifetime_cap", None) is not None:
        out.append(L["limit.cap"].format(cap=plain_yuan(to_fen(rule.lifetime_cap))))
    for key in ("max_months", "max_years"):
        if getattr(rule, key, None):
            out.append(L[f"limit.{key}"].format(n=getattr(rule, key)))
    if getattr(rule, "wait_months", None):
        out.append(L["limit.wait"].format(n=rule.wait_months, from_=L[f"limit.wait.{rule.wait_from}"]))
    if getattr(rule, "no_repeat", None) == "ever":
        out.append(L["limit.no_repeat_ever"])
    elif getattr(rule, "no_repeat_cycles", None):
        out.append(L["limit.no_repeat_cycles"].format(n=rule.no_repeat_cycles))
    for key in ("quota_per", "nominations_per"):
        quota = getattr(rule, key, None)
        if quota is not None:
            out.append(L[f"limit.{key}"].format(field=policy.field_label(quota.field, L["lang"]),
                                                places=_places(quota, L)))
    return out


def _places(quota, L: dict) -> str:
    if not quota.by_value():
        return L["limit.each"].format(n=quota.max)
    listed = [f"{value} {n}" for value, n in quota.max.items()]
    others = L["limit.unlimited"] if quota.others == "unlimited" else L["limit.others"].format(n=quota.others)
    return L["sep"].join(listed + [others])


def _dated(entries, L: dict) -> str:
    return L["sep"].join(L["dated_amount"].format(day=e.from_.isoformat(), amount=plain_yuan(e.fen)) for e in entries)
