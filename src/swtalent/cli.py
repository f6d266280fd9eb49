"""The command line: parse options, call the library, render, map to exit codes.

Exit codes: 0 done (row problems are reported, not fatal), 1 the policy or the file cannot
be used, 2 usage, 3 internal error. A traceback is shown only with --debug.
"""
from __future__ import annotations

from . import interrupt

interrupt.install()  # first: Ctrl-C during the imports below must not hang the run (see interrupt)

import atexit
import gc
import json
import os
import re
import shlex
import sys
import threading
import traceback
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__, usage
from .errors import Issue, Location, SwtalentError, UsageError
from .fields import FIELDS, alias_table, header_key
from .ledger_cli import (
    LedgerOpt,
    OperatorOpt,
    commit_when_written,
    ledger_app,
    ledger_note,
    open_or_fail,
    shown_url,
)
from .memory import give_back
from .progress import Stages
from .roster.source import DEFAULT_MAX_ROWS, READING_THREAD, PendingSheet
from .usage import Lang, LangOpt, NoCsvBomOpt

app = typer.Typer(cls=usage.Group, add_completion=False, no_args_is_help=True,
                  help="swtalent: 社会工作人才补贴、津贴与评选计算 / social-work talent subsidies, allowances and awards.")
app.add_typer(ledger_app, name="ledger")


# The options several commands share, declared once.
RosterArg = Annotated[Path, typer.Argument(help="花名册 roster (.xlsx, .xlsm, .xls, .ods, .csv)")]
SheetOpt = Annotated[Optional[str], typer.Option("--sheet", help="工作表名 (default: every visible sheet of one shape)")]
MapOpt = Annotated[list[str], typer.Option("--map", help="map a header to a field: 证件号=身份证号 (or ＝, ：); "
                                                          "repeatable")]
ScoresOpt = Annotated[Optional[Path], typer.Option(
    "--scores", help="评委评分表: judges' marks for awards scored by judges (score: judges in the policy)")]
PreviousOpt = Annotated[Optional[Path], typer.Option(
    "--previous", help="earlier payments and award winners (CSV detail columns and 年度)")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="show a traceback on internal errors")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="only the errors, one line each, on standard error")]
ForceOpt = Annotated[bool, typer.Option("--force", help="replace output files that already exist")]
MaxRowsOpt = Annotated[int, typer.Option("--max-rows", min=1, help="refuse a roster of more rows, or a file that would "
                                         f"inflate past 1 KiB a row (default {DEFAULT_MAX_ROWS:,})")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"swtalent {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")) -> None:
    """Compute payments from a policy file and a roster."""


# The field names a --map error lists first: the columns a roster most often heads its own way.
_MAP_FIRST = ("person_id", "name", "level")
# The separators of --map: = and : as a Chinese input method types them too (full-width ＝ ：, small ﹦).
_MAP_SEP = re.compile(r"\s*[=＝﹦:：]\s*")


def parse_map(items: list[str], policy: Path | None = None) -> dict[str, str]:
    """--map 证件号=身份证号 -> {'证件号': 'person_id'}; the right side is a field key, a field's Chinese
    header (身份证号) or any of its aliases (身份证号码, 公民身份号码), or a field the policy declares
    (户籍所在地, hukou); a full-width ＝, full-width letters and spaces (a Chinese input method's) are
    read as their plain forms. The separator is = or : in any of their forms (证件号：身份证号). A header
    may hold one itself (取证时间：年月=取得证书日期): the field is what follows the last separator
    that leaves a known field on its right, and the header everything before it."""
    known = {**alias_table(), **{key: key for key in FIELDS}}
    if items and policy is not None:
        from .policy import load_policy

        declared = load_policy(policy).fields
        known |= alias_table({k: (f.name, *f.aliases) for k, f in declared.items()}) | {k: k for k in declared}

    def field_of(target: str) -> str | None:
        return known.get(header_key(target)) or known.get(header_key(target).lower())

    out = {}
    for item in items:
        cuts = list(_MAP_SEP.finditer(item))
        split = next((m for m in reversed(cuts) if item[:m.start()].strip() and field_of(item[m.end():].strip())),
                     cuts[-1] if cuts else None)
        header = item[:split.start()].strip() if split else item.strip()
        target = item[split.end():].strip() if split else ""
        if not header or not target:
            raise UsageError(f"无法理解 --map「{item}」：写作 原列名=字段，如 --map 证件号=身份证号",
                             f"cannot understand --map '{item}': write HEADER=FIELD, such as --map 证件号=person_id")
        key = field_of(target)
        if key is None:
            raise UsageError(f"--map「{item}」：不认识字段「{target}」{_close_field(target, 'zh')}；"
                             f"字段写作 {_field_list('zh')}（或其常用列名）",
                             f"--map '{item}': unknown field '{target}'{_close_field(target, 'en')}; "
                             f"FIELD is one of {_field_list('en')}")
        out[header] = key
    return out


