"""发放花名册: the sheets finance pays from and people sign, one per kind of payment.

Lines are grouped by 区县 (or by 单位 when the roster has no 区县) with a subtotal under each
group, then a grand total with the amount in capital numerals, and lines for 制表人 / 审核人 /
负责人. The columns to the right of 签字 (how each amount was reached, the clause, the source
row) are for the auditor on screen and are outside the print area. Every subtotal and total is
summed here in integer fen; a test reads them back and adds them up.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine import Computation
from ..money import FEN_PER_YUAN, capital_yuan
from .sheets import Sheet, width

A4 = 9  # Excel's paper size code


def payroll_sheets(comp: Computation, L: dict, details: pd.Series, batch: str) -> list[Sheet]:
    """One sheet per kind of payment made in the run, in the order one-off, monthly, award; arrears
    (补发) paid with --include-arrears on sheets of their own after them, signed for separately."""
    lines = comp.lines
    late = lines["arrears"].to_numpy(dtype=bool)
    sheets = []
    for arrears in (False, True):
        for kind in ("one_off", "monthly", "yearly", "award", "title_allowance"):
            mask = (lines["kind"] == kind).to_numpy() & (late == arrears)
            if mask.any():
                sheets.append(_payroll(comp, L, kind, lines[mask], details[mask], batch, arrears))
    return sheets


def _payroll(comp: Computation, L: dict, kind: str, lines: pd.DataFrame, details: pd.Series, batch: str,
             arrears: bool = False) -> Sheet:
    rules = [r for r in comp.policy.rules if r.kind == kind]
    by = "district" if "district" in comp.roster.headers else "unit" if "unit" in comp.roster.headers else None
    level_names = comp.policy.level_titles
    roster = comp.roster

    cols: dict[str, object] = {L["seq"]: np.arange(1, len(lines) + 1), L["name"]: lines["name"].to_numpy(),
                               L["person_id"]: lines["person_id"].to_numpy()}
    for key in ("district", "unit"):
        if key in roster.headers:
            cols[L[key]] = lines[key].to_numpy()
    if len(rules) > 1:
        cols[L["rule"]] = lines["rule_id"].map({r.id: r.title for r in rules}).to_numpy()
    if kind not in ("award", "title_allowance"):
        cols[L["level"]] = lines["level"].map(level_names).astype(object).to_numpy()
    if kind in ("monthly", "title_allowance"):
        cols[L["months"]] = lines["months"].to_numpy()
    cols[L["amount"]] = lines["amount_fen"].to_numpy() / FEN_PER_YUAN  # a yuan number for the cell; sums are in fen
    for key in ("bank_account", "bank_branch"):
        if key in roster.headers:
            cols[L[key]] = lines[key].to_numpy()
    cols[L["signature"]] = np.full(len(lines), None, dtype=object)
    printed = len(cols)
    cols[L["detail"]] = details.to_numpy()
    cols[L["clause"]] = lines["rule_id"].map({r.id: r.clause for r in rules}).to_numpy()
    if len(roster.sheets) > 1:
        cols[L["sheet"]] = roster.frame["sheet"].to_numpy()[lines["pos"].to_numpy()]
    cols[L["source_row"]] = lines["row"].to_numpy()
    # Numbers stay numeric columns (NaN where a subtotal or total row has none): an object column
    # costs the writer a type check per cell.
    frame = pd.DataFrame(cols)
    frame = frame.astype({c: float for c in frame.select_dtypes("number").columns})
    amount = L["amount"]
    fen = lines["amount_fen"].to_numpy()

    # Groups in sorted order (a blank group last), lines in roster order within each group.
    if by is not None:
        codes, found = pd.factorize(lines[by].to_numpy())
        groups = sorted(found, key=lambda g: (g == "", g))
        rank = np.array([groups.index(g) for g in found], dtype=np.int64)
        group_of = rank[codes]
        order = np.lexsort([np.arange(len(lines)), group_of])
        frame = frame.iloc[order].reset_index(drop=True)
        frame[L["seq"]] = np.arange(1, len(frame) + 1, dtype=float)
        counts = np.bincount(group_of, minlength=len(groups))
        totals = np.zeros(len(groups), dtype=np.int64)
        np.add.at(totals, group_of, fen)  # integer fen, never a float sum
        blocks, bold = [], []
        start = 0
        for k, g in enumerate(groups):
            n = int(counts[k])
            blocks.append(frame.iloc[start:start + n])
            label = g or L["unknown_district" if by == "district" else "unknown_unit"]
            blocks.append(_row(frame, {L[by]: label, L["name"]: L["subtotal"].format(n=n),
                                               amount: int(totals[k]) / FEN_PER_YUAN}))
            start += n
            bold.append(start + k)  # position of this subtotal among the body rows
        body = pd.concat(blocks, ignore_index=True)
    else:
        body, bold = frame, []
    total_fen = int(fen.sum())
    tail = pd.concat([
        _row(frame, {L["name"]: L["total"], L["person_id"]: L["in_words"].format(capital_yuan(total_fen)),
                             amount: total_fen / FEN_PER_YUAN}),
        _row(frame, {}),
        _row(frame, {L["name"]: L["signatures"]}),
    ], ignore_index=True)
    bold.append(len(body))
    out = pd.concat([body, tail], ignore_index=True)

    header_row = 2
    title = L["payroll_title"].format(city=comp.policy.city, items="、".join(r.title for r in rules)
                                      + (L["arrears_word"] if arrears else ""))
    subtitle = L["payroll_subtitle"].format(policy=comp.policy.title, period=comp.period.title(L["lang"]), batch=batch)
    last_row = header_row + len(out)
    setup = {"landscape": True, "paper_size": A4, "fit_to_pages": (1, 0), "repeat_rows": (header_row, header_row),
             "footer": L["page_footer"], "print_area": (0, 0, last_row, printed - 1), "print_gridlines": True,
             "center_horizontally": True,
             "margins": {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6, "header": 0.3, "footer": 0.3}}
    # The total's words and the signature line run across empty cells: they must not widen their columns.
    widths = {L["name"]: width(frame[L["name"]], L["name"]), L["person_id"]: 20, L["signature"]: 16}
    return Sheet(L[f"sheet.payroll.{kind}"] + (L["arrears_word"] if arrears else ""), out, header_row=header_row, title=[title, subtitle], title_cols=printed,
                 options={"page_setup": setup}, bold_rows=[header_row + 1 + b for b in bold], widths=widths)


def _row(frame: pd.DataFrame, values: dict) -> pd.DataFrame:
    """One extra row (a subtotal, a total) in the frame's own column types: NaN, not None, in numbers."""
    row = pd.DataFrame([[values.get(c) for c in frame.columns]], columns=frame.columns)
    return row.astype({c: float for c, t in frame.dtypes.items() if t.kind == "f"})
