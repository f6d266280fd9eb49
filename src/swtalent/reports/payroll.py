"""发放花名册: the sheets finance pays from and people sign, one per kind of payment.

Lines are grouped by 区县 (or by 单位 when the roster has no 区县) with a subtotal under each
group, then a grand total with the head count, the amount in capital numerals, and lines for
制表人 / 审核人 / 负责人 and the unit's seal. The columns to the right of 签字 (how each amount was
reached, the clause, the source row) are for the auditor on screen and are outside the print
area. Every subtotal and total is summed here in integer fen; a test reads them back and adds them up.

A person paid more than one line on a sheet (two levels in a year: 助理社会工作师 for five months,
社会工作师 for seven) signs once: the lines stay one a row, each with its level, months, amount and
the clause and calculation behind it, so that the sheet still reconciles line for line with the
detail and the ledger, and the person's 序号, name, ID, unit, account and 签字 cell are merged
across them. Lines are not summed into one row per person: that would hide which level paid
what, and two lines to two different accounts are two payments, signed for apart.

The paper: A4 (landscape unless the columns are few) at the scale that fits the printed columns one page wide, rows tall enough
to sign by hand at that scale, the header row on every page, and a page break placed before every
page (`printing.plan_pages`): a person's lines are never split across pages, and the last page
never holds the totals alone or with fewer than four lines above them. Placing every break is what
lets the footer say 第 1 页 共 3 页 of this sheet alone, also when the whole workbook is printed.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..districts import district_order
from ..engine import Computation
from ..fields import ORG_ONLY
from ..money import FEN_PER_YUAN, capital_yuan
from ..roster.cells import pair_codes
from ..safety import plain
from . import sheets as _sheets
from .printing import (
    A4,
    LINE_POINTS,
    MARGINS,
    MAX_BREAKS,
    PAGE_FILL,
    Amendment,
    fit_scale,
    is_wide,
    plan_pages,
    printable,
    text_lines,
)
from .sheets import Sheet, part_name, width
from .summary import line_persons, persons_per_group

HEADER_ROW = 2  # below the title and the policy/period/batch line
# Heights in points. A row a person signs in prints at least SIGN_POINTS tall (about 1 cm) whatever
# the scale; the others hold their text, which scales with them.
SIGN_POINTS = 30.0
HEIGHTS = {"subtitle": 20.0, "header": 30.0, "subtotal": 20.0, "total": 22.0, "words": 22.0}
SIGNATURES_POINTS = 36.0  # printed
SEAL_POINTS = 60.0  # printed: room for a seal beside the line
# Widths (Excel's, in digits) of the printed columns whose text wraps rather than widens the page.
WRAPPED = {"unit": 24.0, "bank_branch": 18.0, "rule": 16.0, "level": 16.0}
MIN_LINES_ON_LAST_PAGE = 4
TAIL_ROWS = 4  # under the lines: 合计, the amount in words, the signature lines, the seal
FIXED_ROWS = HEADER_ROW + 1 + TAIL_ROWS  # a sheet's rows besides its lines and subtotals


def payroll_sheets(comp: Computation, L: dict, details: pd.Series, batch: str) -> list[Sheet]:
    """One sheet per kind of payment made in the run, in the order one-off, monthly, award; arrears
    (补发) paid with --include-arrears on sheets of their own after them, signed for separately."""
    sheets = []
    for kind, arrears, mask in payroll_kinds(comp):
        lines, said = comp.lines[mask], details[mask]
        parts = payroll_parts(comp, lines)
        for k, pos in enumerate(parts, 1):
            if len(parts) > 1:
                lines_k, said_k = lines.iloc[pos], said.iloc[pos]
            else:
                lines_k, said_k = lines, said
            sheets.append(_payroll(comp, L, kind, lines_k, said_k, batch, arrears, part=(k, len(parts))))
    return sheets


def payroll_kinds(comp: Computation):
    """(kind, arrears, mask of comp.lines) for each payroll sheet the run pays on, in the workbook's order."""
    lines = comp.lines
    late = lines["arrears"].to_numpy(dtype=bool)
    for arrears in (False, True):
        for kind in ("one_off", "monthly", "yearly", "award", "title_allowance"):
            mask = (lines["kind"] == kind).to_numpy() & (late == arrears)
            if mask.any():
                yield kind, arrears, mask


