"""The payment workbook: summary, payment lines, rows not paid with the reason, and row problems.

Written with rustpy-xlsxwriter (Rust's rust_xlsxwriter behind a Python API): on this machine
it writes the 100,000-row payment sheet about ten times faster than Python's xlsxwriter, in
constant memory. Every figure in it is computed here in integer fen; no cell is a formula
whose value a reader would have to recalculate.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from rustpy_xlsxwriter import FastExcel, Format

from .. import __version__
from ..engine import INELIGIBLE, Computation
from ..money import FEN_PER_YUAN, capital_yuan
from ..safety import excel_frame, excel_text
from .basis import basis_frame
from .chartrows import leave_out_last_rows
from .labels import labels
from .payroll import payroll_sheets
from .printing import (
    LINE_POINTS,
    Amendment,
    amend,
    column_points,
    layout,
    sheet_setup,
    text_lines,
)
from .reasons import ineligible_reasons, line_details, rule_reasons
from .sheetrows import plain_rows
from .sheets import RunInfo, Sheet, fit_rows, width
from .summary import by_district, by_level, by_rule, notes, persons_paid

MONEY = "#,##0.00"
# The sheet options under which a sheet's plain rows may be written apart from the rest (sheetrows):
# none of these reads the data rows' cells.
_ROWS_APART = {"merge_ranges", "row_formats", "row_heights", "page_setup"}


def _yuan(fen: pd.Series | np.ndarray | int):
    """Fen to a yuan number for an Excel cell (Excel stores every number as a double)."""
    return fen / FEN_PER_YUAN


def write_workbook(comp: Computation, path: Path, lang: str = "zh", run: RunInfo = RunInfo()) -> None:
    L = labels(lang, comp.policy.organisations)
    batch = run.batch or comp.period.title(lang)  # 2023年度, not a bare 2023
    if run.ledger_batch:  # the id finance quotes when a line is queried or returned
        batch = f"{batch}（{run.ledger_batch}）" if lang == "zh" else f"{batch} ({run.ledger_batch})"
    awards = [res for res in comp.outcomes if res.award is not None]
    title = L["title"].format(city=comp.policy.city, period=comp.period.title(lang))
    sheets = [
        Sheet(L["sheet.summary"], _summary_frame(comp, L, run.policy_file), header_row=1, title=[title], one_page=True),
        *[Sheet(L["sheet.selection"] + (str(k + 1) if len(awards) > 1 else ""),  # Excel names: 31 chars
                _selection_frame(comp, res, L, lang), autofilter=True) for k, res in enumerate(awards)],
        *payroll_sheets(comp, L, line_details(comp, lang), batch),
        *_district_sheet(comp, L),
        *_arrears_sheet(comp, L, lang),
        Sheet(L["sheet.ineligible"], _ineligible_frame(comp, L, lang), autofilter=True),
        Sheet(L["sheet.problems"], _problems_frame(comp, L, lang), autofilter=True),
        Sheet(L["sheet.basis"], basis_frame(comp, L, run, batch)),
    ]
    write_sheets(path, sheets, L)


def write_sheets(path: Path, sheets: list[Sheet], L: dict) -> None:
    """Every sheet with a bold header, frozen below it, widths fitted (long texts wrapped), amounts as
    #,##0.00 under a header aligned with them, and set up to print (printing.sheet_setup, unless
    the sheet brings its own). Every text, roster text above all, is written so that Excel never
    reads it as a formula (a leading ') and within Excel's 32,767 characters a cell (cut, with a note)."""
    def fmt(*, money: bool = False, wrap: bool = False, valign: str | None = None, bold: bool = False) -> Format:
        f = Format()
        if money:
            f = f.set_num_format(MONEY)
        if wrap:
            f = f.set_text_wrap()
        if valign:
            f = f.set_align(valign)
        if bold:
            f = f.set_bold()
        return f

    header = (Format().set_bold().set_background_color("#DDEBF7").set_border("thin").set_text_wrap()
              .set_align("center").set_align("vcenter"))
    lang = L.get("lang", "zh")
    book = FastExcel(str(path))
    short_charts: dict[str, int] = {}  # sheet -> rows its chart leaves out at the end (a 合计 row)
    changes: dict[int, Amendment] = {}
    sheets = [part for sh in sheets for part in fit_rows(sh, L)]  # never cut at Excel's last row
    for k, sh in enumerate(sheets):
        frame, extra = excel_frame(sh.frame, lang, sh.known_plain), dict(sh.options)
        if "charts" in extra:
            extra["charts"] = [{k: v for k, v in c.items() if k != "leave_out_last"} for c in extra["charts"]]
            short_charts.update({sh.name: c["leave_out_last"] for c in sh.options["charts"] if c.get("leave_out_last")})
        book.freeze(row=sh.header_row + 1, sheet=sh.name)
        if sh.title:
            last = (sh.title_cols or len(frame.columns)) - 1
            big = Format().set_bold().set_font_size(14).set_align("center").set_align("vcenter")
            extra["merge_ranges"] = [(r, 0, r, last, excel_text(line, lang),
                                      fmt(wrap=True, valign="vcenter") if r in sh.title_left else
                                      big if r == 0 else Format().set_align("center").set_align("vcenter"))
                                     for r, line in enumerate(sh.title)]
        money = [c for c in (sh.money or [L["amount"]]) if c in frame.columns]
        heights = dict(sh.row_heights)
        if sh.fitted:
            natural = [sh.widths.get(c) or width(frame[c], c, cap=200) for c in frame.columns]
            widths, wrap, tall = layout(frame, natural, set(sh.widths) | set(money))
            wrap |= set(sh.wrap)
            heights.update({sh.header_row + 1 + r: h for r, h in tall.items()})
        else:
            widths, wrap = [sh.widths.get(c) or width(frame[c], c) for c in frame.columns], set(sh.wrap)
        # Text in the middle of a tall row (a payroll's signing space, a wrapped list's): the formats
        # here say so, and the Normal style says so for every other cell (printing.amend, middle).
        valign = "vcenter"
        formats = {c: fmt(money=c in money, wrap=c in wrap, valign=valign) for c in frame.columns if c in money or c in wrap}
        styled = {r: {"bold"} for r in sh.bold_rows}
        for r in sh.wrap_rows:
            styled.setdefault(r, set()).add("wrap")
        if styled:
            extra["row_formats"] = {r: fmt(bold="bold" in how, wrap="wrap" in how, valign=valign)
                                    for r, how in styled.items()}
        for r in sh.title_left:  # a paragraph over the title's columns, as many lines as it takes
            room = sum(column_points(w) for w in widths[:sh.title_cols or len(widths)]) / column_points(1)
            heights.setdefault(r, float(text_lines(np.array([sh.title[r]], dtype=object), room)[0] * LINE_POINTS + 6))
        if heights:
            extra["row_heights"] = heights
        setup = sheet_setup(widths, sh.header_row, sh.footer or L["sheet_footer"], gridlines=sh.gridlines)
        if sh.one_page:
            setup["fit_to_pages"] = (1, 1)
            del setup["repeat_rows"]
        extra.setdefault("page_setup", setup)
        change = Amendment(merges=list(sh.amend.merges), row_breaks=list(sh.amend.row_breaks), align=dict(sh.amend.align),
                           row_height=sh.amend.row_height,
                           repair=bool(heights or extra.get("row_formats")),
                           middle=k == 0)
        for c in money:  # the header over the amounts aligned as they are
            change.align.setdefault((sh.header_row, list(frame.columns).index(c)), "right")
        if set(extra) <= _ROWS_APART:  # the plain rows of a large sheet, written apart (sheetrows)
            change.rows = plain_rows(frame, sh.header_row, set(extra.get("row_formats", ())), heights,
                                     {k for k, c in enumerate(frame.columns) if c in formats})
            if change.rows is not None and heights:  # their heights too
                extra["row_heights"] = change.rows.heights_left(heights)
        changes[k] = change
        book.sheet(sh.name, frame if change.rows is None else change.rows.placeholder(frame), header_row=sh.header_row,
                   header_format=header, autofilter=sh.autofilter, column_widths=widths, column_formats=formats or None,
                   **extra)
    book.save()
    amend(path, changes)
    if short_charts:
        leave_out_last_rows(path, short_charts)


def _district_sheet(comp: Computation, L: dict) -> list[Sheet]:
    """按区县 totals and their 合计 (summed in fen), with a column chart of the 区县 alone, when the
    roster has a 区县 column."""
    districts = by_district(comp)
    if not districts:
        return []
    frame = pd.DataFrame({
        L["district"]: [d["district"] or L["unknown_district"] for d in districts] + [L["total"]],
        L["persons"]: [d["persons"] for d in districts] + [persons_paid(comp)],
        L["lines"]: [d["lines"] for d in districts] + [sum(d["lines"] for d in districts)],
        L["amount"]: [_yuan(d["amount_fen"]) for d in districts] + [_yuan(sum(d["amount_fen"] for d in districts))],
    })
    # The chart under the table, and both on one page: a chart beside the table printed on a page
    # of its own, or two; 640 x 360 pixels span about 18 rows and eleven columns from A.
    below = len(frame) + 2
    chart = {"type": "column", "series": [L["amount"]], "categories": L["district"], "title": L["chart_title"],
             "legend": False, "width": 640, "height": 360, "row": below, "col": 0,
             "leave_out_last": 1}  # not the 合计 row
    widths = [width(frame[c], c) for c in frame.columns]
    setup = {**sheet_setup(widths, 0, L["sheet_footer"], landscape=False, print_area=(0, 0, below + 19, 10)),
             "fit_to_pages": (1, 1)}
    return [Sheet(L["sheet.districts"], frame, options={"charts": [chart], "page_setup": setup},
                  bold_rows=[len(districts) + 1])]


def _arrears_sheet(comp: Computation, L: dict, lang: str) -> list[Sheet]:
    """应补发: arrears this run found and did not pay (no --include-arrears), for the clerk to check."""
    due = comp.arrears
    if due.empty:
        return []
    titles = {r.id: r.title for r in comp.policy.rules}
    frame = pd.DataFrame({
        L["source_row"]: due["row"].to_numpy(), L["name"]: due["name"].to_numpy(), L["person_id"]: due["person_id"].to_numpy(),
        L["rule"]: due["rule_id"].astype(str).map(titles).to_numpy(),
        L["level"]: due["level"].map(comp.policy.level_titles).astype(object).to_numpy(),
        L["months"]: due["months"].to_numpy(), L["amount"]: _yuan(due["amount_fen"].to_numpy()),
        L["reason"]: L["arrears_note"],
    })
    return [Sheet(L["sheet.arrears"], frame, autofilter=True)]


def _summary_frame(comp: Computation, L: dict, policy_file: str) -> pd.DataFrame:
    """A two-part table: the run's facts, then totals by rule and by district."""
    counts = comp.counts()
    errors = sum(1 for i in comp.roster.issues if i.severity == "error")
    rows: list[list] = [
        [L["policy"], comp.policy.title], [L["policy_file"], policy_file], [L["period"], comp.period.label()],
        [L["version"], f"swtalent {__version__}"],
        *[[L[k], counts[k]] for k in ("rows_in", "rows_paid", "rows_ineligible", "rows_with_errors")],
        [L["problems_errors"], errors], [L["problems_warnings"], len(comp.roster.issues) - errors],
        [L["accounting"]], [],
        [L["by_rule"], L["rule_id"], L["persons"], L["lines"], L["amount"]],
    ]
    for item in by_rule(comp):
        rows.append([item["title"], item["rule_id"], item["persons"], item["lines"], _yuan(item["amount_fen"])])
    rows.append([L["total"], None, persons_paid(comp), len(comp.lines), _yuan(comp.total_fen)])
    rows += [[L[k], v] for k, v in comp.award_counts().items()]
    rows.append([L["total_capital"], capital_yuan(comp.total_fen)])
    levels = by_level(comp)
    if levels:
        rows += [[], [L["by_level"], None, L["persons"], L["lines"], L["amount"]]]
        rows += [[lv["name"], None, lv["persons"], lv["lines"], _yuan(lv["amount_fen"])] for lv in levels]
        rows.append(_total_row(levels, comp, L))
    said = notes(comp, L["lang"])
    rows += [[], *[[note] for note in said]] if said and levels else [[note] for note in said]
    districts = by_district(comp)
    if districts:
        rows += [[], [L["by_district"], None, L["persons"], L["lines"], L["amount"]]]
        rows += [[d["district"] or L["unknown_district"], None, d["persons"], d["lines"], _yuan(d["amount_fen"])]
                 for d in districts]
        rows.append(_total_row(districts, comp, L))
    columns = [L["rule"], L["value"], L["persons"], L["lines"], L["amount"]]
    return pd.DataFrame([r + [None] * (len(columns) - len(r)) for r in rows], columns=columns, dtype=object)


def _total_row(parts: list[dict], comp: Computation, L: dict) -> list:
    """合计 under a table of 汇总: its lines and fen summed (as integers), each person counted once."""
    return [L["total"], None, persons_paid(comp), sum(p["lines"] for p in parts), _yuan(sum(p["amount_fen"] for p in parts))]


def _selection_frame(comp: Computation, res, L: dict, lang: str) -> pd.DataFrame:
    """评选结果: every candidate with rank, score, status and reason; ranked ones first, in rank order."""
    frame = comp.roster.frame
    decision = res.award
    (reasons,) = rule_reasons(comp, lang, np.ones(len(frame), dtype=bool), [res])
    held = frame["error"].to_numpy()
    table = pd.DataFrame({
        L["rank"]: pd.Series(np.where(decision.rank > 0, decision.rank, None), dtype=object),
        L["name"]: frame["name"], L["person_id"]: frame["person_id"], L["service_field"]: frame["service_field"],
        L["unit"]: frame["unit"], L["district"]: frame["district"], L["score"]: pd.Series(frame["score"].astype(object).where(frame["score"].notna()),
                                                        dtype=object),
        # A row held for a data problem is not ineligible: its status waits for the correction.
        L["status"]: pd.Series([L["status.held"] if h else L[f"status.{s}"] for s, h in zip(decision.status, held)],
                               dtype=object),
        L["reason"]: pd.Series(np.where(held, L["held"], reasons.to_numpy()), dtype=object),
        L["source_row"]: frame["row"],
    })
    scores = comp.scores.get(res.rule.id)
    if scores is not None:  # the score from its source: every judge's mark, record and part, then the score
        from ..scores.shown import sheet_columns

        at = table.columns.get_loc(L["score"])
        for k, (head, values) in enumerate(sheet_columns(scores, lang, comp.policy).items()):
            table.insert(at + k, head, pd.Series(values, dtype=object), allow_duplicates=True)
        table[L["score"]] = pd.Series([None if v is None else float(v) for v in scores.final], dtype=object)
    table = _present(_with_sheet(table, comp, L, np.arange(len(frame))), comp, L, ("district", "unit", "service_field"))
    # Ranked first, in rank order; the others in roster order (sheet by sheet, then by row).
    order = np.lexsort([np.arange(len(frame)), np.where(decision.rank > 0, decision.rank, np.iinfo(np.int64).max)])
    return table.iloc[order].reset_index(drop=True)


def _ineligible_frame(comp: Computation, L: dict, lang: str) -> pd.DataFrame:
    mask = comp.status == INELIGIBLE
    part = comp.roster.frame[mask]
    level_names = comp.policy.level_titles
    table = pd.DataFrame({
        L["source_row"]: part["row"], L["name"]: part["name"], L["person_id"]: part["person_id"],
        L["district"]: part["district"], L["category"]: part["category"],
        L["level"]: part["level"].map(level_names).astype(object),
        L["reason"]: ineligible_reasons(comp, lang),
    })
    return _present(_with_sheet(table, comp, L, np.flatnonzero(mask)), comp, L, ("district", "category", "level"))


def _with_sheet(table: pd.DataFrame, comp: Computation, L: dict, positions: np.ndarray) -> pd.DataFrame:
    """A roster read from several sheets: each line says its sheet, next to its row number."""
    if len(comp.roster.sheets) > 1:
        sheets = comp.roster.frame["sheet"].to_numpy()[positions]
        table.insert(table.columns.get_loc(L["source_row"]), L["sheet"], pd.Series(sheets, index=table.index))
    return table


def _present(frame: pd.DataFrame, comp: Computation, L: dict, optional: tuple[str, ...]) -> pd.DataFrame:
    """Drop the optional columns the roster does not have, rather than print them empty."""
    return frame.drop(columns=[L[k] for k in optional if k not in comp.roster.headers and L[k] in frame.columns])


def _problems_frame(comp: Computation, L: dict, lang: str) -> pd.DataFrame:
    issues = comp.roster.issues
    return pd.DataFrame({
        L["severity"]: [L[i.severity] for i in issues], L["code"]: [i.code for i in issues],
        L["sheet"]: [i.location.sheet for i in issues], L["row"]: [i.location.row for i in issues],
        L["column"]: [i.location.column for i in issues], L["value"]: [i.value for i in issues],
        L["message"]: [i.message(lang) for i in issues], L["hint"]: [i.hint(lang) for i in issues],
    }, dtype=object)
