"""`swtalent ledger …`: the batches on record, one batch's lines, void, bank returns, import and
export. Each command is one call on the ledger plus rendering, like the rest of the CLI."""
from __future__ import annotations

import getpass
import json
import os
import re
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import Issue, Location, SwtalentError, UsageError
from .usage import Lang, LangOpt, NoCsvBomOpt, open_csv

ledger_app = typer.Typer(no_args_is_help=True, help="发放账本 / the payment ledger: batches, lines, void, returns, import, export.")

LedgerOpt = Annotated[Optional[str], typer.Option(
    "--ledger", help="ledger: sqlite:///path/ledger.db, postgresql://user@host/db, or a file path "
                     "(default: $SWTALENT_LEDGER, else the per-user file)")]
OperatorOpt = Annotated[Optional[str], typer.Option("--operator", help="who does it (default: the login name)")]


def operator_name(given: str | None) -> str:
    if given:
        return given
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (a service account): say so rather than fail
        return os.environ.get("USERNAME", "?")


def shown_url(url: str) -> str:
    """The ledger's address for a message or a sheet, without a password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy reads: shown without what may be a password
        return re.sub(r"(://[^/@:]*):[^@/]*@", r"\1:***@", url)


def ledger_note(given: str | None, book, created: bool, lang: str) -> list[str]:
    """What a run should say of its ledger: none there yet (a typo in --ledger, a new shell without
    SWTALENT_LEDGER), or one just made by this commit."""
    from .ledger import ledger_url

    url = shown_url(ledger_url(given))
    if book is None:
        return [f"账本 {url} 不存在，按此前从未发放计算" if lang == "zh" else
                f"there is no ledger at {url}: nothing is counted as paid before"]
    if created:
        return [f"新建了账本 {url}（此前不存在）；如应记入已有账本，请核对 --ledger 或 SWTALENT_LEDGER" if lang == "zh" else
                f"a new ledger was made at {url}; if an existing one was meant, check --ledger or SWTALENT_LEDGER"]
    return []


def open_or_fail(given: str | None, create: bool = False):
    """The ledger (None when a SQLite file not made yet and not `create`), its problems as Issues."""
    from .ledger import ledger_url, open_ledger

    url = ledger_url(given)
    try:
        return open_ledger(given, create=create)
    except Exception as exc:  # SQLAlchemy is imported only here, once something went wrong with it
        from sqlalchemy.exc import ArgumentError, SQLAlchemyError

        from .ledger.schema import LedgerTooNew
        from .ledger.store import unreachable

        where = Location(file=shown_url(url))
        if isinstance(exc, LedgerTooNew):
            raise SwtalentError([Issue.make("ledger.too-new", where, version=exc.version)]) from exc
        if isinstance(exc, ModuleNotFoundError):  # a database driver that is not installed
            detail = f"{exc}（PostgreSQL: pip install 'swtalent[postgresql]'）" if "psycopg" in str(exc) else str(exc)
        elif isinstance(exc, (SQLAlchemyError, ArgumentError)):
            detail = unreachable(exc)
        elif isinstance(exc, (OSError, ValueError)):  # a folder we cannot make
            detail = str(exc)
        else:
            raise
        raise SwtalentError([Issue.make("ledger.unreachable", where, detail=detail)]) from exc


def refused(exc) -> SwtalentError:
    """A LedgerError as the located problem the CLI prints."""
    return SwtalentError([Issue.make(exc.code, Location(), **exc.params)])


def yuan(fen: int) -> str:
    from .money import format_yuan

    return format_yuan(fen)


def batch_json(b: dict) -> dict:
    return {**{k: v for k, v in b.items() if not k.endswith("_fen")}, "total": yuan(b["total_fen"]),
            "committed": yuan(b["committed_fen"])}


def _guard():
    from .cli import _guarded  # the same exit codes and messages as every command

    return _guarded


@ledger_app.command("list")
def list_batches(ledger: LedgerOpt = None, as_json: bool = typer.Option(False, "--json"),
                 lang: LangOpt = Lang.zh) -> None:
    """批次列表 / Every batch: id, period, policy, lines, total after reversals, committed at and by, status."""
    lang = Lang(lang).value

    def work() -> None:
        book = open_or_fail(ledger)
        found = book.batches() if book is not None else []
        if as_json:
            typer.echo(json.dumps({"batches": [batch_json(b) for b in found]}, ensure_ascii=False, indent=1))
            return
        from rich.table import Table

        from .cli import _console

        heads = (("批次", "期间", "政策", "行数", "金额", "记入时间", "经办人", "状态") if lang == "zh" else
                 ("batch", "period", "policy", "lines", "total", "committed at", "by", "status"))
        status = _WORDS[lang]
        table = Table(*heads)
        table.columns[0].no_wrap = True  # the id is what the clerk types into void and return
        for b in found:
            table.add_row(b["id"], b["period"], b["policy"], str(b["lines"]), yuan(b["total_fen"]), b["committed_at"],
                          b["operator"] or "", status.get(b["status"], b["status"]))
        _console().print(table)

    _guard()(work, lang, as_json, False)


@ledger_app.command("show")
def show(batch: str = typer.Argument(..., help="批次编号 batch id"), ledger: LedgerOpt = None,
         as_json: bool = typer.Option(False, "--json"), out: Optional[Path] = typer.Option(None, "--out", help="write the lines to .xlsx or .csv"),
         force: bool = typer.Option(False, "--force", help="replace the output if it exists"),
         no_csv_bom: NoCsvBomOpt = False, lang: LangOpt = Lang.zh) -> None:
    """一个批次 / One batch: what it records and every line, with its reversal if any."""
    lang = Lang(lang).value

    def work() -> None:
        from .ledger.store import LedgerError

        book = open_or_fail(ledger)
        if book is None:
            raise refused(LedgerError("ledger.no-batch", batch=batch))
        try:
            info, rows = book.batch(batch)
        except LedgerError as exc:
            raise refused(exc) from exc
        if out is not None:
            _write_table(rows, out, lang, force, not no_csv_bom)
            typer.echo(("已写入 " if lang == "zh" else "written: ") + str(out), err=True)
        if as_json:
            typer.echo(json.dumps({"batch": batch_json(info), "lines": _lines_json(rows)}, ensure_ascii=False, indent=1))
            return
        from rich.table import Table

        from .cli import _console

        _console().print(_batch_table(info, lang))
        table = Table("#", "身份证号" if lang == "zh" else "ID", "规则" if lang == "zh" else "rule",
                      "月份" if lang == "zh" else "months", "金额" if lang == "zh" else "amount",
                      "冲销" if lang == "zh" else "reversed")
        words = _WORDS[lang]
        for r in _lines_json(rows):
            table.add_row(str(r["line_no"]), r["person_id"], r["rule_id"], f"{r['first_month']}..{r['last_month']}",
                          r["amount"], words.get(r["reversed"], r["reversed"]) if r["reversed"] else "")
        _console().print(table)

    _guard()(work, lang, as_json, False)


# A batch's status and kind, a line's reversal, in the reader's words.
_WORDS = {"zh": {"committed": "已发放", "void": "已作废", "returned": "部分退票", "return": "退票", "compute": "计算发放",
                 "import": "导入往期"},
          "en": {"returned": "partly returned", "compute": "computed", "import": "imported"}}
# The fields of a batch as ledger show prints them.
_BATCH_LABELS = {
    "zh": {"id": "批次", "kind": "来源", "period": "期间", "policy": "政策", "policy_file": "政策文件",
           "roster_file": "花名册文件", "lines": "行数", "total": "金额（冲销后）", "committed": "记入金额",
           "committed_at": "记入时间", "operator": "经办人", "status": "状态", "reversed_lines": "已冲销行数"},
    "en": {"id": "Batch", "kind": "From", "period": "Period", "policy": "Policy", "policy_file": "Policy file",
           "roster_file": "Roster file", "lines": "Lines", "total": "Total after reversals", "committed": "Committed",
           "committed_at": "Committed at", "operator": "By", "status": "Status", "reversed_lines": "Lines reversed"},
}


def _batch_table(info: dict, lang: str):
    """ledger show: what the batch records, one labelled line each, in the reader's words."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_header=False, box=None)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    words = _WORDS[lang]
    shown_json = batch_json(info)
    for key in _BATCH_LABELS[lang]:
        value = shown_json.get(key)
        if value not in (None, ""):
            shown = words.get(value, value) if key in ("kind", "status") else value
            table.add_row(_BATCH_LABELS[lang][key], escape(str(shown)))
    return table


