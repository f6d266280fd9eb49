"""What the commands print on a terminal: rich tables and lines, in the reader's language."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from rich.markup import escape

from .reports.diff import diff_label
from .reports.labels import labels


def render_compute(console, s: dict, lang: str, outs: list[Path]) -> None:
    from rich.table import Table

    L = labels(lang)
    console.print(f"[bold]{L['title'].format(city=s['city'], period=s['period'])}[/]", highlight=False)
    counts = Table(show_header=False, box=None)
    for key in ("rows_in", "rows_paid", "rows_ineligible", "rows_with_errors", "selected", "pending_tie",
                "pending_held"):
        if key in s:
            counts.add_row(L[key], str(s[key]))
    console.print(counts)
    for note in s["notes"]:
        console.print(f"[bold yellow]{escape(note)}[/]", highlight=False, soft_wrap=True)
    table = Table(title=L["by_rule"])
    for h in (L["rule"], L["kind"], L["persons"], L["lines"], L["amount"]):
        table.add_column(h, justify="right" if h != L["rule"] else "left")
    for r in s["by_rule"]:
        table.add_row(escape(r["title"]), L[f"kind.{r['kind']}"], str(r["persons"]), str(r["lines"]), r["amount"])
    table.add_row(f"[bold]{L['total']}[/]", "", str(s["persons"]), str(s["lines"]), f"[bold]{s['total']}[/]")
    console.print(table)
    console.print(f"{L['total_capital']}: {s['total_capital']}", highlight=False)
    problems = s["problems"]
    if problems:
        shown = problems[:20]
        counts = (f"（{L['problems_errors']} {s['errors']}，{L['problems_warnings']} {s['warnings']}）" if lang == "zh"
                  else f" ({L['problems_errors']} {s['errors']}, {L['problems_warnings']} {s['warnings']})")
        console.print(f"[bold]{L['sheet.problems']}[/]{counts}", highlight=False)
        several = "、" in (s.get("sheet") or "")  # a workbook of several sheets: every line names its sheet
        for p in shown:  # one line each, never truncated: the clerk needs the whole message
            column = (f"「{p['column']}」" if lang == "zh" else f" '{p['column']}'") if p["column"] else ""
            sheet = (f"工作表「{p['sheet']}」" if lang == "zh" else f"sheet '{p['sheet']}' ") if p.get("sheet") else ""
            row = "" if p["row"] is None else (f"第 {p['row']} 行" if lang == "zh" else f"row {p['row']}")
            quoted = p["value"] and p["value"] not in p["message"]
            value = (f"「{p['value']}」" if lang == "zh" else f" '{p['value']}'") if quoted else ""
            colour = "red" if p["severity"] == "error" else "yellow"
            # A problem in another file than the roster (the judges' score sheets) names its file and sheet.
            other = p.get("file") and s.get("roster") and p["file"] != s["roster"]
            sheet = f"{Path(p['file']).name} {sheet}" if other else sheet
            where = escape(f"{sheet if p['row'] is None or several or other else ''}{row}{column}{value}")  # cells may hold [tags]
            console.print(f"  [{colour}]{L[p['severity']]}[/] {where}{L['colon']}{escape(p['message'])}",
                          highlight=False, soft_wrap=True)
        if len(problems) > len(shown):
            more = len(problems) - len(shown)
            console.print(f"… 另有 {more} 条：全部问题见 --out 的 .xlsx 工作簿或 --json 输出" if lang == "zh"
                          else f"… {more} more: all of them are in an --out .xlsx workbook or the --json output")
    for path in outs:
        console.print(("已写入 " if lang == "zh" else "written: ") + str(path), highlight=False)


def render_check(console, r: dict, lang: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    L = labels(lang)
    console.print(f"[bold]{L['check_title'].format(file=r['file'])}[/]", highlight=False)
    console.print(f"{L['rows_in']} {r['rows_in']}  {L['rows_with_errors']} {r['rows_with_errors']}  "
                  f"{L['problems_errors']} {r['errors']}  {L['problems_warnings']} {r['warnings']}", highlight=False)
    if not r["problems"]:
        console.print("[green]未发现问题[/]" if lang == "zh" else "[green]no problems found[/]")
    else:
        table = Table(show_lines=True)
        table.add_column(L["severity"], no_wrap=True)
        table.add_column(L["where"], overflow="fold", max_width=24)
        table.add_column(f"{L['message']} / {L['hint']}", overflow="fold", ratio=1)
        for p in r["problems"]:
            colour = "red" if p["severity"] == "error" else "yellow"
            value = (f"「{p['value']}」" if lang == "zh" else f"'{p['value']}'") if p.get("value") else ""
            where = "\n".join(filter(None, (" ".join(filter(None, (p.get("sheet"), p.get("cell") or (
                str(p["row"]) if p.get("row") else "")))), p.get("column"), value)))
            text = escape(p["message"]) + (f"\n[dim]{escape(p['hint'])}[/]" if p["hint"] else "") + f"\n[dim]{p['code']}[/]"
            table.add_row(f"[{colour}]{L[p['severity']]}[/]", escape(where), text)
        console.print(table)
    if r["annotated"]:
        console.print(("已写入标注副本 " if lang == "zh" else "marked-up copy written: ") + r["annotated"], highlight=False)


def render_explain(console, r: dict, lang: str) -> None:
    from rich.markup import escape

    L = labels(lang)
    zh = lang == "zh"
    status = {"paid": L["status_paid"], "not_paid": L["status_not_paid"], "held": L["status_held"]}
    console.print(f"[bold]{escape(r['name'])}  {r['person_id']}[/]  {L['period']} {r['period']}  "
                  f"{L['total']} [bold]{r['total']}[/]", highlight=False)
    colon = L["colon"]
    for row in r["rows"]:
        sheet = (f"工作表「{row['sheet']}」" if zh else f"sheet '{row['sheet']}', ") if row["sheet"] else ""
        at = sheet + (f"第 {row['row']} 行" if zh else f"row {row['row']}")
        console.print(f"  {escape(at)}{colon}{status[row['status']]}", highlight=False)
    for p in r["problems"]:
        console.print(f"  [red]{escape(p['message'])}[/] — {escape(p['hint'])}", highlight=False)
    for rule in r["rules"]:
        rule_id = f"（{rule['rule_id']}）" if zh else f" ({rule['rule_id']})"
        console.print(f"\n[bold]{escape(rule['title'])}[/]{rule_id}{colon}{rule['amount']}", highlight=False)
        console.print(f"  [dim]{escape(rule['clause'])}[/]", highlight=False)
        for e in rule["rows"]:
            at = f"第 {e['row']} 行" if zh else f"row {e['row']}"
            level = f" {escape(e['level'])}" if e["level"] else ""
            console.print(f"  {at}{level}{colon}{status[e['status']]}", highlight=False)
            for c in e["conditions"]:
                mark = "[green]✓[/]" if c["holds"] else "[red]✗[/]"
                console.print(f"    {mark} {escape(c['label'])}「{escape(c['value'])}」 — {escape(c['rule'])}", highlight=False)
            if e.get("amount_table"):
                console.print(f"    {L['amount_table']}{L['colon']}{escape(e['amount_table']['text'])}", highlight=False)
            for m in e.get("months", []):
                span = m["first"] if m["first"] == m["last"] else f"{m['first']}..{m['last']}"
                count = f"（{m['count']} 个月）" if zh else f" ({m['count']} months)"
                console.print(f"    {span}{count}{colon}{escape(m['why'])}", highlight=False)
            for line in e["lines"]:
                console.print(f"    = {escape(line['detail'])} → {line['amount']}", highlight=False)
            if e.get("score"):
                said = "得分" if zh else "score"
                console.print(f"    {said}{colon}{escape(e['score']['text'])}", highlight=False)
            if e.get("award_status"):
                console.print(f"    {escape(e['award_status'])}" + (f" #{e['rank']}" if e.get("rank") else ""),
                              highlight=False)
            if e["reason"]:
                console.print(f"    {escape(e['reason'])}", highlight=False)


def render_diff(console, d: dict, lang: str, out: Optional[Path]) -> None:
    from rich.table import Table

    from .money import format_yuan

    L = labels(lang)
    console.print(f"[bold]{L['diff_title'].format(a=d['files'][0], b=d['files'][1], period=d['period'])}[/]",
                  highlight=False)
    table = Table()
    for h in (L["diff_item"], L["diff_a"], L["diff_b"], L["diff_change"]):
        table.add_column(h, justify="left" if h == L["diff_item"] else "right")
    table.add_row(f"[bold]{L['total']}[/]", format_yuan(d["a_fen"]), format_yuan(d["b_fen"]),
                  f"[bold]{format_yuan(d['diff_fen'])}[/]")
    for part in ("by_rule", "by_level", "by_district"):
        if d[part]:
            table.add_section()
            table.add_row(f"[dim]{L[part]}[/]", "", "", "")
            for r in d[part]:
                table.add_row(diff_label(r, L), format_yuan(r["a_fen"]), format_yuan(r["b_fen"]),
                              format_yuan(r["diff_fen"]))
    console.print(table)
    console.print(f"{L['diff_gain']} {d['gain']}  {L['diff_lose']} {d['lose']}  {L['diff_unchanged']} {d['unchanged']}",
                  highlight=False)
    for note in d.get("notes", []):
        console.print(f"[bold yellow]{escape(note)}[/]", highlight=False, soft_wrap=True)
    people = d["people"]
    if len(people):
        shown = people.head(20)
        changed = Table(title=L["sheet.diff_people"])
        where = "district" if d["by_district"] else "unit"
        for h in (L["name"], L["person_id"], L[where], L["diff_a"], L["diff_b"], L["diff_change"]):
            changed.add_column(h, justify="right" if h in (L["diff_a"], L["diff_b"], L["diff_change"]) else "left",
                               no_wrap=h == L["person_id"])
        for r in shown.itertuples(index=False):
            changed.add_row(r.name, r.person_id, getattr(r, where), format_yuan(r.a_fen), format_yuan(r.b_fen),
                            format_yuan(r.diff_fen))
        console.print(changed)
        if len(people) > len(shown):
            more = len(people) - len(shown)
            console.print(f"… 另有 {more} 人：全部见 --out 的工作簿或 --json 输出" if lang == "zh"
                          else f"… {more} more: all of them are in the --out workbook or the --json output")
    if out is not None:
        console.print(("已写入 " if lang == "zh" else "written: ") + str(out), highlight=False)


def render_validate(console, results: list[dict], lang: str) -> None:
    for r in results:
        issues = r["issues"]
        errors = sum(i.severity == "error" for i in issues)
        if not issues:
            console.print(f"[green]✓[/] {r['file']}" + ("：未发现问题" if lang == "zh" else ": no problems"), highlight=False)
            continue
        for issue in issues:
            colour = "red" if issue.severity == "error" else "yellow"
            console.print(f"[{colour}]{escape(issue.render(lang))}[/]", highlight=False, soft_wrap=True)
        count = (f"{errors} 个错误，{len(issues) - errors} 个警告" if lang == "zh"
                 else f"{errors} error(s), {len(issues) - errors} warning(s)")
        console.print(f"{'[red]✗[/]' if errors else '[yellow]![/]'} {r['file']}: {count}", highlight=False)


def render_scenarios(console, outcomes: list, lang: str) -> None:
    for o in outcomes:
        mark = "[green]✓[/]" if o.passed else "[red]✗[/]"
        console.print(f"{mark} {o.file}:{o.line} {o.name}", highlight=False)
        for person, rule, want, got in o.failures:
            console.print(f"    {escape(person)} {rule}: " + (f"应为 {want}，实为 {got}" if lang == "zh"
                                                             else f"expected {want}, got {got}"), highlight=False)
        for issue in o.problems:
            console.print(f"    [red]{escape(issue.render(lang))}[/]", highlight=False)
    failed = sum(not o.passed for o in outcomes)
    console.print((f"{len(outcomes)} 个场景，{failed} 个未通过" if lang == "zh"
                   else f"{len(outcomes)} scenario(s), {failed} failed"), highlight=False)