def _field_list(lang: str) -> str:
    keys = (*_MAP_FIRST, *(k for k in FIELDS if k not in _MAP_FIRST))
    return "、".join(FIELDS[k].zh for k in keys) if lang == "zh" else ", ".join(keys)


def _close_field(target: str, lang: str) -> str:
    """（是不是「身份证号」？） for a near miss of a field's name or alias."""
    import difflib

    names = {**{header_key(a): spec.zh for spec in FIELDS.values() for a in (spec.zh, *spec.aliases)},
             **{key: key for key in FIELDS}}
    close = difflib.get_close_matches(header_key(target), list(names), n=1, cutoff=0.6)
    if not close:
        return ""
    name = names[close[0]]
    return f"（是不是「{name}」？）" if lang == "zh" else f" (did you mean '{name}'?)"


@app.command()
def compute(
    roster: RosterArg,
    policy: Path = typer.Option(..., "--policy", "-p", help="政策文件 policy YAML"),
    period: str = typer.Option(..., "--period", help="2023, 2023-05 or 2023-01..2023-06"),
    out: list[Path] = typer.Option([], "--out", "-o", help="output file: .xlsx workbook, .csv or .json detail; repeatable"),
    sheet: SheetOpt = None,
    column_map: MapOpt = [],
    previous: PreviousOpt = None,
    scores: ScoresOpt = None,
    notice: list[Path] = typer.Option([], "--notice", help="公示名单 public notice list (.xlsx or .csv): masked IDs, no bank accounts; repeatable"),
    notice_from: Optional[str] = typer.Option(None, "--notice-from", help="公示期 first day on the notice list, e.g. 2024-01-10"),
    notice_until: Optional[str] = typer.Option(None, "--notice-until", help="公示期 last day (default: notice.period_days days, the first counted)"),
    batch: Optional[str] = typer.Option(None, "--batch", help="批次 on the payroll titles, e.g. 2023年第1批 (default: the period)"),
    as_json: bool = typer.Option(False, "--json", help="print the summary as JSON"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar and no summary; problems and exit code only"),
    force: ForceOpt = False,
    no_csv_bom: NoCsvBomOpt = False,
    max_rows: MaxRowsOpt = DEFAULT_MAX_ROWS,
    ledger: LedgerOpt = None,
    commit: bool = typer.Option(False, "--commit", help="record what this run pays in the ledger, once every output is written"),
    include_arrears: bool = typer.Option(False, "--include-arrears", help="also pay arrears (补发): what fell due in earlier periods the ledger covers and was never paid"),
    operator: OperatorOpt = None,
    lang: LangOpt = Lang.zh,
    debug: DebugOpt = False,
) -> None:
    """计算补贴与评选 / Compute the policy's subsidies, allowances and award selections for a period."""
    def work() -> None:
        # The workbook is parsed on other threads while pandas, the policy model and the policy load.
        pending = _pending(roster, sheet, max_rows)
        bar = Stages(("read", "compute", "write"), lang.value, enabled=not (quiet or as_json))
        try:
            run(pending, bar)
        finally:
            bar.close()

    def run(pending: PendingSheet, bar: Stages) -> None:
        from . import api
        from .ledger import new_batch_id
        from .periods import Period
        from .reports.files import check_outputs, write_outputs
        from .reports.sheets import RunInfo
        from .reports.summary import summary

        per = Period.parse(period)
        if commit and not out:
            raise UsageError("--commit 需要 --out：记入账本的批次要有据以发放的发放表",
                             "--commit needs --out: a batch recorded in the ledger needs the payroll it is paid from")
        inputs = [roster, policy, *([previous] if previous else []), *([scores] if scores else [])]
        for path in notice:
            if path.suffix.lower() not in (".xlsx", ".csv"):
                raise UsageError(f"公示名单只能是 .xlsx 或 .csv：「{path.name}」",
                                 f"the notice list is .xlsx or .csv: '{path.name}'")
        posted = _notice_dates(notice_from, notice_until, bool(notice))
        check_outputs(out + notice, inputs, force=force)  # a path given twice, even once as --out, is refused
        from .ledger import ledger_exists

        existed = ledger_exists(ledger)
        book = open_or_fail(ledger, create=commit)
        comp = api.run_compute(pending, policy, per, column_map=parse_map(column_map, policy), previous=previous,
                               stage=bar.stage, ledger=book, include_arrears=include_arrears, scores=scores)
        give_back()  # the rules' working memory, before the workbook is built (swtalent.memory)
        bar.stage("write")
        command = ["swtalent", "compute", str(roster), "--policy", str(policy), "--period", period,
                   *(["--sheet", sheet] if sheet else []), *[a for m in column_map for a in ("--map", m)],
                   *(["--previous", str(previous)] if previous else []), *(["--scores", str(scores)] if scores else []),
                   *(["--batch", batch] if batch else []),
                   *(["--ledger", shown_url(ledger)] if ledger else []),
                   *(["--include-arrears"] if include_arrears else [])]
        batch_id = new_batch_id() if commit and (len(comp.lines) or len(comp.titles_without_payment())) else ""
        run = RunInfo(policy_file=str(policy), batch=batch or "", command=shlex.join(command),
                      previous_file=str(previous) if previous else "",
                      ledger=shown_url(book.url) if book is not None else "", ledger_batch=batch_id,
                      notice_from=posted[0], notice_until=posted[1])
        committed = commit_when_written(comp, book, batch_id, run, per.label(), str(roster), operator)
        try:
            write_outputs(comp, out, lang.value, run, notice=notice, force=force, before_rename=committed.record,
                          csv_bom=not no_csv_bom)
        except BaseException as exc:  # whatever stopped the outputs, a recorded batch without them is voided
            committed.undo(exc)
            raise
        bar.close()
        result = {**summary(comp, lang.value), **({"batch": committed.batch} if commit else {})}
        if commit or ledger:  # a run that names or writes a ledger says when it is not the one expected
            result["notes"] += ledger_note(ledger, book, commit and not existed, lang.value)
        if as_json:
            result = {"ok": True, **result, "outputs": [str(p) for p in out + notice]}
            typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
        elif quiet:
            _errors_only(comp.roster.issues, lang.value)  # the problems still reach the clerk, one line each
        else:
            _terminal().render_compute(_console(), result, lang.value, out + notice)
            if commit:
                _console().print(committed.said(lang.value), highlight=False)

    _guarded(work, lang.value, as_json, debug)


@app.command()
def check(
    roster: RosterArg,
    policy: Optional[Path] = typer.Option(None, "--policy", "-p", help="政策文件; without it, the national rules"),
    annotate: Optional[Path] = typer.Option(None, "--annotate", help="write a marked-up copy of the roster (.xlsx)"),
    period: Optional[str] = typer.Option(None, "--period", help="check as a run of this period would (with --policy)"),
    sheet: SheetOpt = None,
    column_map: MapOpt = [],
    as_json: bool = typer.Option(False, "--json", help="print the problems as JSON"),
    quiet: QuietOpt = False,
    force: ForceOpt = False,
    max_rows: MaxRowsOpt = DEFAULT_MAX_ROWS,
    lang: LangOpt = Lang.zh,
    debug: DebugOpt = False,
) -> None:
    """检查花名册 / Everything compute would complain about in a roster, without computing.

    Exit 1 if any problem is an error."""
    def work() -> None:
        pending = _pending(roster, sheet, max_rows)
        from . import api
        from .reports.files import check_outputs, write_atomically

        if annotate is not None:
            check_outputs([annotate], [roster, *([policy] if policy else [])], formats=(".xlsx",), force=force)
        if period is not None and policy is None:
            raise UsageError("--period 需要与 --policy 一起使用", "--period goes with --policy")
        ros = api.run_check(pending, policy, column_map=parse_map(column_map, policy), period=period)
        if annotate is not None:
            from .reports.annotate import annotate as write_copy

            write_atomically([(annotate, lambda tmp: write_copy(roster, ros.issues, tmp, lang.value, sheet))],
                             force=force, command=shlex.join(sys.argv))
        errors = sum(i.severity == "error" for i in ros.issues)
        result = {"ok": errors == 0, "file": str(roster), "sheets": ros.sheets, "rows_in": len(ros.frame),
                  "rows_with_errors": int(ros.frame["error"].sum()), "errors": errors,
                  "warnings": len(ros.issues) - errors, "problems": [i.as_dict(lang.value) for i in ros.issues],
                  "annotated": str(annotate) if annotate else None}
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
        elif quiet:
            _errors_only(ros.issues, lang.value)
        else:
            _terminal().render_check(_console(), result, lang.value)
        if errors:
            raise typer.Exit(1)

    _guarded(work, lang.value, as_json, debug)


@app.command()
def explain(
    roster: RosterArg,
    policy: Path = typer.Option(..., "--policy", "-p", help="政策文件 policy YAML"),
    period: str = typer.Option(..., "--period", help="2023, 2023-05 or 2023-01..2023-06"),
    person: str = typer.Option(..., "--person", help="身份证号, a masked one (3411**********1234), or a unique name"),
    sheet: SheetOpt = None,
    column_map: MapOpt = [],
    previous: PreviousOpt = None,
    scores: ScoresOpt = None,
    as_json: bool = typer.Option(False, "--json", help="print the explanation as JSON"),
    max_rows: MaxRowsOpt = DEFAULT_MAX_ROWS,
    ledger: LedgerOpt = None,
    lang: LangOpt = Lang.zh,
    debug: DebugOpt = False,
) -> None:
    """解释计算 / For one person: every rule, each condition and the value seen, the months counted, the rate, the amount and the clause."""
    def work() -> None:
        pending = _pending(roster, sheet, max_rows)
        from . import api

        result = api.run_explain(pending, policy, period, person, column_map=parse_map(column_map, policy),
                                 previous=previous, lang=lang.value, ledger=open_or_fail(ledger), scores=scores)
        if as_json:
            typer.echo(json.dumps({"ok": True, **result}, ensure_ascii=False, indent=1))
        else:
            _terminal().render_explain(_console(), result, lang.value)

    _guarded(work, lang.value, as_json, debug)


@app.command()
def diff(
    roster: RosterArg,
    policies: list[Path] = typer.Option(..., "--policy", "-p", help="the current policy, then the proposed one"),
    period: str = typer.Option(..., "--period", help="2024, 2024-05 or 2024-01..2024-06"),
    as_of: list[str] = typer.Option([], "--as-of", help="with one --policy: two dates, to compare its amounts as they stood on each"),
    previous: PreviousOpt = None,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="write the comparison as a workbook (.xlsx)"),
    sheet: SheetOpt = None,
    column_map: MapOpt = [],
    as_json: bool = typer.Option(False, "--json", help="print the comparison as JSON"),
    quiet: QuietOpt = False,
    force: ForceOpt = False,
    max_rows: MaxRowsOpt = DEFAULT_MAX_ROWS,
    ledger: LedgerOpt = None,
    lang: LangOpt = Lang.zh,
    debug: DebugOpt = False,
) -> None:
    """政策测算 / What a proposed policy would cost: totals, differences by rule, level and 区县, and who gains or loses."""
    def work() -> None:
        if not (len(policies) == 2 and not as_of or len(policies) == 1 and len(as_of) == 2):
            raise UsageError("请给出两个 --policy（现行政策在前，拟议政策在后），或一个 --policy 和两个 --as-of 日期",
                             "give two --policy options (the current policy first), or one --policy and two --as-of dates")
        pending = _pending(roster, sheet, max_rows)
        from . import api
        from .periods import Period
        from .policy import load_policy
        from .reports.diff import diff_json, policy_diff, write_diff_workbook
        from .reports.diff import unchanged_notes as nothing_changed
        from .reports.files import check_outputs, write_atomically

        per = Period.parse(period)
        if out is not None:
            check_outputs([out], [roster, *policies], formats=(".xlsx",), force=force)
        versions, names = list(policies), [str(p) for p in policies]
        if as_of:  # one policy file, its amounts as they stood on two dates
            days = [_date(d) for d in as_of]
            whole = load_policy(policies[0])
            versions = [whole.as_of(d) for d in days]
            names = [f"{policies[0]} @ {d.isoformat()}" for d in days]
        bar = Stages(("read", "compute"), lang.value, enabled=not (as_json or quiet))
        try:
            a, b = api.run_diff(pending, versions, per, column_map=parse_map(column_map, policies[0]), previous=previous,
                                stage=bar.stage, ledger=open_or_fail(ledger))
        finally:
            bar.close()
        result = policy_diff(a, b, names)
        result["notes"] = nothing_changed(result, lang.value, days if as_of else None, whole if as_of else None)
        if out is not None:
            write_atomically([(out, lambda tmp: write_diff_workbook(result, tmp, lang.value))], force=force,
                             command=shlex.join(sys.argv))
        if as_json:
            typer.echo(json.dumps({"ok": True, **diff_json(result), "outputs": [str(out)] if out else []},
                                  ensure_ascii=False, indent=1))
        elif quiet:
            _errors_only(a.roster.issues, lang.value)  # the roster's problems, as compute --quiet says them
        else:
            _terminal().render_diff(_console(), result, lang.value, out)

    _guarded(work, lang.value, as_json, debug)


