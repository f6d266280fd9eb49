"""A sheet as the workbook writer takes it: a frame and how to lay it out."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from .printing import Amendment

# The rows of one Excel sheet (.xlsx): a table longer than this continues on further sheets, never cut.
EXCEL_ROWS = 1_048_576


@dataclass(frozen=True)
class RunInfo:
    """What the workbook says about how it was made (计算依据, payroll titles)."""

    policy_file: str = ""
    # The file names as the person who gave them knows them, with the hashes of the files read, when
    # those are not where the names say (the page's uploads and its copy of the policy); else the
    # hashes are read from policy_file and the roster's own path.
    policy_sha256: str = ""
    roster_file: str = ""
    roster_sha256: str = ""
    batch: str = ""  # 批次; the period when not given
    command: str = ""  # the command line that reproduces the run
    previous_file: str = ""  # earlier payments and winners (--previous), when given
    ledger: str = ""  # the ledger read (its URL, without a password), when there is one
    ledger_batch: str = ""  # the batch id this run is committed as (--commit), printed for finance
    notice_from: date | None = None  # the 公示期 printed on the notice list (--notice-from, --notice-until)
    notice_until: date | None = None


@dataclass
class Sheet:
    """A sheet for the workbook writer: a frame and how to lay it out."""

    name: str
    frame: pd.DataFrame
    header_row: int = 0
    title: list[str] = field(default_factory=list)  # lines merged across the top, above the header
    title_cols: int | None = None  # how many columns the title lines span (default: all)
    title_left: list[int] = field(default_factory=list)  # title lines that are a paragraph: left, wrapped
    options: dict = field(default_factory=dict)  # further rustpy-xlsxwriter sheet options
    bold_rows: list[int] = field(default_factory=list)  # 0-based sheet rows (subtotals, totals)
    autofilter: bool = False
    money: list[str] | None = None  # columns shown as #,##0.00 (default: the amount column)
    widths: dict[str, float] = field(default_factory=dict)  # set widths, where the content would mislead
    wrap: list[str] = field(default_factory=list)  # columns whose text wraps (besides those too wide)
    wrap_rows: list[int] = field(default_factory=list)  # 0-based sheet rows whose text wraps (a merged line)
    row_heights: dict[int, float] = field(default_factory=dict)  # 0-based sheet row -> points
    gridlines: bool = False  # print the cell grid (a list to be read on paper: the notice, the payroll)
    # Printed on one page, no header repeated: a sheet of several short tables (汇总), whose one
    # header means nothing over the next table and whose 合计 must not stand alone on a page.
    one_page: bool = False
    footer: str = ""  # the page footer (Excel's &-codes); default: the sheet's name and page number
    fitted: bool = True  # widths, wrapping and row heights from the content (printing.layout); else as given
    amend: Amendment = field(default_factory=Amendment)  # what the writer adds after saving (printing.amend)
    known_plain: frozenset[str] = frozenset()  # columns whose texts are known safe to write (safety.excel_frame)


def width(values: pd.Series, header: str, cap: int = 60) -> float:
    """A readable width: CJK characters count double; sampled, since rows repeat their shape."""
    def w(s: object) -> int:
        text = "" if s is None else str(s)
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return min(cap, max([w(header)] + [w(v) for v in values.iloc[:80]]) + 2)



def part_name(name: str, k: int, L: dict) -> str:
    """The k-th sheet (from 1) of a table continued over several: the first keeps its name."""
    return name if k == 1 else L["sheet_part"].format(name=name, k=k)


def fit_rows(sh: Sheet, L: dict) -> list[Sheet]:
    """The sheet, or the sheets it continues on when its rows pass Excel's EXCEL_ROWS: each with the
    title and header, its own slice of the rows, and the formats, heights, merges and breaks of
    those rows. (Payroll sheets are cut before this, between people: reports.payroll.)"""
    top = sh.header_row + 1
    room = EXCEL_ROWS - top
    if len(sh.frame) <= room:
        return [sh]
    parts = -(-len(sh.frame) // room)

    def where(r: int) -> tuple[int, int]:
        """A sheet row -> (its part, its row there); a title row (part -1) is on every part."""
        if r < top:
            return -1, r
        k, i = divmod(r - top, room)
        return k, top + i

    def mine(rows, k):
        return [r2 for r in rows for p, r2 in [where(r)] if p in (-1, k)]

    out = []
    for k in range(parts):
        merges = [(a2, c1, b2, c2) for a, c1, b, c2 in sh.amend.merges
                  for (pa, a2), (pb, b2) in [(where(a), where(b))] if pa in (-1, k) and pb in (-1, k)]
        amend = replace(sh.amend, merges=merges, row_breaks=mine(sh.amend.row_breaks, k),
                        align={(r2, c): v for (r, c), v in sh.amend.align.items() for p, r2 in [where(r)] if p in (-1, k)})
        options = {o: v for o, v in sh.options.items() if o != "charts" or k == 0}
        out.append(replace(sh, name=part_name(sh.name, k + 1, L), frame=sh.frame.iloc[k * room:(k + 1) * room].reset_index(drop=True),
                           bold_rows=mine(sh.bold_rows, k), wrap_rows=mine(sh.wrap_rows, k),
                           row_heights={r2: h for r, h in sh.row_heights.items() for p, r2 in [where(r)] if p in (-1, k)},
                           amend=amend, options=options))
    return out
