"""公示名单: the list published before payment. Name, masked ID, unit, district, item, level and
amount; never a bank account or a full ID. The mask is the policy's `notice` section (by default
3411**********1234: the eight birth-date digits are always hidden). An ID or account typed into
another column (区县, 工作单位 …) is masked the same way wherever it appears in the list's text.
Where the candidates are organisations, the list names each by 机构名称, its unified social credit
code in full (public information) and its 法定代表人; never its account."""
from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from ..districts import district_ranks
from ..engine import Computation
from ..money import FEN_PER_YUAN, format_yuan
from ..safety import PUBLISHED_TEXT, defused, mask_personal_numbers, mask_text
from ..usage import open_csv
from .labels import labels
from .printing import Amendment
from .sheets import RunInfo, Sheet


def mask_ids(ids: np.ndarray, keep_first: int, keep_last: int, mask: str = "*") -> np.ndarray:
    """Each ID with all but its first `keep_first` and last `keep_last` characters masked."""
    codes, distinct = pd.factorize(ids)
    return (np.array([mask_text(str(t), keep_first, keep_last, mask) for t in distinct], dtype=object)[codes]
            if len(ids) else np.array([], dtype=object))


def notice_frame(comp: Computation, lang: str) -> pd.DataFrame:
    """The published lines: by item (rule) in the policy's order, then by 区县 in official order
    (districts.district_order), then in roster order."""
    L = labels(lang, comp.policy.organisations)
    spec, roster = comp.policy.notice, comp.roster
    lines = comp.lines
    if len(lines) and "district" in roster.headers:
        rank = district_ranks(lines["district"], comp.policy, roster.frame["district"])
        rule = lines["rule_id"].cat.codes.to_numpy()
        lines = lines.iloc[np.lexsort((np.arange(len(lines)), rank, rule))]
    level_names = comp.policy.level_titles
    # An organisation's unified social credit code is public (it is printed on its licence and
    # searchable in the national credit system), and the list must say which organisation is paid:
    # published in full. So is its legal representative, a public fact of its registration. A
    # person's ID is masked. Neither list ever shows an account.
    organisations = comp.policy.organisations
    cols: dict[str, object] = {
        L["seq"]: np.arange(1, len(lines) + 1), L["name"]: lines["name"].to_numpy(),
        L["person_id"]: lines["person_id"].to_numpy() if organisations else
        mask_ids(lines["person_id"].to_numpy(), spec.keep_first, spec.keep_last, spec.mask),
    }
    if organisations and "legal_rep" in roster.headers:
        cols[L["legal_rep"]] = roster.frame["legal_rep"].to_numpy()[lines["pos"].to_numpy()]
    for key in PUBLISHED_TEXT:
        if key in roster.headers:
            cols[L[key]] = lines[key].to_numpy()
    cols[L["rule"]] = lines["rule_id"].map({r.id: r.title for r in comp.policy.rules}).astype(object).to_numpy()
    cols[L["level"]] = np.where(lines["kind"].isin(["award", "title_allowance"]), None,
                                lines["level"].map(level_names).astype(object).to_numpy())
    # A number like an ID or an account, in any other text column (the clerk's 区县, 工作单位, even
    # a name), is published masked like the ID column (which is masked already).
    for key, values in cols.items():
        if key not in (L["seq"], L["person_id"]):
            masked = mask_personal_numbers(values, spec.keep_first, spec.keep_last, spec.mask)
            if masked is not None:
                cols[key] = masked
    cols[L["amount"]] = lines["amount_fen"].to_numpy()
    return pd.DataFrame(cols)