@app.command()
def validate(
    files: list[Path] = typer.Argument(..., help="policy YAML files"),
    as_json: bool = typer.Option(False, "--json", help="print the problems as JSON"),
    quiet: QuietOpt = False,
    lang: LangOpt = Lang.zh,
    debug: DebugOpt = False,
) -> None:
    """检查政策文件 / Check policy files: every problem at once, as file:line:column key-path: problem — fix. Exit 1 on any error."""
    def work() -> None:
        from .policy import validate_policy

        results = []
        for path in files:
            _, issues = validate_policy(path)
            results.append({"file": str(path), "ok": not any(i.severity == "error" for i in issues),
                            "problems": [i.as_dict(lang.value) for i in issues], "issues": issues})
        ok = all(r["ok"] for r in results)
        if as_json:
            typer.echo(json.dumps({"ok": ok, "files": [{k: v for k, v in r.items() if k != "issues"} for r in results]},
                                  ensure_ascii=False, indent=1))
        elif quiet:
            _errors_only([i for r in results for i in r["issues"]], lang.value)
        else:
            _terminal().render_validate(_console(), results, lang.value)
        if not ok:
            raise typer.Exit(1)

    _guarded(work, lang.value, as_json, debug)


@app.command()
def schema(out: Optional[Path] = typer.Option(None, "--out", "-o", help="write to a file instead of printing"),
           force: ForceOpt = False, lang: LangOpt = Lang.zh) -> None:
    """政策文件的 JSON Schema / The policy JSON Schema, for editors to check files as they are typed.

    VS Code's YAML extension reads it. --lang sets the language of the messages; the schema is one file
    for both."""
    def work() -> None:
        from .policy.schema import schema_text

        if out is None:
            typer.echo(schema_text(), nl=False)
        else:
            _write_text(out, schema_text(), force, lang.value)

    _guarded(work, lang.value, False, False)