@ledger_app.command("void")
def void(batch: str = typer.Argument(..., help="批次编号 batch id"),
         reason: str = typer.Option(..., "--reason", help="why (recorded with the reversal)"),
         ledger: LedgerOpt = None, operator: OperatorOpt = None, lang: LangOpt = Lang.zh,
         as_json: bool = typer.Option(False, "--json")) -> None:
    """作废批次 / Void a batch: a reversal of every line not reversed yet; they become payable again."""
    lang = Lang(lang).value
    _reverse(batch, None, reason, ledger, operator, lang, as_json)


@ledger_app.command("return")
def return_payment(batch: str = typer.Argument(..., help="批次编号 batch id"),
                   person: str = typer.Option(..., "--person", help="身份证号 of the payee"),
                   reason: str = typer.Option(..., "--reason", help="why, e.g. 账户错误"),
                   ledger: LedgerOpt = None, operator: OperatorOpt = None, lang: LangOpt = Lang.zh,
                   as_json: bool = typer.Option(False, "--json")) -> None:
    """退票 / The bank returned a payment: the person's lines in the batch are reversed, payable again."""
    lang = Lang(lang).value
    _reverse(batch, person, reason, ledger, operator, lang, as_json)


def _reverse(batch: str, person: str | None, reason: str, ledger: str | None, operator: str | None, lang: str,
             as_json: bool = False) -> None:
    def work() -> None:
        from .ledger.store import LedgerError

        book = open_or_fail(ledger)
        try:
            if book is None:
                raise LedgerError("ledger.no-batch", batch=batch)
            who = operator_name(operator)
            count = (book.void(batch, reason, who) if person is None
                     else book.return_payment(batch, person.strip().upper(), reason, who))
        except LedgerError as exc:
            raise refused(exc) from exc
        if as_json:
            typer.echo(json.dumps({"ok": True, "batch": batch, "reversed_lines": count}, ensure_ascii=False))
        else:
            typer.echo(("已冲销 {n} 行：可再次发放" if lang == "zh" else "{n} lines reversed: payable again").format(n=count))

    _guard()(work, lang, as_json, False)