def _grouping(comp: Computation, lines: pd.DataFrame) -> tuple[str | None, list, np.ndarray, np.ndarray]:
    """(the column lines are grouped by, the groups in order, each line's group, each line's person):
    区县 by region code, then the policy's districts: order; units sorted; a blank group last."""
    roster = comp.roster
    by = _group_column(comp)
    if by is not None:
        codes, found = pd.factorize(lines[by].to_numpy())
        groups = (district_order(found, comp.policy, roster.frame["district"]) if by == "district"
                  else sorted(found, key=lambda g: (g == "", g)))
        rank = np.array([groups.index(g) for g in found], dtype=np.int64)
        group_of = rank[codes]
    else:
        groups, group_of = [None], np.zeros(len(lines), dtype=np.int64)
    person_keys = ["person_id", "name", *(k for k in ("district", "unit", "bank_account", "bank_branch")
                                          if k in roster.headers)]
    return by, groups, group_of, _codes(lines, person_keys, line_persons(comp, lines))


def payroll_parts(comp: Computation, lines: pd.DataFrame) -> list[np.ndarray]:
    """The lines of each sheet a payroll prints on: one sheet, unless its rows would pass Excel's
    last row; then it continues on further sheets, cut between people (a person's lines stay on one
    sheet), each with its own subtotals and 本表合计. Positions in `lines`, in the sheet's order."""
    n = len(lines)
    by = _group_column(comp)
    if _fits(n, lines[by] if by is not None else None):
        return [np.arange(n)]
    _, groups, group_of, person = _grouping(comp, lines)
    room = _sheets.EXCEL_ROWS - FIXED_ROWS - (len(groups) if by is not None else 0)
    order = np.lexsort([np.arange(n), person, group_of])
    person = person[order]
    starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]])  # where each person's lines begin
    cuts = [0]
    while n - cuts[-1] > room:
        cut = int(starts[np.searchsorted(starts, cuts[-1] + room, side="right") - 1])
        cuts.append(cut if cut > cuts[-1] else cuts[-1] + room)  # one person's lines filling a sheet: cut them
    return [order[a:b] for a, b in zip(cuts, cuts[1:] + [n])]


def one_sheet(comp: Computation, mask: np.ndarray) -> bool:
    """Whether the lines of `mask` surely print on one payroll sheet, told without taking them out
    of comp.lines (a copy of 800,000 lines): with a subtotal for every group any line of the run
    has, they fit."""
    by = _group_column(comp)
    return _fits(int(mask.sum()), comp.lines[by] if by is not None else None)


def _fits(n: int, groups: pd.Series | None) -> bool:
    """Few lines need no grouping to know: n lines and at most one subtotal per distinct group
    (`groups`, the lines' 区县 or 单位) fit on one sheet with its title, header and tail."""
    return n + FIXED_ROWS + (groups.nunique() if groups is not None else 0) <= _sheets.EXCEL_ROWS


def _group_column(comp: Computation) -> str | None:
    headers = comp.roster.headers
    return "district" if "district" in headers else "unit" if "unit" in headers else None


def _codes(frame: pd.DataFrame, columns: list[str], first: np.ndarray | None = None) -> np.ndarray:
    """One integer per distinct combination of the columns' values, numbered in order of first appearance.
    The first column (the ID; `first`, its values as integers, when known) nearly decides it: the
    others are factorised only for the rows of an ID that comes with more than one combination (a
    person paid to two accounts), found by comparing each row with the next of the same ID (0.9 s
    less a sheet at a million lines)."""
    if first is None:
        first = pd.factorize(frame[columns[0]].astype(object).to_numpy())[0]
    first = first.astype(np.int64)
    order = np.argsort(first, kind="stable")
    same = first[order][1:] == first[order][:-1]
    varies = np.zeros(len(frame), dtype=bool)
    try:
        for c in columns[1:]:
            values = frame[c].to_numpy(dtype=object)[order]
            differ = same & (values[1:] != values[:-1])  # NaN differs from NaN: looked at closely below
            varies[order[1:][differ]] = True
    except TypeError:  # a value that cannot say whether it equals another (pd.NA): every row closely
        varies[:] = True
    if varies.any():
        varies = np.isin(first, first[varies])  # every row of such an ID
        sub = np.zeros(len(frame), dtype=np.int64)
        sub[varies] = _combinations(frame[varies], columns) + 1
        first = first * (int(sub.max()) + 1) + sub
    return pd.factorize(first)[0]