def _write_text(out: Path, text: str, force: bool = False, lang: str = "zh") -> None:
    """A small text output (a schema, a policy template), refused where it cannot go, and an
    existing file replaced only with --force; said when written, like every output."""
    if not out.parent.is_dir():
        raise UsageError(f"输出文件夹「{out.parent}」不存在", f"the folder '{out.parent}' does not exist")
    from .reports.files import write_atomically

    write_atomically([(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))], force=force)
    typer.echo(("已写入 " if lang == "zh" else "written: ") + str(out), err=True)


@app.command("new-policy")
def new_policy(
    city: str = typer.Argument(..., help="城市名，如 芜湖市"),
    policy_id: str = typer.Option("new-city", "--id", help="the policy id: lower-case letters, digits and -"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="write to a file instead of printing"),
    schema_path: str = typer.Option("../schema/policy.schema.json", "--schema",
                                    help="where the file's first line points editors for the schema"),
    lang: LangOpt = Lang.zh,
) -> None:
    """生成政策文件模板 / A commented policy file to fill in; it validates as written.

    With --lang en its comments are in English; its keys and values are the same."""
    def work() -> None:
        import re

        from .policy.model import IDENT_PATTERN
        from .policy.template import template_text

        if not re.fullmatch(IDENT_PATTERN, policy_id):
            raise UsageError(f"--id「{policy_id}」只能使用小写字母、数字、- 和 _，并以字母开头",
                             f"--id '{policy_id}': lower-case letters, digits, - and _, starting with a letter")
        text = template_text(city, policy_id, schema_path, lang.value)
        if out is None:
            typer.echo(text, nl=False)
        elif out.exists():
            raise UsageError(f"「{out}」已存在，不会覆盖", f"'{out}' exists; not overwritten")
        else:
            _write_text(out, text, lang=lang.value)

    _guarded(work, lang.value, False, False)