@ledger_app.command("import")
def import_payments(file: Path = typer.Argument(..., help="earlier payments (the --previous format; monthly rows need 期间)"),
                    policy: Path = typer.Option(..., "--policy", "-p", help="the policy they were paid under"),
                    ledger: LedgerOpt = None, operator: OperatorOpt = None,
                    lang: LangOpt = Lang.zh, as_json: bool = typer.Option(False, "--json")) -> None:
    """导入往期发放 / Record payments made before swtalent, so that they are never paid again."""
    lang = Lang(lang).value

    def work() -> None:
        from . import __version__
        from .ledger import BatchInfo, LedgerConflict, LedgerError, new_batch_id
        from .ledger.importing import import_rows
        from .policy import load_policy
        from .reports.basis import sha256
        from .roster.previous import load_previous

        pol = load_policy(policy)
        frame = load_previous(file, need_year=False, as_written=True)
        book = open_or_fail(ledger, create=True)
        info = BatchInfo(id=new_batch_id(), period="", policy_id=pol.id, policy_file=str(policy.resolve()),
                         policy_sha256=sha256(str(policy)), roster_file=str(file.resolve()), roster_sha256=sha256(str(file)),
                         swtalent_version=__version__, operator=operator_name(operator), kind="import")
        lines, claims, period = import_rows(frame, pol, file, info)
        from dataclasses import replace

        try:
            batch = book.commit_rows(lines, claims, replace(info, period=period))
        except LedgerConflict as exc:
            raise taken_error(exc, book.url, code="ledger.imported", policy=pol) from exc
        except LedgerError as exc:
            raise refused(exc) from exc
        total = int(lines["amount_fen"].sum())
        if as_json:
            typer.echo(json.dumps({"ok": True, "batch": batch, "lines": len(lines), "total": yuan(total)},
                                  ensure_ascii=False, indent=1))
        else:
            typer.echo((f"已记入账本：批次 {batch}，{len(lines)} 行，{yuan(total)} 元" if lang == "zh"
                        else f"recorded as batch {batch}: {len(lines)} lines, {yuan(total)} yuan"))

    _guard()(work, lang, as_json, False)