def write_notice(comp: Computation, path: Path, lang: str = "zh", as_csv: bool = False, bom: bool = True,
                 run: RunInfo = RunInfo()) -> None:
    """A CSV (UTF-8 with a byte-order mark, so Excel in China opens it; without, if not `bom`) or a
    workbook to print and post."""
    L = labels(lang, comp.policy.organisations)
    frame = notice_frame(comp, lang)
    if as_csv:
        # Excel opens this file (it has a byte-order mark for that): no text may read as a formula.
        columns = []
        for c in frame.columns:
            if c == L["amount"]:
                codes, fen = pd.factorize(frame[c])
                columns.append(np.array([format_yuan(int(f)) for f in fen], dtype=object)[codes])
            elif frame[c].dtype.kind in "biuf":
                columns.append(frame[c].to_numpy())
            else:
                text = defused(frame[c])
                text[pd.isna(text)] = ""  # a blank level (awards) is an empty field, never "nan"
                columns.append(text)
        with open_csv(path, bom) as fh:
            writer = csv.writer(fh)
            writer.writerow(frame.columns)
            writer.writerows(zip(*columns))
        return
    from .workbook import write_sheets

    frame[L["amount"]] = frame[L["amount"]] / FEN_PER_YUAN
    write_sheets(path, [notice_sheet(comp, frame, L, run)], L)


ROW_POINTS = 18.0  # a posted list's rows, a little apart to be read on a wall (Excel's default is 15)


def _day(day: date | None, L: dict) -> str:
    return L["notice_blank_day"] if day is None else L["notice_day"].format(y=day.year, m=day.month, d=day.day)


def notice_period(comp: Computation, L: dict, run: RunInfo) -> tuple[str, str]:
    """(the 公示期 line, the issuing office): from, until and where to object, in the policy's words
    (its `notice` section) and the run's dates (--notice-from, --notice-until); a date not given is
    printed blank, to be filled in by hand."""
    spec, start, end = comp.policy.notice, run.notice_from, run.notice_until
    if start is not None and end is None and spec.period_days:
        end = start + timedelta(days=spec.period_days - 1)
    issuer = spec.issuer or L["notice_issuer"].format(city=comp.policy.city)
    # The days the dates span, both counted (10 to 16 January is 7 days); the policy's when a date is blank.
    span = (end - start).days + 1 if start is not None and end is not None else spec.period_days
    days = L["notice_days"].format(n=span) if span else ""
    contact = L["notice_contact"].format(contact=spec.contact) if spec.contact else ""
    line = L["notice_period"].format(start=_day(start, L), end=_day(end, L), days=days,
                                     to=spec.objections_to or issuer, contact=contact)
    return line, issuer


def notice_sheet(comp: Computation, frame: pd.DataFrame, L: dict, run: RunInfo) -> Sheet:
    """The list as posted: its title; the 公示期 and where to object; the list, its header on every
    page; the issuing office and the date under it, to the right. A4 upright unless the columns are
    wide, one page wide, 第 1 页 共 3 页 in the footer."""
    line, issuer = notice_period(comp, L, run)
    if comp.policy.candidates == "organisations":  # 十佳社工站 …: not a subsidy to people; the items' own names
        items = "、".join(dict.fromkeys(r.title for r in comp.policy.active_rules(comp.period)))
        title = L["notice_title_items"].format(city=comp.policy.city, items=items, period=comp.period.title(L["lang"]))
    else:
        title = L["notice_title"].format(city=comp.policy.city, period=comp.period.title(L["lang"]))
    seq = L["seq"]
    frame = frame.astype({seq: object})
    tail = pd.DataFrame([[None] * len(frame.columns), [issuer] + [None] * (len(frame.columns) - 1),
                         [_day(run.notice_from, L)] + [None] * (len(frame.columns) - 1)], columns=frame.columns)
    tail = tail.astype({c: float for c, t in frame.dtypes.items() if t.kind == "f"})
    out = pd.concat([frame, tail], ignore_index=True)
    header_row = 2
    signed = header_row + 1 + len(frame) + 1  # the issuer's row; the date's under it
    last = len(frame.columns) - 1
    change = Amendment(merges=[(r, 0, r, last) for r in (signed, signed + 1)],
                       align={(signed, 0): "right", (signed + 1, 0): "right"}, row_height=ROW_POINTS)
    return Sheet(L["sheet.notice"], out, header_row=header_row, title=[title, line], title_left=[1],
                 widths={seq: 6.0}, footer=L["page_footer"], amend=change, gridlines=True)
