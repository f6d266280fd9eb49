"""公示名单: the list published before payment. Name, masked ID, unit, district, item, level and
amount; never a bank account or a full ID. The mask is the policy's `notice` section (by default
3411**********1234: the eight birth-date digits are always hidden). An ID or account typed into
another column (区县, 工作单位 …) is masked the same way wherever it appears in the list's text."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine import Computation
from ..money import FEN_PER_YUAN, format_yuan
from ..safety import PUBLISHED_TEXT, defused, mask_personal_numbers, mask_text
from .labels import labels
from .sheets import Sheet


def mask_ids(ids: np.ndarray, keep_first: int, keep_last: int, mask: str = "*") -> np.ndarray:
    """Each ID with all but its first `keep_first` and last `keep_last` characters masked."""
    codes, distinct = pd.factorize(ids)
    return (np.array([mask_text(str(t), keep_first, keep_last, mask) for t in distinct], dtype=object)[codes]
            if len(ids) else np.array([], dtype=object))


def notice_frame(comp: Computation, lang: str) -> pd.DataFrame:
    L = labels(lang)
    lines, spec, roster = comp.lines, comp.policy.notice, comp.roster
    level_names = comp.policy.level_titles
    cols: dict[str, object] = {
        L["seq"]: np.arange(1, len(lines) + 1), L["name"]: lines["name"].to_numpy(),
        L["person_id"]: mask_ids(lines["person_id"].to_numpy(), spec.keep_first, spec.keep_last, spec.mask),
    }
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


def write_notice(comp: Computation, path: Path, lang: str = "zh", as_csv: bool = False) -> None:
    """A CSV (UTF-8 with a byte-order mark, so Excel in China opens it) or a titled workbook."""
    L = labels(lang)
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
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(frame.columns)
            writer.writerows(zip(*columns))
        return
    from .workbook import write_sheets

    frame[L["amount"]] = frame[L["amount"]] / FEN_PER_YUAN
    title = L["notice_title"].format(city=comp.policy.city, period=comp.period.title(lang))
    write_sheets(path, [Sheet(L["sheet.notice"], frame, header_row=1, title=[title])], L)