@app.command("test")
def test_policies(
    files: list[Path] = typer.Argument(..., help="scenario YAML files (policies/tests/*.yaml)"),
    as_json: bool = typer.Option(False, "--json", help="print the results as JSON"),
    lang: LangOpt = Lang.zh,
    debug: DebugOpt = False,
) -> None:
    """运行政策场景测试 / Run policy scenario tests: a few people, a period, the expected amount per rule. Exit 1 on any failure."""
    def work() -> None:
        from .scenarios import run_file

        outcomes = [o for path in files for o in run_file(path)]
        if as_json:
            typer.echo(json.dumps({"ok": all(o.passed for o in outcomes), "scenarios": [
                {"file": o.file, "name": o.name, "line": o.line, "passed": o.passed,
                 "failures": [dict(zip(("person", "rule", "expected", "got"), f)) for f in o.failures],
                 "problems": [i.as_dict(lang.value) for i in o.problems]} for o in outcomes]},
                ensure_ascii=False, indent=1))
        else:
            _terminal().render_scenarios(_console(), outcomes, lang.value)
        if not all(o.passed for o in outcomes):
            raise typer.Exit(1)

    _guarded(work, lang.value, as_json, debug)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on; any but this computer's "
                             "own needs --password-file"),
    port: int = typer.Option(8765, "--port", min=1, max=65535, help="port"),
    no_browser: bool = typer.Option(False, "--no-browser", help="do not open the page in a browser"),
    ledger: LedgerOpt = None,
    password_file: Optional[Path] = typer.Option(None, "--password-file", help="file whose first line is "
                                                 "the page's password"),
    policies: Optional[Path] = typer.Option(None, "--policies", help="folder of policy files to offer "
                                            "(default: policies/)"),
    max_rows: MaxRowsOpt = DEFAULT_MAX_ROWS,
    lang: LangOpt = Lang.zh,
    debug: DebugOpt = False,
) -> None:
    """网页界面 / The same computations on a web page in the browser, for clerks who do not use a terminal.

    Uploaded and generated files live in a temporary folder removed when the server stops."""
    def work() -> None:
        from .web.server import serve as run_server

        run_server(host, port, ledger=ledger, password_file=password_file, browser=not no_browser,
                   policies=policies, lang=lang.value, debug=debug, max_rows=max_rows,
                   say=lambda text: typer.echo(text, err=True))

    _guarded(work, lang.value, False, debug)