def _combinations(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    codes = np.zeros(len(frame), dtype=np.int64)
    for c in columns:
        part, found = pd.factorize(frame[c].astype(object).to_numpy())
        codes = pair_codes(codes, part, len(found))
    return codes


def _payroll(comp: Computation, L: dict, kind: str, lines: pd.DataFrame, details: pd.Series, batch: str,
             arrears: bool = False, part: tuple[int, int] = (1, 1)) -> Sheet:
    rules = [r for r in comp.policy.rules if r.kind == kind]
    level_names = comp.policy.level_titles
    roster = comp.roster

    cols: dict[str, object] = {L["seq"]: np.zeros(len(lines), dtype=object), L["name"]: lines["name"].to_numpy(),
                               L["person_id"]: lines["person_id"].to_numpy()}
    # An organisation is paid to an account in its name: its legal representative, and the account's
    # name beside its number (the roster's, by each line's row).
    org = [k for k in ORG_ONLY if comp.policy.organisations and k in roster.headers]
    at = lines["pos"].to_numpy()
    if "legal_rep" in org:
        cols[L["legal_rep"]] = roster.frame["legal_rep"].to_numpy()[at]
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
    if "account_name" in org:
        cols[L["account_name"]] = roster.frame["account_name"].to_numpy()[at]
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
    # costs the writer a type check per cell. 序号 is the exception: the total's words start in it.
    frame = pd.DataFrame(cols)
    frame = frame.astype({c: float for c in frame.select_dtypes("number").columns})
    # Each text column found safe to write (or not) while it holds the lines' texts alone, looked at
    # whole; once merged cells are emptied and subtotal rows added, safety.excel_frame would go
    # through its distinct values. Those rows add this program's labels; 序号 and 签字 hold numbers,
    # those labels and nothing.
    ours = {L["seq"], L["signature"]}
    known_plain = frozenset(ours | {c for c in frame.columns if c not in ours and frame[c].dtype.kind not in "biufcmM"
                                    and plain(frame[c].to_numpy())})
    amount = L["amount"]
    fen = lines["amount_fen"].to_numpy()
    n = len(lines)

    # Groups in order; in a group, people in roster order, each person's lines together, in roster order.
    by, groups, group_of, person = _grouping(comp, lines)
    order = np.lexsort([np.arange(n), person, group_of])
    frame = frame.iloc[order].reset_index(drop=True)
    group_of, person, fen_sorted = group_of[order], person[order], fen[order]
    starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]])  # each signature block's first line
    block_of = np.cumsum(np.r_[True, person[1:] != person[:-1]]) - 1
    seq = np.full(n, None, dtype=object)
    seq[starts] = np.arange(1, len(starts) + 1)
    frame[L["seq"]] = seq
    merged_cols = [c for c in (L["seq"], L["name"], L["person_id"], L.get("legal_rep"), L["district"], L["unit"],
                               L.get("account_name"), L["bank_account"], L["bank_branch"], L["signature"])
                   if c in frame.columns]
    repeat = np.ones(n, dtype=bool)
    repeat[starts] = False
    for c in merged_cols[1:-1]:  # the merged cell shows the first line's value; the others stay empty
        values = frame[c].to_numpy(dtype=object).copy()
        values[repeat] = None
        frame[c] = values

    # People per group and in all, each once however many lines: distinct (group, ID) pairs, counted
    # in one pass over integer codes (a distinct-ID search per group cost 2 s at a million lines).
    id_codes = pd.factorize(line_persons(comp, lines)[order])[0].astype(np.int64)
    span = int(id_codes.max()) + 1 if n else 1
    persons_in = persons_per_group(group_of, id_codes, len(groups))

    def head_count(persons: int, lines_n: int) -> str:
        return (L["head_count"] if persons == lines_n else L["head_count_lines"]).format(persons=persons, lines=lines_n)

    # Body rows: each group's lines, then its subtotal. `kind_of` marks each body row: 0 a line, 1 a subtotal.
    blocks, kinds, sub_group = [], [], []
    counts = np.bincount(group_of, minlength=len(groups))
    totals = np.zeros(len(groups), dtype=np.int64)
    np.add.at(totals, group_of, fen_sorted)  # integer fen, never a float sum
    at = 0
    for k, g in enumerate(groups):
        size = int(counts[k])
        if not size:
            continue
        blocks.append(frame.iloc[at:at + size])
        kinds.append(np.zeros(size, dtype=np.int8))
        if by is not None:
            label = g or L["unknown_district" if by == "district" else "unknown_unit"]
            blocks.append(_row(frame, {L[by]: label, L["name"]: L["subtotal"],
                                       L["person_id"]: head_count(int(persons_in[k]), size),
                                       amount: int(totals[k]) / FEN_PER_YUAN}))
            kinds.append(np.ones(1, dtype=np.int8))
            sub_group.append(k)
        at += size
    body = pd.concat(blocks, ignore_index=True) if blocks else frame.iloc[:0]
    kind_of = np.concatenate(kinds) if kinds else np.zeros(0, dtype=np.int8)
    total_fen = int(fen.sum())
    tail = pd.concat([
        _row(frame, {L["name"]: L["total" if part[1] == 1 else "part_total"], L["person_id"]: head_count(span if n else 0, n),
                     amount: total_fen / FEN_PER_YUAN}),
        _row(frame, {L["seq"]: L["in_words"].format(capital_yuan(total_fen))}),
        _row(frame, {L["seq"]: L["signatures"]}),
        _row(frame, {L["seq"]: L["seal"]}),
    ], ignore_index=True)
    out = pd.concat([body, tail], ignore_index=True)

    title = L["payroll_title"].format(city=comp.policy.city, items="、".join(r.title for r in rules)
                                      + (L["arrears_word"] if arrears else ""))
    subtitle = L["payroll_subtitle"].format(policy=comp.policy.title, period=comp.period.title(L["lang"]), batch=batch)
    if part[1] > 1:
        subtitle += L["part_of"].format(k=part[0], n=part[1])

    # Widths: the person's columns as wide as their text, the long texts wrapped; the total's words
    # and the signature lines are merged across the printed columns and never widen one.
    widths = {c: width(frame[c], c) for c in frame.columns[:printed]}
    widths[L["seq"]] = 6.0
    widths[L["person_id"]] = 20.0
    widths[L["signature"]] = 16.0
    widths[amount] = 13.0
    wrapped = {L[k]: w for k, w in WRAPPED.items() if L[k] in widths and widths[L[k]] > w}
    widths.update(wrapped)
    landscape = is_wide(list(widths.values()))  # an award's few columns print upright
    scale = fit_scale(list(widths.values()), landscape)

    # Row heights: a line is tall enough to sign in at this scale, taller where its text wraps.
    # Every height a whole number of pixels (0.75 point), as Excel keeps it, so that pages are planned
    # with the heights the file holds.
    zoom = scale / 100
    sign = _pixels(SIGN_POINTS / zoom)
    line_h = np.full(len(body), sign)
    wraps = np.ones(len(body), dtype=np.int64)
    for c, w in wrapped.items():
        wraps = np.maximum(wraps, text_lines(body[c].to_numpy(dtype=object), w))
    line_h = _pixels(np.maximum(line_h, wraps * LINE_POINTS + 4))
    line_h[kind_of == 1] = _pixels(np.maximum(HEIGHTS["subtotal"], wraps[kind_of == 1] * LINE_POINTS + 4))
    tail_h = [_pixels(h) for h in (HEIGHTS["total"], HEIGHTS["words"], SIGNATURES_POINTS / zoom, SEAL_POINTS / zoom)]
    first_body = HEADER_ROW + 1
    # The lines' usual height is the sheet's default row height (printing.amend writes it), so that
    # only the rows of another height are listed: 100,000 heights cost the writer a third of a second.
    # The title's row has the default too (rustpy-xlsxwriter 0.8 drops a height given to row 0).
    usual = float(pd.Series(line_h[kind_of == 0]).mode().max()) if len(body) else sign
    header_h = _pixels(HEIGHTS["header"])
    heights = {1: _pixels(HEIGHTS["subtitle"]), HEADER_ROW: header_h}
    heights.update({first_body + int(i): float(line_h[i]) for i in np.flatnonzero(line_h != usual)})
    heights.update({first_body + len(body) + i: float(h) for i, h in enumerate(tail_h)})

    # Page breaks: a person's lines, and the subtotal after a group's last person, print on one page.
    body_rows = np.arange(len(body))
    is_line = kind_of == 0
    unit_of = np.zeros(len(body), dtype=np.int64)
    if len(body):
        line_block = np.full(len(body), -1, dtype=np.int64)
        line_block[is_line] = block_of
        # a subtotal joins the unit of the line before it
        unit_of = np.maximum.accumulate(np.where(is_line, line_block, -1))
    unit_first = np.r_[True, unit_of[1:] != unit_of[:-1]] if len(body) else np.zeros(0, dtype=bool)
    firsts = first_body + body_rows[unit_first]
    unit_heights = np.add.reduceat(line_h, body_rows[unit_first]) if len(body) else np.zeros(0)
    unit_lines = np.add.reduceat(is_line.astype(np.int64), body_rows[unit_first]) if len(body) else np.zeros(0, dtype=np.int64)
    firsts = np.r_[firsts, first_body + len(body)]
    unit_heights = np.r_[unit_heights, sum(tail_h)]
    unit_lines = np.r_[unit_lines, 0]
    _, page_h = printable(landscape)
    breaks = plan_pages(firsts, unit_heights, unit_lines, above=usual + _pixels(HEIGHTS["subtitle"]) + header_h,
                        repeat=header_h, capacity=page_h / zoom * PAGE_FILL, min_lines=MIN_LINES_ON_LAST_PAGE)
    pages = len(breaks) + 1
    # Every break placed: the count is this sheet's own. Beyond Excel's limit the first pages break
    # where the program printing them decides, and only it knows how many there are.
    footer = L["page_footer_pages"].format(pages=pages) if len(breaks) <= MAX_BREAKS else L["page_footer"]

    # Merged: each signature block's person columns and 签字; the total's words and the signature
    # lines across the printed columns.
    last_row = HEADER_ROW + len(out)
    merges = []
    sizes = np.diff(np.r_[starts, n])
    body_pos = np.flatnonzero(is_line)  # body position of each line, in line order
    positions = {c: list(frame.columns).index(c) for c in merged_cols}
    for s, size in zip(starts[sizes > 1], sizes[sizes > 1]):
        r1 = first_body + int(body_pos[s])
        merges += [(r1, positions[c], r1 + int(size) - 1, positions[c]) for c in merged_cols]
    tail_first = first_body + len(body)
    merges += [(tail_first + k, 0, tail_first + k, printed - 1) for k in (1, 2, 3)]
    change = Amendment(merges=merges, row_breaks=breaks, row_height=usual)

    setup = {"landscape": landscape, "paper_size": A4, "scale": scale, "repeat_rows": (HEADER_ROW, HEADER_ROW),
             "footer": footer, "first_page_number": 1, "print_area": (0, 0, last_row, printed - 1),
             "print_gridlines": True, "center_horizontally": True, "margins": dict(MARGINS)}
    bold = [first_body + int(b) for b in np.flatnonzero(kind_of == 1)] + [tail_first, tail_first + 1]
    name = L[f"sheet.payroll.{kind}"] + (L["arrears_word"] if arrears else "")
    return Sheet(part_name(name, part[0], L), out, header_row=HEADER_ROW,
                 title=[title, subtitle], title_cols=printed, options={"page_setup": setup}, bold_rows=bold,
                 widths=widths, wrap=list(wrapped), wrap_rows=[tail_first + 1, tail_first + 2], row_heights=heights,
                 amend=change, fitted=False, known_plain=known_plain)


def _pixels(points):
    """Points rounded up to a whole pixel (0.75 point at 96 to the inch): Excel's row heights."""
    return np.ceil(np.asarray(points) / 0.75 - 1e-9) * 0.75 if np.ndim(points) else math.ceil(points / 0.75 - 1e-9) * 0.75


def _row(frame: pd.DataFrame, values: dict) -> pd.DataFrame:
    """One extra row (a subtotal, a total) in the frame's own column types: NaN, not None, in numbers."""
    row = pd.DataFrame([[values.get(c) for c in frame.columns]], columns=frame.columns)
    return row.astype({c: float for c, t in frame.dtypes.items() if t.kind == "f"})