@ledger_app.command("export")
def export(out: Path = typer.Option(..., "--out", "-o", help=".xlsx or .csv"),
           period: Optional[str] = typer.Option(None, "--period", help="only lines paying months in 2023, 2023-05 "
                                                "or 2023-01..2023-06"),
           ledger: LedgerOpt = None, force: bool = typer.Option(False, "--force", help="replace the output if it exists"),
           as_json: bool = typer.Option(False, "--json", help="print what was written as JSON"),
           no_csv_bom: NoCsvBomOpt = False, lang: LangOpt = Lang.zh) -> None:
    """导出已发放 / Every line paid and not reversed, in the --previous format with its batch and date."""
    lang = Lang(lang).value

    def work() -> None:
        from .periods import Period

        span = Period.parse(period) if period else None
        book = open_or_fail(ledger)
        rows = book.export() if book is not None else None
        if rows is not None and not rows.empty and span is not None:
            first, last = rows["first_month"].map(_month), rows["last_month"].map(_month)
            rows = rows[(first <= span.last) & (last >= span.first)]
        _write_table(rows, out, lang, force, not no_csv_bom)
        written = ("已写入 " if lang == "zh" else "written: ") + str(out)
        if as_json:  # standard output holds the JSON alone; the written line goes to standard error
            count = 0 if rows is None else len(rows)
            total = 0 if rows is None or rows.empty else int(rows["amount_fen"].sum())
            typer.echo(json.dumps({"ok": True, "lines": count, "total": yuan(total), "period": period or "",
                                   "outputs": [str(out)]}, ensure_ascii=False, indent=1))
        typer.echo(written, err=as_json)

    _guard()(work, lang, as_json, False)


def taken_error(exc, url: str, code: str = "ledger.taken", policy=None) -> SwtalentError:
    """LedgerConflict: which claims another batch took, one problem each (the first 50), each claim
    said in words (2023-04, 一次性（社会工作师）, 2023 年度, 2023 年评选), each rule by its title."""
    where = Location(file=shown_url(url))
    titles = {r.id: r.title for r in policy.rules} if policy is not None else {}
    levels = policy.level_titles if policy is not None else {}
    issues = [Issue.make(code, where, t.person_id, name=t.name or "—", rule=titles.get(t.rule_id, t.rule_id),
                         claim_zh=claim_words(t.claim, "zh", levels), claim_en=claim_words(t.claim, "en", levels),
                         batch=t.batch_id) for t in exc.taken[:50]]
    return SwtalentError(issues or [Issue.make("ledger.failed", where, detail="conflict")])


def claim_words(claim: str, lang: str, levels: dict[str, str] | None = None) -> str:
    """A claim as stored (2023-04, once:senior, year:2023, cycle:2023) in the reader's words."""
    kind, _, what = claim.partition(":")
    zh = lang == "zh"
    if kind == "once":
        level = (levels or {}).get(what, what)
        return f"一次性补助（{level}）" if zh else f"one-off ({level})"
    if kind == "year":
        return f"{what} 年度" if zh else f"year {what}"
    if kind == "cycle":
        return f"{what} 年评选" if zh else f"the {what} selection"
    return f"{claim} 月" if zh else f"month {claim}"


def _month(label: str) -> int:
    year, month = label.split("-")
    return int(year) * 12 + int(month) - 1


EXPORT_COLUMNS = ["person_id", "name", "rule_id", "kind", "level", "year", "months", "first_month", "last_month",
                  "amount", "batch_id", "line_no", "committed_at"]


def _lines_json(rows) -> list[dict]:
    if rows is None or rows.empty:
        return []
    out = []
    for r in rows.to_dict("records"):
        # Counts as whole numbers and blanks as blanks: pandas turns a column with gaps into floats.
        r = {k: (None if isinstance(v, float) and v != v else int(v) if isinstance(v, float) and v.is_integer()
                 and k in ("months", "year", "line_no") else v) for k, v in r.items()}
        r["amount"] = yuan(int(r.pop("amount_fen")))
        out.append(r)
    return out