def _errors_only(issues, lang: str) -> None:
    """--quiet: each error on one line of standard error, nothing else."""
    for issue in issues:
        if issue.severity == "error":
            typer.echo(issue.render(lang), err=True)


def _notice_dates(start: str | None, end: str | None, notice: bool) -> tuple:
    """The 公示期 as dates: both given, or the first alone (the policy's notice.period_days, if any,
    gives the last), or neither (the list leaves them blank to fill in)."""
    if (start or end) and not notice:
        raise UsageError("--notice-from、--notice-until 是公示名单上的公示期，需要同时给出 --notice",
                         "--notice-from and --notice-until date the notice list: give --notice too")
    if end and not start:
        raise UsageError("给出 --notice-until 时也要给出 --notice-from（公示期的第一天）",
                         "--notice-until needs --notice-from (the first day of the notice period)")
    first, last = (_date(start) if start else None), (_date(end) if end else None)
    if first and last and last < first:
        raise UsageError(f"公示期的最后一天 {last} 早于第一天 {first}", f"the notice period ends ({last}) before it starts ({first})")
    return first, last


def _date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"无法理解日期「{text}」：写作 2024-01-01", f"cannot read the date '{text}': write 2024-01-01") from None


def _guarded(work, lg: str, as_json: bool, debug: bool) -> None:
    """Run a command's work and map what goes wrong to messages and exit codes."""
    try:
        work()
    except SwtalentError as exc:
        _fail(_console(stderr=True), exc, lg, as_json)
        raise typer.Exit(1)
    except UsageError as exc:
        usage.report(exc, lg, as_json)
        raise typer.Exit(2)
    except (typer.Exit, typer.Abort):
        raise
    except KeyboardInterrupt:
        _interrupted(lg)
        raise typer.Exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence, mapped to exit 3
        if type(exc).__module__.startswith("sqlalchemy."):  # the ledger's database refused (rights, a lost server)
            from .ledger.store import unreachable

            _fail(_console(stderr=True), SwtalentError([Issue.make("ledger.unreachable", Location(),
                                                                   detail=unreachable(exc))]), lg, as_json)
            raise typer.Exit(1)
        if debug:
            traceback.print_exc()
        msg = ("内部错误：{}。请用 --debug 重新运行并把输出报告给维护者" if lg == "zh"
               else "internal error: {}. Run again with --debug and report the output")
        _console(stderr=True).print(msg.format(exc), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(3)


def _terminal():
    from . import terminal  # rich tables, imported only when printing to a terminal

    return terminal


def _console(stderr: bool = False):
    from rich.console import Console  # imported on use: a --json run never needs it

    return Console(stderr=stderr)


def _fail(err, exc: SwtalentError, lang: str, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"ok": False, "problems": [i.as_dict(lang) for i in exc.issues]},
                              ensure_ascii=False, indent=1))
    head = "无法完成，原因如下：" if lang == "zh" else "cannot go on:"
    err.print(f"[red]{head}[/]", highlight=False)
    for issue in exc.issues:
        err.print("  " + issue.render(lang), highlight=False, markup=False, soft_wrap=True)


# The commands that read a roster, and the one whose read was started before typer parsed the line.
READS_ROSTER = ("compute", "check", "explain", "diff")
_early: list[PendingSheet] = []


def _roster_named(args: list[str]) -> tuple[Path, str | None, int] | None:
    """The (roster, --sheet, --max-rows) a command line that reads a roster names, as typer will
    parse them; None when that cannot be told for sure (an option this does not know, two options
    in one word, --help) or the command reads no roster."""
    if not args or args[0] not in READS_ROSTER:
        return None
    takes_value, flags = {}, set()
    for param in typer.main.get_command(app).commands[args[0]].params:
        if param.param_type_name != "option":
            continue
        if param.count or param.nargs != 1:
            return None  # an option of another shape: left to typer
        if param.is_flag:
            flags.update([*param.opts, *param.secondary_opts])
        else:
            takes_value.update(dict.fromkeys(param.opts, param.name))
    positional, given, words = [], {}, iter(args[1:])
    for word in words:
        if word == "--":
            positional += list(words)
        elif word.startswith("-") and word != "-":
            name, eq, value = word.partition("=") if word.startswith("--") else (word, "", "")
            if name in takes_value:
                given[takes_value[name]] = value if eq else next(words, None)
            elif name not in flags or eq:
                return None
        else:
            positional.append(word)
    if not positional or None in given.values():
        return None
    try:  # ASCII only: int() reads ５ and ٣, typer refuses them
        max_rows = int(given.get("max_rows", str(DEFAULT_MAX_ROWS)).encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    return (Path(positional[0]), given.get("sheet"), max_rows) if max_rows >= 1 else None


def _start_read(args: list[str]) -> None:
    """Start reading the roster the command line names before typer parses it: its parse and the
    imports it needs take 0.2 s, in which the read has the other core."""
    _early.clear()  # a read started by an earlier main() in this process and never taken
    named = _roster_named(args)
    if named is not None:
        _early.append(PendingSheet(*named[:2], max_rows=named[2]))


def _pending(roster: Path, sheet: str | None, max_rows: int) -> PendingSheet:
    """The roster being read: the one started early when it is this one, else a read started now."""
    early = _early.pop() if _early else None
    if early is not None and (early.path, early.sheet, early.max_rows) == (Path(roster), sheet, max_rows):
        return early
    return PendingSheet(roster, sheet, max_rows=max_rows)


def main() -> None:
    # A run makes a few hundred thousand containers (calamine's rows, pandas' blocks) and frees them
    # by reference count; collecting cycles every 700 of them took 0.15-0.2 s at 100,000 rows, every
    # 50,000 takes 0.07 s. Cyclic garbage still goes, a little later.
    gc.set_threshold(50_000)
    _start_read(sys.argv[1:])
    try:
        app()
    except KeyboardInterrupt:
        _exit(130)
    except SystemExit as done:
        _exit(done.code)
    _exit(0)


def _exit(code: int | str | None) -> None:
    """Exit with `code` as sys.exit would. A run that ended its work (0, or 1: problems said) leaves
    without the interpreter's teardown: at a million rows freeing its objects one by one took
    0.25-0.3 s after the output was written; exit handlers still run and the standard streams are
    flushed. So does any run while a roster is still being read (stopped by Ctrl-C or an error
    early on): its thread, inside calamine when the interpreter went away, took the process down
    with glibc's "FATAL: exception not rethrown" (exit 134). Otherwise the interpreter's own
    shutdown runs: after Ctrl-C inside a ledger's commit, freeing the interrupted statement is what
    rolls SQLite's transaction back and removes its journal; and a thread that is not a daemon (the
    page's runs) is waited for."""
    me = threading.current_thread()
    reading = any(t.name == READING_THREAD and t.is_alive() for t in threading.enumerate())
    waiting = any(not t.daemon and t is not me and t.is_alive() for t in threading.enumerate())
    message = code is not None and not isinstance(code, int)  # said on stderr, exit 1, as by sys.exit
    status = 1 if message else int(code or 0)
    if not reading and (waiting or message or status not in (0, 1)):
        sys.exit(code)
    if message and sys.stderr is not None:
        print(code, file=sys.stderr)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None when the command was started with it closed (>&-)
                stream.flush()
        except (OSError, ValueError):  # the pipe's reader went away (`| head`), or the stream is closed
            status = status or 120  # Python's own shutdown exits 120 when the last flush fails
    os._exit(status)


def _interrupted(lg: str) -> None:
    """Ctrl-C: say what was left. Outputs are replaced together or not at all (reports.outputset)."""
    from .reports.outputset import replaced

    if replaced:
        names = ", ".join(map(str, replaced))
        text = f"已中断；输出文件已全部写入：{names}" if lg == "zh" else f"interrupted; every output had been written: {names}"
    else:
        text = "已中断，没有写入或替换任何输出文件" if lg == "zh" else "interrupted; no output file was written or replaced"
    print(text, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