def _write_table(rows, out: Path, lang: str, force: bool, bom: bool = True) -> None:
    """Ledger lines to .csv (UTF-8 with a byte-order mark, for Excel, unless not `bom`) or .xlsx,
    replaced only with --force."""
    import csv

    import pandas as pd

    from .reports.files import check_outputs, write_atomically
    from .safety import defused

    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError(f"不支持的输出格式「{out.name}」：请用 .xlsx 或 .csv", f"unsupported output format '{out.name}': use .xlsx or .csv")
    check_outputs([out], [], formats=(".csv", ".xlsx"), force=force)
    records = _lines_json(rows)
    present = list(records[0]) if records else EXPORT_COLUMNS
    frame = pd.DataFrame(records, columns=[c for c in EXPORT_COLUMNS if c in present]
                         + [c for c in present if c not in EXPORT_COLUMNS])  # the --previous columns first

    def write(tmp: Path) -> None:
        if out.suffix.lower() == ".csv":
            # Column by column, as the other CSV writers: defused once per distinct value, not per cell.
            columns = [defused(["" if v is None else str(v) for v in frame[c]]) for c in frame.columns]
            with open_csv(tmp, bom) as fh:
                w = csv.writer(fh)
                w.writerow(frame.columns)
                w.writerows(zip(*columns))
        else:
            from .reports.labels import labels
            from .reports.sheets import Sheet
            from .reports.workbook import write_sheets

            # Amounts as numbers (#,##0.00), which Excel can add up; text would sum to 0 there.
            sheet = frame.assign(amount=frame["amount"].astype(float)) if "amount" in frame else frame
            write_sheets(tmp, [Sheet("账本" if lang == "zh" else "ledger", sheet, autofilter=True, money=["amount"])],
                         labels(lang))

    write_atomically([(out, write)], force=force)


class commit_when_written:
    """--commit: the ledger records the batch once every output is written and before any replaces
    the old one, so a payroll on disk always matches what the ledger says was paid; should the
    outputs then fail to go in place, the batch is voided at once."""

    def __init__(self, comp, book, batch_id: str, run, period: str, roster: str, operator: str | None):
        self.comp, self.book, self.batch_id, self.run = comp, book, batch_id, run
        self.period, self.roster, self.operator = period, roster, operator_name(operator)
        self.batch: str | None = None

    def record(self) -> None:
        if not self.batch_id:
            return
        from . import __version__
        from .ledger import BatchInfo, LedgerConflict
        from .ledger.store import LedgerError
        from .reports.basis import sha256

        run = self.run  # names as given, with the hashes of the files read, when the caller knows them (the page)
        info = BatchInfo(id=self.batch_id, period=self.period, policy_id=self.comp.policy.id,
                         policy_file=run.policy_file if run.policy_sha256 else str(Path(run.policy_file).resolve()),
                         policy_sha256=run.policy_sha256 or sha256(run.policy_file),
                         roster_file=run.roster_file or str(Path(self.roster).resolve()),
                         roster_sha256=run.roster_sha256 or sha256(self.roster),
                         swtalent_version=__version__,
                         operator=self.operator, command=self.run.command)
        try:
            self.batch = self.book.commit(self.comp, info)
        except LedgerConflict as exc:
            raise taken_error(exc, self.book.url, policy=self.comp.policy) from exc
        except LedgerError as exc:
            raise refused(exc) from exc

    def undo(self, exc: BaseException) -> None:
        """The batch is recorded but its outputs are not in place: void it, and say so first."""
        if self.batch is None:
            return
        issues = exc.issues if isinstance(exc, SwtalentError) else []
        detail = ("; ".join(i.message("zh") for i in issues) or str(exc) or type(exc).__name__)[:200]
        self.book.void(self.batch, f"输出文件未能写入，自动作废：{detail}", self.operator)
        if isinstance(exc, SwtalentError):
            exc.issues.insert(0, Issue.make("ledger.voided-for-outputs", Location(), batch=self.batch, detail=detail))
        self.batch = None

    def said(self, lang: str) -> str:
        if self.batch:
            return f"已记入账本：批次 {self.batch}" if lang == "zh" else f"recorded in the ledger as batch {self.batch}"
        return ("没有新的应发项目，账本未记入新批次" if lang == "zh"
                else "nothing new to pay: no batch recorded in the ledger")
